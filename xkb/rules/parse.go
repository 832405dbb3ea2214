package rules

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"gocomp/xkb/internal/xkbfile"
)

// maxLayouts is the number of layouts (groups) a keymap can hold; rules
// ignore layouts and variants beyond it.
const maxLayouts = 4

// maxIncludeDepth bounds nested "! include" statements (and so loops).
const maxIncludeDepth = 15

// column is one RMLVO column of a rule set header.
type column struct {
	kind  columnKind
	index int // 1..maxLayouts for layout[n] and variant[n]; 0 when unindexed
}

// columnKind names the RMLVO component a column matches.
type columnKind int

const (
	colModel columnKind = iota
	colLayout
	colVariant
	colOption
)

// component names the KcCGST component a rule set produces.
type component int

const (
	compKeycodes component = iota
	compTypes
	compCompat
	compSymbols
	compGeometry
	numComponents
)

var componentNames = [numComponents]string{"keycodes", "types", "compat", "symbols", "geometry"}

// ruleSet is a "! columns = component" header and the rule lines under it.
type ruleSet struct {
	columns []column
	target  component
	index   int  // the layout index of indexed columns (1-based), 0 if none
	options bool // whether a column matches options
	layout  bool // whether an unindexed layout or variant column is present
	rules   []rule
	file    string // the file the set is in, for messages
}

// rule is one line of a rule set: a pattern per column (the blank-separated
// words of patterns) and the value.
type rule struct {
	patterns string
	value    string
	line     int // for messages
}

// File is a parsed rules file, with its includes read in place.
type File struct {
	groups map[string][]string
	sets   []*ruleSet
	read   []fileStamp // files read by Load, to tell when they change
}

// fileStamp identifies the version of a file that was read.
type fileStamp struct {
	path    string
	size    int64
	modTime time.Time
}

// stamp returns the current fileStamp of path.
func stamp(path string) (fileStamp, error) {
	fi, err := xkbfile.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{path, fi.Size, fi.ModTime}, nil
}

// Env expands the "%H", "%S" and "%E" of include statements: the home
// directory, the system XKB root and the extra XKB path (their rules/
// subdirectories for %S and %E, as libxkbcommon does).
type Env struct {
	Home, SystemRoot, ExtraPath string
}

// Load reads and parses the rules file at path and the files it includes.
func Load(path string, env Env) (*File, error) {
	f := &File{groups: map[string][]string{}}
	if err := f.load(path, env, 0); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *File) load(path string, env Env, depth int) error {
	if depth > maxIncludeDepth {
		return fmt.Errorf("rules: %s: includes nested more than %d deep (a loop?)", path, maxIncludeDepth)
	}
	src, fi, err := xkbfile.ReadFile(path)
	if err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	f.read = append(f.read, fileStamp{path, fi.Size, fi.ModTime})
	// src is ours alone and never changes, so the rules share it rather
	// than a copy.
	return f.parse(path, unsafe.String(unsafe.SliceData(src), len(src)), env, depth)
}

// Parse parses rules text; name is used in messages and includes are
// resolved with env.
func Parse(name string, src []byte, env Env) (*File, error) {
	f := &File{groups: map[string][]string{}}
	if err := f.parse(name, string(src), env, 0); err != nil {
		return nil, err
	}
	return f, nil
}

// lineReader yields the logical lines of rules text: comments removed,
// lines that end in a backslash joined with the next, blank lines skipped.
// Lines are substrings of the text unless they were joined.
type lineReader struct {
	src    string
	n      int      // number of the next physical line
	joined []string // pieces of a continued line
}

// next returns the next logical line and the number of its first physical
// line; ok is false at the end of the text.
func (r *lineReader) next() (line string, num int, ok bool) {
	start := 0
	for len(r.src) > 0 {
		r.n++
		line = r.src
		if i := strings.IndexByte(r.src, '\n'); i >= 0 {
			line, r.src = r.src[:i], r.src[i+1:]
		} else {
			r.src = ""
		}
		if len(r.joined) == 0 {
			start = r.n
		}
		if c := strings.Index(line, "//"); c >= 0 {
			line = line[:c]
		}
		line = trimRightBlanks(line)
		if strings.HasSuffix(line, "\\") {
			r.joined = append(r.joined, line[:len(line)-1])
			continue
		}
		if len(r.joined) > 0 {
			line = strings.Join(append(r.joined, line), " ")
			r.joined = r.joined[:0]
		}
		if line = strings.TrimSpace(line); line != "" {
			return line, start, true
		}
	}
	if len(r.joined) > 0 {
		line = strings.TrimSpace(strings.Join(r.joined, " "))
		r.joined = nil
		if line != "" {
			return line, start, true
		}
	}
	return "", 0, false
}

