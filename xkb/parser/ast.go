package parser

import "sync"

// Pos is a byte offset into the source of the File that holds a node.
// File.Position turns it into file:line:col when an error is reported.
type Pos int32

// MergeMode says how a statement or an included section combines with
// what was defined before it.
type MergeMode uint8

// Merge modes. MergeDefault is a statement without a prefix; the compiler
// gives it the merge mode of the include step that brought its section in
// (or of the section itself at the top).
const (
	MergeDefault   MergeMode = iota
	MergeAugment             // augment, or '|' in an include string: keep what exists
	MergeOverride            // override, or '+' in an include string: replace what exists
	MergeReplace             // replace: discard what exists, then define
	MergeAlternate           // alternate (accepted, rarely meaningful)
)

var mergeNames = [...]string{"default", "augment", "override", "replace", "alternate"}

// String returns the mode's keyword, "default" for MergeDefault.
func (m MergeMode) String() string {
	if int(m) < len(mergeNames) {
		return mergeNames[m]
	}
	return "MergeMode(?)"
}

// SectionKind is the kind of a section: a whole keymap or one component.
type SectionKind uint8

// Section kinds.
const (
	KindKeymap   SectionKind = iota // xkb_keymap (also xkb_semantics, xkb_layout)
	KindKeycodes                    // xkb_keycodes
	KindTypes                       // xkb_types
	KindCompat                      // xkb_compatibility, xkb_compatibility_map, xkb_compat, xkb_compat_map
	KindSymbols                     // xkb_symbols
	KindGeometry                    // xkb_geometry (parsed and skipped: no statements)
)

var kindNames = [...]string{"xkb_keymap", "xkb_keycodes", "xkb_types", "xkb_compatibility", "xkb_symbols", "xkb_geometry"}

// String returns the canonical keyword of the kind, e.g. "xkb_symbols".
func (k SectionKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "SectionKind(?)"
}

// Dir returns the directory under an include root that holds files of
// this kind ("keycodes", "types", "compat", "symbols", "geometry"), or ""
// for KindKeymap.
func (k SectionKind) Dir() string {
	switch k {
	case KindKeycodes:
		return "keycodes"
	case KindTypes:
		return "types"
	case KindCompat:
		return "compat"
	case KindSymbols:
		return "symbols"
	case KindGeometry:
		return "geometry"
	}
	return ""
}

// Flags are the words that may precede a section keyword.
type Flags uint16

// Section flags.
const (
	FlagPartial Flags = 1 << iota
	FlagDefault
	FlagHidden
	FlagAlphanumericKeys
	FlagModifierKeys
	FlagKeypadKeys
	FlagFunctionKeys
	FlagAlternateGroup
)

// File is a parsed XKB file: a list of sections. A keymap file holds one
// KindKeymap section whose Sections are its components; a component file
// (symbols/us, keycodes/evdev, ...) holds several component sections.
type File struct {
	Name     string // file name as given to Parse (used in positions)
	Sections []*Section

	mu    sync.Mutex // guards src and lines
	src   string     // the source; kept to compute line:col for errors
	lines []int      // offsets of line starts; computed on first use
}

// Section is one section: `flags kind "name" { ... };`.
type Section struct {
	Pos     Pos // of the first flag or the kind keyword
	File    *File
	Flags   Flags
	Kind    SectionKind
	Keyword string // the kind keyword as written, e.g. "xkb_compat"
	Name    string // the optional name string; "" when absent
	HasName bool   // whether a name string was given (it may be "")

	Sections []*Section // KindKeymap only: the component sections, in order
	Stmts    []Stmt     // component kinds: the statements, in order (nil for geometry; geometry declarations in other sections are dropped)
}

// Stmt is a statement of a component section. The concrete types are
// *Include, *VarDef, *KeycodeDef, *AliasDef, *LEDNameDef, *VModDef,
// *KeyTypeDef, *InterpretDef, *LEDMapDef, *KeyDef, *ModMapDef and
// *GroupCompatDef.
type Stmt interface {
	// Position is where the statement starts.
	Position() Pos
	// MergeMode is the merge keyword before the statement, MergeDefault
	// when there is none.
	MergeMode() MergeMode
	stmt()
}

// StmtBase holds what every statement has: where it starts and its
// merge-mode prefix (MergeDefault when it has none).
type StmtBase struct {
	Pos   Pos
	Merge MergeMode
}

// Position returns the offset of the statement's first token.
func (b *StmtBase) Position() Pos { return b.Pos }

// MergeMode returns the statement's merge-mode prefix.
func (b *StmtBase) MergeMode() MergeMode { return b.Merge }

