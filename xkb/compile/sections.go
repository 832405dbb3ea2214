package compile

import (
	"bytes"
	"strings"
)

// span is where one section of a file lies, as found by indexSections.
type span struct {
	start, end int    // byte offsets: first header token, after "};"
	keyword    string // the section keyword, lower case ("xkb_symbols")
	name       string
	dflt       bool // flagged "default"
}

// indexSections finds the top-level sections of an XKB file without
// parsing it: their header words, name string and extent (braces are
// matched, skipping strings and comments). Include steps need one section
// of a file that may hold a hundred; parsing only that one is much
// cheaper. ok is false when the file does not have the expected shape;
// the caller then parses the whole file, so that any error is reported as
// the parser reports it.
func indexSections(src []byte) (spans []span, ok bool) {
	i, n := 0, len(src)
	skip := func() {
		for i < n {
			switch c := src[i]; {
			case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
				i++
			case c == '#' || (c == '/' && i+1 < n && src[i+1] == '/'):
				for i < n && src[i] != '\n' {
					i++
				}
			default:
				return
			}
		}
	}
	for {
		skip()
		if i >= n {
			return spans, true
		}
		sp := span{start: i}
		// Header: words, an optional string, then '{'.
		for {
			skip()
			if i >= n {
				return nil, false
			}
			c := src[i]
			switch {
			case c == '{':
			case c == '"':
				j := i + 1
				for j < n && src[j] != '"' {
					if src[j] == '\\' || src[j] == '\n' {
						return nil, false
					}
					j++
				}
				if j >= n || sp.name != "" {
					return nil, false
				}
				sp.name = string(src[i+1 : j])
				i = j + 1
				continue
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
				continue
			default:
				return nil, false
			}
			break
		}
		if sp.keyword == "" {
			return nil, false
		}
		// Body: match braces, jumping from one special byte to the next.
		depth := 0
		for i < n {
			k := bytes.IndexAny(src[i:], "{}\"#/")
			if k < 0 {
				return nil, false
			}
			i += k
			switch c := src[i]; {
			case c == '{':
				depth++
				i++
			case c == '}':
				depth--
				i++
			case c == '"':
				i++
				for i < n && src[i] != '"' {
					if src[i] == '\\' {
						i++
					}
					i++
				}
				i++
			case c == '#' || (c == '/' && i+1 < n && src[i+1] == '/'):
				for i < n && src[i] != '\n' {
					i++
				}
			default:
				i++
			}
			if depth == 0 {
				break
			}
		}
		if depth != 0 || i > n {
			return nil, false
		}
		skip()
		if i < n && src[i] == ';' {
			i++
		}
		sp.end = i
		spans = append(spans, sp)
	}
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
// flagged default, else the first of the kind. It returns -1 when there
// is none.
func pick(spans []span, dir, section string) int {
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
