package keysym

// keysymRune pairs a keysym with a code point in the generated tables.
type keysymRune struct {
	ks Keysym
	r  rune
}

// ToUTF32 returns the code point ks produces, or 0 when it produces none,
// as xkb_keysym_to_utf32 (no keysym transformation applies).
func ToUTF32(ks Keysym) rune {
	switch {
	case ks >= 0x20 && ks <= 0x7e, ks >= 0xa0 && ks <= 0xff:
		return rune(ks)
	case ks >= unicodeBase && ks <= unicodeMax:
		return rune(ks - unicodeBase)
	}
	lo, hi := 0, len(toUTF32Table)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if toUTF32Table[m].ks < ks {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(toUTF32Table) && toUTF32Table[lo].ks == ks {
		return toUTF32Table[lo].r
	}
	return 0
}

// AppendUTF8 appends the UTF-8 encoding of ToUTF32(ks) to dst, or nothing
// when ks produces no character, as xkb_keysym_to_utf8. Like libxkbcommon
// it encodes surrogate code points of Unicode keysyms as three bytes. It
// does not allocate when dst has room for 4 more bytes.
func AppendUTF8(dst []byte, ks Keysym) []byte {
	r := uint32(ToUTF32(ks))
	switch {
	case r == 0:
		return dst
	case r < 0x80:
		return append(dst, byte(r))
	case r < 0x800:
		return append(dst, 0xc0|byte(r>>6), 0x80|byte(r)&0x3f)
	case r < 0x10000:
		return append(dst, 0xe0|byte(r>>12), 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
	}
	return append(dst, 0xf0|byte(r>>18), 0x80|byte(r>>12)&0x3f, 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
}

// FromUTF32 returns the keysym for code point r, as xkb_utf32_to_keysym:
// the Latin-1 keysym for U+0020-U+007E and U+00A0-U+00FF, else the lowest
// legacy keysym carrying r (so U+0008 gives BackSpace), else the Unicode
// keysym 0x01000000+r; NoSymbol for noncharacters (U+FDD0-U+FDEF and
// U+xxFFFE-U+xxFFFF) and values above U+10FFFF.
func FromUTF32(r rune) Keysym {
	switch {
	case r >= 0x20 && r <= 0x7e, r >= 0xa0 && r <= 0xff:
		return Keysym(r)
	case r < 0 || r > 0x10ffff, r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe:
		return NoSymbol
	}
	lo, hi := 0, len(fromUTF32Table)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if fromUTF32Table[m].r < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(fromUTF32Table) && fromUTF32Table[lo].r == r {
		return fromUTF32Table[lo].ks
	}
	return unicodeBase + Keysym(r)
}
