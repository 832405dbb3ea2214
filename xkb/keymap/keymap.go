package keymap

import "gocomp/xkb/keysym"

// Keycode is an XKB keycode (evdev code + 8).
type Keycode uint32

// GroupRule says what happens when the effective group is not one of a
// key's groups.
type GroupRule uint8

// Out-of-range group rules.
const (
	GroupsWrap     GroupRule = iota // modulo the key's group count
	GroupsClamp                     // nearest of first and last group
	GroupsRedirect                  // Key.RedirectGroup (first when out of range)
)

// Explicit records which key properties the symbols section set itself,
// so that compat interprets do not override them.
type Explicit uint8

// Explicit flags of a key.
const (
	ExplicitInterp  Explicit = 1 << iota // actions given: interprets not applied
	ExplicitVModMap                      // virtualMods given
	ExplicitRepeat                       // repeat given
)

// Key is one keycode's behaviour.
type Key struct {
	Keycode Keycode
	// Name is the key name without angle brackets ("AE01").
	Name     string
	Explicit Explicit
	// Groups has one entry per group the key defines; it may be empty.
	Groups        []Group
	OutOfRange    GroupRule
	RedirectGroup int // 0-based, for GroupsRedirect
	Repeats       bool
	// ModMap holds the real modifiers of modifier_map entries for this key.
	ModMap ModMask
	// VModMap holds the virtual modifiers bound to this key (virtualMods=
	// or interprets' virtualModifier).
	VModMap ModMask
}

// Group is one group (layout) of a key.
type Group struct {
	Type *KeyType
	// ExplicitType is set when the symbols section named the type.
	ExplicitType bool
	// Levels has exactly Type.NumLevels entries.
	Levels []Level
}

// Level is one shift level of a key group.
type Level struct {
	// Syms are the keysyms (often one, none for NoSymbol). The slice
	// shares the keymap's storage: never modify it.
	Syms   []keysym.Keysym
	Action Action
}

// EffectiveGroup maps the state's effective group to one of the key's
// groups by the key's out-of-range rule; -1 when the key has no groups.
func (k *Key) EffectiveGroup(group int32) int {
	n := int32(len(k.Groups))
	if n == 0 {
		return -1
	}
	if group >= 0 && group < n {
		return int(group)
	}
	switch k.OutOfRange {
	case GroupsRedirect:
		if k.RedirectGroup >= 0 && int32(k.RedirectGroup) < n {
			return k.RedirectGroup
		}
		return 0
	case GroupsClamp:
		if group < 0 {
			return 0
		}
		return int(n - 1)
	default:
		g := group % n
		if g < 0 {
			g += n
		}
		return int(g)
	}
}

// MatchOp is how an interpret compares its modifiers with a key's
// modifier map.
type MatchOp uint8

// Interpret match operators.
const (
	MatchNoneOf MatchOp = iota
	MatchAnyOfOrNone
	MatchAnyOf
	MatchAllOf
	MatchExactly
)

var matchOpNames = [...]string{"NoneOf", "AnyOfOrNone", "AnyOf", "AllOf", "Exactly"}

// String returns the operator as keymap text writes it.
func (m MatchOp) String() string { return matchOpNames[m] }

// Interpret is a compat symbol interpretation: the action (and more) a key
// gets from one of its keysyms when the symbols section gave none.
type Interpret struct {
	// Sym is the keysym to match; keysym.NoSymbol stands for "Any".
	Sym   keysym.Keysym
	Match MatchOp
	// Mods are the real modifiers compared with the key's modifier map.
	Mods ModMask
	// VirtualMod is the virtual modifier index bound to the key, or -1.
	VirtualMod int
	// LevelOneOnly: useModMapMods=level1.
	LevelOneOnly bool
	Repeat       bool
	Action       Action
}

// StateComponents selects the state components an indicator map looks
// at. The compiler never leaves it 0 when the map names modifiers or
// groups: it defaults to StateEffective, as libxkbcommon does.
type StateComponents uint8

// State components an indicator can follow (for groups, StateBase is the
// depressed group).
const (
	StateBase StateComponents = 1 << iota
	StateLatched
	StateLocked
	StateEffective
)

// LED is an indicator: its name and the map saying when it is lit.
type LED struct {
	Name        string
	WhichGroups StateComponents
	Groups      uint32 // bit g: 0-based group g
	WhichMods   StateComponents
	Mods        Mods
	Ctrls       Controls
}

// Alias is an alternative key name.
type Alias struct{ Alias, Real string }

