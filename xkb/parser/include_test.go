package parser

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseIncludeSpec pins how include strings are read; the outcomes
// were observed with xkbcli compile-keymap (libxkbcommon 1.5) on keymaps
// including each string.
func TestParseIncludeSpec(t *testing.T) {
	tests := []struct {
		spec    string
		merge   MergeMode
		want    string // steps as merge:file(section):group[!badgroup], space-separated
		wantErr string
	}{
		{"us", MergeDefault, "default:us():0", ""},
		{"pc+us(intl):2+inet(evdev)|group(shifts_toggle)", MergeDefault,
			"default:pc():0 override:us(intl):2 override:inet(evdev):0 augment:group(shifts_toggle):0", ""},
		{"us:4", MergeOverride, "override:us():4", ""},
		{"a|b+c", MergeAugment, "augment:a():0 augment:b():0 override:c():0", ""},
		{"macintosh_vndr/us(basic)", MergeReplace, "replace:macintosh_vndr/us(basic):0", ""},
		// Parts without a file are skipped (the rules write "us+:2+ca:3"
		// for the layouts "us,,ca"); the merge mode skips with them.
		{"pc+us+:2+ca:3+inet(evdev)", MergeDefault, "default:pc():0 override:us():0 override:ca():3 override:inet(evdev):0", ""},
		{"a|:2+b", MergeDefault, "default:a():0 augment:b():0", ""},
		{"", MergeDefault, "", ""},
		{"us+", MergeDefault, "default:us():0", ""},
		{"+us", MergeDefault, "default:us():0", ""},
		{"pc++us", MergeDefault, "default:pc():0 override:us():0", ""},
		// A group index is read as atoi reads it; one outside 1..4 is
		// ignored (libxkbcommon warns "Cannot set explicit group").
		{"us:0", MergeDefault, "default:us():0!0", ""},
		{"us:5", MergeDefault, "default:us():0!5", ""},
		{"us:20", MergeDefault, "default:us():0!20", ""},
		{"us:x", MergeDefault, "default:us():0!x", ""},
		{"us:-1", MergeDefault, "default:us():0!-1", ""},
		{"us:", MergeDefault, "default:us():0!:", ""},
		{"us:99999999999999999999999", MergeDefault, "default:us():0!99999999999999999999999", ""},
		{"us:2x", MergeDefault, "default:us():2", ""},
		{"us: 2", MergeDefault, "default:us():2", ""},
		{"us:2(intl)", MergeDefault, "default:us():2", ""},
		// Illegal forms: the include statement is ignored in a file, an
		// error in a rules component.
		{"us(intl", MergeDefault, "", "illegal include statement"},
		{"us(a(b))", MergeDefault, "", "illegal include statement"},
		{"us(intl)x", MergeDefault, "", "illegal include statement"},
		{"pc+(basic)", MergeDefault, "default:pc():0", "illegal include statement"},
		// An empty section name fails when the section is looked up.
		{"us()", MergeDefault, "", "empty section name"},
	}
	for _, tt := range tests {
		steps, err := ParseIncludeSpec(tt.spec, tt.merge)
		var got []string
		for _, s := range steps {
			g := s.Merge.String() + ":" + s.File + "(" + s.Section + "):" + string(rune('0'+s.Group))
			if s.BadGroup != "" {
				g += "!" + s.BadGroup
			}
			got = append(got, g)
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("ParseIncludeSpec(%q) = %s; want %s", tt.spec, g, tt.want)
		}
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("ParseIncludeSpec(%q): unexpected error %v", tt.spec, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ParseIncludeSpec(%q) error = %v; want %q", tt.spec, err, tt.wantErr)
		case tt.wantErr == "illegal include statement" && !errors.Is(err, ErrIllegalInclude):
			t.Errorf("ParseIncludeSpec(%q) error = %v; want it to be ErrIllegalInclude", tt.spec, err)
		}
	}
}

func TestCAtoi(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int32
	}{
		{"2", 2}, {" \t+3", 3}, {"-4", -4}, {"7z", 7}, {"", 0}, {"x", 0}, {"- 1", 0},
		{"2147483648", -2147483648},     // truncated to 32 bits
		{"4294967297", 1},               // 2^32+1
		{"99999999999999999999999", -1}, // saturates at LONG_MAX, whose low 32 bits are -1
		{"-99999999999999999999999", 0}, // LONG_MIN's low 32 bits
	} {
		if got := cAtoi(tt.in); got != tt.want {
			t.Errorf("cAtoi(%q) = %d; want %d", tt.in, got, tt.want)
		}
	}
}

