package compile

import (
	"fmt"
	"strconv"
	"strings"

	"gocomp/xkb/keymap"
	"gocomp/xkb/keysym"
	"gocomp/xkb/parser"
)

// errAt is a compile error at a node of a section's file. The position
// is resolved to file:line:col only when the error is printed: warnings
// about the XKB data are made on every compile and rarely printed.
type errAt struct {
	file *parser.File
	pos  parser.Pos
	msg  string
}

func (e *errAt) Error() string { return e.file.Position(e.pos).String() + ": " + e.msg }

// ctx carries what every section compiler shares: the modifier table (real
// then virtual, in declaration order) and the file positions for errors.
type ctx struct {
	mods []keymap.Mod
	// declared holds the explicit vmod values (virtual_modifiers X = m)
	// of the sections compiled so far: each section that declares a vmod
	// replaces its value, 0 when it gives none (as libxkbcommon does).
	declared map[int]keymap.ModMask
	// sectionDeclared collects the declarations of the section being
	// compiled; endSection moves them to declared.
	sectionDeclared map[int]keymap.ModMask
	// warnings collects non-fatal problems of the XKB data (libxkbcommon
	// warns and goes on), printed only when debug logging is on.
	warnings []error
	// notices collects the non-fatal problems of what the user gave (the
	// RMLVO's component strings, a keymap text): they become the keymap's
	// Warnings.
	notices []error
	// userFiles are the files whose problems are notices.
	userFiles map[*parser.File]bool
	// strictFile is the file (the keymap text given to FromText) where an
	// unknown keysym is an error; elsewhere (files of the XKB data, which
	// name keysyms newer than the tables) it is a warning and NoSymbol,
	// as libxkbcommon does.
	strictFile *parser.File
}

func newCtx() *ctx {
	c := &ctx{declared: map[int]keymap.ModMask{}, sectionDeclared: map[int]keymap.ModMask{}}
	for i, n := range keymap.RealModNames {
		c.mods = append(c.mods, keymap.Mod{Name: n, Mapping: 1 << uint(i)})
	}
	return c
}

// warn records a problem libxkbcommon warns about and carries on from,
// found in file f: a notice when f is what the user gave, else a warning
// about the XKB data.
func (c *ctx) warn(f *parser.File, err error) {
	if c.userFiles[f] {
		c.notices = append(c.notices, err)
		return
	}
	c.warnings = append(c.warnings, err)
}

// includeWarnings records the include statements of r that were ignored
// and, for symbols (where a group index means something), the group
// indexes of its steps that were.
func (c *ctx) includeWarnings(r *parser.Resolved) {
	f := r.Section.File
	for _, w := range r.Warnings {
		c.warn(f, w)
	}
	for st, steps := range r.Items() {
		if inc, ok := st.(*parser.Include); ok {
			for _, part := range parser.SkippedIncludeParts(inc.Spec) {
				c.warn(f, errorf(f, inc.Pos, "include %q: %q names no file (an empty layout?); skipped", inc.Spec, part))
			}
		}
		if r.Section.Kind != parser.KindSymbols {
			continue
		}
		for _, step := range steps {
			if step.BadGroup != "" {
				inc := st.(*parser.Include)
				c.warn(f, errorf(f, inc.Pos, "include %q: group index %q is not 1..%d; ignored", inc.Spec, strings.TrimPrefix(step.BadGroup, ":"), parser.MaxGroups))
			}
		}
	}
}

func errorf(f *parser.File, p parser.Pos, format string, args ...any) error {
	return &errAt{file: f, pos: p, msg: fmt.Sprintf(format, args...)}
}

// endSection applies the vmod declarations of a compiled section.
func (c *ctx) endSection() {
	for i, m := range c.sectionDeclared {
		c.declared[i] = m
	}
	clear(c.sectionDeclared)
}

// vmodIndex returns the index of the named virtual modifier, or -1.
func (c *ctx) vmodIndex(name string) int {
	for i := keymap.NumRealMods; i < len(c.mods); i++ {
		if c.mods[i].Name == name {
			return i
		}
	}
	return -1
}

// declareVMod adds a virtual modifier (once) and returns its index.
func (c *ctx) declareVMod(name string) (int, bool) {
	if i := c.vmodIndex(name); i >= 0 {
		return i, true
	}
	if len(c.mods) >= keymap.MaxMods {
		return -1, false
	}
	c.mods = append(c.mods, keymap.Mod{Name: name, Virtual: true})
	return len(c.mods) - 1, true
}

func realModIndex(name string) int {
	for i, n := range keymap.RealModNames {
		if strings.EqualFold(n, name) {
			return i
		}
	}
	return -1
}

// modIndex resolves a modifier name: real names case-insensitively,
// virtual ones exactly.
func (c *ctx) modIndex(name string) int {
	if i := realModIndex(name); i >= 0 {
		return i
	}
	return c.vmodIndex(name)
}

