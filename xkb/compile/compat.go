package compile

import (
	"strings"

	"gocomp/xkb/keymap"
	"gocomp/xkb/keysym"
	"gocomp/xkb/parser"
)

// Fields of an interpret or indicator map that a definition set.
const (
	fAction = 1 << iota
	fVMod
	fRepeat
	fLevelOne
	fWhichMods
	fMods
	fWhichGroups
	fGroups
	fCtrls
)

type interpInfo struct {
	keymap.Interpret
	defined int
}

type ledInfo struct {
	keymap.LED
	mods    keymap.ModMask
	defined int
}

// compatInfo is what the xkb_compatibility sections define.
type compatInfo struct {
	name    string
	interps []*interpInfo
	leds    []*ledInfo
	dflt    interpInfo
	actions *actionDefaults
}

func newCompatInfo() *compatInfo {
	return &compatInfo{dflt: interpInfo{Interpret: keymap.Interpret{VirtualMod: -1}}}
}

func sameInterp(a, b *keymap.Interpret) bool {
	return a.Sym == b.Sym && a.Match == b.Match && a.Mods == b.Mods
}

func (ci *compatInfo) addInterp(in *interpInfo, mode parser.MergeMode) {
	for _, old := range ci.interps {
		if !sameInterp(&old.Interpret, &in.Interpret) {
			continue
		}
		if mode == parser.MergeReplace {
			*old = *in
			return
		}
		take := func(f int) bool { return in.defined&f != 0 && (clobber(mode) || old.defined&f == 0) }
		if take(fAction) {
			old.Action = in.Action
		}
		if take(fVMod) {
			old.VirtualMod = in.VirtualMod
		}
		if take(fRepeat) {
			old.Repeat = in.Repeat
		}
		if take(fLevelOne) {
			old.LevelOneOnly = in.LevelOneOnly
		}
		old.defined |= in.defined
		return
	}
	ci.interps = append(ci.interps, in)
}

func (ci *compatInfo) addLED(l *ledInfo, mode parser.MergeMode) {
	for _, old := range ci.leds {
		if old.Name != l.Name {
			continue
		}
		if mode == parser.MergeReplace {
			*old = *l
			return
		}
		take := func(f int) bool { return l.defined&f != 0 && (clobber(mode) || old.defined&f == 0) }
		if take(fWhichMods) {
			old.WhichMods = l.WhichMods
		}
		if take(fMods) {
			old.mods = l.mods
		}
		if take(fWhichGroups) {
			old.WhichGroups = l.WhichGroups
		}
		if take(fGroups) {
			old.Groups = l.Groups
		}
		if take(fCtrls) {
			old.Ctrls = l.Ctrls
		}
		old.defined |= l.defined
		return
	}
	ci.leds = append(ci.leds, l)
}

func (ci *compatInfo) merge(from *compatInfo, mode parser.MergeMode) {
	if len(ci.interps) == 0 && len(ci.leds) == 0 {
		ci.interps, ci.leds = from.interps, from.leds
		return
	}
	for _, in := range from.interps {
		cp := *in
		ci.addInterp(&cp, mode)
	}
	for _, l := range from.leds {
		cp := *l
		ci.addLED(&cp, mode)
	}
}

func (c *compiler) compatSection(r *parser.Resolved, merge parser.MergeMode) (*compatInfo, error) {
	c.includeWarnings(r)
	sec := r.Section
	info := newCompatInfo()
	info.name = sec.Name
	// Action defaults (setMods.clearLocks = True;) hold for the rest of
	// the compile, included files too, as in libxkbcommon.
	info.actions = c.compatActions
	f := sec.File
	for st, steps := range r.Items() {
		mode := stmtMerge(st.MergeMode(), merge)
		switch s := st.(type) {
		case *parser.Include:
			inc, err := includeSteps(steps, newCompatInfo, c.compatSection,
				func(into, from *compatInfo, m parser.MergeMode, _ int) { into.merge(from, m) })
			if err != nil {
				return nil, err
			}
			info.merge(inc, mode)
		case *parser.VModDef:
			if err := c.vmodDef(f, s); err != nil {
				return nil, err
			}
		case *parser.InterpretDef:
			in, err := c.interpret(f, s, info)
			if err != nil {
				return nil, err
			}
			info.addInterp(in, mode)
		case *parser.LEDMapDef:
			l, err := c.ledMap(f, s)
			if err != nil {
				return nil, err
			}
			info.addLED(l, mode)
		case *parser.GroupCompatDef:
			// Group compatibility maps are accepted and ignored.
		case *parser.VarDef:
			if err := c.compatDefault(f, s, info); err != nil {
				return nil, err
			}
		default:
			return nil, errorf(f, st.Position(), "statement not allowed in xkb_compatibility")
		}
	}
	return info, nil
}

