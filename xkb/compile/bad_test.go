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
	km, err := FromNames(xkbDirs, rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}, xkbEnv)
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
		{rules.Names{Rules: "evdev", Model: "pc105", Layout: "us", Variant: "no_such_variant"}, `no section "no_such_variant" in `},
		{rules.Names{Rules: "no_such_rules", Model: "pc105", Layout: "us"}, `no_such_rules`},
		{rules.Names{Rules: "evdev", Model: "pc105", Layout: "custom"}, `layout "custom"`},
	} {
		_, err := FromNames(xkbDirs, tc.names, xkbEnv)
		if err == nil {
			t.Errorf("FromNames(%+v) succeeded; want an error with %q", tc.names, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("FromNames(%+v) = %q; want an error with %q", tc.names, err, tc.want)
		}
	}
}

// FuzzFromText compiles arbitrary keymap text: it must return a keymap
// or an error, never panic; a keymap it returns must serialize to text
// that compiles to the same text again.
func FuzzFromText(f *testing.F) {
	files, _ := filepath.Glob("testdata/bad/*.xkb")
	for _, p := range files {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte(`xkb_keymap {
xkb_keycodes { <A> = 38; <B> = 50; indicator 1 = "Caps Lock"; alias <X> = <A>; };
xkb_types { virtual_modifiers L3; type "ONE_LEVEL" { modifiers = none; }; type "T" { modifiers = Shift+L3; map[Shift] = 2; map[L3] = 3; preserve[L3] = L3; }; };
xkb_compat { interpret Shift_L { action = SetMods(modifiers=modMapMods, clearLocks); }; indicator "Caps Lock" { whichModState = locked; modifiers = Lock; }; };
xkb_symbols { name[1] = "x"; key <A> { type = "T", [ a, A, ae ], [ b ] }; key <B> { [ Shift_L ] }; modifier_map Shift { <B> }; };
};`))
	f.Fuzz(func(t *testing.T, src []byte) {
		km, err := FromText("fuzz.xkb", src, nil)
		if err != nil {
			return
		}
		text := km.Text()
		km2, err := FromText("fuzz2.xkb", []byte(text), nil)
		if err != nil {
			t.Fatalf("our own text does not compile: %v\n%s", err, text)
		}
		if text2 := km2.Text(); text2 != text {
			t.Fatalf("round trip differs: %s", firstDiff(text, text2))
		}
	})
}
