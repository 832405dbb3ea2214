package keysym

import "strings"

// Keysym is an X11/XKB keysym: a 29-bit value naming a symbol a key
// produces, such as 0x61 (a) or 0xff0d (Return).
type Keysym uint32

// Special keysyms.
const (
	NoSymbol   Keysym = 0        // no symbol at all
	VoidSymbol Keysym = 0xffffff // a symbol that does nothing
)

// Keysym value ranges.
const (
	unicodeBase Keysym = 0x01000000             // keysym of code point U+0000
	unicodeMax  Keysym = unicodeBase + 0x10ffff // keysym of code point U+10FFFF
	maxKeysym   Keysym = 0x1fffffff             // largest valid keysym
)

// entry is one keysym of the header: its value and its name in nameData.
type entry struct {
	ks  Keysym
	off uint16
	n   uint8
}

// foldGroupFlag marks foldHash values that index foldGroups.
const foldGroupFlag = 1 << 15

// hashSize is the slot count of nameHash and foldHash.
const hashSize = uint32(len(nameHash))

// hashName is FNV-1a over the bytes of s (the generator uses the same).
func hashName(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// hashFolded is hashName of s with ASCII letters lower-cased.
func hashFolded(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(lowerASCII(s[i]))
		h *= 16777619
	}
	return h
}

func (e entry) name() string { return nameData[e.off : int(e.off)+int(e.n)] }

// Name returns the name of ks as xkb_keysym_get_name writes it: the first
// name the keysym header lists for it; for other keysyms of the Unicode
// range from U+0100, "U" and the code point in 4 (or, above U+FFFF, 8)
// upper-case hex digits; for other valid keysyms "0x" and 8 lower-case hex
// digits. It returns "" for values above 0x1fffffff, which libxkbcommon
// rejects. Name does not allocate for named keysyms.
func Name(ks Keysym) string {
	if e, ok := lookupValue(ks); ok {
		return e.name()
	}
	if ks > maxKeysym {
		return ""
	}
	var buf [16]byte
	return string(appendUnnamed(buf[:0], ks))
}

// AppendName appends Name(ks) to dst; it does not allocate when dst has
// room for it (11 bytes suffice for unnamed keysyms).
func AppendName(dst []byte, ks Keysym) []byte {
	if e, ok := lookupValue(ks); ok {
		return append(dst, e.name()...)
	}
	if ks > maxKeysym {
		return dst
	}
	return appendUnnamed(dst, ks)
}

// appendUnnamed appends the name of a valid keysym that has none in the
// header.
func appendUnnamed(dst []byte, ks Keysym) []byte {
	const digits = "0123456789ABCDEF"
	if ks >= unicodeBase+0x100 && ks <= unicodeMax {
		cp := uint32(ks - unicodeBase)
		n := 4
		if cp > 0xffff {
			n = 8
		}
		dst = append(dst, 'U')
		for i := n - 1; i >= 0; i-- {
			dst = append(dst, digits[cp>>(4*i)&0xf])
		}
		return dst
	}
	dst = append(dst, '0', 'x')
	for i := 7; i >= 0; i-- {
		dst = append(dst, digits[uint32(ks)>>(4*i)&0xf]|0x20) // lower case
	}
	return dst
}

// lookupValue finds the canonical entry of ks.
func lookupValue(ks Keysym) (entry, bool) {
	for j := hashValue(uint32(ks)); valueHash[j] != 0; j = (j + 1) & (hashSize - 1) {
		if e := entries[valueHash[j]-1]; e.ks == ks {
			return e, true
		}
	}
	return entry{}, false
}

// hashValue spreads a keysym over the hash table (Fibonacci hashing on the
// top 13 bits; the generator uses the same).
func hashValue(ks uint32) uint32 { return (ks * 2654435769) >> (32 - 13) }

// FromName returns the keysym called name, as xkb_keysym_from_name does
// without flags: a name from the keysym header ("a", "Return",
// "XF86AudioMute"); "U" and 1 to 8 hex digits for a code point (U+0020 to
// U+007E and U+00A0 to U+00FF give their Latin-1 keysyms, U+0100 to
// U+10FFFF their Unicode keysyms, other code points nothing); "0x" and 1 to
// 8 hex digits for a keysym value; "XF86_" followed by a name that is found
// when spelled "XF86" + the rest. The "U+XXXX" spelling is not accepted,
// as in libxkbcommon 1.5. The result is false when nothing matches (and
// for the forms that give NoSymbol).
func FromName(name string) (Keysym, bool) {
	return fromName(name, false)
}