// evalMods evaluates a modifier mask expression. realOnly restricts it to
// real modifiers (interpret predicates).
func (c *ctx) evalMods(f *parser.File, e parser.Expr, realOnly bool) (keymap.ModMask, error) {
	switch x := e.(type) {
	case *parser.Ident:
		// EqualFold rather than a lowered copy: most names ("Shift",
		// "Mod1") have capitals, and this runs for every modifier named.
		switch {
		case strings.EqualFold(x.Name, "none"):
			return 0, nil
		case strings.EqualFold(x.Name, "all"):
			if realOnly {
				return keymap.RealModsMask, nil
			}
			return keymap.ModMask(1<<uint(len(c.mods)) - 1), nil
		}
		i := c.modIndex(x.Name)
		if i < 0 || (realOnly && i >= keymap.NumRealMods) {
			return 0, errorf(f, x.Pos, "unknown modifier %q", x.Name)
		}
		return 1 << uint(i), nil
	case *parser.Int:
		return keymap.ModMask(x.Value), nil
	case *parser.Binary:
		a, err := c.evalMods(f, x.X, realOnly)
		if err != nil {
			return 0, err
		}
		b, err := c.evalMods(f, x.Y, realOnly)
		if err != nil {
			return 0, err
		}
		switch x.Op {
		case parser.OpAdd:
			return a | b, nil
		case parser.OpSub:
			return a &^ b, nil
		}
		return 0, errorf(f, x.Pos, "operator %c not allowed in a modifier mask", x.Op)
	case *parser.Unary:
		v, err := c.evalMods(f, x.X, realOnly)
		if err != nil {
			return 0, err
		}
		if x.Op == parser.OpInvert {
			return ^v & 0xff, nil
		}
		if x.Op == parser.OpPlus {
			return v, nil
		}
	}
	return 0, errorf(f, e.Position(), "expected a modifier mask")
}

func evalInt(f *parser.File, e parser.Expr) (int64, error) {
	switch x := e.(type) {
	case *parser.Int:
		return x.Value, nil
	case *parser.Unary:
		v, err := evalInt(f, x.X)
		if err != nil {
			return 0, err
		}
		switch x.Op {
		case parser.OpNegate:
			return -v, nil
		case parser.OpPlus:
			return v, nil
		case parser.OpInvert:
			return ^v, nil
		}
	case *parser.Binary:
		a, err := evalInt(f, x.X)
		if err != nil {
			return 0, err
		}
		b, err := evalInt(f, x.Y)
		if err != nil {
			return 0, err
		}
		switch x.Op {
		case parser.OpAdd:
			return a + b, nil
		case parser.OpSub:
			return a - b, nil
		case parser.OpMul:
			return a * b, nil
		case parser.OpDiv:
			if b == 0 {
				return 0, errorf(f, x.Pos, "division by zero")
			}
			return a / b, nil
		}
	}
	return 0, errorf(f, e.Position(), "expected an integer")
}

func evalBool(f *parser.File, e parser.Expr) (bool, error) {
	switch x := e.(type) {
	case *parser.Bool:
		return x.Value, nil
	case *parser.Ident:
		switch strings.ToLower(x.Name) {
		case "true", "yes", "on":
			return true, nil
		case "false", "no", "off":
			return false, nil
		}
	case *parser.Unary:
		if x.Op == parser.OpNot {
			v, err := evalBool(f, x.X)
			return !v, err
		}
	}
	return false, errorf(f, e.Position(), "expected a boolean")
}

func evalString(f *parser.File, e parser.Expr) (string, error) {
	if s, ok := e.(*parser.String); ok {
		return s.Value, nil
	}
	return "", errorf(f, e.Position(), "expected a string")
}

// evalIndexed evaluates a 1-based index given as a number or as a name
// with a prefix ("Group2", "Level3"), bounded by max.
func evalIndexed(f *parser.File, e parser.Expr, prefix string, max int64) (int64, error) {
	var v int64
	switch x := e.(type) {
	case *parser.Ident:
		if len(x.Name) > len(prefix) && strings.EqualFold(x.Name[:len(prefix)], prefix) {
			n, err := strconv.ParseInt(x.Name[len(prefix):], 10, 32)
			if err == nil {
				v = n
				break
			}
		}
		return 0, errorf(f, x.Pos, "expected a %s number, found %q", strings.ToLower(prefix), x.Name)
	default:
		n, err := evalInt(f, e)
		if err != nil {
			return 0, errorf(f, e.Position(), "expected a %s number", strings.ToLower(prefix))
		}
		v = n
	}
	if v < 1 || v > max {
		return 0, errorf(f, e.Position(), "%s %d out of range 1..%d", strings.ToLower(prefix), v, max)
	}
	return v, nil
}

const maxGroups = 4
const maxLevels = 255

func evalGroup(f *parser.File, e parser.Expr) (int, error) {
	v, err := evalIndexed(f, e, "Group", maxGroups)
	return int(v) - 1, err
}

func evalLevel(f *parser.File, e parser.Expr) (int, error) {
	v, err := evalIndexed(f, e, "Level", maxLevels)
	return int(v) - 1, err
}

// resolveKeysym turns a keysym of the source into a value.
func resolveKeysym(f *parser.File, s parser.Keysym) (keysym.Keysym, error) {
	if s.IsInt {
		if s.Int >= 0 && s.Int <= 9 {
			return keysym.Keysym('0' + s.Int), nil
		}
		if s.Int < 0 || s.Int > 0x1fffffff {
			return 0, errorf(f, s.Pos, "keysym value %d out of range", s.Int)
		}
		return keysym.Keysym(s.Int), nil
	}
	switch s.Name {
	case "any", "Any", "NoSymbol", "nosymbol":
		return keysym.NoSymbol, nil
	}
	if ks, ok := keysym.FromName(s.Name); ok {
		return ks, nil
	}
	if ks, ok := keysym.FromNameCaseInsensitive(s.Name); ok {
		return ks, nil
	}
	return 0, errorf(f, s.Pos, "unknown keysym %q", s.Name)
}

// fieldName returns element and field of a VarDef or Assign name, and the
// index expression of an array reference (nil otherwise).
func fieldName(e parser.Expr) (elem, field string, index parser.Expr, ok bool) {
	switch x := e.(type) {
	case *parser.Ident:
		return "", x.Name, nil, true
	case *parser.FieldRef:
		return x.Element, x.Field, nil, true
	case *parser.ArrayRef:
		return x.Element, x.Field, x.Index, true
	}
	return "", "", nil, false
}
