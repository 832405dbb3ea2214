package keysym

// caseDelta gives, for one code point, the offsets to its upper and lower
// case as libxkbcommon 1.5 converts Unicode keysyms.
type caseDelta struct {
	r            rune
	upper, lower int32
}

// legacyCase is a run of legacy keysyms whose upper and lower cases lie at
// fixed offsets.
type legacyCase struct {
	first, last  Keysym
	upper, lower int32
}

// legacyCases lists how libxkbcommon 1.5 converts the case of keysyms
// outside the Unicode range (measured with xkb_keysym_to_upper/lower on
// every keysym below 0x20000 and checked by the oracle test). Like the X11
// conversion it works on whole runs of the Latin-1 to Latin-4, Cyrillic and
// Greek blocks, named or not; three Latin-1 letters map outside their block
// (micro sign to 0x39c, sharp s to 0x1e9e, y with diaeresis to 0x178, the
// raw code points) and the Latin-9 OE and Y-diaeresis keysyms pair up.
var legacyCases = [...]legacyCase{
	{0x41, 0x5a, 0, 32}, {0x61, 0x7a, -32, 0},
	{0xb5, 0xb5, 743, 0},
	{0xc0, 0xd6, 0, 32}, {0xd8, 0xde, 0, 32}, {0xdf, 0xdf, 7615, 0},
	{0xe0, 0xf6, -32, 0}, {0xf8, 0xfe, -32, 0}, {0xff, 0xff, 121, 0},
	{0x1a1, 0x1a1, 0, 16}, {0x1a3, 0x1a6, 0, 16}, {0x1a9, 0x1ac, 0, 16}, {0x1ae, 0x1af, 0, 16},
	{0x1b1, 0x1b1, -16, 0}, {0x1b3, 0x1b6, -16, 0}, {0x1b9, 0x1bc, -16, 0}, {0x1be, 0x1bf, -16, 0},
	{0x1c0, 0x1de, 0, 32}, {0x1e0, 0x1fe, -32, 0},
	{0x2a1, 0x2a6, 0, 16}, {0x2ab, 0x2ac, 0, 16}, {0x2b1, 0x2b6, -16, 0}, {0x2bb, 0x2bc, -16, 0},
	{0x2c5, 0x2de, 0, 32}, {0x2e5, 0x2fe, -32, 0},
	{0x3a3, 0x3ac, 0, 16}, {0x3b3, 0x3bc, -16, 0}, {0x3bd, 0x3bd, 0, 2}, {0x3bf, 0x3bf, -2, 0},
	{0x3c0, 0x3de, 0, 32}, {0x3e0, 0x3fe, -32, 0},
	{0x6a1, 0x6af, 16, 0}, {0x6b1, 0x6bf, 0, -16}, {0x6c0, 0x6df, 32, 0}, {0x6e0, 0x6ff, 0, -32},
	{0x7a1, 0x7ab, 0, 16}, {0x7b1, 0x7b5, -16, 0}, {0x7b7, 0x7b9, -16, 0}, {0x7bb, 0x7bb, -16, 0},
	{0x7c1, 0x7d9, 0, 32}, {0x7e1, 0x7f2, -32, 0}, {0x7f4, 0x7f9, -32, 0},
	{0x13bc, 0x13bc, 0, 1}, {0x13bd, 0x13bd, -1, 0}, {0x13be, 0x13be, 0, -4799},
}

// convertCase returns the upper and lower case of ks.
func convertCase(ks Keysym) (upper, lower Keysym) {
	if ks >= unicodeBase && ks <= unicodeMax {
		r := rune(ks - unicodeBase)
		lo, hi := 0, len(unicodeCase)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if unicodeCase[m].r < r {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if lo < len(unicodeCase) && unicodeCase[lo].r == r {
			d := unicodeCase[lo]
			return ks + Keysym(d.upper), ks + Keysym(d.lower)
		}
		return ks, ks
	}
	if ks > 0x13be {
		return ks, ks
	}
	lo, hi := 0, len(legacyCases)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if legacyCases[m].last < ks {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(legacyCases) && legacyCases[lo].first <= ks {
		c := legacyCases[lo]
		return ks + Keysym(c.upper), ks + Keysym(c.lower)
	}
	return ks, ks
}

// ToUpper returns the upper case of ks, or ks when it has none, as
// xkb_keysym_to_upper (used by the Caps Lock transformation).
func ToUpper(ks Keysym) Keysym {
	u, _ := convertCase(ks)
	return u
}

// ToLower returns the lower case of ks, or ks when it has none, as
// xkb_keysym_to_lower.
func ToLower(ks Keysym) Keysym {
	_, l := convertCase(ks)
	return l
}

// IsUpper reports whether ks is an upper-case keysym, as libxkbcommon
// decides when it picks a key type: ks has a lower case and is its own
// upper case. Title-case letters such as U+01C5 are neither upper nor
// lower case.
func IsUpper(ks Keysym) bool {
	u, l := convertCase(ks)
	return u != l && ks == u
}

// IsLower reports whether ks is a lower-case keysym: ks has an upper case
// and is its own lower case.
func IsLower(ks Keysym) bool {
	u, l := convertCase(ks)
	return u != l && ks == l
}
