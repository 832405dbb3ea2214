package parser

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// errorMarker is a comment `// ERROR "text"` (or with the text in back
// quotes, for lines where a double quote would change the error) that
// says the line must get an error whose message contains text.
var errorMarker = regexp.MustCompile("//\\s*ERROR\\s+(\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`)")

// expectedErrors collects the ERROR markers of src by line.
func expectedErrors(t *testing.T, src []byte) map[int]string {
	t.Helper()
	want := make(map[int]string)
	for i, line := range strings.Split(string(src), "\n") {
		m := errorMarker.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s, err := strconv.Unquote(m[1])
		if err != nil {
			t.Fatalf("line %d: bad ERROR marker %s", i+1, m[1])
		}
		want[i+1] = s
	}
	return want
}

// checkErrors compares the errors err holds for file against its markers.
func checkErrors(t *testing.T, file string, want map[int]string, err error) {
	t.Helper()
	var list ErrorList
	if err != nil && !errors.As(err, &list) {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%s: error %v is neither ErrorList nor *Error", file, err)
		}
		list = ErrorList{e}
	}
	seen := make(map[int]bool)
	for _, e := range list {
		if e.Pos.Filename != file {
			t.Errorf("unexpected error in another file: %v", e)
			continue
		}
		w, ok := want[e.Pos.Line]
		switch {
		case !ok:
			t.Errorf("unexpected error: %v", e)
		case !strings.Contains(e.Msg, w):
			t.Errorf("%v; want message containing %q", e, w)
		}
		seen[e.Pos.Line] = true
	}
	for line, w := range want {
		if !seen[line] {
			t.Errorf("%s:%d: missing error %q", file, line, w)
		}
	}
}

// TestParseErrors parses the files of testdata/errors and checks that
// the errors are exactly those marked in them.
func TestParseErrors(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.xkb")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/errors files: %v", err)
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(file, src)
		checkErrors(t, file, expectedErrors(t, src), err)
	}
}

// TestErrorText pins whole error texts, columns included (columns count
// bytes from 1; tabs count as one).
func TestErrorText(t *testing.T) {
	tests := []struct{ src, want string }{
		{"xkb_symbols {\n  key <A> { [ a, ] };\n};", "f:2:18: expected keysym, found ']'"},
		{"xkb_symbols {\n\tkey <A> { [ a ] }\n};", "f:2:19: expected ';', found '}'"},
		{"xkb_keycodes {\n  <A> = 0x;\n};", "f:2:9: malformed number literal"},
		{"xkb_types {\n  type \"T\" { x = \"é\n};", "f:2:18: unterminated string literal\nf:3:3: expected '}', found end of file"},
		{"", "f:1:1: expected section, found end of file"},
		{"xkb_symbols { key <A> { [ a ] }; ", "f:1:34: expected '}', found end of file"},
		{"x", "f:1:1: expected section keyword (xkb_keymap, xkb_keycodes, xkb_types, xkb_compatibility, xkb_symbols, xkb_geometry), found identifier x"}, // one error per line
	}
	for _, tt := range tests {
		_, err := Parse("f", []byte(tt.src))
		got := "<nil>"
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Parse(%q) error:\n%s\nwant:\n%s", tt.src, got, tt.want)
		}
	}
}
