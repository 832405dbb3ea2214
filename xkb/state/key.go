package state

import (
	"math/bits"

	"gocomp/xkb/keymap"
	"gocomp/xkb/keysym"
)

// ConsumedMode selects how KeyConsumedMods decides which modifiers a key
// consumed in producing its keysyms.
type ConsumedMode uint8

// Consumed-modifier modes.
const (
	// ConsumedXKB: the key type's modifiers minus those the matching map
	// entry preserves (the XKB protocol's rule).
	ConsumedXKB ConsumedMode = iota
	// ConsumedGTK: the modifiers of the map entries whose level differs
	// from the level without modifiers, counting only the matching entry
	// and single-modifier entries, minus what the matching entry
	// preserves (GTK's rule, as libxkbcommon 1.5 computes it).
	ConsumedGTK
)

// lookup finds the group and level of key kc in the current state.
func (s *State) lookup(kc keymap.Keycode) (grp *keymap.Group, group, level int) {
	key := s.km.Key(kc)
	if key == nil {
		return nil, -1, -1
	}
	g := key.EffectiveGroup(s.c.group)
	if g < 0 {
		return nil, -1, -1
	}
	grp = &key.Groups[g]
	return grp, g, grp.Type.LevelFor(s.c.mods)
}

// KeyLayout returns the 0-based layout key kc uses in the current state:
// the effective layout brought into the key's layouts by its out-of-range
// rule (wrap, clamp or redirect); -1 when the key has none.
func (s *State) KeyLayout(kc keymap.Keycode) int {
	_, g, _ := s.lookup(kc)
	return g
}

// KeyLevel returns the 0-based shift level of key kc in layout in the
// current state; -1 when the key or the layout does not exist.
func (s *State) KeyLevel(kc keymap.Keycode, layout int) int {
	key := s.km.Key(kc)
	if key == nil || layout < 0 || layout >= len(key.Groups) {
		return -1
	}
	return key.Groups[layout].Type.LevelFor(s.c.mods)
}

// KeySyms returns the keysyms key kc produces in the current state,
// without the Caps transformation (nil when none). The slice belongs to
// the keymap: do not modify it.
func (s *State) KeySyms(kc keymap.Keycode) []keysym.Keysym {
	grp, _, lvl := s.lookup(kc)
	if grp == nil || lvl >= len(grp.Levels) {
		return nil
	}
	return grp.Levels[lvl].Syms
}

// KeyOneSym returns the keysym key kc produces when it produces exactly
// one, with the Caps transformation applied (upper case when Lock is
// active and the key does not consume it); keysym.NoSymbol otherwise.
func (s *State) KeyOneSym(kc keymap.Keycode) keysym.Keysym {
	grp, _, lvl := s.lookup(kc)
	if grp == nil || lvl >= len(grp.Levels) || len(grp.Levels[lvl].Syms) != 1 {
		return keysym.NoSymbol
	}
	ks := grp.Levels[lvl].Syms[0]
	if s.transforms(grp, keymap.ModLock) {
		ks = keysym.ToUpper(ks)
	}
	return ks
}

// transforms reports whether modifier m is active and not consumed by
// the key group grp: the condition of the Caps and Control
// transformations.
func (s *State) transforms(grp *keymap.Group, m keymap.ModIndex) bool {
	bit := keymap.ModMask(1) << m
	return s.c.mods&bit != 0 && grp.Type.Consumed(s.c.mods)&bit == 0
}

// KeyUTF32 returns the character key kc types in the current state: the
// Unicode value of KeyOneSym, with the Control transformation (an ASCII
// character becomes its control character when Control is active and not
// consumed; see AppendKeyUTF8 for keys of non-Latin layouts); 0 when none.
func (s *State) KeyUTF32(kc keymap.Keycode) rune {
	grp, ks := s.textSym(kc)
	if grp == nil {
		return 0
	}
	r := keysym.ToUTF32(ks)
	if r != 0 && r < 0x7f && s.transforms(grp, keymap.ModControl) {
		r = toControl(r)
	}
	return r
}

