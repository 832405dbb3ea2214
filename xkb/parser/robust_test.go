package parser

import (
	"errors"
	"math/rand"
	"strings"
	"testing"
)

// TestParseHostileInput feeds inputs meant to break a parser: each must
// give an error (never a panic, never a hang) that stays within the
// error cap.
func TestParseHostileInput(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	garbage := make([]byte, 10<<20)
	rng.Read(garbage)
	tokens := []string{"key", "<A>", "{", "}", "[", "]", "(", ")", ";", ",", "=", "+", "a", "1", `"s"`, "xkb_symbols", "include", "\n"}
	var tokenSoup strings.Builder
	for tokenSoup.Len() < 10<<20 {
		tokenSoup.WriteString(tokens[rng.Intn(len(tokens))])
		tokenSoup.WriteByte(' ')
	}
	deep := func(open, close string, n int) string {
		return "xkb_symbols { x = " + strings.Repeat(open, n) + "1" + strings.Repeat(close, n) + "; };"
	}
	tests := []struct {
		name, src, want string
	}{
		{"10 MB random bytes", string(garbage), ""},
		{"10 MB token soup", tokenSoup.String(), ""},
		{"10 MB one line of '{'", strings.Repeat("{", 10<<20), "expected section keyword"},
		{"deep parentheses", deep("(", ")", 100000), "nesting deeper than"},
		{"deep unary minus", deep("-", "", 100000), "nesting deeper than"},
		{"deep keysym groups", "xkb_symbols { key <A> { [ " + strings.Repeat("{", 100000) + "a" + strings.Repeat("}", 100000) + " ] }; };", "nesting deeper than"},
		{"deep call arguments", deep("f(", ")", 100000), "nesting deeper than"},
		{"huge integer", "xkb_keycodes { <A> = 123456789012345678901234567890; };", "malformed number literal"},
		{"NUL bytes", "xkb_symbols {\x00\x00 key <A> { [ a ] }; };", "unrecognized token"},
		{"invalid UTF-8 identifier", "xkb_symbols { key <A> { [ \xff\xfe ] }; };", "unrecognized token"},
		{"empty file", "", "expected section, found end of file"},
		{"only comments", "// nothing\n# here\n", "expected section, found end of file"},
		{"unterminated section", "xkb_symbols \"x\" { key <A> { [ a ] };", "expected '}', found end of file"},
		{"unterminated key", "xkb_symbols \"x\" { key <A> { [ a ", "expected ']', found end of file"},
		{"unterminated geometry", "xkb_geometry \"x\" { shape { ", "expected '}', found end of file"},
	}
	for _, tt := range tests {
		_, err := Parse("hostile", []byte(tt.src))
		var list ErrorList
		if !errors.As(err, &list) {
			t.Errorf("%s: Parse error = %v; want an ErrorList", tt.name, err)
			continue
		}
		if len(list) > maxErrors {
			t.Errorf("%s: %d errors; want at most %d", tt.name, len(list), maxErrors)
		}
		if tt.want != "" && !strings.Contains(list[0].Msg, tt.want) {
			t.Errorf("%s: first error %v; want %q", tt.name, list[0], tt.want)
		}
	}
}
