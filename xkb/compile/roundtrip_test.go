package compile

import (
	"strings"
	"testing"

	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/rules"
)

// TestRoundTrip checks, for every registry entry and some option sets,
// that compiling our own serialization gives the same text again.
func TestRoundTrip(t *testing.T) {
	all := registryEntries(t)
	all = append(all, rules.Names{Rules: "evdev", Model: "pc105", Layout: "us,ru,de", Options: "grp:alt_shift_toggle,ctrl:nocaps,lv3:ralt_switch_multikey"},
		rules.Names{Rules: "evdev", Model: "pc105", Layout: "de,us", Variant: "neo,", Options: "shift:breaks_caps,ctrl:lctrl_meta"})
	n := 0
	for _, names := range all {
		km, err := FromNames(xkbDirs, names, xkbEnv)
		if err != nil {
			continue // the acceptance test checks which entries fail
		}
		text := km.Text()
		km2, err := FromText("roundtrip.xkb", []byte(text), xkbDirs)
		if err != nil {
			t.Errorf("FromText(Text(%+v)): %v", names, err)
			continue
		}
		if text2 := km2.Text(); text2 != text {
			t.Errorf("Text(FromText(Text(%+v))) differs from Text: first difference at %s", names, firstDiff(text, text2))
		}
		n++
	}
	t.Logf("%d keymaps round-trip to the same text", n)
	if n < 500 {
		t.Errorf("only %d keymaps compiled", n)
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range al {
		if i >= len(bl) || al[i] != bl[i] {
			other := "<end>"
			if i < len(bl) {
				other = bl[i]
			}
			return strings.TrimSpace(al[i]) + " vs " + strings.TrimSpace(other)
		}
	}
	return "length"
}

// TestFromLibxkbcommonText compiles the keymap text libxkbcommon itself
// serializes (what a compositor built on it would send) and checks the
// result is equivalent to libxkbcommon's keymap.
func TestFromLibxkbcommonText(t *testing.T) {
	o := oracle.New(t)
	for _, n := range []rules.Names{
		{Rules: "evdev", Model: "pc105", Layout: "us"},
		{Rules: "evdev", Model: "pc105", Layout: "de", Variant: "neo"},
		{Rules: "evdev", Model: "pc105", Layout: "us,ru", Options: "grp:alt_shift_toggle"},
		{Rules: "evdev", Model: "pc105", Layout: "jp,kr,il,ara", Options: "ctrl:nocaps,compose:ralt"},
		{Rules: "evdev", Model: "pc105", Layout: "fr,ch", Variant: "bepo,fr", Options: "caps:shiftlock,lv5:ralt_switch_lock"},
	} {
		ref, err := o.CompileNames(n)
		if err != nil {
			t.Fatal(err)
		}
		km, err := FromText("libxkbcommon.xkb", []byte(ref), nil)
		if err != nil {
			t.Errorf("FromText(libxkbcommon's text for %+v): %v", n, err)
			continue
		}
		d, err := o.CompareNamesWithText(n, km.Text())
		if err != nil {
			t.Errorf("%+v: %v", n, err)
		} else if !d.Empty() {
			t.Errorf("%+v: %v", n, d)
		}
	}
}
