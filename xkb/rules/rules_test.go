package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocomp/xkb/rules"
)

// testdataRoot returns an XKB root whose rules/ is testdata.
func testdataRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	abs, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(root, "rules")); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestApply(t *testing.T) {
	root := testdataRoot(t)
	f, err := rules.Load(filepath.Join(root, "rules", "base.rules"), rules.Env{SystemRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		names                            rules.Names
		keycodes, types, compat, symbols string
	}{
		{rules.Names{Model: "pc105", Layout: "us"}, "evdev+aliases(qwerty)", "complete", "complete", "pc+us+inet(pc105)"},
		{rules.Names{Model: "pc104", Layout: "de", Variant: "neo"}, "evdev+pc104+aliases(qwertz)", "complete", "complete+caps(caps_lock)", "pc+de(neo)+inet(pc104)"},
		// $group match and %l%(v) after a fixed prefix.
		{rules.Names{Model: "pc105", Layout: "ru", Variant: "phonetic"}, "evdev+aliases(qwerty)", "complete", "complete", "pc+us+ru(phonetic):2+inet(pc105)"},
		// Two layouts: only the indexed sets apply; %_v and %i.
		{rules.Names{Model: "pc105", Layout: "de,fr", Variant: ",dvorak", Options: "misc:typo"}, "evdev+aliases(qwertz)", "complete", "complete",
			"pc+de+fr(dvorak):2+fr_dvorak:2+inet(pc105)+typo(base):2"},
		// Options accumulate in file order, once per rule; the include adds compat.
		{rules.Names{Model: "pc105", Layout: "us", Options: "ctrl:nocaps,grp:toggle,grp_led:num"}, "evdev+aliases(qwerty)", "complete", "complete+lednum(group_lock)",
			"pc+us+inet(pc105)+group(toggle)+ctrl(nocaps)+group(again)"},
		// Unindexed %v with several variants stands for nothing.
		{rules.Names{Model: "pc105", Layout: "us", Variant: "intl,"}, "evdev+aliases(qwerty)", "complete", "complete", "pc+us+inet(pc105)"},
	}
	for _, tt := range tests {
		got, err := f.Apply(tt.names)
		want := rules.Components{Keycodes: tt.keycodes, Types: tt.types, Compat: tt.compat, Symbols: tt.symbols}
		if err != nil || got != want {
			t.Errorf("Apply(%+v) =\n  %+v, %v\nwant\n  %+v", tt.names, got, err, want)
		}
	}
}

func TestApplyFailsWithoutSymbols(t *testing.T) {
	f, err := rules.Parse("x", []byte("! model = keycodes\n * = evdev\n"), rules.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Apply(rules.Names{Model: "pc105", Layout: "us"}); err == nil || !strings.Contains(err.Error(), "no types component") {
		t.Errorf("Apply = %v; want a missing-component error", err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"  * = evdev\n", "x:1: rule line outside a rule set"},
		{"! model = keycodes\n  a b = c\n", "x:2: want 1 values"},
		{"! model = nonsense\n", "unknown component"},
		{"! layout[5] = symbols\n", "bad index"},
		{"! model[1] = symbols\n", "unknown column"},
		{"! layout layout[2] = symbols\n", "column \"layout[2]\" given twice"},
		{"! $group values\n", "want \"! $group = values...\""},
		{"! include\n", "want \"! include FILE\""},
		{"! include %Q/x\n", "unknown %Q"},
		{"! include /nonexistent/rules\n", "no such file"},
		{"!\n", "empty"},
	}
	for _, tt := range tests {
		_, err := rules.Parse("x", []byte(tt.src), rules.Env{SystemRoot: "/nonexistent"})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v; want an error containing %q", tt.src, err, tt.want)
		}
	}
}

func TestIncludeLoop(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "loop")
	if err := os.WriteFile(path, []byte("! include "+path+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := rules.Load(path, rules.Env{}); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("Load(self-including file) = %v; want a nesting error", err)
	}
}

func TestFind(t *testing.T) {
	root := testdataRoot(t)
	other := t.TempDir()
	got, err := rules.Find([]string{other, root}, "base.rules")
	if err != nil || got != filepath.Join(root, "rules", "base.rules") {
		t.Errorf("Find = %q, %v; want the file under the second root", got, err)
	}
	for _, name := range []string{"missing", "", "../etc/passwd"} {
		if _, err := rules.Find([]string{root}, name); err == nil {
			t.Errorf("Find(%q) found something", name)
		}
	}
}

func TestBadExpansions(t *testing.T) {
	for _, v := range []string{"pc+%", "pc+%(l", "pc+%l[9]", "pc+%x", "pc+%l[1"} {
		f, err := rules.Parse("x", []byte("! model = keycodes\n * = a\n! model = types\n * = a\n! model = compat\n * = a\n! model = symbols\n * = "+v+"\n"), rules.Env{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Apply(rules.Names{Model: "m", Layout: "us"}); err == nil {
			t.Errorf("Apply with value %q: no error", v)
		}
	}
}

func TestCacheReloadsChangedFiles(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "rules", "r")
	write := func(symbols string) {
		src := "! model = keycodes\n * = k\n! model = types\n * = t\n! model = compat\n * = c\n! model = symbols\n * = " + symbols + "\n"
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var c rules.Cache
	n := rules.Names{Rules: "r", Model: "m", Layout: "us"}
	write("pc+us")
	got, err := c.Resolve([]string{root}, n, rules.EnvFrom(os.Getenv))
	if err != nil || got.Symbols != "pc+us" {
		t.Fatalf("first Resolve = %+v, %v", got, err)
	}
	f1, _ := c.Load(path, rules.EnvFrom(os.Getenv))
	f2, _ := c.Load(path, rules.EnvFrom(os.Getenv))
	if f1 != f2 {
		t.Error("unchanged file parsed again")
	}
	write("pc+de+longer") // another size: a change even within the mtime granularity
	got, err = c.Resolve([]string{root}, n, rules.EnvFrom(os.Getenv))
	if err != nil || got.Symbols != "pc+de+longer" {
		t.Errorf("Resolve after the file changed = %+v, %v; want the new symbols", got, err)
	}
}
