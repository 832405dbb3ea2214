package parser

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics or hangs, and that its errors
// are well formed: at most maxErrors, sorted, positions inside the input.
// Seeds: testdata/fuzz/FuzzParse (our own valid and broken files), a few
// xkb-data files read from where Debian installs them, and pieces of a
// keymap printed by libxkbcommon.
func FuzzParse(f *testing.F) {
	// Seeds stay small (a few KB): the fuzzer's minimisation of large
	// interesting inputs stalls it for tens of seconds.
	for _, name := range []string{"types/basic", "types/pc", "compat/ledcaps", "compat/mousekeys", "keycodes/aliases", "symbols/pc"} {
		src, err := os.ReadFile(filepath.Join(xkbRoot, name))
		if err != nil {
			f.Fatalf("read seed: %v", err)
		}
		f.Add(src)
	}
	keymap := compileKeymap(f, "--layout", "us")
	f.Add(keymap[:4096])             // keycodes, cut mid-section
	f.Add(keymap[len(keymap)-4096:]) // the end of the symbols
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse("fuzz", src)
		if file == nil {
			t.Fatal("Parse returned a nil File")
		}
		// The Loader's section-at-a-time reader must agree with Parse on
		// valid input and must not fail where Parse succeeds.
		r := newOwnedSectionReader("fuzz", bytes.Clone(src))
		var rerr error
		for {
			s, err := r.Next()
			if err != nil || s == nil {
				rerr = err
				break
			}
		}
		if err == nil {
			if len(file.Sections) == 0 {
				t.Fatal("no error and no sections")
			}
			if rerr != nil || len(r.File().Sections) != len(file.Sections) {
				t.Fatalf("Parse: %d sections, no error; section reader: %d sections, error %v",
					len(file.Sections), len(r.File().Sections), rerr)
			}
			return
		}
		if rerr == nil {
			t.Fatalf("Parse error %v; section reader read %d sections without error", err, len(r.File().Sections))
		}
		var list ErrorList
		if !errors.As(err, &list) {
			t.Fatalf("error %T is not an ErrorList", err)
		}
		if len(list) == 0 || len(list) > maxErrors {
			t.Fatalf("%d errors; want 1..%d", len(list), maxErrors)
		}
		if !sort.IsSorted(list) {
			t.Fatalf("errors not sorted:\n%v", list)
		}
		for _, e := range list {
			p := e.Pos
			if p.Offset < 0 || p.Offset > len(src) || p.Line < 1 || p.Column < 1 || e.Msg == "" {
				t.Fatalf("bad error %q at %+v (input length %d)", e.Msg, p, len(src))
			}
		}
		if _, err2 := Parse("fuzz", src); err2 == nil || err2.Error() != err.Error() {
			t.Fatalf("second parse gave a different result: %v", err2)
		}
	})
}

// FuzzIncludeSpec checks that include strings never make
// ParseIncludeSpec panic and that the steps it returns are well formed.
func FuzzIncludeSpec(f *testing.F) {
	for _, s := range []string{"pc+us(intl):2+inet(evdev)|group(shifts_toggle)", "us", "a(b", "+", "a:0", "a:99999999999999999999", "x(y)z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		steps, _ := ParseIncludeSpec(spec, MergeReplace)
		for i, s := range steps {
			if s.File == "" || strings.ContainsAny(s.File, "+|:(") || s.Group < 0 || s.Group > MaxGroups ||
				s.Group != 0 && s.BadGroup != "" {
				t.Fatalf("ParseIncludeSpec(%q): bad step %d: %+v", spec, i, s)
			}
		}
		if len(steps) > 0 && steps[0].Merge != MergeReplace {
			t.Fatalf("ParseIncludeSpec(%q): the first step %+v does not have the statement's mode", spec, steps[0])
		}
	})
}
