package parser

import (
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gocomp/xkb/internal/xkbfile"
)

// maxIncludeDepth bounds include chains (each level is a distinct
// section, since loops are reported separately).
const maxIncludeDepth = 100

// Loader resolves include statements: it finds the named files in its
// include directories, parses each file once (and only as far as needed),
// chooses sections, and
// detects include loops. A Loader caches everything it has read and
// resolved, so one Loader serves one keymap compilation (or several
// compilations against unchanged files). It is not safe for concurrent use.
type Loader struct {
	dirs     []string
	files    map[string]*loadedFile       // by path
	paths    []string                     // paths read, in order
	stamps   []FileStamp                  // of paths, with a FileCache
	resolved map[*Section]*resolution     // finished or in progress
	chain    []*Section                   // sections being resolved, outermost first
	readFile func(string) ([]byte, error) // tests: replaces reading files (see readPrefix)
	headSize int                          // see readHead
	margin   int                          // see newHeadSectionReader
	cache    *FileCache                   // nil: parse every file this Loader needs itself
	ws       workspace                    // lent to the parser of each file while it parses
}

type loadedFile struct {
	r       *sectionReader // parses the file's sections on demand
	mu      *sync.Mutex    // guards r when it is shared through a FileCache
	err     error          // reading the file failed
	missing bool           // no file at this path (remembered to spare the lookup)
}

// FileCache shares parsed include files between Loaders, for example
// across the many compilations of a test suite or of a long-running
// compositor. An entry is used while its file's size and modification
// time are unchanged. A FileCache is safe for concurrent use by Loaders in
// different goroutines; the trees they return share sections, which must
// be treated as read-only.
type FileCache struct {
	mu    sync.Mutex
	files map[string]*cacheEntry
}

type cacheEntry struct {
	mu    sync.Mutex // guards r
	size  int64
	mtime time.Time
	r     *sectionReader
}

// NewFileCache returns an empty FileCache.
func NewFileCache() *FileCache {
	return &FileCache{files: make(map[string]*cacheEntry)}
}

// NewLoaderWithCache is NewLoader for a Loader that takes parsed files
// from cache and adds the ones it parses to it.
func NewLoaderWithCache(dirs []string, cache *FileCache) *Loader {
	l := NewLoader(dirs)
	l.cache = cache
	return l
}

// lookup returns the cached reader for path if the file is unchanged.
func (c *FileCache) lookup(path string, fi xkbfile.Info) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.files[path]
	if e == nil || e.size != fi.Size || !e.mtime.Equal(fi.ModTime) {
		return nil
	}
	return e
}

func (c *FileCache) store(path string, e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files[path] = e
}

type resolution struct {
	r    *Resolved
	err  error
	done bool
}

// NewLoader returns a Loader that looks for included files in dirs, in
// order: a file named "us" in an xkb_symbols include is dirs[i]/symbols/us
// for the first i where it exists (libxkbcommon's include path order; see
// package includepath). The Loader keeps dirs; the caller must not change
// the slice afterwards.
func NewLoader(dirs []string) *Loader {
	return &Loader{
		dirs:     dirs,
		files:    make(map[string]*loadedFile),
		resolved: make(map[*Section]*resolution),
		headSize: defaultHeadSize,
		margin:   defaultMargin,
	}
}

// defaultHeadSize is how much of a big include file a Loader reads first.
// The sections includes name are mostly near the top of their files
// (us(basic) ends 2 kB into the 114 kB of symbols/us), so reading a head
// and the rest only when a section runs past it spares most of the bytes
// a compile would read and allocate.
const defaultHeadSize = 8 << 10

// defaultMargin is how close to the end of a head the scanner gets before
// the Loader reads a longer one (see newHeadSectionReader): longer than
// any token or comment line in xkeyboard-config.
const defaultMargin = 1 << 10

// readHead reads the head of the file at path (see readPrefix) and
// returns it with the file's Info and a function that reads longer
// prefixes of it (for newHeadSectionReader).
func (l *Loader) readHead(path string) (head []byte, info xkbfile.Info, more func(n int) ([]byte, int, error), err error) {
	head, info, err = l.readPrefix(path, l.headSize)
	if err == nil && info.Size > MaxSourceSize {
		return nil, info, nil, fmt.Errorf("%s is %d bytes, more than the %d the parser takes", path, info.Size, MaxSourceSize)
	}
	return head, info, func(n int) ([]byte, int, error) {
		src, info, err := l.readPrefix(path, n)
		return src, int(info.Size), err
	}, err
}

