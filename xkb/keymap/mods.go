package keymap

import "strings"

// ModIndex is the index of a modifier in Keymap.Mods.
type ModIndex uint32

// ModMask is a set of modifiers: bit i stands for Keymap.Mods[i].
type ModMask uint32

// The real modifiers, always the first eight entries of Keymap.Mods.
const (
	ModShift ModIndex = iota
	ModLock
	ModControl
	ModMod1
	ModMod2
	ModMod3
	ModMod4
	ModMod5
	// NumRealMods is the number of real modifiers.
	NumRealMods = 8
)

// RealModsMask covers the eight real modifiers.
const RealModsMask ModMask = 0xff

// MaxMods is the number of modifiers (real and virtual) a keymap can hold.
const MaxMods = 32

// RealModNames are the names of the real modifiers, by index.
var RealModNames = [NumRealMods]string{"Shift", "Lock", "Control", "Mod1", "Mod2", "Mod3", "Mod4", "Mod5"}

// Mod is one modifier of a keymap.
type Mod struct {
	Name string
	// Virtual is false for the eight real modifiers.
	Virtual bool
	// Mapping is the set of real modifiers this modifier stands for: 1<<i
	// for real modifier i, the vmod->real mapping for a virtual one (0
	// when it maps to nothing).
	Mapping ModMask
	// Declared is the part of Mapping the source stated itself
	// (virtual_modifiers Name = Mod3); the rest comes from the keys.
	Declared ModMask
}

// Mods is a modifier mask as written in the keymap and the same mask
// resolved to real modifiers.
type Mods struct {
	// Mods is the mask as written: real and virtual bits.
	Mods ModMask
	// Mask is the effective real-modifier mask: the real bits of Mods
	// plus the mappings of its virtual bits.
	Mask ModMask
}

// ResolveMask returns the real modifiers that m stands for under mods.
func ResolveMask(mods []Mod, m ModMask) ModMask {
	out := m & RealModsMask
	for i := NumRealMods; i < len(mods); i++ {
		if m&(1<<uint(i)) != 0 {
			out |= mods[i].Mapping
		}
	}
	return out
}

// RealModsText names the real modifiers (bits 0..7) of m joined by '+'
// ("none" when it has none).
func RealModsText(m ModMask) string {
	if m&(1<<NumRealMods-1) == 0 {
		return "none"
	}
	var b strings.Builder
	for i := range NumRealMods {
		if m&(1<<uint(i)) != 0 {
			if b.Len() > 0 {
				b.WriteByte('+')
			}
			b.WriteString(RealModNames[i])
		}
	}
	return b.String()
}

// modMaskText returns m as modifier names joined by "+" ("none" when
// empty); bits beyond mods are written as hex masks.
func modMaskText(mods []Mod, m ModMask) string {
	if m == 0 {
		return "none"
	}
	var b strings.Builder
	for i := 0; i < MaxMods; i++ {
		if m&(1<<uint(i)) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('+')
		}
		if i < len(mods) {
			b.WriteString(mods[i].Name)
		} else {
			b.WriteString("0x")
			b.WriteString(strings.ToLower(hex32(uint32(1) << uint(i))))
		}
	}
	return b.String()
}

func hex32(v uint32) string {
	const digits = "0123456789ABCDEF"
	if v == 0 {
		return "0"
	}
	var buf [8]byte
	i := len(buf)
	for v > 0 {
		i--
		buf[i] = digits[v&0xf]
		v >>= 4
	}
	return string(buf[i:])
}
