package keymap

// KeyType maps the modifiers of a state to a shift level of a key group.
type KeyType struct {
	Name string
	// Mods are the modifiers the type looks at.
	Mods Mods
	// NumLevels is the number of levels of every key group of this type.
	NumLevels int
	// Entries are the map entries in keymap order, inactive ones included
	// (an entry is inactive when its modifiers are all virtual modifiers
	// mapped to nothing).
	Entries []TypeEntry
	// LevelNames holds the level names by 0-based level; "" when unnamed.
	LevelNames []string

	// levels and preserve are lookup tables indexed by
	// (real mods & Mods.Mask): the level and the preserved modifiers.
	levels   [256]uint8
	preserve [256]uint8
}

// TypeEntry is one map[...] = level entry of a key type, with its
// preserve[...] modifiers.
type TypeEntry struct {
	Mods     Mods
	Level    int // 0-based
	Preserve Mods
}

// Active reports whether the entry can match a state: libxkbcommon ignores
// entries whose modifiers are non-empty but resolve to no real modifier.
func (e *TypeEntry) Active() bool { return e.Mods.Mods == 0 || e.Mods.Mask != 0 }

// LevelFor returns the 0-based level that the effective real modifiers
// select: the level of the first active entry whose mask equals
// mods & t.Mods.Mask, else 0.
func (t *KeyType) LevelFor(mods ModMask) int { return int(t.levels[uint8(mods&t.Mods.Mask)]) }

// Preserved returns the modifiers the matching entry preserves (0 when no
// entry matches).
func (t *KeyType) Preserved(mods ModMask) ModMask {
	return ModMask(t.preserve[uint8(mods&t.Mods.Mask)])
}

// Consumed returns the modifiers that selecting a level consumes in XKB
// mode: the type's modifiers minus those the matching entry preserves.
func (t *KeyType) Consumed(mods ModMask) ModMask {
	return t.Mods.Mask &^ ModMask(t.preserve[uint8(mods&t.Mods.Mask)])
}

// MatchEntry returns the index of the entry selected by mods, or -1.
func (t *KeyType) MatchEntry(mods ModMask) int {
	m := mods & t.Mods.Mask
	for i := range t.Entries {
		e := &t.Entries[i]
		if e.Active() && e.Mods.Mask == m {
			return i
		}
	}
	return -1
}

// buildTables fills the lookup tables from Entries; Finish calls it.
func (t *KeyType) buildTables() {
	t.levels = [256]uint8{}
	t.preserve = [256]uint8{}
	// Only masks within the type's modifiers are ever looked up: walk
	// the subsets of Mods.Mask.
	full := t.Mods.Mask & RealModsMask
	for m := full; ; m = (m - 1) & full {
		if i := t.MatchEntry(m); i >= 0 {
			t.levels[m] = uint8(t.Entries[i].Level)
			t.preserve[m] = uint8(t.Entries[i].Preserve.Mask & RealModsMask)
		}
		if m == 0 {
			break
		}
	}
}