// readPrefix reads the first n bytes of the file at path, or the whole
// file when it is at most twice as long (or not a regular file), and
// returns them with the file's Info, whose Size is the length of the
// file (or of what was read, when that is not known beforehand).
func (l *Loader) readPrefix(path string, n int) ([]byte, xkbfile.Info, error) {
	if l.readFile != nil {
		src, err := l.readFile(path)
		info, _ := xkbfile.Stat(path) // the time, for the caches, if there is a file
		info.Size, info.Regular = int64(len(src)), true
		if 2*n < len(src) {
			return src[:n:n], info, err
		}
		return src, info, err
	}
	src, info, err := xkbfile.ReadPrefix(path, n)
	if !info.Regular || info.Size == 0 {
		info.Size = int64(len(src))
	}
	return src, info, err
}

// Resolved is a component section with its include statements resolved.
// Includes holds the sections each include statement brought in; Items
// walks the statements with them. The same *Resolved may appear several
// times in a tree (a section included from two places); treat the tree as
// read-only.
type Resolved struct {
	Section  *Section // the section as parsed
	Path     string   // the file it came from (its File.Name)
	Includes []ResolvedInclude
	// Warnings are the section's own include statements that were
	// ignored, as libxkbcommon ignores them (an illegal include string),
	// each as "file:line:col: message".
	Warnings []error
}

// ResolvedInclude is an include statement of a Resolved section, at
// Section.Stmts[Index], with one Step per step of its include string, in
// order.
type ResolvedInclude struct {
	Index int
	Steps []Step
}

// Items yields the section's statements in source order, each with the
// steps it resolved to when it is an *Include statement (nil for every
// other statement).
func (r *Resolved) Items() iter.Seq2[Stmt, []Step] {
	return func(yield func(Stmt, []Step) bool) {
		incs := r.Includes
		for i, st := range r.Section.Stmts {
			var steps []Step
			if len(incs) > 0 && incs[0].Index == i {
				steps, incs = incs[0].Steps, incs[1:]
			}
			if !yield(st, steps) {
				return
			}
		}
	}
}

// Step is one resolved step of an include string: where the section came
// from and how to merge it. Merge is the step's merge mode (the include
// statement's own mode for the first step, MergeOverride after '+',
// MergeAugment after '|'); Group is the ":N" suffix (1-based) or 0.
// A compiler typically compiles each step's Section on its own, merges the
// steps left to right, each with its Merge, and merges that result into
// the including section with the include statement's mode.
type Step struct {
	IncludeStep
	Section *Resolved
}

// Resolve resolves the includes of s, a component section of a file
// returned by Parse or by this Loader, recursively. Errors name the
// include statement that failed as "file:line:col: message"; errors in
// included files are returned as they are (an ErrorList for syntax
// errors).
func (l *Loader) Resolve(s *Section) (*Resolved, error) {
	if s.Kind == KindKeymap || s.Kind == KindGeometry {
		return nil, fmt.Errorf("xkb/parser: cannot resolve includes of an %s section", s.Kind)
	}
	if res, ok := l.resolved[s]; ok && res.done {
		return res.r, res.err
	}
	res := &resolution{}
	l.resolved[s] = res
	l.chain = append(l.chain, s)
	res.r, res.err = l.resolve(s)
	l.chain = l.chain[:len(l.chain)-1]
	res.done = true
	return res.r, res.err
}

func (l *Loader) resolve(s *Section) (*Resolved, error) {
	r := &Resolved{Section: s, Path: s.File.Name}
	for i, st := range s.Stmts {
		inc, ok := st.(*Include)
		if !ok {
			continue
		}
		steps, err := l.resolveInclude(s, inc)
		if errors.Is(err, ErrIllegalInclude) {
			r.Warnings = append(r.Warnings, fmt.Errorf("%w; ignored", err))
			continue
		}
		if err != nil {
			return nil, err
		}
		r.Includes = append(r.Includes, ResolvedInclude{Index: i, Steps: steps})
	}
	return r, nil
}