func (c *compiler) compatDefault(f *parser.File, vd *parser.VarDef, info *compatInfo) error {
	elem, field, index, ok := fieldName(vd.Name)
	if !ok {
		return errorf(f, vd.Pos, "bad default")
	}
	switch lower(elem) {
	case "interpret":
		return c.interpField(f, &info.dflt, field, vd.Value, info.actions, vd.Pos)
	case "indicator":
		return nil // indicator defaults (allowExplicit ...) have no effect here
	case "":
		return errorf(f, vd.Pos, "unknown global field %q in xkb_compatibility", field)
	}
	kind, ok, legacy := actionKind(elem)
	if !ok {
		return errorf(f, vd.Pos, "unknown element %q", elem)
	}
	if legacy {
		return nil
	}
	return c.setActionField(f, &info.actions[kind], field, index, vd.Value)
}

func (c *compiler) interpField(f *parser.File, in *interpInfo, field string, value parser.Expr, defs *actionDefaults, pos parser.Pos) error {
	switch lower(field) {
	case "action":
		call, ok := value.(*parser.Call)
		if !ok {
			return errorf(f, value.Position(), "expected an action")
		}
		a, err := c.evalAction(f, call, defs)
		if err != nil {
			return err
		}
		in.Action = a
		in.defined |= fAction
	case "virtualmodifier", "virtualmod":
		id, ok := value.(*parser.Ident)
		if !ok {
			return errorf(f, value.Position(), "expected a virtual modifier name")
		}
		i := c.vmodIndex(id.Name)
		if i < 0 {
			return errorf(f, id.Pos, "unknown virtual modifier %q", id.Name)
		}
		in.VirtualMod = i
		in.defined |= fVMod
	case "repeat":
		v, err := evalBool(f, value)
		if err != nil {
			return err
		}
		in.Repeat = v
		in.defined |= fRepeat
	case "locking":
		// accepted and ignored
	case "usemodmapmods", "usemodmap":
		id, ok := value.(*parser.Ident)
		if !ok {
			return errorf(f, value.Position(), "useModMapMods must be level1 or anylevel")
		}
		switch lower(id.Name) {
		case "level1", "levelone":
			in.LevelOneOnly = true
		case "anylevel", "any":
			in.LevelOneOnly = false
		default:
			return errorf(f, id.Pos, "useModMapMods must be level1 or anylevel")
		}
		in.defined |= fLevelOne
	default:
		return errorf(f, pos, "unknown field %q in interpret", field)
	}
	return nil
}

var matchOps = map[string]keymap.MatchOp{
	"noneof": keymap.MatchNoneOf, "anyofornone": keymap.MatchAnyOfOrNone, "anyof": keymap.MatchAnyOf,
	"allof": keymap.MatchAllOf, "exactly": keymap.MatchExactly,
}

