// Package compile turns XKB keymap sources into a *keymap.Keymap: from
// RMLVO names (through the rules file and the include path) or from a
// keymap text. It works in stages: each section kind (keycodes, types,
// compat, symbols) has a compiler that walks the parsed statements,
// following include statements with their merge modes, into a private info
// value; build then derives the keymap from the four infos (automatic key
// types, interprets applied to keys, virtual modifier mapping, resolved
// masks, indicator slots).
package compile

import (
	"fmt"
	"log/slog"

	"gocomp/xkb/keymap"
	"gocomp/xkb/parser"
	"gocomp/xkb/rules"
)

// compiler holds the state of one compilation.
type compiler struct {
	*ctx
	load *loader
	// Action defaults of the compat and symbols sections.
	compatActions, symbolsActions *actionDefaults
	// keycodes is the compiled keycodes section, for alias lookups.
	keycodes *keycodesInfo
}

func newCompiler(dirs []string, cache *Cache) *compiler {
	return &compiler{ctx: newCtx(), load: newLoader(dirs, cache),
		compatActions: newActionDefaults(), symbolsActions: newActionDefaults()}
}

// FromText compiles a keymap text (an xkb_keymap with its four component
// sections, as wl_keyboard.keymap sends). name is used in error positions;
// dirs is the include path for include statements inside the text.
func FromText(name string, text []byte, dirs []string) (*keymap.Keymap, error) {
	f, err := parser.Parse(name, text)
	if err != nil {
		return nil, fmt.Errorf("xkb: %w", err)
	}
	var km *parser.Section
	for _, s := range f.Sections {
		if s.Kind == parser.KindKeymap {
			km = s
			break
		}
	}
	if km == nil {
		return nil, fmt.Errorf("xkb: %s: no xkb_keymap section", name)
	}
	c := newCompiler(dirs, nil)
	c.strictFile = f
	return c.keymap(km.Sections, km)
}

// FromNames compiles the keymap RMLVO names describe: the rules file gives
// the component include strings, which are compiled from the files found
// in dirs (in order). Empty fields of names are used as they are: apply
// defaults (includepath.FillDefaults) first. Errors name the RMLVO and
// the file:line:col or include that failed.
//
// FromNames goes through a process-wide Cache: asking again for the same
// names returns the same *keymap.Keymap (immutable, safe to share) as long
// as no file it was built from changed; a different keymap reuses the
// parsed files. Use a Cache of your own to control its lifetime.
func FromNames(dirs []string, names rules.Names) (*keymap.Keymap, error) {
	return defaultCache.FromNames(dirs, names)
}

// FromComponents compiles a keymap from KcCGST include strings.
func FromComponents(dirs []string, comps rules.Components) (*keymap.Keymap, error) {
	return newCompiler(dirs, nil).components(comps)
}

func (c *compiler) components(comps rules.Components) (*keymap.Keymap, error) {
	mk := func(kind parser.SectionKind, spec string) (*parser.Section, error) {
		steps, err := parser.ParseIncludeSpec(spec, parser.MergeDefault)
		if err != nil {
			return nil, err
		}
		f := &parser.File{} // no name: errors say "symbols \"pc+us\": ..."

		return &parser.Section{File: f, Kind: kind, Stmts: []parser.Stmt{&parser.Include{Spec: spec, Steps: steps}}}, nil
	}
	var secs []*parser.Section
	for _, p := range []struct {
		kind parser.SectionKind
		spec string
	}{{parser.KindKeycodes, comps.Keycodes}, {parser.KindTypes, comps.Types}, {parser.KindCompat, comps.Compat}, {parser.KindSymbols, comps.Symbols}} {
		if p.spec == "" {
			return nil, fmt.Errorf("xkb: no %s component", p.kind)
		}
		s, err := mk(p.kind, p.spec)
		if err != nil {
			return nil, fmt.Errorf("xkb: %s %q: %w", p.kind, p.spec, err)
		}
		secs = append(secs, s)
	}
	return c.keymap(secs, nil)
}

// keymap compiles the component sections of a keymap.
func (c *compiler) keymap(secs []*parser.Section, top *parser.Section) (*keymap.Keymap, error) {
	var found [parser.KindGeometry + 1]*parser.Section
	for _, s := range secs {
		if s.Kind == parser.KindKeymap || s.Kind == parser.KindGeometry {
			continue
		}
		if found[s.Kind] != nil {
			return nil, fmt.Errorf("xkb: %s: more than one %s section", s.File.Position(s.Pos), s.Kind)
		}
		found[s.Kind] = s
	}
	for _, k := range []parser.SectionKind{parser.KindKeycodes, parser.KindTypes, parser.KindCompat, parser.KindSymbols} {
		if found[k] == nil {
			where := "keymap"
			if top != nil {
				where = top.File.Position(top.Pos).String()
			}
			return nil, fmt.Errorf("xkb: %s: missing %s section", where, k)
		}
	}
	kc, err := c.keycodesSection(found[parser.KindKeycodes], parser.MergeOverride)
	if err != nil {
		return nil, fmt.Errorf("xkb: %w", err)
	}
	c.keycodes = kc
	ti, err := c.typesSection(found[parser.KindTypes], parser.MergeOverride)
	if err != nil {
		return nil, fmt.Errorf("xkb: %w", err)
	}
	c.endSection()
	ci, err := c.compatSection(found[parser.KindCompat], parser.MergeOverride)
	if err != nil {
		return nil, fmt.Errorf("xkb: %w", err)
	}
	c.endSection()
	si, err := c.symbolsSection(found[parser.KindSymbols], parser.MergeOverride)
	if err != nil {
		return nil, fmt.Errorf("xkb: %w", err)
	}
	c.endSection()
	km, err := c.build(kc, ti, ci, si)
	if err != nil {
		return nil, fmt.Errorf("xkb: %w", err)
	}
	// What libxkbcommon would only warn about (unknown keysyms in the XKB
	// data, symbols for keys without keycodes, ...).
	for _, w := range c.warnings {
		slog.Debug("xkb: compile warning", "warning", w)
	}
	return km, nil
}
