package rules_test

import (
	"os"
	"strings"
	"testing"

	"gocomp/xkb/includepath"
	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/registry"
	"gocomp/xkb/rules"
)

// optionFamilies are the option families keyboard users reach for most
// (group switching, level 3 and 5, Ctrl and Caps placement); every option of
// each is tried with several layouts.
var optionFamilies = []string{"grp", "lv3", "lv5", "ctrl", "caps", "compose", "altwin", "shift", "eurosign", "keypad", "nbsp"}

// oracleCases builds the RMLVO sets compared with libxkbcommon.
func oracleCases(reg *registry.Registry) []rules.Names {
	var cases []rules.Names
	add := func(r, m, l, v, o string) {
		cases = append(cases, rules.Names{Rules: r, Model: m, Layout: l, Variant: v, Options: o})
	}
	// Every registry entry alone.
	for _, l := range reg.Layouts {
		add("evdev", "pc105", l.Name, l.Variant, "")
	}
	// Runs of two, three, four and five registry entries as one layout list.
	for size := 2; size <= 5; size++ {
		for i := 0; i+size <= len(reg.Layouts); i += 2 + size {
			var ls, vs []string
			for _, l := range reg.Layouts[i : i+size] {
				ls = append(ls, l.Name)
				vs = append(vs, l.Variant)
			}
			add("evdev", "pc105", strings.Join(ls, ","), strings.Join(vs, ","), "")
		}
	}
	// Every option with one, two and three layouts; the named families
	// also with "us,ru,de" and a Latin/non-Latin pair with variants.
	family := map[string]bool{}
	for _, f := range optionFamilies {
		family[f] = true
	}
	for _, g := range reg.OptionGroups {
		for _, o := range g.Options {
			add("evdev", "pc105", "us", "", o.Name)
			add("evdev", "pc105", "de,us", "", o.Name)
			if prefix, _, _ := strings.Cut(o.Name, ":"); family[prefix] {
				add("evdev", "pc105", "us,ru,de", "", o.Name)
				add("evdev", "pc105", "ru,us", "phonetic,intl", o.Name+",ctrl:nocaps")
				add("evdev", "pc105", "fr,de,us,ru", "bepo,neo,,", o.Name+",compose:ralt,grp:alt_shift_toggle")
			}
		}
	}
	// Every model with one and two layouts.
	for _, m := range reg.Models {
		add("evdev", m.Name, "us", "", "")
		add("evdev", m.Name, "jp,us", "", "")
		add("evdev", m.Name, "de,fr", "nodeadkeys,", "grp:alts_toggle")
	}
	// The other rules files, and edge cases of the comma lists.
	for _, r := range []string{"base", "xorg"} {
		add(r, "pc105", "us", "", "")
		add(r, "pc105", "de,us", "neo,", "grp:alt_shift_toggle,misc:typo")
		add(r, "macintosh", "fr", "", "")
	}
	for _, c := range [][3]string{
		{"us,de", "intl,neo,x", ""}, {"us", "intl,", ""}, {"us", ",intl", ""}, {"us,,de", "", ""},
		{",us", "", ""}, {"us,", "", ""}, {"us,us", ",", ""}, {"us", "", "grp:alts_toggle,,misc:typo"},
		{"us", "", " grp:alts_toggle"}, {"us,ru,de,fr,gb", ",,,,intl", ""}, {"us ", "", ""},
		{"dvorak", "de", ""}, {"dvorak,dvorak", "de,fr", ""}, {"ar,ben", ",probhat", ""},
		{"us", "intl", "lv3:ralt_alt,lv3:ralt_alt"}, {"de", "neo", ""}, {"de,us", "neo,,", ""},
		{"nonexistent", "", ""}, {"us,de,fr", "intl,neo,bepo,x", ""}, {"in,in", "ben,ben_probhat", ""},
	} {
		add("evdev", "pc105", c[0], c[1], c[2])
	}
	return cases
}

// TestResolveMatchesLibxkbcommon compares our KcCGST with the components
// libxkbcommon derives from the same RMLVO (read from its debug log).
func TestResolveMatchesLibxkbcommon(t *testing.T) {
	dirs := includepath.Dirs(os.Getenv)
	reg, err := registry.Load(dirs, "evdev")
	if err != nil {
		t.Fatal(err)
	}
	cases := oracleCases(reg)
	want, err := oracle.New(t).Components(cases)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, n := range cases {
		got, err := rules.Resolve(dirs, n, rules.EnvFrom(os.Getenv))
		got.Geometry = "" // libxkbcommon does not report it
		if err != nil || got != want[i] {
			bad++
			if bad <= 15 {
				t.Errorf("Resolve(%+v) =\n  %+v, %v\nlibxkbcommon:\n  %+v", n, got, err, want[i])
			}
		}
	}
	if bad > 15 {
		t.Errorf("%d of %d RMLVO sets differ", bad, len(cases))
	}
	t.Logf("%d RMLVO sets compared with libxkbcommon, %d differ", len(cases), bad)
	if len(cases) < 1500 {
		t.Errorf("only %d cases; the registry looks incomplete", len(cases))
	}
}