// textSym returns the keysym key kc types when its level has exactly one:
// with Control active and unconsumed, a keysym outside ASCII is replaced by
// the ASCII keysym the key has in the first other layout that has one (so
// Control+С on a Russian layout is still Control+C), then the Caps
// transformation applies. grp is nil when the key types no single keysym.
func (s *State) textSym(kc keymap.Keycode) (*keymap.Group, keysym.Keysym) {
	key := s.km.Key(kc)
	if key == nil {
		return nil, keysym.NoSymbol
	}
	g := key.EffectiveGroup(s.c.group)
	if g < 0 {
		return nil, keysym.NoSymbol
	}
	grp := &key.Groups[g]
	lvl := grp.Type.LevelFor(s.c.mods)
	if lvl >= len(grp.Levels) || len(grp.Levels[lvl].Syms) != 1 {
		return nil, keysym.NoSymbol
	}
	ks := grp.Levels[lvl].Syms[0]
	if ks > 0x7f && s.transforms(grp, keymap.ModControl) {
		for i := range key.Groups {
			other := &key.Groups[i]
			l := other.Type.LevelFor(s.c.mods)
			if l < len(other.Levels) && len(other.Levels[l].Syms) == 1 && other.Levels[l].Syms[0] <= 0x7f {
				ks = other.Levels[l].Syms[0]
				break
			}
		}
	}
	if s.transforms(grp, keymap.ModLock) {
		ks = keysym.ToUpper(ks)
	}
	return grp, ks
}

// AppendKeyUTF8 appends the text key kc types in the current state to dst:
// one keysym with the Caps transformation (and, under an unconsumed
// Control, the ASCII keysym of another layout in place of a non-ASCII one), or all of a multi-keysym level
// (empty when one of them has no character); a single ASCII character
// gets the Control transformation. It does not allocate when dst has room
// (the longest text is a few keysyms of 4 bytes).
func (s *State) AppendKeyUTF8(dst []byte, kc keymap.Keycode) []byte {
	grp, _, lvl := s.lookup(kc)
	if grp == nil || lvl >= len(grp.Levels) {
		return dst
	}
	syms := grp.Levels[lvl].Syms
	start := len(dst)
	switch len(syms) {
	case 0:
		return dst
	case 1:
		_, ks := s.textSym(kc)
		dst = keysym.AppendUTF8(dst, ks)
	default:
		for _, ks := range syms {
			n := len(dst)
			dst = keysym.AppendUTF8(dst, ks)
			if len(dst) == n {
				return dst[:start]
			}
		}
	}
	if len(dst)-start == 1 && s.transforms(grp, keymap.ModControl) {
		c := toControl(rune(dst[start]))
		if c == 0 {
			// A NUL ends a C string: libxkbcommon reports no text.
			return dst[:start]
		}
		dst[start] = byte(c)
	}
	return dst
}

// toControl maps an ASCII character to the control character Control
// turns it into, as X11 does (letters and @[\]^_ to 0x00..0x1f, space to
// NUL, the digits 2..8 to the classic terminal codes, / to 0x1f).
func toControl(c rune) rune {
	switch {
	case (c >= '@' && c < 0x7f) || c == ' ':
		return c & 0x1f
	case c == '2':
		return 0
	case c >= '3' && c <= '7':
		return c - '3' + 0x1b
	case c == '8':
		return 0x7f
	case c == '/':
		return '_' & 0x1f
	}
	return c
}

// KeyConsumedMods returns the modifiers key kc consumes in the current
// state under mode; 0 when the key has no layout.
func (s *State) KeyConsumedMods(kc keymap.Keycode, mode ConsumedMode) keymap.ModMask {
	grp, _, _ := s.lookup(kc)
	if grp == nil {
		return 0
	}
	t := grp.Type
	if mode == ConsumedXKB {
		return t.Consumed(s.c.mods)
	}
	match := t.MatchEntry(s.c.mods)
	base := t.LevelFor(0)
	var consumed keymap.ModMask
	for i := range t.Entries {
		e := &t.Entries[i]
		if !e.Active() || e.Level >= len(grp.Levels) || base >= len(grp.Levels) {
			continue
		}
		if sameSyms(grp.Levels[e.Level].Syms, grp.Levels[base].Syms) {
			continue
		}
		if i == match || bits.OnesCount32(uint32(e.Mods.Mask)) == 1 {
			consumed |= e.Mods.Mask &^ e.Preserve.Mask
		}
	}
	// What the matching entry preserves is never consumed.
	return consumed &^ t.Preserved(s.c.mods)
}

// sameSyms reports whether two levels produce the same keysyms.
func sameSyms(a, b []keysym.Keysym) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ModConsumed reports whether key kc consumes modifier m in the current
// state under mode.
func (s *State) ModConsumed(kc keymap.Keycode, m keymap.ModIndex, mode ConsumedMode) bool {
	return m < keymap.MaxMods && s.KeyConsumedMods(kc, mode)&(1<<m) != 0
}