func (c *compiler) interpret(f *parser.File, def *parser.InterpretDef, info *compatInfo) (*interpInfo, error) {
	in := info.dflt
	sym, err := resolveKeysym(f, def.Sym)
	if err != nil {
		return nil, err
	}
	in.Sym = sym
	switch m := def.Match.(type) {
	case nil:
		in.Match, in.Mods = keymap.MatchAnyOfOrNone, keymap.RealModsMask
	case *parser.Call:
		op, ok := matchOps[lower(m.Name)]
		if !ok || len(m.Args) != 1 {
			return nil, errorf(f, m.Pos, "illegal modifier predicate %q", m.Name)
		}
		in.Match = op
		if id, ok := m.Args[0].(*parser.Ident); ok && strings.EqualFold(id.Name, "any") {
			in.Mods = keymap.RealModsMask
		} else if in.Mods, err = c.evalMods(f, m.Args[0], true); err != nil {
			return nil, err
		}
	default:
		if id, ok := m.(*parser.Ident); ok && strings.EqualFold(id.Name, "any") {
			in.Match, in.Mods = keymap.MatchAnyOf, keymap.RealModsMask
			break
		}
		in.Match = keymap.MatchExactly
		if in.Mods, err = c.evalMods(f, m, true); err != nil {
			return nil, err
		}
	}
	for _, vd := range def.Body {
		elem, field, _, ok := fieldName(vd.Name)
		if !ok || (elem != "" && !strings.EqualFold(elem, "interpret")) {
			return nil, errorf(f, vd.Pos, "bad field in interpret")
		}
		if err := c.interpField(f, &in, field, vd.Value, info.actions, vd.Pos); err != nil {
			return nil, err
		}
	}
	if in.Sym == keysym.NoSymbol && def.Sym.Name != "" && !strings.EqualFold(def.Sym.Name, "any") && def.Sym.Name != "NoSymbol" {
		return nil, errorf(f, def.Sym.Pos, "bad interpret keysym %q", def.Sym.Name)
	}
	return &in, nil
}

var stateNames = map[string]keymap.StateComponents{
	"none": 0, "base": keymap.StateBase, "latched": keymap.StateLatched, "locked": keymap.StateLocked,
	"effective": keymap.StateEffective,
	"any":       keymap.StateBase | keymap.StateLatched | keymap.StateLocked | keymap.StateEffective,
}

func evalState(f *parser.File, e parser.Expr) (keymap.StateComponents, error) {
	return evalNamedMask(f, e, stateNames, "state component", "state components")
}

func evalGroupMask(f *parser.File, e parser.Expr) (uint32, error) {
	switch x := e.(type) {
	case *parser.Ident:
		switch lower(x.Name) {
		case "all":
			return 0xff, nil
		case "none":
			return 0, nil
		}
		g, err := evalGroup(f, x)
		if err != nil {
			return 0, err
		}
		return 1 << uint(g), nil
	case *parser.Int:
		// A number is the mask itself (groups= 0xfe).
		if x.Value < 0 || x.Value > 0xffffffff {
			return 0, errorf(f, x.Pos, "group mask %d out of range", x.Value)
		}
		return uint32(x.Value), nil
	case *parser.Binary:
		a, err := evalGroupMask(f, x.X)
		if err != nil {
			return 0, err
		}
		b, err := evalGroupMask(f, x.Y)
		if err != nil {
			return 0, err
		}
		if x.Op == parser.OpAdd {
			return a | b, nil
		}
		if x.Op == parser.OpSub {
			return a &^ b, nil
		}
	}
	return 0, errorf(f, e.Position(), "expected a group mask")
}

func (c *compiler) ledMap(f *parser.File, def *parser.LEDMapDef) (*ledInfo, error) {
	l := &ledInfo{LED: keymap.LED{Name: def.Name}}
	for _, vd := range def.Body {
		elem, field, _, ok := fieldName(vd.Name)
		if !ok || (elem != "" && !strings.EqualFold(elem, "indicator")) {
			return nil, errorf(f, vd.Pos, "bad field in indicator %q", def.Name)
		}
		var err error
		switch lower(field) {
		case "modifiers", "mods":
			l.mods, err = c.evalMods(f, vd.Value, false)
			l.defined |= fMods
		case "whichmodstate", "whichmodifierstate":
			l.WhichMods, err = evalState(f, vd.Value)
			l.defined |= fWhichMods
		case "groups":
			l.Groups, err = evalGroupMask(f, vd.Value)
			l.defined |= fGroups
		case "whichgroupstate":
			l.WhichGroups, err = evalState(f, vd.Value)
			l.defined |= fWhichGroups
		case "controls", "ctrls":
			l.Ctrls, err = evalControls(f, vd.Value)
			l.defined |= fCtrls
		case "allowexplicit", "driveskbd", "driveskeyboard", "leddriveskbd", "leddriveskeyboard",
			"indicatordriveskbd", "indicatordriveskeyboard", "index":
		default:
			return nil, errorf(f, vd.Pos, "unknown field %q in indicator %q", field, def.Name)
		}
		if err != nil {
			return nil, err
		}
	}
	return l, nil
}
