package compile

import (
	"bufio"
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gocomp/xkb/rules"
)

var wantRE = regexp.MustCompile(`^// want: (.*)$`)

// TestBadKeymaps compiles every file of testdata/bad, each of which names
// the error it must give in its first line ("// want: text"), with
// testdata/root as the include path.
func TestBadKeymaps(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.xkb")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	root := []string{"testdata/root"}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := bytes.Cut(src, []byte("\n"))
		m := wantRE.FindSubmatch(first)
		if m == nil {
			t.Fatalf("%s: first line is not a // want: comment", path)
		}
		want := string(m[1])
		name := filepath.Base(path)
		_, err = FromText(name, src, root)
		if err == nil {
			t.Errorf("FromText(%s) succeeded; want error %q", name, want)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("FromText(%s) = %q; want an error containing %q", name, err, want)
		}
		// Every error names the file, line and column it comes from.
		if !regexp.MustCompile(`\.xkb:\d+:\d+: |root/symbols/\w+:\d+:\d+: |keymap: `).MatchString(err.Error()) && !strings.Contains(want, "keymap section") {
			t.Errorf("FromText(%s) = %q; want file:line:col", name, err)
		}
	}
}

// TestGarbage feeds 10 MB of random bytes, random tokens and truncated
// keymaps to the compiler: each must fail with an error, never panic.
func TestGarbage(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	big := make([]byte, 10<<20)
	r.Read(big)
	if _, err := FromText("garbage.xkb", big, nil); err == nil {
		t.Error("FromText(10 MB of random bytes) succeeded")
	}
	var b strings.Builder
	words := []string{"xkb_keymap", "{", "}", ";", "key", "<AE01>", "[", "]", "=", "include", "\"us\"", "type", "SetMods", "(", ")", ",", "+", "modifiers", "Shift", "interpret", "indicator", "0x1234", "-"}
	w := bufio.NewWriter(&b)
	for b.Len() < 1<<20 {
		w.WriteString(words[r.Intn(len(words))])
		w.WriteByte(' ')
		w.Flush()
	}
	if _, err := FromText("tokens.xkb", []byte(b.String()), nil); err == nil {
		t.Error("FromText(random tokens) succeeded")
	}
	km, err := FromNames(xkbDirs, rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"})
	if err != nil {
		t.Fatal(err)
	}
	text := km.Text()
	for i := 0; i < 200; i++ {
		cut := r.Intn(len(text))
		FromText("cut.xkb", []byte(text[:cut]), nil) // must not panic
	}
}

// TestBadNames checks that RMLVO failures name the RMLVO and the reason.
func TestBadNames(t *testing.T) {
	for _, tc := range []struct {
		names rules.Names
		want  string
	}{
		{rules.Names{Rules: "evdev", Model: "pc105", Layout: "no_such_layout"}, `layout "no_such_layout"`},
		{rules.Names{Rules: "evdev", Model: "pc105", Layout: "us", Variant: "no_such_variant"}, `no xkb_symbols section "no_such_variant"`},
		{rules.Names{Rules: "no_such_rules", Model: "pc105", Layout: "us"}, `no_such_rules`},
		{rules.Names{Rules: "evdev", Model: "pc105", Layout: "custom"}, `layout "custom"`},
	} {
		_, err := FromNames(xkbDirs, tc.names)
		if err == nil {
			t.Errorf("FromNames(%+v) succeeded; want an error with %q", tc.names, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("FromNames(%+v) = %q; want an error with %q", tc.names, err, tc.want)
		}
	}
}
