package rules

import "sync"

// Cache keeps parsed rules files so that resolving names again does not
// read and parse them again. An entry is reused while every file it read
// (the rules file and its includes) keeps its size and modification time.
// The zero Cache is ready to use; it is safe for concurrent use.
type Cache struct {
	mu    sync.Mutex
	files map[cacheKey]*File
}

// cacheKey is a rules file path and the include expansions used to read it.
type cacheKey struct {
	path string
	env  Env
}

// Load returns the parsed rules file at path, from the cache when none of
// the files it read has changed.
func (c *Cache) Load(path string, env Env) (*File, error) {
	key := cacheKey{path, env}
	c.mu.Lock()
	f := c.files[key]
	c.mu.Unlock()
	if f != nil && f.current() {
		return f, nil
	}
	f, err := Load(path, env)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.files == nil {
		c.files = map[cacheKey]*File{}
	}
	c.files[key] = f
	c.mu.Unlock()
	return f, nil
}

// Resolve is the package-level Resolve with the rules file taken from c.
func (c *Cache) Resolve(dirs []string, names Names, env Env) (Components, error) {
	path, err := Find(dirs, names.Rules)
	if err != nil {
		return Components{}, err
	}
	f, err := c.Load(path, env)
	if err != nil {
		return Components{}, err
	}
	return f.Apply(names)
}

// current reports whether every file f was read from is unchanged.
func (f *File) current() bool {
	for _, st := range f.read {
		now, err := stamp(st.path)
		if err != nil || now != st {
			return false
		}
	}
	return true
}
