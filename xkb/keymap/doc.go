// Package keymap is the immutable, compiled form of an XKB keymap: what the
// compiler (package xkb/compile) produces, what the state machine reads on
// every key event, and what the serializer turns back into keymap text v1
// (the format wl_keyboard.keymap sends).
//
// # Shape
//
// A Keymap owns everything; nothing in it changes after construction and
// every slice it hands out must be treated as read-only. It is safe to share
// between goroutines.
//
// Modifiers: Keymap.Mods lists the 8 real modifiers (Shift, Lock, Control,
// Mod1..Mod5, indices 0..7) followed by the virtual modifiers in declaration
// order (the same order libxkbcommon reports). A ModMask has bit i set for
// modifier index i. Each virtual modifier maps to a set of real modifiers
// (Mod.Mapping); every mask in the model is stored twice in a Mods value:
// as written (Mods.Mods, virtual bits included, for serialization) and
// resolved to real modifiers (Mods.Mask, what the state machine uses).
//
// Keys: Keymap.Key(kc) returns the key for an XKB keycode (evdev code + 8)
// in O(1) from a dense slice over MinKeycode..MaxKeycode; it is nil outside
// that range or when no key has that code. A key has one Group per layout it
// defines (possibly fewer than Keymap.NumGroups); each group has a *KeyType
// and exactly Type.NumLevels Level values, each with its keysyms (a
// sub-slice of one keymap-wide array: no allocation per lookup) and its
// single action.
//
// # Hot path for the state machine
//
//	key := km.Key(kc)                            // nil: ignore
//	g := key.EffectiveGroup(effectiveGroup)     // -1: the key has no groups
//	grp := &key.Groups[g]
//	lvl := grp.Type.LevelFor(effectiveMods)      // table lookup, real mods
//	syms := grp.Levels[lvl].Syms                 // []keysym.Keysym, shared
//	act := &grp.Levels[lvl].Action               // action on press/release
//	consumed := grp.Type.Consumed(effectiveMods) // type mods minus preserve
//
// Actions carry resolved real-modifier masks (Action.Mods.Mask). When the
// action has ActUseModMapMods its modifiers were taken from the key's
// modifier map while compiling: Mods.Mask already holds them.
package keymap
