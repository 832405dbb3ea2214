// Package keymap is the immutable, compiled form of an XKB keymap: what the
// compiler (package xkb/compile) produces, what the state machine reads on
// every key event, and what the serializer (Keymap.Text) turns back into
// keymap text v1, the format wl_keyboard.keymap sends.
//
// # Ownership
//
// A Keymap owns everything it points to; nothing changes after
// construction (New) and every slice it hands out is read-only. A Keymap
// is safe for concurrent use by any number of goroutines.
//
// # Modifiers
//
// Keymap.Mods lists the 8 real modifiers (Shift, Lock, Control, Mod1..Mod5
// at indices 0..7, see ModShift..ModMod5) followed by the virtual modifiers
// in declaration order: the same indices libxkbcommon reports. A ModMask
// has bit i set for modifier index i. A virtual modifier maps to a set of
// real modifiers (Mod.Mapping, the vmod->real mapping derived from the
// keys' modifier maps). Every mask stored in the model is a Mods value with
// both forms: Mods.Mods as written (virtual bits included, what the
// serializer prints) and Mods.Mask resolved to real modifiers (what the
// state machine uses). The state machine only ever needs real masks.
//
// # Keys, groups, levels
//
// Keymap.Key(kc) returns the key for an XKB keycode (evdev code + 8) in
// O(1) from a dense slice over MinKeycode..MaxKeycode, or nil. A Key has
// one Group per layout it defines (len(Key.Groups) may be less than
// Keymap.NumGroups, or 0); Key.EffectiveGroup applies the key's
// out-of-range rule (wrap, clamp or redirect) to the state's effective
// group. A Group has its *KeyType and exactly Type.NumLevels Levels; a
// Level has its keysyms (a sub-slice of one keymap-wide array: reading
// them allocates nothing) and its one Action.
//
// # Key types
//
// KeyType.LevelFor(mods) is a table lookup: the level of the first active
// entry whose real mask equals mods & Type.Mods.Mask, else level 0.
// KeyType.Preserved and KeyType.Consumed give what libxkbcommon's XKB
// consumed-modifiers mode needs. Entries stay available in order for
// anything else (KeyType.Entries, TypeEntry.Active).
//
// # Actions
//
// Action is a small value type: switch on Kind, read the fields that kind
// uses (see the field comments), test Flags. Modifier actions carry their
// resolved real mask in Action.Mods.Mask; for ActUseModMapMods
// ("modifiers=modMapMods") the compiler has already put the key's
// modifier map there. Group actions have Group as a 0-based absolute group
// when ActGroupAbsolute is set, else a signed delta. ActLockNoLock and
// ActLockNoUnlock encode affect=unlock/lock/neither of LockMods,
// LockPtrBtn and LockControls. Interprets and explicit actions are already
// applied: a key's Level.Action is final.
//
// # Hot path for the state machine
//
//	key := km.Key(kc)                          // nil: ignore the key
//	g := key.EffectiveGroup(effectiveGroup)   // -1: the key has no groups
//	grp := &key.Groups[g]
//	lvl := grp.Type.LevelFor(effectiveMods)    // real mods; table lookup
//	syms := grp.Levels[lvl].Syms               // []keysym.Keysym, shared
//	act := &grp.Levels[lvl].Action             // what the key does
//	consumed := grp.Type.Consumed(effectiveMods)
//
// LEDs (indicators) are Keymap.LEDs by index, with their maps: which state
// components of the modifiers (WhichMods, Mods.Mask) and of the group
// (WhichGroups, Groups bit g = 0-based group g) light them, and which
// controls (Ctrls). Unused slots have an empty name.
package keymap
