// Package keysym names keysyms and converts them to and from Unicode and
// between cases, exactly as libxkbcommon 1.5 does (xkb_keysym_get_name,
// xkb_keysym_from_name, xkb_keysym_to_utf32/utf8, xkb_utf32_to_keysym,
// xkb_keysym_to_upper/lower).
//
// The name and Unicode tables are generated from the keysym header of
// Debian's libxkbcommon-dev; every function is checked against libxkbcommon
// itself by the package tests. Lookups are binary searches over static
// tables: nothing is built at init and nothing allocates, except Name for
// keysyms without a name (see AppendName).
package keysym

//go:generate go run ./internal/gen -o tables.go