// trimRightBlanks drops the spaces, tabs and carriage returns that end
// line (strings.TrimRight builds its byte set on every call).
func trimRightBlanks(line string) string {
	n := len(line)
	for n > 0 && (line[n-1] == ' ' || line[n-1] == '\t' || line[n-1] == '\r') {
		n--
	}
	return line[:n]
}

// Byte classes of rules text: blanks separate words, and "=" is a word of
// its own.
const (
	classWord = iota
	classBlank
	classEqual
)

var byteClass = [256]uint8{' ': classBlank, '\t': classBlank, '\r': classBlank, '\v': classBlank, '\f': classBlank, '=': classEqual}

// nextWord returns the first word of s at or after i (a blank-separated
// word, or a lone "=") and the index just after it; word is "" when none
// is left.
func nextWord(s string, i int) (word string, end int) {
	for i < len(s) && byteClass[s[i]] == classBlank {
		i++
	}
	if i == len(s) {
		return "", i
	}
	if byteClass[s[i]] == classEqual {
		return s[i : i+1], i + 1
	}
	j := i
	for j < len(s) && byteClass[s[j]] == classWord {
		j++
	}
	return s[i:j], j
}

// fields appends the blank-separated words of a line to dst, making each
// "=" a word of its own. The words are substrings of s.
func fields(dst []string, s string) []string {
	for i := 0; ; {
		w, j := nextWord(s, i)
		if w == "" {
			return dst
		}
		dst, i = append(dst, w), j
	}
}

// splitRule splits a rule line into its patterns (n words) and its value:
// "patterns = value".
//
// It looks at each byte once: rules files are some thousand such lines,
// and splitting them is most of the time a compile spends on the rules.
func splitRule(line string, n int) (pats, value string, ok bool) {
	words, inWord, i := 0, false, 0
	for ; i < len(line) && byteClass[line[i]] != classEqual; i++ {
		isWord := byteClass[line[i]] == classWord
		if isWord && !inWord {
			words++
		}
		inWord = isWord
	}
	if i == len(line) || words != n {
		return "", "", false
	}
	pats = line[:i]
	i++
	for i < len(line) && byteClass[line[i]] == classBlank {
		i++
	}
	start := i
	for i < len(line) && byteClass[line[i]] == classWord {
		i++
	}
	value = line[start:i]
	for ; i < len(line); i++ {
		if byteClass[line[i]] != classBlank { // a second word or "="
			return "", "", false
		}
	}
	return pats, value, value != ""
}

func (f *File) parse(name, src string, env Env, depth int) error {
	// Rules are carved out of one slab sized from the line count, so that a
	// file costs a few allocations rather than several per line. A rule
	// keeps its patterns as one substring, split again when it is matched,
	// so parsing stores no words.
	slab := make([]rule, 0, strings.Count(src, "\n")+1)
	var cur *ruleSet
	curStart := 0
	lines := lineReader{src: src}
	var words []string // of the current "!" line, reused
	for {
		line, num, ok := lines.next()
		if !ok {
			break
		}
		pos := position{name, num}
		if strings.HasPrefix(line, "!") {
			words = fields(words[:0], line[1:])
			switch {
			case len(words) == 0:
				return fmt.Errorf("rules: %s: empty \"!\" line", pos)
			case words[0] == "include":
				if len(words) != 2 {
					return fmt.Errorf("rules: %s: want \"! include FILE\"", pos)
				}
				path, err := expandInclude(words[1], env)
				if err != nil {
					return fmt.Errorf("rules: %s: %w", pos, err)
				}
				if err := f.load(path, env, depth+1); err != nil {
					return fmt.Errorf("%w (included from %s)", err, pos)
				}
				cur = nil
			case strings.HasPrefix(words[0], "$"):
				if len(words) < 2 || words[1] != "=" {
					return fmt.Errorf("rules: %s: want \"! $group = values...\"", pos)
				}
				f.groups[words[0]] = append([]string(nil), words[2:]...)
				cur = nil
			default:
				set, err := parseHeader(words)
				if err != nil {
					return fmt.Errorf("rules: %s: %w", pos, err)
				}
				set.file = name
				f.sets = append(f.sets, set)
				cur, curStart = set, len(slab)
			}
			continue
		}
		if cur == nil {
			return fmt.Errorf("rules: %s: rule line outside a rule set", pos)
		}
		pats, value, ok := splitRule(line, len(cur.columns))
		if !ok {
			return fmt.Errorf("rules: %s: want %d values, \"=\" and a result", pos, len(cur.columns))
		}
		slab = append(slab, rule{patterns: pats, value: value, line: num})
		cur.rules = slab[curStart:len(slab):len(slab)]
	}
	return nil
}

