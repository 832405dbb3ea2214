package compile

import (
	"bytes"
	"strings"
	"sync"
)

// span is where one section of a file lies, as found by indexSections.
type span struct {
	start, end int    // byte offsets: first header token, after "};"
	keyword    string // the section keyword, lower case ("xkb_symbols")
	name       string
	dflt       bool // flagged "default"
}

// fileIndex finds the top-level sections of an XKB file without parsing
// it: their header words, name string and extent (braces matched, strings
// and comments skipped). Include steps need one section of a file that may
// hold a hundred: parsing only that one is much cheaper, and the index is
// built lazily, only as far as the sections asked for. When the file does
// not have the expected shape the index is marked bad and the caller
// parses the whole file, so that errors are reported as the parser
// reports them. A fileIndex is safe for concurrent use.
type fileIndex struct {
	src   []byte
	mu    sync.Mutex
	spans []span
	next  int  // offset where scanning continues
	done  bool // scanned to the end
	bad   bool // not the expected shape
}

// find returns the span an include step names (see pick), scanning on as
// needed; ok is false when the index is bad.
func (x *fileIndex) find(dir, section string) (sp span, found, ok bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for {
		if x.bad {
			return span{}, false, false
		}
		if i := pick(x.spans, dir, section, x.done); i >= 0 {
			return x.spans[i], true, true
		}
		if x.done {
			return span{}, false, true
		}
		x.scanOne()
	}
}

var special = [256]bool{'{': true, '}': true, '"': true, '#': true, '/': true}

// scanOne indexes the next section (or finds the end of the file).
func (x *fileIndex) scanOne() {
	src := x.src
	i, n := x.next, len(src)
	skip := func() {
		for i < n {
			switch c := src[i]; {
			case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
				i++
			case c == '#' || (c == '/' && i+1 < n && src[i+1] == '/'):
				if k := bytes.IndexByte(src[i:], '\n'); k >= 0 {
					i += k
				} else {
					i = n
				}
			default:
				return
			}
		}
	}
	fail := func() { x.bad = true }
	skip()
	if i >= n {
		x.done, x.next = true, n
		return
	}
	sp := span{start: i}
	// Header: words, an optional string, then '{'.
	for {
		skip()
		if i >= n {
			fail()
			return
		}
		c := src[i]
		if c == '{' {
			break
		}
		switch {
		case c == '"':
			j := i + 1
			for j < n && src[j] != '"' {
				if src[j] == '\\' || src[j] == '\n' {
					fail()
					return
				}
				j++
			}
			if j >= n || sp.name != "" {
				fail()
				return
			}
			sp.name = string(src[i+1 : j])
			i = j + 1
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < n && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			w := strings.ToLower(string(src[i:j]))
			if strings.HasPrefix(w, "xkb_") {
				sp.keyword = w
			} else if w == "default" {
				sp.dflt = true
			}
			i = j
		default:
			fail()
			return
		}
	}
	if sp.keyword == "" {
		fail()
		return
	}
	// Body: match braces, jumping from one special byte to the next.
	depth := 0
	for {
		for i < n && !special[src[i]] {
			i++
		}
		if i >= n {
			fail()
			return
		}
		switch src[i] {
		case '{':
			depth++
			i++
		case '}':
			depth--
			i++
		case '"':
			i++
			for i < n && src[i] != '"' {
				if src[i] == '\\' {
					i++
				}
				i++
			}
			i++
		case '#':
			if k := bytes.IndexByte(src[i:], '\n'); k >= 0 {
				i += k
			} else {
				i = n
			}
		case '/':
			if i+1 < n && src[i+1] == '/' {
				if k := bytes.IndexByte(src[i:], '\n'); k >= 0 {
					i += k
				} else {
					i = n
				}
			} else {
				i++
			}
		}
		if depth == 0 {
			break
		}
	}
	if i > n {
		fail()
		return
	}
	skip()
	if i < n && src[i] == ';' {
		i++
	}
	sp.end = i
	x.spans = append(x.spans, sp)
	x.next = i
}

// keywordKind tells whether a section keyword is of the kind whose
// directory is dir.
func keywordKind(keyword, dir string) bool {
	switch keyword {
	case "xkb_keycodes":
		return dir == "keycodes"
	case "xkb_types":
		return dir == "types"
	case "xkb_compatibility", "xkb_compatibility_map", "xkb_compat", "xkb_compat_map":
		return dir == "compat"
	case "xkb_symbols":
		return dir == "symbols"
	case "xkb_geometry":
		return dir == "geometry"
	}
	return false
}

// pick chooses the span an include step names: by name, else the one
// flagged default, else (when all is set: spans covers the whole file) the
// first of the kind. It returns -1 when there is none (yet).
func pick(spans []span, dir, section string, all bool) int {
	first, def := -1, -1
	for i, sp := range spans {
		if !keywordKind(sp.keyword, dir) {
			continue
		}
		if section != "" {
			if sp.name == section {
				return i
			}
			continue
		}
		if first < 0 {
			first = i
		}
		if def < 0 && sp.dflt {
			def = i
		}
	}
	if section != "" {
		return -1
	}
	if def >= 0 {
		return def
	}
	if !all {
		return -1
	}
	return first
}

// isolate returns the section sp of src preceded by as many newlines and
// spaces as put it on its original line and column, so that parsing it
// yields only that section and errors name the right line:col.
func isolate(src []byte, sp span) []byte {
	lines := bytes.Count(src[:sp.start], []byte{'\n'})
	col := sp.start - (bytes.LastIndexByte(src[:sp.start], '\n') + 1)
	out := make([]byte, lines+col+sp.end-sp.start)
	for i := 0; i < lines; i++ {
		out[i] = '\n'
	}
	for i := lines; i < lines+col; i++ {
		out[i] = ' '
	}
	copy(out[lines+col:], src[sp.start:sp.end])
	return out
}
