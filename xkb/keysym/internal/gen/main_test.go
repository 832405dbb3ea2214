package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestParseHeader(t *testing.T) {
	var b strings.Builder
	b.WriteString("/* comment */\n#define XKB_KEY_NoSymbol 0x000000  /* Special KeySym */\n")
	b.WriteString("#define XKB_KEY_EuroSign 0x20ac  /* U+20AC EURO SIGN */\n")
	b.WriteString("#define XKB_KEY_leftanglebracket 0x0abc  /*(U+2329 LEFT-POINTING ANGLE BRACKET)*/\n")
	b.WriteString(" *   #define XKB_KEY_NotADefine 0x1\n")
	for i := 0; i < 2000; i++ {
		b.WriteString("#define XKB_KEY_filler 0x1\n")
	}
	entries, err := parseHeader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	want := []entry{{"NoSymbol", 0, -1}, {"EuroSign", 0x20ac, 0x20ac}, {"leftanglebracket", 0xabc, 0x2329}}
	for i, w := range want {
		if entries[i] != w {
			t.Errorf("entry %d = %+v; want %+v", i, entries[i], w)
		}
	}
	if len(entries) != 2003 {
		t.Errorf("got %d entries; want 2003", len(entries))
	}
	// A header that lacks a keysym the overrides name is not the one the
	// overrides were checked against.
	if _, err := generate(entries[:3], "x"); err == nil || !strings.Contains(err.Error(), "override") {
		t.Errorf("generate(3 entries) = %v; want an unknown-override error", err)
	}
}

func TestParseHeaderRejectsOtherFiles(t *testing.T) {
	if _, err := parseHeader(strings.NewReader("#define FOO 1\n")); err == nil {
		t.Error("parseHeader accepted a file without keysyms")
	}
	if _, err := parseHeader(strings.NewReader("#define XKB_KEY_a 0x1ffffffff\n")); err == nil {
		t.Error("parseHeader accepted a value above 32 bits")
	}
}

func TestCaseOf(t *testing.T) {
	tests := []struct{ r, upper, lower rune }{
		{'a', 'A', 'a'},
		{'A', 'A', 'a'},
		{0xdf, 0x1e9e, 0xdf},     // sharp s
		{0x180, 0x180, 0x180},    // its capital came later: left alone
		{0x10d0, 0x10d0, 0x10d0}, // Georgian: outside the converted blocks
		{0x0430, 0x0410, 0x0430},
	}
	for _, tt := range tests {
		if u, l := caseOf(tt.r); u != tt.upper || l != tt.lower {
			t.Errorf("caseOf(%#x) = %#x, %#x; want %#x, %#x", tt.r, u, l, tt.upper, tt.lower)
		}
	}
}

// TestCommittedUpToDate regenerates tables.go from Debian's keysym header
// (libxkbcommon-dev, installed by make deps) as go generate does and checks
// that the committed file matches, so that a stale or hand-edited table
// fails go test.
func TestCommittedUpToDate(t *testing.T) {
	const header = "/usr/include/xkbcommon/xkbcommon-keysyms.h"
	f, err := os.Open(header)
	if err != nil {
		t.Fatalf("%v (make deps installs libxkbcommon-dev)", err)
	}
	defer f.Close()
	entries, err := parseHeader(f)
	if err != nil {
		t.Fatalf("%s: %v", header, err)
	}
	got, err := generate(entries, header)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../tables.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("xkb/keysym/tables.go is stale: run go generate ./xkb/keysym/")
	}
}
