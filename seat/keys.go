package seat

import "math/bits"

// maxKey is the highest evdev key code (KEY_MAX).
const maxKey = 0x2ff

// keySet is a set of evdev key codes; its zero value is empty and it never
// allocates.
type keySet [(maxKey + 64) / 64]uint64

func (s *keySet) has(code uint16) bool { return s[code>>6]&(1<<(code&63)) != 0 }
func (s *keySet) add(code uint16)      { s[code>>6] |= 1 << (code & 63) }
func (s *keySet) remove(code uint16)   { s[code>>6] &^= 1 << (code & 63) }
func (s *keySet) clear()               { *s = keySet{} }

// each calls fn for every code in s, in increasing order.
func (s *keySet) each(fn func(code uint16)) {
	for i, w := range s {
		for w != 0 {
			b := uint16(bits.TrailingZeros64(w))
			fn(uint16(i)<<6 | b)
			w &= w - 1
		}
	}
}

// validKey reports whether code is a key the seat handles as a keyboard
// key: the keyboard ranges of evdev, not the mouse, joystick or gamepad
// buttons (BTN_MISC..BTN_GEAR_UP, BTN_TRIGGER_HAPPY...), which belong to
// wl_pointer and friends.
func validKey(code uint16) bool {
	switch {
	case code == 0 || code > maxKey:
		return false
	case code >= 0x100 && code < 0x160: // BTN_MISC .. BTN_GEAR_UP
		return false
	case code >= 0x2c0: // BTN_TRIGGER_HAPPY*
		return false
	}
	return true
}
