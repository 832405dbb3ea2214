package compile

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/rules"
)

// namesPattern matches section headers and type names.
var namesPattern = regexp.MustCompile(`(?m)^(xkb_\w+ "[^"]*"|\s+type "[^"]*")`)

// namesOf lists the section headers and the type names of a keymap text,
// in order.
func namesOf(text string) []string {
	out := namesPattern.FindAllString(text, -1)
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

// TestTextNamesMatchLibxkbcommon checks that our keymap text names its
// sections and types as libxkbcommon's does, for a sample of registry
// layouts compiled from names and for keymap texts whose sections carry
// names libxkbcommon rewrites ("evdev+aliases(qwerty)" becomes
// "evdev_aliases(qwerty)"), so that the two texts can be diffed.
func TestTextNamesMatchLibxkbcommon(t *testing.T) {
	o := oracle.New(t)
	all := registryEntries(t)
	var sample []rules.Names
	for i := 0; i < len(all); i += len(all) / 40 {
		sample = append(sample, all[i])
	}
	sample = append(sample, rules.Names{Rules: "evdev", Model: "pc105", Layout: "us,ru", Options: "grp:alt_shift_toggle"})
	for _, n := range sample {
		want, err := o.CompileNames(n)
		if err != nil {
			continue // entries libxkbcommon rejects are TestRegistryMatchesLibxkbcommon's business
		}
		km, err := FromNames(xkbDirs, n, xkbEnv)
		if err != nil {
			t.Errorf("%+v: %v", n, err)
			continue
		}
		if got, want := namesOf(km.Text()), namesOf(want); !slices.Equal(got, want) {
			t.Errorf("%+v: names %q; libxkbcommon's %q", n, got, want)
		}
	}
	for _, names := range [][4]string{
		{"evdev+aliases(qwerty)", "complete", "complete", "pc+us+inet(evdev)"},
		{"evdev+aliases(azerty)", "basic+extra", "complete|ledcaps", "pc+fr(oss)+inet(evdev)+group(alt_shift_toggle)"},
		{"x.y:z", "a b", "ünï€", "#1!"},
	} {
		text := "xkb_keymap {\n" +
			`xkb_keycodes "` + names[0] + `" { include "evdev+aliases(qwerty)" };` + "\n" +
			`xkb_types "` + names[1] + `" { include "complete" };` + "\n" +
			`xkb_compatibility "` + names[2] + `" { include "complete" };` + "\n" +
			`xkb_symbols "` + names[3] + `" { include "pc+us+inet(evdev)" };` + "\n};\n"
		want, err := o.CompileText(text)
		if err != nil {
			t.Fatalf("libxkbcommon rejects sections named %q: %v", names, err)
		}
		km, err := FromText("named.xkb", []byte(text), xkbDirs)
		if err != nil {
			t.Fatalf("FromText (sections named %q): %v", names, err)
		}
		if got, want := namesOf(km.Text()), namesOf(want); !slices.Equal(got, want) {
			t.Errorf("sections named %q: ours %q; libxkbcommon's %q", names, got, want)
		}
	}
}