// testLoader returns a Loader over testdata/include that counts file reads.
func testLoader(reads map[string]int) *Loader {
	l := NewLoader([]string{"testdata/include"})
	l.readFile = func(path string) ([]byte, error) {
		reads[path]++
		return os.ReadFile(path)
	}
	return l
}

func findSection(t *testing.T, l *Loader, file, name string) *Section {
	t.Helper()
	s, err := l.FindSection(KindSymbols, file, name)
	if err != nil {
		t.Fatalf("FindSection(%s(%s)): %v", file, name, err)
	}
	return s
}

// TestResolveTree checks the tree Resolve builds: steps with their merge
// modes, files, sections and groups; default sections; caching.
func TestResolveTree(t *testing.T) {
	reads := map[string]int{}
	l := testLoader(reads)
	r, err := l.Resolve(findSection(t, l, "main", "good"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Section.Stmts) != 3 {
		t.Fatalf("good: %d statements; want 3", len(r.Section.Stmts))
	}
	if len(r.Includes) != 2 || r.Includes[0].Index != 0 || r.Includes[1].Index != 2 {
		t.Fatalf("good: includes %+v; want statements 0 and 2", r.Includes)
	}
	steps := r.Includes[0].Steps
	type want struct {
		merge         MergeMode
		path, section string
		group, nstmts int
	}
	wants := []want{
		{MergeDefault, "testdata/include/symbols/other", "second", 0, 1}, // default section
		{MergeOverride, "testdata/include/symbols/other", "second", 2, 1},
		{MergeAugment, "testdata/include/symbols/sub/nested", "x", 0, 1},
	}
	if len(steps) != len(wants) {
		t.Fatalf("good: include has %d steps; want %d", len(steps), len(wants))
	}
	for i, w := range wants {
		s := steps[i]
		if s.Merge != w.merge || s.Section.Path != w.path || s.Section.Section.Name != w.section || s.Group != w.group || len(s.Section.Section.Stmts) != w.nstmts {
			t.Errorf("step %d = %v %s(%s):%d with %d items; want %v %s(%s):%d with %d items", i,
				s.Merge, s.Section.Path, s.Section.Section.Name, s.Group, len(s.Section.Section.Stmts),
				w.merge, w.path, w.section, w.group, w.nstmts)
		}
	}
	if steps[0].Section != steps[1].Section {
		t.Error("other(second) resolved twice; want one cached *Resolved")
	}
	// other(second) includes "first", whose default is its first section.
	inner := steps[0].Section.Includes[0].Steps
	if len(inner) != 1 || inner[0].Section.Section.Name != "one" {
		t.Errorf("other(second) includes %+v; want first(one)", inner)
	}
	if _, ok := r.Section.Stmts[1].(*KeyDef); !ok {
		t.Errorf("statement 1 = %T; want a *KeyDef", r.Section.Stmts[1])
	}
	if inc, ok := r.Section.Stmts[2].(*Include); !ok || inc.Merge != MergeAugment || r.Includes[1].Steps[0].Merge != MergeAugment {
		t.Errorf("statement 2 = %#v; want an augment include", r.Section.Stmts[2])
	}
	var walked []string
	for st, steps := range r.Items() {
		walked = append(walked, fmt.Sprintf("%T:%d", st, len(steps)))
	}
	if got, want := strings.Join(walked, " "), "*parser.Include:3 *parser.KeyDef:0 *parser.Include:1"; got != want {
		t.Errorf("Items() walked %s; want %s", got, want)
	}
	for path, n := range reads {
		if n != 1 {
			t.Errorf("%s read %d times; want once", path, n)
		}
	}
	wantPaths := "testdata/include/symbols/main testdata/include/symbols/other testdata/include/symbols/first testdata/include/symbols/sub/nested"
	if got := strings.Join(l.Paths(), " "); got != wantPaths {
		t.Errorf("Paths() = %s; want %s", got, wantPaths)
	}
	// Duplicate names and several default flags: the first wins (as
	// libxkbcommon 1.5 does; checked with xkbcli).
	r3, err := l.Resolve(findSection(t, l, "main", "firsts"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range r3.Includes[0].Steps {
		k := st.Section.Section.Stmts[0].(*KeyDef)
		got = append(got, st.Section.Section.Name+":"+dumpExpr(k.Body[0].Value))
	}
	if g := strings.Join(got, " "); g != "s:[w] b:[t]" {
		t.Errorf("dup(s)+twodef resolved to %s; want s:[w] b:[t]", g)
	}
	// A second Resolve is served from the cache.
	r2, err := l.Resolve(findSection(t, l, "main", "good"))
	if err != nil || r2 != r {
		t.Errorf("second Resolve = %p, %v; want the cached %p", r2, err, r)
	}
}

// TestResolveErrors resolves the failing sections of testdata/include/symbols/main;
// each error must be one marked with ERROR in the testdata files.
func TestResolveErrors(t *testing.T) {
	markers := map[string]map[int]string{}
	err := filepath.WalkDir("testdata/include", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		markers[path] = expectedErrors(t, src)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hit := map[string]bool{}
	l := testLoader(map[string]int{})
	for _, name := range []string{"loop", "nofile", "nosection", "wrongkind", "syntax", "badspec", "mixed"} {
		_, err := l.Resolve(findSection(t, l, "main", name))
		if err == nil {
			t.Errorf("Resolve(main(%s)) succeeded; want an error", name)
			continue
		}
		var list ErrorList
		var one *Error
		switch {
		case errors.As(err, &list):
		case errors.As(err, &one):
			list = ErrorList{one}
		default:
			t.Errorf("Resolve(main(%s)) = %v; want a positioned error", name, err)
			continue
		}
		for _, e := range list {
			w, ok := markers[e.Pos.Filename][e.Pos.Line]
			if !ok || !strings.Contains(e.Msg, w) {
				t.Errorf("Resolve(main(%s)): unexpected error %v (marker %q)", name, e, w)
			}
			hit[e.Pos.Filename+":"+string(rune(e.Pos.Line))] = true
		}
	}
	for file, m := range markers {
		for line, w := range m {
			if !hit[file+":"+string(rune(line))] {
				t.Errorf("%s:%d: missing error %q", file, line, w)
			}
		}
	}
}

// TestIllegalIncludeIsIgnored checks that an include statement with an
// illegal string is dropped with a warning and the section's other
// statements stay, as libxkbcommon does ("Illegal include statement ...;
// Ignored").
func TestIllegalIncludeIsIgnored(t *testing.T) {
	l := testLoader(map[string]int{})
	r, err := l.Resolve(findSection(t, l, "main", "illegal"))
	if err != nil {
		t.Fatalf("Resolve(main(illegal)): %v", err)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0].Error(), `symbols/main:36:5: include "other(second": illegal include statement`) {
		t.Errorf("warnings %v; want the illegal include at main:36:5", r.Warnings)
	}
	if len(r.Includes) != 0 || len(r.Section.Stmts) != 2 {
		t.Errorf("resolved %d includes of %d statements; want none of 2", len(r.Includes), len(r.Section.Stmts))
	}
}

// TestLoaderDirOrder checks that the first include directory holding a
// file wins, and that ResolveSpec reports unknown files.
func TestLoaderDirOrder(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "symbols"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := "xkb_symbols \"mine\" { key <M> { [ m ] }; };\n"
	if err := os.WriteFile(filepath.Join(dir, "symbols", "first"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	reads := map[string]int{}
	l := NewLoader([]string{filepath.Join(dir, "missing"), dir, "testdata/include"})
	l.readFile = func(path string) ([]byte, error) {
		reads[path]++
		return os.ReadFile(path)
	}
	r, err := l.ResolveSpec(KindSymbols, "first+other(first)")
	if err != nil {
		t.Fatal(err)
	}
	steps := r.Includes[0].Steps
	if got := steps[0].Section.Section.Name; got != "mine" {
		t.Errorf("first resolved to section %q; want %q from the first directory", got, "mine")
	}
	if got := steps[1].Section.Path; got != "testdata/include/symbols/other" {
		t.Errorf("other resolved to %s; want testdata/include/symbols/other", got)
	}
	if _, err := l.ResolveSpec(KindSymbols, "other(first)"); err != nil {
		t.Fatal(err)
	}
	for path, n := range reads {
		if n != 1 {
			t.Errorf("%s looked up %d times; want once (missing files are remembered too)", path, n)
		}
	}
	_, err = l.ResolveSpec(KindSymbols, "pc+nosuch")
	if err == nil || !strings.Contains(err.Error(), `symbols "pc+nosuch":1:1: cannot find symbols include file "pc"`) {
		t.Errorf("ResolveSpec(pc+nosuch) error = %v", err)
	}
	_, err = l.ResolveSpec(KindTypes, "a(")
	if err == nil || !strings.Contains(err.Error(), "illegal include statement") {
		t.Errorf("ResolveSpec(a() error = %v", err)
	}
	_, err = l.ResolveSpec(KindSymbols, "+:2")
	if err == nil || !strings.Contains(err.Error(), "names no file") {
		t.Errorf("ResolveSpec(+:2) error = %v", err)
	}
}

// TestResolveStopsAtSection checks that a file is read only up to the
// section an include wants, so that syntax errors after it do not matter
// and errors before it do. The outcomes were observed with xkbcli
// (libxkbcommon 1.5) on the same files.
func TestResolveStopsAtSection(t *testing.T) {
	tests := []struct {
		spec, wantErr string // wantErr "" means success
	}{
		{"late(a)", ""},
		{"late", "testdata/include/symbols/late:4:"}, // no default flag: the whole file is read
		{"late(b)", "testdata/include/symbols/late:4:"},
		{"late(zz)", "testdata/include/symbols/late:4:"},
		{"early(b)", "testdata/include/symbols/early:2:"},
		{"early(a)", "testdata/include/symbols/early:2:"},
		{"defl", ""},
		{"defl(a)", ""},
		{"defl(b)", "testdata/include/symbols/defl:3:"},
	}
	for _, order := range []string{"forward", "backward"} {
		// One Loader for all specs: what one include reads must not
		// change what another sees.
		l := NewLoader([]string{"testdata/include"})
		for i := range tests {
			tt := tests[i]
			if order == "backward" {
				tt = tests[len(tests)-1-i]
			}
			_, err := l.ResolveSpec(KindSymbols, tt.spec)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("%s: ResolveSpec(%q): %v", order, tt.spec, err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)):
				t.Errorf("%s: ResolveSpec(%q) error = %v; want one at %s", order, tt.spec, err, tt.wantErr)
			}
		}
	}
}

// TestHeadReads resolves includes with Loaders that read files in heads
// of every size from 1 byte up: tokens, comments and sections cut at the
// end of a head must give the same trees and the same errors as reading
// each file whole.
func TestHeadReads(t *testing.T) {
	specs := []string{"late(a)", "late", "late(b)", "late(zz)", "early(b)", "early(a)",
		"defl", "defl(a)", "defl(b)", "main", "mixed", "other", "sub", "twodef", "dup",
		"first", "broken", "loop1", "other(first)+sub|mixed"}
	dump := func(r *Resolved, err error) string {
		if err != nil {
			return "error: " + err.Error()
		}
		var b strings.Builder
		var walk func(r *Resolved)
		walk = func(r *Resolved) {
			fmt.Fprintf(&b, "%s(%s)@%v:%d{", r.Path, r.Section.Name, r.Section.File.Position(r.Section.Pos), len(r.Section.Stmts))
			for st, steps := range r.Items() {
				fmt.Fprintf(&b, "%T@%d;", st, st.Position())
				for _, st := range steps {
					walk(st.Section)
				}
			}
			b.WriteString("}")
		}
		walk(r)
		return b.String()
	}
	want := map[string]string{}
	whole := NewLoader([]string{"testdata/include"})
	whole.headSize = 1 << 20
	for _, spec := range specs {
		want[spec] = dump(whole.ResolveSpec(KindSymbols, spec))
	}
	// Margin 0: every section that runs past a head is parsed again;
	// otherwise the scanner asks for more first, and only tokens longer
	// than the margin make a section be parsed again.
	for _, margin := range []int{0, 3, 40, defaultMargin} {
		for h := 1; h <= 200; h++ {
			l := NewLoader([]string{"testdata/include"})
			l.headSize, l.margin = h, margin
			for _, spec := range specs {
				if got := dump(l.ResolveSpec(KindSymbols, spec)); got != want[spec] {
					t.Errorf("head %d, margin %d: ResolveSpec(%q) = %s; want %s", h, margin, spec, got, want[spec])
				}
			}
		}
	}
}

// A file longer than positions can address is refused before it is
// parsed (a sparse file: nothing of it is on disk).
func TestLoaderRefusesHugeFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "symbols"), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "symbols", "huge"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`xkb_symbols "a" { key <A> { [ a ] }; };` + "\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxSourceSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = NewLoader([]string{dir}).ResolveSpec(KindSymbols, "huge(a)")
	if err == nil || !strings.Contains(err.Error(), "more than the 1073741824 the parser takes") {
		t.Fatalf("ResolveSpec of a %d-byte file: %v; want it refused", MaxSourceSize+1, err)
	}
}
