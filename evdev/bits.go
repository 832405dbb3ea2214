package evdev

// The kernel hands bitmaps as arrays of unsigned long; on the little-endian
// 64-bit machines this package supports that is a byte array in which bit b
// of byte i is code 8*i+b.

// Bitmap sizes in bytes, rounded up to whole longs as the kernel copies them.
const (
	keyBytes  = (KeyMax/64 + 1) * 8
	smallBits = 8 // one long: enough for EV_*, REL_*, ABS_*, MSC_*, SW_*, LED_*, INPUT_PROP_*
)

func bitSet(b []byte, code uint16) bool {
	i := int(code) / 8
	return i < len(b) && b[i]&(1<<(code%8)) != 0
}

func setBit(b []byte, code uint16, on bool) {
	i := int(code) / 8
	if i >= len(b) {
		return
	}
	if on {
		b[i] |= 1 << (code % 8)
	} else {
		b[i] &^= 1 << (code % 8)
	}
}
