package state_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"gocomp/xkb/compile"
	"gocomp/xkb/includepath"
	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/rules"
	"gocomp/xkb/state"
)

// TestLenientNames checks the layout strings libxkbcommon compiles with a
// shrug: empty layouts in a list (the rules make "pc+us+:2+ca:3" of
// "us,,ca", and the empty part is skipped) and group indexes out of range
// or malformed (ignored with a warning). For each, with and without a
// group switching option, our keymap text must be libxkbcommon's, and a
// random key stream must behave the same in both engines; our compiler
// must say what it carried on from.
func TestLenientNames(t *testing.T) {
	o := oracle.New(t)
	dirs := includepath.Dirs(os.Getenv)
	for _, tc := range []struct {
		layout string
		warn   string // part of the warning our compiler gives
	}{
		{"us,,ca", `":2" names no file`},
		{",us", `"" names no file`},
		{"us,", `":2" names no file`},
		{"us,,,ca", `":3" names no file`},
		{"us:20", `group index "20" is not 1..4`},
		{"us:0", `group index "0" is not 1..4`},
		{"us:5", `group index "5" is not 1..4`},
		{"us:x", `group index "x" is not 1..4`},
	} {
		for i, options := range []string{"", "grp:alts_toggle"} {
			n := defaults(rules.Names{Layout: tc.layout, Options: options})
			t.Run(fmt.Sprintf("%s+%s", tc.layout, options), func(t *testing.T) {
				km, err := compile.FromNames(dirs, n, rules.EnvFrom(os.Getenv))
				if err != nil {
					t.Fatalf("compile %+v: %v", n, err)
				}
				if w := strings.Join(km.Warnings, "\n"); !strings.Contains(w, tc.warn) {
					t.Errorf("warnings %q; want one containing %q", km.Warnings, tc.warn)
				}
				want, err := o.CompileNames(n)
				if err != nil {
					t.Fatalf("libxkbcommon compile %+v: %v", n, err)
				}
				if got := km.Text(); strings.TrimSpace(got) != strings.TrimSpace(want) {
					t.Errorf("our keymap text differs from libxkbcommon's (%d and %d bytes)", len(got), len(want))
				}
				differential(t, o, oracle.Source{Names: n}, km, state.ConsumedXKB, int64(5000+10*len(tc.layout)+i), eventsPerKeymap)
			})
		}
	}
}

// lenientKeymap is a keymap text with the given types and symbols sections
// and the usual keycodes and compat.
func lenientKeymap(types, symbols string) string {
	return "xkb_keymap {\n" +
		"  xkb_keycodes \"evdev+aliases(qwerty)\" { include \"evdev+aliases(qwerty)\" };\n" +
		"  xkb_types " + types + ";\n" +
		"  xkb_compatibility \"complete\" { include \"complete\" };\n" +
		"  xkb_symbols " + symbols + ";\n};\n"
}

// TestLenientKeymapTexts checks keymap texts where libxkbcommon logs an
// error or a warning and carries on: our compiler must carry on the same
// way (the same keymap text out, the same behaviour on a random stream),
// naming its section names as libxkbcommon does ('+' becomes '_').
func TestLenientKeymapTexts(t *testing.T) {
	o := oracle.New(t)
	dirs := includepath.Dirs(os.Getenv)
	complete := `"complete" { include "complete" }`
	for i, tc := range []struct {
		name, text string
		warn       string // part of a warning our compiler gives; "" for none
	}{
		{"an illegal include statement is ignored",
			lenientKeymap(complete, `"pc+us" { include "pc+us+inet(evdev)" include "us(intl" }`), "illegal include statement"},
		{"a section without a file is ignored",
			lenientKeymap(complete, `{ include "pc+us+inet(evdev)" include "pc+(basic)" }`), "illegal include statement"},
		{"empty include parts are skipped",
			lenientKeymap(complete, `{ include "+pc++us|" }`), `"" names no file`},
		{"a group index with trailing bytes is atoi's",
			lenientKeymap(complete, `{ include "pc+us+ru:2x+inet(evdev)" }`), ""},
		{"a group index after a section is read before it",
			lenientKeymap(complete, `{ include "pc+us+ru:2(phonetic)+inet(evdev)" }`), ""},
		{"a negative group index is ignored",
			lenientKeymap(complete, `{ include "pc+us+ru:-1+inet(evdev)" }`), `group index "-1"`},
		{"no types: one default type",
			lenientKeymap("{ }", `{ key <AE01> { [ 1, exclam ] }; key <AC01> { [ a ] }; }`), ""},
		{"an undefined type falls back to the first type",
			lenientKeymap(`{ virtual_modifiers NumLock; type "TWO" { modifiers = Shift; map[Shift] = Level2; }; }`,
				`{ key <AE01> { type = "NOPE", [ 1, exclam ] }; key <AC01> { [ a ] }; key <AC02> { [ s, S, ssharp ] }; }`), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := o.CompileText(tc.text)
			if err != nil {
				t.Fatalf("libxkbcommon rejects the text: %v", err)
			}
			km, err := compile.FromText("lenient.xkb", []byte(tc.text), dirs)
			if err != nil {
				t.Fatalf("compile.FromText: %v", err)
			}
			if got := km.Text(); strings.TrimSpace(got) != strings.TrimSpace(want) {
				t.Errorf("our keymap text differs from libxkbcommon's:\n%s", firstDiff(got, want))
			}
			if w := strings.Join(km.Warnings, "\n"); tc.warn != "" && !strings.Contains(w, tc.warn) {
				t.Errorf("warnings %q; want one containing %q", km.Warnings, tc.warn)
			}
			differential(t, o, oracle.Source{Keymap: tc.text}, km, state.ConsumedXKB, int64(6000+i), 1000)
		})
	}
}

// firstDiff describes the first line where two texts differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d: ours %q, libxkbcommon's %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("ours has %d lines, libxkbcommon's %d", len(g), len(w))
}
