package compile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gocomp/xkb/parser"
)

// maxIncludeDepth bounds include nesting (loops are caught earlier by the
// stack, this guards against absurdly deep but finite chains).
const maxIncludeDepth = 30

// loader finds, parses and caches the files include statements name.
type loader struct {
	dirs  []string
	files map[string]*parser.File // by path
	cache *Cache
	stack []string // kind/file(section) being compiled, for loop detection
	read  []string // paths read, for callers that cache keymaps
}

func (l *loader) parse(path string) (*parser.File, error) {
	if f, ok := l.files[path]; ok {
		return f, nil
	}
	if l.cache != nil {
		if f := l.cache.file(path); f != nil {
			l.files[path] = f
			return f, nil
		}
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := parser.Parse(path, src)
	if err != nil {
		return nil, err
	}
	l.files[path] = f
	l.read = append(l.read, path)
	if l.cache != nil {
		l.cache.putFile(path, f)
	}
	return f, nil
}

// section returns the section an include step names.
func (l *loader) section(kind parser.SectionKind, step parser.IncludeStep) (*parser.Section, error) {
	name := step.File
	if name == "" || strings.Contains(name, "..") || filepath.IsAbs(name) {
		return nil, fmt.Errorf("bad include file name %q", name)
	}
	var f *parser.File
	var firstErr error
	for _, d := range l.dirs {
		path := filepath.Join(d, kind.Dir(), name)
		st, err := os.Stat(path)
		if err != nil || st.IsDir() {
			continue
		}
		f, err = l.parse(path)
		if err != nil {
			firstErr = err
			f = nil
		}
		break
	}
	if f == nil {
		if firstErr != nil {
			return nil, firstErr
		}
		return nil, fmt.Errorf("cannot find %s file %q in %s", kind.Dir(), name, strings.Join(l.dirs, ":"))
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
	if step.Section != "" {
		return nil, fmt.Errorf("no %s section %q in %s", kind, step.Section, f.Name)
	}
	if def != nil {
		return def, nil
	}
	if first == nil {
		return nil, fmt.Errorf("no %s section in %s", kind, f.Name)
	}
	return first, nil
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
