// Package parser reads the XKB keymap text format (as libxkbcommon 1.5
// accepts it) into an AST, and resolves include statements.
//
// Parse turns one file into a *File: a keymap file holds one KindKeymap
// Section whose Sections are its components; a file from the keycodes,
// types, compat or symbols directories holds several component sections.
// Component sections hold statements (Stmt): *Include, *VarDef,
// *KeycodeDef, *AliasDef, *LEDNameDef, *VModDef, *KeyTypeDef,
// *InterpretDef, *LEDMapDef, *KeyDef, *ModMapDef and *GroupCompatDef, each
// with its merge-mode prefix. Expressions (Expr) are literals, references
// (*Ident, *FieldRef, *ArrayRef), calls (actions and interpret matches),
// unary and binary operations, and the `[ ... ]` lists of key bodies
// (*KeysymList, *ActionList). xkb_geometry sections are skipped.
//
// Positions are byte offsets (Pos); File.Position turns one into
// file:line:col. Errors are an ErrorList of "file:line:col: message".
//
// The parser builds a tree only; it gives no meaning to names (keysyms,
// modifiers, actions): that is the compiler's job.
package parser
