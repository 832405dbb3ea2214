// Package rules turns RMLVO names (rules, model, layout, variant, options)
// into KcCGST components (keycodes, types, compat, symbols, geometry) by
// reading an xkeyboard-config rules file, the way libxkbcommon 1.5 does.
package rules
