package parser

import (
	"testing"

	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/registry"
	"gocomp/xkb/rules"
)

// TestResolveRegistryLayouts resolves the four KcCGST include strings
// libxkbcommon's rules give for every layout and variant of the evdev
// registry, plus a few multi-layout and option combinations. All must
// resolve except the layout "custom", a placeholder without a symbols file
// that libxkbcommon fails on too.
func TestResolveRegistryLayouts(t *testing.T) {
	reg, err := registry.Load([]string{xkbRoot}, "evdev")
	if err != nil {
		t.Fatal(err)
	}
	var names []rules.Names
	for _, l := range reg.Layouts {
		names = append(names, rules.Names{Rules: "evdev", Model: "pc105", Layout: l.Name, Variant: l.Variant})
	}
	names = append(names,
		rules.Names{Rules: "evdev", Model: "pc105", Layout: "us,ru,de", Options: "grp:alt_shift_toggle,ctrl:nocaps,compose:ralt"},
		rules.Names{Rules: "evdev", Model: "jp106", Layout: "jp", Options: "lv3:ralt_switch,caps:escape"},
		rules.Names{Rules: "evdev", Model: "macintosh", Layout: "us,fr", Variant: ",azerty", Options: "altwin:swap_alt_win,keypad:pointerkeys"},
	)
	if len(names) < 500 {
		t.Fatalf("registry lists only %d layouts", len(names))
	}
	comps, err := oracle.New(t).Components(names)
	if err != nil {
		t.Fatal(err)
	}
	l := NewLoader([]string{xkbRoot})
	for i, c := range comps {
		n := names[i]
		for _, part := range []struct {
			kind SectionKind
			spec string
		}{{KindKeycodes, c.Keycodes}, {KindTypes, c.Types}, {KindCompat, c.Compat}, {KindSymbols, c.Symbols}} {
			_, err := l.ResolveSpec(part.kind, part.spec)
			if n.Layout == "custom" && part.kind == KindSymbols {
				if err == nil {
					t.Errorf("ResolveSpec(%s %q) for layout custom succeeded; want an error (no symbols/custom)", part.kind, part.spec)
				}
				continue
			}
			if err != nil {
				t.Errorf("ResolveSpec(%s %q) for %+v: %v", part.kind, part.spec, n, err)
			}
		}
	}
}
