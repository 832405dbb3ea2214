package compile

import (
	"fmt"
	"sync"

	"gocomp/xkb/internal/xkbfile"
	"gocomp/xkb/keymap"
	"gocomp/xkb/parser"
	"gocomp/xkb/rules"
)

// Cache remembers parsed include files (a parser.FileCache: keyed by
// path, checked against size and modification time) and compiled keymaps
// (keyed by include path and RMLVO, checked against every file the
// compile read), at most maxCachedKeymaps of them: the oldest goes first.
// A Cache is safe for concurrent use.
type Cache struct {
	files   *parser.FileCache
	rules   rules.Cache
	mu      sync.Mutex // guards keymaps and order
	keymaps map[string]cachedKeymap
	order   []string // keys of keymaps, oldest first
}

// maxCachedKeymaps bounds a Cache's keymaps: a compositor needs a few (the
// seat's, one per virtual keyboard layout, a reload's), a conformance
// run compiling the whole registry must not keep hundreds.
const maxCachedKeymaps = 16

type fileStamp struct {
	size  int64
	mtime int64
}

type cachedKeymap struct {
	km    *keymap.Keymap
	files map[string]fileStamp
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{files: parser.NewFileCache(), keymaps: map[string]cachedKeymap{}}
}

// defaultCache serves FromNames. Keymaps are immutable, so sharing them
// between callers is safe.
var defaultCache = NewCache()

func stamp(path string) (fileStamp, bool) {
	st, err := xkbfile.Stat(path)
	if err != nil {
		return fileStamp{}, false
	}
	return fileStamp{st.Size, st.ModTime.UnixNano()}, true
}

// FromNames is FromNames with this cache.
func (c *Cache) FromNames(dirs []string, names rules.Names, env rules.Env) (*keymap.Keymap, error) {
	key := fmt.Sprintf("%q|%q|%q|%q|%q|%q|%q", dirs, names.Rules, names.Model, names.Layout, names.Variant, names.Options, env)
	c.mu.Lock()
	ck, ok := c.keymaps[key]
	c.mu.Unlock()
	if ok && fresh(ck.files) {
		return ck.km, nil
	}
	comps, err := c.rules.Resolve(dirs, names, env)
	if err != nil {
		return nil, fmt.Errorf("xkb: rules %q model %q layout %q variant %q options %q: %w",
			names.Rules, names.Model, names.Layout, names.Variant, names.Options, err)
	}
	comp := newCompiler(dirs, c)
	km, err := comp.components(comps)
	if err != nil {
		return nil, fmt.Errorf("%w (rules %q model %q layout %q variant %q options %q)", err,
			names.Rules, names.Model, names.Layout, names.Variant, names.Options)
	}
	// The include files as the loaders found them when they read them (a
	// file changed since then makes the entry stale at once).
	stamps := comp.stamps()
	files := make(map[string]fileStamp, len(stamps)+1)
	for _, s := range stamps {
		files[s.Path] = fileStamp{s.Size, s.ModTime.UnixNano()}
	}
	if path, err := rules.Find(dirs, names.Rules); err == nil {
		if s, ok := stamp(path); ok {
			files[path] = s
		}
	}
	c.mu.Lock()
	c.store(key, cachedKeymap{km, files})
	c.mu.Unlock()
	return km, nil
}

// store adds or replaces the keymap under key, dropping the oldest when
// the cache is full. Called with c.mu held.
func (c *Cache) store(key string, ck cachedKeymap) {
	if _, ok := c.keymaps[key]; !ok {
		if len(c.order) == maxCachedKeymaps {
			delete(c.keymaps, c.order[0])
			c.order = append(c.order[:0], c.order[1:]...)
		}
		c.order = append(c.order, key)
	}
	c.keymaps[key] = ck
}

func fresh(files map[string]fileStamp) bool {
	for path, s := range files {
		if now, ok := stamp(path); !ok || now != s {
			return false
		}
	}
	return true
}