func (l *Loader) resolveInclude(s *Section, inc *Include) ([]Step, error) {
	fail := func(format string, args ...any) error {
		return &Error{Pos: s.File.Position(inc.Pos), Msg: fmt.Sprintf(format, args...)}
	}
	if len(inc.Steps) == 0 { // a spec that names no file, or did not parse
		if _, err := ParseIncludeSpec(inc.Spec, inc.Merge); err != nil {
			return nil, &Error{Pos: s.File.Position(inc.Pos), Msg: err.Error(), Err: err}
		}
		return nil, nil
	}
	steps := make([]Step, len(inc.Steps))
	for i, is := range inc.Steps {
		sec, err := l.findSection(s.Kind, is.File, is.Section)
		var list ErrorList
		if errors.As(err, &list) { // syntax errors of the included file
			return nil, list
		}
		if err != nil {
			return nil, fail("%v", err)
		}
		if res, ok := l.resolved[sec]; ok && !res.done {
			return nil, fail("include loop: %s", l.loopChain(sec))
		}
		if len(l.chain) >= maxIncludeDepth {
			return nil, fail("includes nested deeper than %d levels", maxIncludeDepth)
		}
		r, err := l.Resolve(sec)
		if err != nil {
			return nil, err
		}
		steps[i] = Step{IncludeStep: is, Section: r}
	}
	return steps, nil
}

// loopChain names the sections of the include loop that sec closes.
func (l *Loader) loopChain(sec *Section) string {
	var b strings.Builder
	start := 0
	for i, s := range l.chain {
		if s == sec {
			start = i
		}
	}
	for _, s := range l.chain[start:] {
		b.WriteString(sectionName(s))
		b.WriteString(" -> ")
	}
	b.WriteString(sectionName(sec))
	return b.String()
}

func sectionName(s *Section) string {
	return fmt.Sprintf("%s(%s)", s.File.Name, s.Name)
}

// ResolveSpec resolves an include string given outside any file, such as
// a KcCGST component from the rules ("evdev+aliases(qwerty)"): it is
// treated as `include "spec"` in an empty section of the given kind.
// Errors about the string itself are reported at "kind "spec":1:1".
func (l *Loader) ResolveSpec(kind SectionKind, spec string) (*Resolved, error) {
	if kind == KindKeymap || kind == KindGeometry {
		return nil, fmt.Errorf("xkb/parser: cannot resolve includes of an %s section", kind)
	}
	f := &File{Name: fmt.Sprintf("%s %q", kind, spec)}
	steps, err := ParseIncludeSpec(spec, MergeDefault)
	if err == nil && len(steps) == 0 {
		err = fmt.Errorf("include %q names no file", spec)
	}
	if err != nil {
		return nil, &Error{Pos: f.Position(0), Msg: err.Error()}
	}
	s := &Section{File: f, Kind: kind, Keyword: kind.String(),
		Stmts: []Stmt{&Include{Spec: spec, Steps: steps}}}
	f.Sections = []*Section{s}
	return l.Resolve(s)
}

// FindSection returns the section of the given kind that an include step
// names: file is looked up under the kind's directory in each include
// directory in order (the first file that exists is used); section ""
// selects the file's default section: the first one flagged `default`,
// else the first one. The file is parsed up to that section (as
// libxkbcommon does: a syntax error before it, or in it, is an error; one
// after it is not seen); later calls continue from there.
func (l *Loader) FindSection(kind SectionKind, file, section string) (*Section, error) {
	s, err := l.findSection(kind, file, section)
	return s, withPrefix(err)
}

// withPrefix prefixes the package name to errors without a position.
func withPrefix(err error) error {
	var list ErrorList
	if err == nil || errors.As(err, &list) {
		return err
	}
	return fmt.Errorf("xkb/parser: %w", err)
}

func (l *Loader) findSection(kind SectionKind, file, section string) (*Section, error) {
	lf, err := l.openFile(kind, file)
	if err != nil {
		return nil, err
	}
	if lf.mu != nil {
		lf.mu.Lock()
		defer lf.mu.Unlock()
	}
	// Like libxkbcommon, read sections only until the wanted one: syntax
	// errors further on do not matter. Without a name, the wanted one is
	// the first flagged default, else (after reading the whole file) the
	// first.
	wanted := func(s *Section) bool {
		if section == "" {
			return s.Flags&FlagDefault != 0
		}
		return s.Name == section
	}
	f := lf.r.File()
	var sec *Section
	for _, s := range f.Sections {
		if wanted(s) {
			sec = s
			break
		}
	}
	for sec == nil {
		s, err := lf.r.nextWith(&l.ws)
		if err != nil {
			return nil, err
		}
		if s == nil {
			break
		}
		if wanted(s) {
			sec = s
		}
	}
	if sec == nil && section == "" && len(f.Sections) > 0 {
		sec = f.Sections[0]
	}
	switch {
	case sec == nil && section == "":
		return nil, fmt.Errorf("no section in %s", f.Name)
	case sec == nil:
		return nil, fmt.Errorf("no section %q in %s", section, f.Name)
	case sec.Kind != kind:
		return nil, fmt.Errorf("section %q of %s is %s, not %s", sec.Name, f.Name, sec.Kind, kind)
	}
	return sec, nil
}

