package compile

import (
	"fmt"
	"os"
	"sync"

	"gocomp/xkb/keymap"
	"gocomp/xkb/parser"
	"gocomp/xkb/rules"
)

// Cache remembers parsed files (keyed by path, checked against size and
// modification time) and compiled keymaps (keyed by include path and
// RMLVO, checked against every file the compile read). A Cache is safe for
// concurrent use.
type Cache struct {
	mu      sync.Mutex
	sources map[string]cachedSource // by path
	files   map[string]cachedFile   // parsed files or sections, by key
	keymaps map[string]cachedKeymap
	rules   rules.Cache
}

type cachedSource struct {
	stamp fileStamp
	index *fileIndex
}

type fileStamp struct {
	size  int64
	mtime int64
}

type cachedFile struct {
	stamp fileStamp
	file  *parser.File
}

type cachedKeymap struct {
	km    *keymap.Keymap
	files map[string]fileStamp
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{sources: map[string]cachedSource{}, files: map[string]cachedFile{}, keymaps: map[string]cachedKeymap{}}
}

// defaultCache serves FromNames. Keymaps are immutable, so sharing them
// between callers is safe.
var defaultCache = NewCache()

func stamp(path string) (fileStamp, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, false
	}
	return fileStamp{st.Size(), st.ModTime().UnixNano()}, true
}

// source returns the cached index of the file at path if the file still
// has stamp st, else nil.
func (c *Cache) source(path string, st fileStamp) *fileIndex {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cs, found := c.sources[path]; found && cs.stamp == st {
		return cs.index
	}
	return nil
}

func (c *Cache) putSource(path string, st fileStamp, x *fileIndex) {
	c.mu.Lock()
	c.sources[path] = cachedSource{st, x}
	c.mu.Unlock()
}

// file returns the parsed file cached under key if its file still has
// stamp st.
func (c *Cache) file(key string, st fileStamp) *parser.File {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cf, ok := c.files[key]; ok && cf.stamp == st {
		return cf.file
	}
	return nil
}

func (c *Cache) putFile(key string, st fileStamp, f *parser.File) {
	c.mu.Lock()
	c.files[key] = cachedFile{st, f}
	c.mu.Unlock()
}

// FromNames is FromNames with this cache.
func (c *Cache) FromNames(dirs []string, names rules.Names) (*keymap.Keymap, error) {
	key := fmt.Sprintf("%q|%q|%q|%q|%q|%q", dirs, names.Rules, names.Model, names.Layout, names.Variant, names.Options)
	c.mu.Lock()
	ck, ok := c.keymaps[key]
	c.mu.Unlock()
	if ok && fresh(ck.files) {
		return ck.km, nil
	}
	comps, err := c.rules.Resolve(dirs, names)
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
	files := map[string]fileStamp{}
	if path, err := rules.Find(dirs, names.Rules); err == nil {
		comp.load.paths[path] = true
	}
	for path := range comp.load.paths {
		if s, ok := stamp(path); ok {
			files[path] = s
		}
	}
	c.mu.Lock()
	c.keymaps[key] = cachedKeymap{km, files}
	c.mu.Unlock()
	return km, nil
}

func fresh(files map[string]fileStamp) bool {
	for path, s := range files {
		if now, ok := stamp(path); !ok || now != s {
			return false
		}
	}
	return true
}