func (*StmtBase) stmt() {}

// Include is `include "spec"`, `augment "spec"`, `override "spec"`,
// `replace "spec"` or `alternate "spec"`; Merge is MergeDefault for
// `include`. Steps is Spec split into its steps (Steps[0].Merge is Merge);
// it is nil when Spec is malformed, which Loader.Resolve reports.
type Include struct {
	StmtBase
	Spec  string
	Steps []IncludeStep
}

// IncludeStep is one `file(section):group` step of an include string.
type IncludeStep struct {
	Merge   MergeMode // the statement's mode for the first step; '+' override, '|' augment
	File    string    // file name relative to the kind's directory, e.g. "us" or "macintosh_vndr/us"
	Section string    // "" selects the file's default section
	Group   int       // the ":N" suffix (1-based); 0 when absent or ignored
	// BadGroup is the text after ':' when it names no group in
	// 1..MaxGroups (":" for an empty one): the suffix is ignored, and the
	// symbols compiler warns. "" otherwise.
	BadGroup string
}

// VarDef is `name = value;` (Name is *Ident, *FieldRef or *ArrayRef).
// The shorthand `name;` gives Value &Bool{Value: true} and `!name;` gives
// &Bool{Value: false}. Inside key bodies a VarDef with a nil Name is an
// unnamed `[ ... ]` (symbols or actions of the next group).
type VarDef struct {
	StmtBase
	Name  Expr
	Value Expr
}

// KeycodeDef is `<NAME> = code;` in xkb_keycodes.
type KeycodeDef struct {
	StmtBase
	Name string // without angle brackets
	Code int64
}

// AliasDef is `alias <ALIAS> = <REAL>;`.
type AliasDef struct {
	StmtBase
	Alias, Real string
}

// LEDNameDef is `indicator N = "name";` or `virtual indicator N = "name";`.
type LEDNameDef struct {
	StmtBase
	Virtual bool
	Index   int64
	Name    Expr // normally *String
}

// VModDef is `virtual_modifiers A, B = expr;`.
type VModDef struct {
	StmtBase
	Mods []VMod
}

// VMod is one entry of a virtual_modifiers statement.
type VMod struct {
	Pos   Pos
	Name  string
	Value Expr // nil when no "= expr"
}

// KeyTypeDef is `type "NAME" { var defs };`.
type KeyTypeDef struct {
	StmtBase
	Name string
	Body []*VarDef
}

// InterpretDef is `interpret Sym+Match { var defs };`. Match is nil when
// there is no "+ expr" (the compiler then uses AnyOfOrNone(all)); it is
// typically a *Call such as Exactly(Lock) or an *Ident naming modifiers.
type InterpretDef struct {
	StmtBase
	Sym   Keysym
	Match Expr
	Body  []*VarDef
}

// LEDMapDef is `indicator "name" { var defs };`.
type LEDMapDef struct {
	StmtBase
	Name string
	Body []*VarDef
}

// KeyDef is `key <NAME> { body };`. Body entries are VarDefs; unnamed
// `[ ... ]` entries have a nil Name and a *KeysymList or *ActionList Value.
type KeyDef struct {
	StmtBase
	Name string // without angle brackets
	Body []*VarDef
}

// ModMapDef is `modifier_map Mod1 { <LALT>, Alt_L };`. Keys holds *KeyName
// and *Ident (keysym names) entries, or *Int keysym values.
type ModMapDef struct {
	StmtBase
	Modifier string
	Keys     []Expr
}

// GroupCompatDef is `group N = expr;` in xkb_compatibility.
type GroupCompatDef struct {
	StmtBase
	Group int64
	Value Expr
}

// Expr is an expression. The concrete types are *Ident, *FieldRef,
// *ArrayRef, *Call, *Assign, *Int, *Float, *String, *KeyName, *Bool,
// *Unary, *Binary, *KeysymList and *ActionList.
type Expr interface {
	// Position is where the expression starts.
	Position() Pos
	expr()
}

// Ident is an identifier: Shift, Group2, true, NoSymbol.
type Ident struct {
	Pos  Pos
	Name string
}

// FieldRef is `element.field`, e.g. key.type or interpret.repeat.
type FieldRef struct {
	Pos            Pos
	Element, Field string
}

// ArrayRef is `field[index]` or `element.field[index]` (Element "" when
// absent), e.g. map[Shift], symbols[Group1], data[0].
type ArrayRef struct {
	Pos            Pos
	Element, Field string
	Index          Expr
}