// position is a file and line, printed as "file:line".
type position struct {
	file string
	line int
}

func (p position) String() string { return fmt.Sprintf("%s:%d", p.file, p.line) }

// parseHeader parses the words of "! model layout[1] = symbols".
func parseHeader(words []string) (*ruleSet, error) {
	set := &ruleSet{}
	eq := -1
	for i, w := range words {
		if w == "=" {
			eq = i
			break
		}
	}
	if eq < 1 || eq != len(words)-2 {
		return nil, fmt.Errorf("want \"! columns = component\", got %q", strings.Join(words, " "))
	}
	var seen [colOption + 1]bool
	for _, w := range words[:eq] {
		c, err := parseColumn(w)
		if err != nil {
			return nil, err
		}
		if seen[c.kind] {
			return nil, fmt.Errorf("column %q given twice", w)
		}
		seen[c.kind] = true
		if c.index != 0 {
			if set.index != 0 && set.index != c.index {
				return nil, fmt.Errorf("columns with different indexes %d and %d", set.index, c.index)
			}
			set.index = c.index
		} else if c.kind == colLayout || c.kind == colVariant {
			set.layout = true
		}
		set.options = set.options || c.kind == colOption
		set.columns = append(set.columns, c)
	}
	if set.layout && set.index != 0 {
		return nil, fmt.Errorf("indexed and unindexed layout columns mixed")
	}
	target := words[eq+1]
	for i, n := range componentNames {
		if n == target {
			set.target = component(i)
			return set, nil
		}
	}
	return nil, fmt.Errorf("unknown component %q", target)
}

// parseColumn parses "model", "layout", "layout[2]", "variant[3]", "option"
// (or "options").
func parseColumn(w string) (column, error) {
	name, idx := w, 0
	if open := strings.IndexByte(w, '['); open >= 0 {
		if !strings.HasSuffix(w, "]") {
			return column{}, fmt.Errorf("bad column %q", w)
		}
		n, err := strconv.Atoi(w[open+1 : len(w)-1])
		if err != nil || n < 1 || n > maxLayouts {
			return column{}, fmt.Errorf("bad index in column %q (want 1 to %d)", w, maxLayouts)
		}
		name, idx = w[:open], n
	}
	switch name {
	case "model":
		if idx == 0 {
			return column{kind: colModel}, nil
		}
	case "layout":
		return column{kind: colLayout, index: idx}, nil
	case "variant":
		return column{kind: colVariant, index: idx}, nil
	case "option", "options":
		if idx == 0 {
			return column{kind: colOption}, nil
		}
	}
	return column{}, fmt.Errorf("unknown column %q", w)
}

// expandInclude expands %H, %S, %E and %% in an include path.
func expandInclude(p string, env Env) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			b.WriteByte(p[i])
			continue
		}
		if i+1 == len(p) {
			return "", fmt.Errorf("include %q ends in %%", p)
		}
		i++
		var dir string
		switch p[i] {
		case '%':
			b.WriteByte('%')
			continue
		case 'H':
			dir = env.Home
		case 'S':
			dir = filepath.Join(env.SystemRoot, "rules")
		case 'E':
			dir = filepath.Join(env.ExtraPath, "rules")
		default:
			return "", fmt.Errorf("include %q: unknown %%%c", p, p[i])
		}
		if dir == "" || dir == "rules" {
			return "", fmt.Errorf("include %q: %%%c is not set", p, p[i])
		}
		b.WriteString(dir)
	}
	return b.String(), nil
}