// FromNameCaseInsensitive is FromName ignoring ASCII case, as
// xkb_keysym_from_name with XKB_KEYSYM_CASE_INSENSITIVE: when several names
// differ only by case, it prefers a lower-case keysym (one that has an upper
// case) among them, and otherwise returns the one libxkbcommon's search
// lands on.
func FromNameCaseInsensitive(name string) (Keysym, bool) {
	return fromName(name, true)
}

func fromName(name string, ci bool) (Keysym, bool) {
	if ks, ok := lookupName(name, ci); ok {
		return ks, true
	}
	if len(name) >= 2 && (name[0] == 'U' || ci && name[0] == 'u') {
		if cp, ok := parseHex(name[1:]); ok {
			switch {
			case cp >= 0x20 && cp <= 0x7e, cp >= 0xa0 && cp <= 0xff:
				return Keysym(cp), true
			case cp >= 0x100 && cp <= 0x10ffff:
				return unicodeBase + Keysym(cp), true
			}
			return NoSymbol, false
		}
	}
	if len(name) >= 3 && name[0] == '0' && (name[1] == 'x' || ci && name[1] == 'X') {
		if v, ok := parseHex(name[2:]); ok && v != 0 {
			return Keysym(v), true
		}
		return NoSymbol, false
	}
	const xf86 = "XF86_"
	if len(name) > len(xf86) && (name[:len(xf86)] == xf86 || ci && strings.EqualFold(name[:len(xf86)], xf86)) {
		return lookupName2(name[:4], name[len(xf86):], ci)
	}
	return NoSymbol, false
}

// parseHex parses 1 to 8 hex digits and nothing else.
func parseHex(s string) (uint32, bool) {
	if len(s) == 0 || len(s) > 8 {
		return 0, false
	}
	var v uint32
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(c)
	}
	return v, true
}

// lookupName2 looks up the concatenation a+b without building it.
func lookupName2(a, b string, ci bool) (Keysym, bool) {
	var buf [64]byte
	if len(a)+len(b) > len(buf) {
		return NoSymbol, false
	}
	n := copy(buf[:], a)
	n += copy(buf[n:], b)
	return lookupName(string(buf[:n]), ci)
}

// lookupName searches the header names, exactly or ignoring ASCII case.
func lookupName(name string, ci bool) (Keysym, bool) {
	if !ci {
		for j := hashName(name) & (hashSize - 1); nameHash[j] != 0; j = (j + 1) & (hashSize - 1) {
			if e := entries[nameHash[j]-1]; e.name() == name {
				return e.ks, true
			}
		}
		return NoSymbol, false
	}
	for j := hashFolded(name) & (hashSize - 1); foldHash[j] != 0; j = (j + 1) & (hashSize - 1) {
		v := foldHash[j]
		if v&foldGroupFlag == 0 {
			if e := entries[v-1]; compareFold(name, e.name()) == 0 {
				return e.ks, true
			}
			continue
		}
		run := foldGroups[v&^foldGroupFlag:]
		n, first := int(run[0]), entries[run[1]]
		if compareFold(name, first.name()) != 0 {
			continue
		}
		// Names equal but for case: libxkbcommon prefers a lower-case
		// keysym, checking the candidates in the order the generator
		// worked out, and otherwise keeps the first.
		for _, i := range run[1 : 1+n] {
			if ks := entries[i].ks; IsLower(ks) {
				return ks, true
			}
		}
		return first.ks, true
	}
	return NoSymbol, false
}

// compareFold compares a and b as strcasecmp does (ASCII letters folded to
// lower case, then bytes).
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := lowerASCII(a[i]), lowerASCII(b[i])
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// IsKeypad reports whether ks is a keypad keysym (KP_Space to KP_Equal).
func IsKeypad(ks Keysym) bool { return ks >= 0xff80 && ks <= 0xffbd }

// IsModifier reports whether ks is a modifier keysym: Shift_L to Hyper_R,
// ISO_Lock to ISO_Level5_Lock, Mode_switch or Num_Lock.
func IsModifier(ks Keysym) bool {
	return ks >= 0xffe1 && ks <= 0xffee || // Shift_L .. Hyper_R
		ks >= 0xfe01 && ks <= 0xfe13 || // ISO_Lock .. ISO_Level5_Lock
		ks == 0xff7e || ks == 0xff7f // Mode_switch, Num_Lock
}

// ListText names keysyms joined by spaces ("nothing" when there are none),
// as messages about a key's keysyms show them.
func ListText(ks []Keysym) string {
	if len(ks) == 0 {
		return "nothing"
	}
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = Name(k)
	}
	return strings.Join(names, " ")
}
