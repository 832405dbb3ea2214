package compile

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gocomp/xkb/parser"
)

// maxIncludeDepth bounds include nesting (loops are caught earlier by the
// stack, this guards against absurdly deep but finite chains).
const maxIncludeDepth = 30

// loader finds, parses and caches the files include statements name.
type loader struct {
	dirs  []string
	cache *Cache // may be nil
	// parsed holds what this compilation parsed, by cache key (a path,
	// or a path and a section offset).
	parsed map[string]*parser.File
	// sources holds the files this compilation read, with their index.
	sources map[string]*fileIndex
	// paths are the files read, for the keymap cache's freshness check.
	paths map[string]bool
	stack []string // kind/file(section) being compiled, for loop detection
}

func newLoader(dirs []string, cache *Cache) *loader {
	return &loader{dirs: dirs, cache: cache, parsed: map[string]*parser.File{}, sources: map[string]*fileIndex{},
		paths: map[string]bool{}}
}

// source returns the section index (with the bytes) of the file at path,
// whose size and mtime are st.
func (l *loader) source(path string, st fileStamp) (*fileIndex, error) {
	l.paths[path] = true
	if x, ok := l.sources[path]; ok {
		return x, nil
	}
	if l.cache != nil {
		if x := l.cache.source(path, st); x != nil {
			l.sources[path] = x
			return x, nil
		}
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	x := &fileIndex{src: src}
	l.sources[path] = x
	if l.cache != nil {
		l.cache.putSource(path, st, x)
	}
	return x, nil
}

// parse parses src (the file at path, or one section of it isolated)
// under the cache key key.
func (l *loader) parse(key, path string, st fileStamp, src []byte) (*parser.File, error) {
	if f, ok := l.parsed[key]; ok {
		return f, nil
	}
	if l.cache != nil {
		if f := l.cache.file(key, st); f != nil {
			l.parsed[key] = f
			return f, nil
		}
	}
	f, err := parser.Parse(path, src)
	if err != nil {
		return nil, err
	}
	l.parsed[key] = f
	if l.cache != nil {
		l.cache.putFile(key, st, f)
	}
	return f, nil
}

// section returns the section an include step names. Only that section
// is parsed when the file's layout allows (see indexSections).
func (l *loader) section(kind parser.SectionKind, step parser.IncludeStep) (*parser.Section, error) {
	name := step.File
	if name == "" || strings.Contains(name, "..") || filepath.IsAbs(name) {
		return nil, fmt.Errorf("bad include file name %q", name)
	}
	path := ""
	var st fileStamp
	for _, d := range l.dirs {
		p := filepath.Join(d, kind.Dir(), name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			path, st = p, fileStamp{fi.Size(), fi.ModTime().UnixNano()}
			break
		}
	}
	if path == "" {
		return nil, fmt.Errorf("cannot find %s file %q in %s", kind.Dir(), name, strings.Join(l.dirs, ":"))
	}
	x, err := l.source(path, st)
	if err != nil {
		return nil, err
	}
	src := x.src
	if sp, found, ok := x.find(kind.Dir(), step.Section); ok {
		if !found {
			return nil, noSection(kind, step.Section, path)
		}
		key := path + "\x00" + strconv.Itoa(sp.start)
		f, err := l.parse(key, path, st, isolate(src, sp))
		if err != nil {
			return nil, err
		}
		for _, s := range f.Sections {
			if s.Kind == kind {
				return s, nil
			}
		}
		// The index and the parser disagree: fall back to the whole file.
	}
	f, err := l.parse(path, path, st, src)
	if err != nil {
		return nil, err
	}
	var def, first *parser.Section
	for _, s := range f.Sections {
		if s.Kind != kind {
			continue
		}
		if step.Section != "" {
			if s.Name == step.Section {
				return s, nil
			}
			continue
		}
		if first == nil {
			first = s
		}
		if def == nil && s.Flags&parser.FlagDefault != 0 {
			def = s
		}
	}
	if def != nil {
		return def, nil
	}
	if first == nil || step.Section != "" {
		return nil, noSection(kind, step.Section, path)
	}
	return first, nil
}

func noSection(kind parser.SectionKind, section, path string) error {
	if section != "" {
		return fmt.Errorf("no %s section %q in %s", kind, section, path)
	}
	return fmt.Errorf("no %s section in %s", kind, path)
}

// push records that the section named by step is being compiled; it
// fails on a loop.
func (l *loader) push(kind parser.SectionKind, step parser.IncludeStep, sec *parser.Section) error {
	key := kind.String() + " " + sec.File.Name + "(" + sec.Name + ")"
	for _, s := range l.stack {
		if s == key {
			return fmt.Errorf("include loop: %s includes itself", describe(step))
		}
	}
	if len(l.stack) >= maxIncludeDepth {
		return fmt.Errorf("includes nested deeper than %d at %s", maxIncludeDepth, describe(step))
	}
	l.stack = append(l.stack, key)
	return nil
}

func (l *loader) pop() { l.stack = l.stack[:len(l.stack)-1] }

func describe(step parser.IncludeStep) string {
	s := step.File
	if step.Section != "" {
		s += "(" + step.Section + ")"
	}
	return s
}

// stmtMerge returns the merge mode a statement applies: its own prefix,
// else the mode of the section it is in.
func stmtMerge(m, section parser.MergeMode) parser.MergeMode {
	if m == parser.MergeDefault {
		return section
	}
	return m
}

// clobber reports whether a definition in mode m replaces an existing one.
func clobber(m parser.MergeMode) bool { return m != parser.MergeAugment }

// includeErr wraps an include failure with the statement's position.
func includeErr(sec *parser.Section, inc *parser.Include, err error) error {
	if _, ok := err.(*errAt); ok {
		return err
	}
	if _, ok := err.(parser.ErrorList); ok {
		return err
	}
	if sec.File.Name == "" {
		// The include string came from the rules, not from a file.
		return fmt.Errorf("%s %q: %v", sec.Kind.Dir(), inc.Spec, err)
	}
	return errorf(sec.File, inc.Pos, "include %q: %v", inc.Spec, err)
}
