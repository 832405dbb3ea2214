package diff

import (
	"os"
	"slices"
	"testing"

	"gocomp/xkb/compile"
	"gocomp/xkb/includepath"
	"gocomp/xkb/keymap"
)

// small is a keymap text with the given symbols and compat bodies.
func small(t *testing.T, compat, symbols string) *keymap.Keymap {
	t.Helper()
	text := `xkb_keymap {
xkb_keycodes { <AC01> = 38; <AE01> = 10; <LFSH> = 50; <CAPS> = 66; indicator 1 = "Caps Lock"; };
xkb_types { include "complete" };
xkb_compat { include "basic" ` + compat + ` };
xkb_symbols { ` + symbols + ` };
};`
	km, err := compile.FromText("small.xkb", []byte(text), includepath.Dirs(os.Getenv))
	if err != nil {
		t.Fatal(err)
	}
	return km
}

func TestKeymaps(t *testing.T) {
	base := `key <AC01> { [ a, A ] }; key <AE01> { [ 1, exclam ] }; key <LFSH> { [ Shift_L ] }; modifier_map Shift { <LFSH> };`
	for _, tc := range []struct {
		name            string
		compat, symbols string
		want            []string
	}{
		{"the same keymap", "", base, nil},
		{"a keysym", "", `key <AC01> { [ a, Aacute ] }; key <AE01> { [ 1, exclam ] }; key <LFSH> { [ Shift_L ] }; modifier_map Shift { <LFSH> };`,
			[]string{"<AC01> group 1 level 2: A -> Aacute"}},
		{"a type", "", `key <AC01> { type = "ONE_LEVEL", [ a ] }; key <AE01> { [ 1, exclam ] }; key <LFSH> { [ Shift_L ] }; modifier_map Shift { <LFSH> };`,
			[]string{"<AC01> group 1 levels: none=1 Shift=2 Lock=2 Shift+Lock=1 -> none=1", "<AC01> group 1 level 2: A -> nothing"}},
		// compat/basic: "interpret Any+Lock { action= LockMods(modifiers=Lock); }"
		// and "interpret Any + Any { action= SetMods(modifiers=modMapMods); }"
		// with setMods.clearLocks.
		{"a modifier map", "", `key <AC01> { [ a, A ] }; key <AE01> { [ 1, exclam ] }; key <LFSH> { [ Shift_L ] }; modifier_map Lock { <LFSH> };`,
			[]string{"<LFSH> group 1 level 1 action: SetMods(modifiers=modMapMods,clearLocks) -> LockMods(modifiers=Lock)", "<LFSH> modifier map: Shift -> Lock"}},
		{"a second group", "", `key <AC01> { [ a, A ], [ b, B ] }; key <AE01> { [ 1, exclam ] }; key <LFSH> { [ Shift_L ] }; modifier_map Shift { <LFSH> };`,
			[]string{"groups: 1 -> 2", "<AC01> groups: 1 -> 2", "<AC01> group 2 levels: - -> none=1 Shift=2 Lock=2 Shift+Lock=1",
				"<AC01> group 2 level 1: nothing -> b", "<AC01> group 2 level 2: nothing -> B"}},
		{"a key less", "", `key <AC01> { [ a, A ] }; key <LFSH> { [ Shift_L ] }; modifier_map Shift { <LFSH> };`,
			[]string{"<AE01>: only in the first keymap"}},
		// compat/ledcaps: "Caps Lock" shows the locked Lock; the override
		// changes only its modifiers.
		{"an LED", `indicator "Caps Lock" { modifiers = Shift; };`, base,
			[]string{`LED "Caps Lock": mods Lock (locked), groups 0x0 (none), controls 0x0 -> mods Shift (locked), groups 0x0 (none), controls 0x0`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Keymaps(small(t, "", base), small(t, tc.compat, tc.symbols))
			if !slices.Equal(got, tc.want) {
				t.Errorf("Keymaps =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
