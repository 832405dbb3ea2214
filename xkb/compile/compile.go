// Package compile turns XKB keymap sources into a *keymap.Keymap: from
// RMLVO names (through the rules file and the include path) or from a
// keymap text. It works in stages: each section kind (keycodes, types,
// compat, symbols) has a compiler that walks the parsed statements,
// following include statements with their merge modes, into a private info
// value; build then derives the keymap from the four infos (automatic key
// types, interprets applied to keys, virtual modifier mapping, resolved
// masks, indicator slots). When compiling from names, the compat and
// symbols include files are read and parsed on a second goroutine while
// keycodes and types are compiled; everything else runs on the caller's.
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
	load *parser.Loader // resolves include statements
	// dirs and cache make the Loaders of this compilation; loaders lists
	// the ones that use cache, whose file stamps the keymap cache keeps.
	dirs    []string
	cache   *Cache
	loaders []*parser.Loader
	// Action defaults of the compat and symbols sections.
	compatActions, symbolsActions *actionDefaults
	// keycodes is the compiled keycodes section, for alias lookups.
	keycodes *keycodesInfo
}

// newCompiler returns a compiler that finds included files in dirs, with
// parsed files shared through cache when it is not nil.
func newCompiler(dirs []string, cache *Cache) *compiler {
	c := &compiler{ctx: newCtx(), dirs: dirs, cache: cache,
		compatActions: newActionDefaults(), symbolsActions: newActionDefaults()}
	c.load = c.newLoader()
	return c
}

// newLoader returns a Loader for this compilation's include path, which
// shares parsed files through the compilation's cache, if any.
func (c *compiler) newLoader() *parser.Loader {
	if c.cache == nil {
		return parser.NewLoader(c.dirs)
	}
	l := parser.NewLoaderWithCache(c.dirs, c.cache.files)
	c.loaders = append(c.loaders, l)
	return l
}

// stamps returns the stamps of the files this compilation's Loaders read
// through its cache.
func (c *compiler) stamps() []parser.FileStamp {
	var all []parser.FileStamp
	for _, l := range c.loaders {
		all = append(all, l.Stamps()...)
	}
	return all
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
// env gives the expansions of %H, %S and %E in rules files' includes
// (rules.EnvFrom).
//
// FromNames goes through a process-wide Cache: asking again for the same
// names returns the same *keymap.Keymap (immutable, safe to share) as long
// as no file it was built from changed; a different keymap reuses the
// parsed files. The cache holds at most maxCachedKeymaps keymaps. Use a
// Cache of your own to control its lifetime.
func FromNames(dirs []string, names rules.Names, env rules.Env) (*keymap.Keymap, error) {
	return defaultCache.FromNames(dirs, names, env)
}

// FromComponents compiles a keymap from KcCGST include strings.
func FromComponents(dirs []string, comps rules.Components) (*keymap.Keymap, error) {
	return newCompiler(dirs, nil).components(comps)
}

// componentKinds are the section kinds a keymap is compiled from, in the
// order they are compiled.
var componentKinds = [...]parser.SectionKind{parser.KindKeycodes, parser.KindTypes, parser.KindCompat, parser.KindSymbols}

// components compiles the keymap of KcCGST include strings (see
// parser.Loader.ResolveSpec).
//
// Reading and parsing the included files is about half of the work, and
// the four components include disjoint files. So while this goroutine
// resolves and compiles keycodes and types, another one resolves compat
// and then symbols with a Loader of its own, and hands each over as it is
// done; compiling stays on this goroutine, in order. On a machine with
// two cores this takes about a sixth off a compile's time.
func (c *compiler) components(comps rules.Components) (*keymap.Keymap, error) {
	specs := [...]string{parser.KindKeycodes: comps.Keycodes, parser.KindTypes: comps.Types,
		parser.KindCompat: comps.Compat, parser.KindSymbols: comps.Symbols}
	for _, k := range componentKinds {
		if specs[k] == "" {
			return nil, fmt.Errorf("xkb: no %s component", k)
		}
	}
	type resolved struct {
		r   *parser.Resolved
		err error
	}
	// Buffered, so that the goroutine finishes even when compiling stops
	// at an error before it takes its results.
	var ahead [parser.KindSymbols + 1]chan resolved
	late := [...]parser.SectionKind{parser.KindCompat, parser.KindSymbols}
	for _, k := range late {
		ahead[k] = make(chan resolved, 1)
	}
	bg := c.newLoader()
	go func() {
		for _, k := range late {
			r, err := bg.ResolveSpec(k, specs[k])
			ahead[k] <- resolved{r, err}
		}
	}()
	return c.compile(func(k parser.SectionKind) (*parser.Resolved, error) {
		if ahead[k] != nil {
			res := <-ahead[k]
			return res.r, res.err
		}
		return c.load.ResolveSpec(k, specs[k])
	})
}

// keymap compiles the component sections of a keymap text; top is the
// xkb_keymap section holding them.
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
	for _, k := range componentKinds {
		if found[k] == nil {
			return nil, fmt.Errorf("xkb: %s: missing %s section", top.File.Position(top.Pos), k)
		}
	}
	return c.compile(func(k parser.SectionKind) (*parser.Resolved, error) {
		return c.load.Resolve(found[k])
	})
}

// compile compiles the four component sections that resolve returns,
// asking for each kind right before compiling it, and builds the keymap.
func (c *compiler) compile(resolve func(parser.SectionKind) (*parser.Resolved, error)) (*keymap.Keymap, error) {
	// The sections asked for are what the user gave: their problems are
	// the keymap's warnings.
	c.userFiles = map[*parser.File]bool{}
	if c.strictFile != nil {
		c.userFiles[c.strictFile] = true
	}
	resolveUser := resolve
	resolve = func(k parser.SectionKind) (*parser.Resolved, error) {
		r, err := resolveUser(k)
		if err == nil {
			c.userFiles[r.Section.File] = true
		}
		return r, err
	}
	r, err := resolve(parser.KindKeycodes)
	if err != nil {
		return nil, fmt.Errorf("xkb: %w", err)
	}
	kc, err := c.keycodesSection(r, parser.MergeOverride)
	if err != nil {
		return nil, fmt.Errorf("xkb: %w", err)
	}
	c.keycodes = kc
	if r, err = resolve(parser.KindTypes); err != nil {
		return nil, fmt.Errorf("xkb: %w", err)
	}
	ti, err := c.typesSection(r, parser.MergeOverride)
	if err != nil {
		return nil, fmt.Errorf("xkb: %w", err)
	}
	c.endSection()
	if r, err = resolve(parser.KindCompat); err != nil {
		return nil, fmt.Errorf("xkb: %w", err)
	}
	ci, err := c.compatSection(r, parser.MergeOverride)
	if err != nil {
		return nil, fmt.Errorf("xkb: %w", err)
	}
	c.endSection()
	if r, err = resolve(parser.KindSymbols); err != nil {
		return nil, fmt.Errorf("xkb: %w", err)
	}
	si, err := c.symbolsSection(r, parser.MergeOverride)
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
	for _, n := range c.notices {
		km.Warnings = append(km.Warnings, n.Error())
	}
	return km, nil
}
