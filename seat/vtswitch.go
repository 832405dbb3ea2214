package seat

import (
	"strconv"

	"gocomp/xkb/keysym"
)

// xf86SwitchVT1 is the keysym XF86Switch_VT_1; XF86Switch_VT_2 to _12
// follow it. Standard keymaps put them on F1..F12 at the Ctrl+Alt level.
const xf86SwitchVT1 keysym.Keysym = 0x1008fe01

// vtSwitchBindings are the bindings of the keys whose keysym is
// XF86Switch_VT_1..12 in the current state (Ctrl+Alt+F1..F12 with
// standard keymaps): each calls switchVT with its terminal's number.
func vtSwitchBindings(switchVT func(vt int)) []binding {
	bs := make([]binding, 12)
	for i := range bs {
		vt := i + 1
		bs[i] = binding{name: "switch to VT " + strconv.Itoa(vt), sym: uint32(xf86SwitchVT1) + uint32(i),
			action: func() { switchVT(vt) }}
	}
	return bs
}

// keySym returns the keysym evdev key code produces in the current state.
func (k *keyboardState) keySym(code uint16) uint32 {
	return k.state.KeySym(uint32(code) + evdevOffset)
}
