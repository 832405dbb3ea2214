package rules

// Names is an RMLVO set: the rules file and the model, layout, variant and
// options to look up in it. Layout and Variant may hold comma-separated
// lists (one entry per group, e.g. "us,ru" and ",phonetic"); Options is a
// comma-separated list of options such as "grp:alt_shift_toggle,ctrl:nocaps".
// Empty fields are not filled in by this package: callers apply defaults
// (see includepath.DefaultNames) before resolving.
type Names struct {
	Rules, Model, Layout, Variant, Options string
}

// Components is a KcCGST set: the include strings, one per keymap section,
// that a rules file produced for some Names (e.g. Symbols
// "pc+us+ru:2+inet(evdev)+group(alt_shift_toggle)").
type Components struct {
	Keycodes, Types, Compat, Symbols, Geometry string
}