// Call is an action or predicate: SetMods(modifiers=Shift, clearLocks),
// Exactly(Lock), NoAction().
type Call struct {
	Pos  Pos
	Name string
	Args []Expr
}

// Assign is `lhs = value` inside a call's arguments; Name is *Ident,
// *FieldRef or *ArrayRef.
type Assign struct {
	Pos   Pos
	Name  Expr
	Value Expr
}

// Int is an integer literal.
type Int struct {
	Pos   Pos
	Value int64
}

// Float is a decimal literal with a fraction part, e.g. 1.5.
type Float struct {
	Pos   Pos
	Value float64
}

// String is a string literal, escapes decoded.
type String struct {
	Pos   Pos
	Value string
}

// KeyName is a key name literal <NAME> (Name without the brackets).
type KeyName struct {
	Pos  Pos
	Name string
}

// Bool is the implicit value of the shorthand `name;` (true) and `!name;`
// (false) in VarDefs; the source has no boolean literals.
type Bool struct {
	Pos   Pos
	Value bool
}

// UnaryOp is the operator of a Unary expression.
type UnaryOp byte

// Unary operators.
const (
	OpNegate UnaryOp = '-'
	OpPlus   UnaryOp = '+'
	OpNot    UnaryOp = '!'
	OpInvert UnaryOp = '~'
)

// Unary is `-x`, `+x`, `!x` or `~x`.
type Unary struct {
	Pos Pos
	Op  UnaryOp
	X   Expr
}

// BinaryOp is the operator of a Binary expression.
type BinaryOp byte

// Binary operators.
const (
	OpAdd BinaryOp = '+'
	OpSub BinaryOp = '-'
	OpMul BinaryOp = '*'
	OpDiv BinaryOp = '/'
)

// Binary is `x op y`; + and - bind looser than * and /, all left-assoc.
type Binary struct {
	Pos  Pos // of X
	Op   BinaryOp
	X, Y Expr
}

// Keysym is one keysym in a keysym list or an interpret statement: a name
// (Shift_L, a, section) or an integer (digits 0-9 mean the keysyms "0".."9"
// to libxkbcommon; other integers are keysym values).
type Keysym struct {
	Pos   Pos
	IsInt bool
	Name  string // "" when IsInt
	Int   int64
}

// KeysymList is `[ a, A, {b, c} ]`: one entry per level; a level holds
// one keysym, or several from a `{ ... }` group (nested groups are
// flattened). `[ ]` has no levels.
type KeysymList struct {
	Pos    Pos
	Levels [][]Keysym
}

// ActionList is `[ SetMods(...), NoAction() ]`: one action per level.
type ActionList struct {
	Pos     Pos
	Actions []*Call
}

// Position returns the offset of the first token of the Ident.
func (x *Ident) Position() Pos { return x.Pos }

// Position returns the offset of the first token of the FieldRef.
func (x *FieldRef) Position() Pos { return x.Pos }

// Position returns the offset of the first token of the ArrayRef.
func (x *ArrayRef) Position() Pos { return x.Pos }

// Position returns the offset of the first token of the Call.
func (x *Call) Position() Pos { return x.Pos }

// Position returns the offset of the first token of the Assign.
func (x *Assign) Position() Pos { return x.Pos }

// Position returns the offset of the first token of the Int.
func (x *Int) Position() Pos { return x.Pos }

// Position returns the offset of the first token of the Float.
func (x *Float) Position() Pos { return x.Pos }

// Position returns the offset of the first token of the String.
func (x *String) Position() Pos { return x.Pos }

// Position returns the offset of the first token of the KeyName.
func (x *KeyName) Position() Pos { return x.Pos }

// Position returns the offset of the first token of the Bool.
func (x *Bool) Position() Pos { return x.Pos }

// Position returns the offset of the first token of the Unary.
func (x *Unary) Position() Pos { return x.Pos }

// Position returns the offset of the first token of the Binary.
func (x *Binary) Position() Pos { return x.Pos }

// Position returns the offset of the first token of the KeysymList.
func (x *KeysymList) Position() Pos { return x.Pos }

// Position returns the offset of the first token of the ActionList.
func (x *ActionList) Position() Pos { return x.Pos }

func (*Ident) expr()      {}
func (*FieldRef) expr()   {}
func (*ArrayRef) expr()   {}
func (*Call) expr()       {}
func (*Assign) expr()     {}
func (*Int) expr()        {}
func (*Float) expr()      {}
func (*String) expr()     {}
func (*KeyName) expr()    {}
func (*Bool) expr()       {}
func (*Unary) expr()      {}
func (*Binary) expr()     {}
func (*KeysymList) expr() {}
func (*ActionList) expr() {}