// LoadFile finds, parses and caches the whole file named file for
// includes of kind. Syntax errors come back as an ErrorList; a missing file
// as an error listing the directories searched.
func (l *Loader) LoadFile(kind SectionKind, file string) (*File, error) {
	lf, err := l.openFile(kind, file)
	if err != nil {
		return nil, withPrefix(err)
	}
	if lf.mu != nil {
		lf.mu.Lock()
		defer lf.mu.Unlock()
	}
	for {
		s, err := lf.r.nextWith(&l.ws)
		if err != nil {
			return lf.r.File(), err
		}
		if s == nil {
			return lf.r.File(), nil
		}
	}
}

// openFile finds and reads the file named file for includes of kind; its
// sections are parsed on demand.
func (l *Loader) openFile(kind SectionKind, file string) (*loadedFile, error) {
	if file == "" || strings.Contains(file, "\x00") {
		return nil, fmt.Errorf("bad include file name %q", file)
	}
	var tried []string
	for _, dir := range l.dirs {
		path := filepath.Join(dir, kind.Dir(), file)
		lf, ok := l.files[path]
		if ok && lf.missing {
			tried = append(tried, path)
			continue
		}
		if ok {
			return lf, lf.err
		}
		if l.cache != nil {
			lf, err := l.openCached(path)
			if errors.Is(err, fs.ErrNotExist) {
				l.files[path] = &loadedFile{missing: true}
				tried = append(tried, path)
				continue
			}
			return lf, err
		}
		head, info, more, err := l.readHead(path)
		if errors.Is(err, fs.ErrNotExist) {
			l.files[path] = &loadedFile{missing: true}
			tried = append(tried, path)
			continue
		}
		lf = &loadedFile{}
		l.paths = append(l.paths, path)
		if err != nil {
			lf.err = fmt.Errorf("read include file: %w", err)
		} else {
			lf.r = newHeadSectionReader(path, head, int(info.Size), more, l.margin)
		}
		l.files[path] = lf
		return lf, lf.err
	}
	if len(tried) == 0 {
		return nil, fmt.Errorf("cannot find %s include file %q: no include directories", kind.Dir(), file)
	}
	return nil, fmt.Errorf("cannot find %s include file %q (tried %s)", kind.Dir(), file, strings.Join(tried, ", "))
}

// openCached opens path through the Loader's FileCache: an unchanged
// file's reader (and the sections it has parsed) is shared. It returns an
// fs.ErrNotExist error when there is no file.
func (l *Loader) openCached(path string) (*loadedFile, error) {
	fi, err := xkbfile.Stat(path)
	if err != nil {
		return nil, err
	}
	lf := &loadedFile{}
	l.paths = append(l.paths, path)
	l.files[path] = lf
	if e := l.cache.lookup(path, fi); e != nil {
		l.stamps = append(l.stamps, FileStamp{Path: path, Size: fi.Size, ModTime: fi.ModTime})
		lf.r, lf.mu = e.r, &e.mu
		return lf, nil
	}
	head, info, more, err := l.readHead(path)
	if err != nil {
		l.stamps = append(l.stamps, FileStamp{Path: path, Size: fi.Size, ModTime: fi.ModTime})
		lf.err = fmt.Errorf("read include file: %w", err)
		return lf, lf.err
	}
	// The stamp of the bytes actually read, from the read's own fstat.
	l.stamps = append(l.stamps, FileStamp{Path: path, Size: info.Size, ModTime: info.ModTime})
	e := &cacheEntry{size: info.Size, mtime: info.ModTime, r: newHeadSectionReader(path, head, int(info.Size), more, l.margin)}
	l.cache.store(path, e)
	lf.r, lf.mu = e.r, &e.mu
	return lf, nil
}

// FileStamp is the size and modification time a file had when a Loader
// looked it up in its FileCache, right before it used the file.
type FileStamp struct {
	Path    string
	Size    int64
	ModTime time.Time
}

// Stamps returns the FileStamp of each file a Loader made with
// NewLoaderWithCache has read, in the order of Paths (nil for a Loader
// without a FileCache): what a cache of compiled keymaps compares against
// later, without a second stat of every file. The slice is the caller's.
func (l *Loader) Stamps() []FileStamp {
	return append([]FileStamp(nil), l.stamps...)
}

// Paths returns the paths of the files the Loader has read (successfully
// or not), in the order it read them: what a cache of compiled keymaps
// keyed by file modification times needs. The slice is the caller's.
func (l *Loader) Paths() []string {
	return append([]string(nil), l.paths...)
}
