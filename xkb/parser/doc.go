// Package parser reads the XKB keymap text format, as libxkbcommon 1.5
// accepts it, into an AST, and resolves include statements into a tree of
// sections for the compiler.
//
// # Parsing
//
// Parse turns one file into a *File. A keymap file (what
// wl_keyboard.keymap carries, what `xkbcli compile-keymap` prints) holds
// one KindKeymap Section whose Sections are its components; a file from
// the keycodes, types, compat or symbols directories holds several
// component sections, each with Flags (default, partial, ...) and a Name.
//
// A component section's Stmts are, in source order, one of:
//
//	*Include        include "pc+us(intl):2"     (also augment/override/replace/alternate "...")
//	*VarDef         name = expr;  a.b = expr;  a[i] = expr;  name;  !name;
//	*KeycodeDef     <AE01> = 10;
//	*AliasDef       alias <AC12> = <BKSL>;
//	*LEDNameDef     indicator 1 = "Caps Lock";  virtual indicator 4 = "...";
//	*VModDef        virtual_modifiers NumLock, Alt = Mod1;
//	*KeyTypeDef     type "TWO_LEVEL" { modifiers = Shift; map[Shift] = Level2; };
//	*InterpretDef   interpret Shift_L+AnyOfOrNone(all) { action = SetMods(...); };
//	*LEDMapDef      indicator "Caps Lock" { modifiers = Lock; };
//	*KeyDef         key <AE01> { [ 1, exclam ], type[Group1] = "...", actions[Group2] = [ ... ] };
//	*ModMapDef      modifier_map Mod1 { <LALT>, Alt_L };
//	*GroupCompatDef group 2 = AltGr;
//
// Every statement has a Pos and the Merge of its prefix (`override key
// ...`); MergeDefault when there is none. Expressions (Expr) are *Int,
// *Float, *String, *KeyName, *Ident, *FieldRef (a.b), *ArrayRef (a[i],
// a.b[i]), *Call (SetMods(modifiers=Shift), Exactly(Lock)), *Assign (the
// name=value arguments of calls), *Unary (- + ! ~), *Binary (+ - * /),
// and in key bodies *KeysymList ([ a, A, {b, c} ]) and *ActionList
// ([ SetMods(...), NoAction() ]); the shorthand `name;` and `!name;` give
// a *Bool value. The parser gives no meaning to names: keysyms,
// modifiers, actions and fields are the compiler's business.
// xkb_geometry sections are checked for balanced braces and skipped.
//
// Positions are byte offsets (Pos); File.Position turns one into
// file:line:col, computing line starts only when asked. Parse errors are
// an ErrorList (at most ten, sorted, one per line) of *Error values that
// print as "file:line:col: expected X, found Y"; the parser skips to the
// end of a bad statement and goes on, so one run reports several errors.
//
// # Includes
//
// A Loader, made by NewLoader with the include directories in search order
// (see package includepath), finds the file an include step names under
// the section kind's directory (symbols/us), and picks the named section
// or the file's default one (flagged `default`, else the first). Like
// libxkbcommon it parses a file only as far as the section it needs (so a
// syntax error after that section goes unnoticed), and never twice. Loader.Resolve turns a section into a *Resolved: its statements
// in order, each *Include carrying its Steps, each Step carrying the
// step's merge mode ('+' override, '|' augment, the statement's own mode
// for the first step), its ":N" group index and the included section,
// resolved the same way. Loader.ResolveSpec does the same for an include
// string from the rules (a KcCGST component). Include loops, unknown
// files and unknown sections are errors at the including statement's
// file:line:col; syntax errors of included files come back as their
// ErrorList. Loader.Paths lists the files read, for a cache of compiled
// keymaps keyed by modification times. Loaders made by NewLoaderWithCache
// share parsed files through a FileCache (safe for concurrent use), which
// reuses a file while its size and modification time are unchanged.
//
// A compiler walks the tree depth first; the shape of one pass (the merge
// rules themselves, e.g. which default mode an included section's own
// statements get, are the compiler's, following libxkbcommon):
//
//	func (c *compiler) section(r *parser.Resolved, mode parser.MergeMode) info {
//		var in info
//		for st, steps := range r.Items() {
//			inc, ok := st.(*parser.Include)
//			if !ok {
//				in.handle(st, c.stmtMode(st.MergeMode(), mode))
//				continue
//			}
//			var incl info
//			for _, step := range steps { // step.Group: symbols only
//				incl.merge(c.section(step.Section, c.includedMode(step.Merge)), step.Merge)
//			}
//			in.merge(incl, inc.Merge)
//		}
//		return in
//	}
//
// See ExampleLoader_ResolveSpec for a walk over real data.
package parser
