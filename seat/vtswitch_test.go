package seat

import (
	"slices"
	"testing"

	"gocomp/xkb/rules"
)

// Evdev codes of F1, F2 and F12, Control_L and Alt_L.
const kF1, kF2, kF12, kCtrl, kAlt = "59", "60", "88", "29", "56"

// TestVTSwitchKeys presses Ctrl+Alt+F2 and Ctrl+Alt+F12 with the us
// keymap (whose F keys produce XF86Switch_VT_n at the Ctrl+Alt level):
// the seat asks for VT 2 and VT 12 and the client never sees the F keys;
// F1 alone reaches the client.
func TestVTSwitchKeys(t *testing.T) {
	var switched []int
	ts, kb, tc := realSeatWith(t, Settings{Names: rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}}, func(c *Config) {
		c.SwitchVT = func(vt int) { switched = append(switched, vt) }
	})
	typeKeys(ts, kb, "+"+kCtrl, "+"+kAlt, kF2, kF12, "-"+kAlt, "-"+kCtrl, kF1)
	if !slices.Equal(switched, []int{2, 12}) {
		t.Errorf("switched to %v; want [2 12]", switched)
	}
	if want := []string{"Control_L", "Alt_L", "F1"}; !slices.Equal(tc.syms, want) {
		t.Errorf("the client saw %q; want %q", tc.syms, want)
	}
}
