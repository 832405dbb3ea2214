package casefile

import (
	"os"
	"strings"
	"testing"

	"gocomp/xkb/compile"
	"gocomp/xkb/includepath"
	"gocomp/xkb/rules"
	"gocomp/xkb/state"
)

// keyCodes knows the few evdev names the tests use.
func keyCodes(name string) (uint16, bool) {
	code, ok := map[string]uint16{"KEY_A": 30, "KEY_Y": 21, "KEY_Z": 44, "KEY_LEFTSHIFT": 42, "KEY_CAPSLOCK": 58}[name]
	return code, ok
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"", "t.cases:1: no [case] in the file"},
		{"[a]\n", "t.cases:1: case \"a\" has no events"},
		{"KEY_A both: a\n", `t.cases:1: "KEY_A both: a" before the first [case name]`},
		{"[a\nKEY_A both: a", "t.cases:1: a case starts with [its name]"},
		{"[ ]\n", "t.cases:1: a case starts with [its name]"},
		{"[a]\nKEY_A: a\n", "t.cases:2: want a key and down, up or both"},
		{"[a]\nKEY_A both a\n", "t.cases:2: want \"KEY down|up|both: keysyms\""},
		{"[a]\nKEY_B both: b\n", "t.cases:2: unknown key \"KEY_B\""},
		{"[a]\n70000 both: b\n", "t.cases:2: unknown key \"70000\""},
		{"[a]\nKEY_A twice: a\n", "t.cases:2: direction \"twice\""},
		{"[a]\nKEY_A both: a nokeysym\n", "t.cases:2: unknown keysym \"nokeysym\""},
		{"[a]\nKEY_A both: a mods=Shift+Super\n", "t.cases:2: unknown modifier \"Super\""},
		{"[a]\nkeymap: --layout de\nkeymap: --layout fr\nKEY_A both: a\n", "t.cases:3: a second keymap: line"},
		{"[a]\nKEY_A both: a\nkeymap: --layout fr\n", "t.cases:3: keymap: after the first event"},
	} {
		_, err := Parse("t.cases", []byte(tc.src), keyCodes)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v; want %q", tc.src, err, tc.want)
		}
	}
}

func TestParseEvents(t *testing.T) {
	f, err := Parse("t.cases", []byte("# c\n[one]\nkeymap: --layout  de\n  KEY_Y   both:  z  \n30 down: mods=Shift+lock leds=Caps Lock, Num Lock\nKEY_Z up:\n"), keyCodes)
	if err != nil {
		t.Fatal(err)
	}
	c := f.Cases[0]
	if c.Name != "one" || c.Line != 2 || strings.Join(c.Keymap, " ") != "--layout de" || c.KeymapLine != 3 || len(c.Events) != 3 {
		t.Fatalf("case %+v", c)
	}
	e0, e1, e2 := c.Events[0], c.Events[1], c.Events[2]
	if e0.Text != "KEY_Y both" || e0.Code != 21 || len(e0.Keysyms) != 1 || e0.Mods != nil || e0.CheckLEDs {
		t.Errorf("event 0 %+v", e0)
	}
	if e1.Code != 30 || len(e1.Keysyms) != 0 || e1.Mods == nil || *e1.Mods != 0b11 || !e1.CheckLEDs ||
		strings.Join(e1.LEDs, "|") != "Caps Lock|Num Lock" {
		t.Errorf("event 1 %+v", e1)
	}
	if e2.Line != 6 || len(e2.Keysyms) != 0 || e2.Mods != nil {
		t.Errorf("event 2 %+v", e2)
	}
}

func TestRun(t *testing.T) {
	km, err := compile.FromNames(includepath.Dirs(os.Getenv), rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}, rules.EnvFrom(os.Getenv))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ events, want string }{
		{"KEY_A both: a", ""},
		{"KEY_LEFTSHIFT down: Shift_L mods=Shift\nKEY_A both: A", ""},
		{"KEY_A both: b", "line 2: KEY_A both: got a, want b"},
		{"KEY_A both: a mods=Shift", "line 2: KEY_A both: got mods=, want mods=Shift"},
		{"KEY_CAPSLOCK both: Caps_Lock leds=", "line 2: KEY_CAPSLOCK both: got leds=Caps Lock, want leds="},
		{"KEY_CAPSLOCK both: Caps_Lock mods=Lock leds=Caps Lock\nKEY_A both: A", ""},
	} {
		f, err := Parse("t.cases", []byte("[c]\n"+tc.events+"\n"), keyCodes)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Cases[0].Run(state.New(km, state.Options{})); got != tc.want {
			t.Errorf("Run(%q) = %q; want %q", tc.events, got, tc.want)
		}
	}
}

// FuzzParse checks that Parse never panics and that what it accepts is
// well formed.
func FuzzParse(f *testing.F) {
	f.Add("[a]\nkeymap: --layout de\nKEY_Y both: z mods=Shift leds=Caps Lock\n")
	f.Add("[a]\n30 down:\n# x\n[b]\nKEY_A up: a leds=\n")
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse("f", []byte(src), keyCodes)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Parse error %T %v; want a *SyntaxError", err, err)
			}
			return
		}
		for _, c := range file.Cases {
			if c.Name == "" || len(c.Events) == 0 {
				t.Fatalf("accepted a case %+v", c)
			}
			for _, e := range c.Events {
				if e.Line < c.Line || e.Dir > 2 {
					t.Fatalf("accepted an event %+v", e)
				}
			}
		}
	})
}