// Keymap is a compiled keymap. See the package documentation.
type Keymap struct {
	// Section names as given in the source ("" when unnamed), with the
	// bytes libxkbcommon does not keep in names replaced by '_'.
	KeycodesName, TypesName, CompatName, SymbolsName string
	// Warnings are the problems the compiler carried on from in what it
	// was given (the RMLVO's component strings, a keymap text), as
	// libxkbcommon logs them and carries on: an include statement it
	// ignored, a group index out of range. Each names where.
	Warnings []string
	// MinKeycode and MaxKeycode bound the keycodes.
	MinKeycode, MaxKeycode Keycode
	// Mods lists the real then the virtual modifiers.
	Mods []Mod
	// Types are the key types in keymap order.
	Types []*KeyType
	// Interprets are the compat interprets, in the order they are tried.
	Interprets []Interpret
	// LEDs by index; unused slots have an empty name.
	LEDs []LED
	// GroupNames by 0-based group ("" when unnamed).
	GroupNames []string
	// NumGroups is the number of groups of the key with the most.
	NumGroups int
	Aliases   []Alias

	keys []Key // index keycode - MinKeycode; Keycode 0 marks a hole
}

// Key returns the key for keycode kc, or nil.
func (km *Keymap) Key(kc Keycode) *Key {
	i := kc - km.MinKeycode
	if kc < km.MinKeycode || uint64(i) >= uint64(len(km.keys)) {
		return nil
	}
	k := &km.keys[i]
	if k.Name == "" {
		return nil
	}
	return k
}

// Keys returns the dense key table: entry i is keycode MinKeycode+i, and
// entries with an empty Name are holes (no key has that keycode). The
// slice is the keymap's own: do not modify it. Use Key for lookups.
func (km *Keymap) Keys() []Key { return km.keys }

// KeyForKeysym returns the key a modifier_map keysym entry names: of the
// keys that have sym, the one where it appears in the lowest group, then
// the lowest level, then the lowest keycode. It returns nil when no key
// has sym.
func (km *Keymap) KeyForKeysym(sym keysym.Keysym) *Key {
	var best *Key
	bestGL := 0
	for i := range km.keys {
		k := &km.keys[i]
		for g := range k.Groups {
			for l := range k.Groups[g].Levels {
				for _, s := range k.Groups[g].Levels[l].Syms {
					if s != sym {
						continue
					}
					if gl := g<<16 | l; best == nil || gl < bestGL {
						best, bestGL = k, gl
					}
				}
			}
		}
	}
	return best
}

// keysymFor returns a keysym of k that KeyForKeysym maps back to k.
func (km *Keymap) keysymFor(k *Key) (keysym.Keysym, bool) {
	for g := range k.Groups {
		for l := range k.Groups[g].Levels {
			for _, s := range k.Groups[g].Levels[l].Syms {
				if km.KeyForKeysym(s) == k {
					return s, true
				}
			}
		}
	}
	return 0, false
}

// ModIndex returns the index of the named modifier, or -1.
func (km *Keymap) ModIndex(name string) int {
	for i := range km.Mods {
		if km.Mods[i].Name == name {
			return i
		}
	}
	return -1
}

// LEDIndex returns the index of the named LED, or -1.
func (km *Keymap) LEDIndex(name string) int {
	for i := range km.LEDs {
		if km.LEDs[i].Name == name && name != "" {
			return i
		}
	}
	return -1
}

// KeyByName returns the key with the given name (or alias), or nil.
func (km *Keymap) KeyByName(name string) *Key {
	for _, a := range km.Aliases {
		if a.Alias == name {
			name = a.Real
			break
		}
	}
	for i := range km.keys {
		if km.keys[i].Name == name {
			return &km.keys[i]
		}
	}
	return nil
}

// New assembles a keymap from its parts and computes the lookup tables.
// keys may be in any order and need not be dense; keys with an empty name
// are dropped. When keys already is the dense table (entry i has keycode
// MinKeycode+i or no name) New keeps it as it is. New takes ownership of
// every slice it is given.
func New(km *Keymap, keys []Key) *Keymap {
	km.keys = nil
	if isDense(km, keys) {
		km.keys = keys
	} else if km.MaxKeycode >= km.MinKeycode {
		km.keys = make([]Key, km.MaxKeycode-km.MinKeycode+1)
		for _, k := range keys {
			if k.Name == "" || k.Keycode < km.MinKeycode || k.Keycode > km.MaxKeycode {
				continue
			}
			km.keys[k.Keycode-km.MinKeycode] = k
		}
	}
	for _, t := range km.Types {
		t.buildTables()
	}
	return km
}

func isDense(km *Keymap, keys []Key) bool {
	if km.MaxKeycode < km.MinKeycode || uint64(len(keys)) != uint64(km.MaxKeycode-km.MinKeycode)+1 {
		return false
	}
	for i := range keys {
		if keys[i].Name != "" && keys[i].Keycode != km.MinKeycode+Keycode(i) {
			return false
		}
	}
	return true
}
