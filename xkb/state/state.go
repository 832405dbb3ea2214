// Package state is the XKB state machine: it follows key presses and
// releases on a compiled keymap (package xkb/keymap) and answers what a key
// produces in the current state.
//
// A State holds the modifier and group components of the XKB protocol —
// depressed (base), latched and locked modifiers and groups, their
// effective union — and the indicators (LEDs) they light. UpdateKey feeds
// one key event through the actions of the keys held down (one small
// filter per action kind: SetMods, LatchMods, LockMods, SetGroup and
// LockGroup; LatchGroup changes nothing, as in libxkbcommon 1.5) and
// returns which components changed. The Key* methods answer, for the
// current state, what a key produces: its layout and shift level, keysyms,
// Unicode text and the modifiers it consumes. UpdateMask sets the
// components from serialized masks instead (a nested compositor).
//
// By default the semantics are those of libxkbcommon 1.5 (classic XKB), so
// that a State agrees with every client that runs libxkbcommon on the
// keymap text the compositor sends. Options select departures from it, per
// State: Caps Lock that unlocks on press, and group locks that switch on
// release.
//
// Keycodes are XKB keycodes: evdev code + 8.
//
// A State is not safe for concurrent use; it belongs to the goroutine that
// owns the seat. UpdateKey and the Key* methods do not allocate.
package state

import (
	"fmt"
	"math/bits"

	"gocomp/xkb/keymap"
)

// Direction says whether a key went down or up.
type Direction uint8

// Key directions.
const (
	Up Direction = iota
	Down
)

// Component is a set of state components; UpdateKey and UpdateMask return
// the ones that changed, and the serialization methods take one to select
// what to read.
type Component uint16

// State components (the values match libxkbcommon's xkb_state_component).
const (
	ModsDepressed Component = 1 << iota
	ModsLatched
	ModsLocked
	ModsEffective
	LayoutDepressed
	LayoutLatched
	LayoutLocked
	LayoutEffective
	LEDs
)

// CapsLockPolicy says when a Caps Lock style key (a LockMods action that
// affects the Lock modifier) unlocks.
type CapsLockPolicy uint8

// Caps Lock policies.
const (
	// CapsLockRelease is classic XKB: the press locks (and depresses) the
	// modifier; when it was already locked, the release unlocks it, so
	// holding Caps the second time still types capitals.
	CapsLockRelease CapsLockPolicy = iota
	// CapsLockPress unlocks on the press when the modifier was locked
	// before it: the modifier is not even depressed and the LED goes off
	// at once (libxkbcommon >= 1.11's unlockOnPress, Windows, macOS, the
	// Linux console).
	CapsLockPress
)

// ParseCapsLock reads a policy by its name on the command line and in
// configuration files: release or press.
func ParseCapsLock(name string) (CapsLockPolicy, error) {
	switch name {
	case "release":
		return CapsLockRelease, nil
	case "press":
		return CapsLockPress, nil
	}
	return 0, fmt.Errorf("caps-lock %q: want press or release", name)
}

// GroupSwitchPolicy says when a LockGroup action takes effect.
type GroupSwitchPolicy uint8

// Group switch policies.
const (
	// GroupSwitchPress is classic XKB: LockGroup switches on press.
	GroupSwitchPress GroupSwitchPolicy = iota
	// GroupSwitchRelease switches on release, and only when no other key
	// was pressed while the LockGroup key was held, so that a toggle bound
	// to Alt+Shift does not fire on Alt+Shift+key shortcuts.
	GroupSwitchRelease
)

// Options are the per-state policies. The zero value is libxkbcommon 1.5.
type Options struct {
	CapsLock    CapsLockPolicy
	GroupSwitch GroupSwitchPolicy
}

// components are the serializable parts of a state.
type components struct {
	baseMods, latchedMods, lockedMods, mods     keymap.ModMask
	baseGroup, latchedGroup, lockedGroup, group int32
	leds                                        uint32 // bit i: keymap LED i is lit
}

// initialFilters is the filter capacity a State starts with: more keys
// with actions than this held at once is unusual, and the slice grows (an
// allocation, once) if it happens.
const initialFilters = 16

// State is the keyboard state over one keymap. Create it with New.
type State struct {
	km   *keymap.Keymap
	opts Options
	c    components
	// modKeyCount counts, per modifier, the held keys that depress it:
	// a modifier leaves the base mask when its last key is released.
	modKeyCount [keymap.MaxMods]int32
	// setMods and clearMods collect what the filters do to the base
	// modifiers during one update.
	setMods, clearMods keymap.ModMask
	filters            []filter
	// active counts the filters in use.
	active int
	// numGroups is the keymap's layout count, for wrapping.
	numGroups int32
	// ledMaps are the keymap's indicator maps that can light.
	ledMaps []ledMap
}

// New returns a State over km with every component cleared. km must not be
// nil; the State keeps it and never changes it.
func New(km *keymap.Keymap, opts Options) *State {
	s := &State{km: km, opts: opts, filters: make([]filter, 0, initialFilters), numGroups: int32(km.NumGroups),
		ledMaps: compileLEDs(km)}
	s.updateDerived()
	return s
}

// Keymap returns the keymap the state follows.
func (s *State) Keymap() *keymap.Keymap { return s.km }

// Options returns the policies the state was created with.
func (s *State) Options() Options { return s.opts }

// UpdateKey applies a press or release of key kc and returns the
// components that changed. Keycodes the keymap does not define are
// ignored. It does not allocate (unless more than 16 keys with actions are
// held at once, the first time).
//
// The caller owns key tracking: it must not press a key that is already
// down, nor release one that is up (the seat drops such events, and
// auto-repeat never reaches the state). Like libxkbcommon 1.5, a second
// press of a held latch key can leave its modifier depressed for good.
func (s *State) UpdateKey(kc keymap.Keycode, dir Direction) Component {
	key := s.km.Key(kc)
	if key == nil {
		return 0
	}
	// A locked group wrapped to numGroups itself (see wrapGroup) is
	// wrapped again by the next key event, whatever it does, as
	// libxkbcommon derives the state anew on every one.
	rewrap := s.numGroups > 0 && s.c.lockedGroup == s.numGroups
	if s.active == 0 && !startsFilter(s.keyAction(key)) && !rewrap {
		// Nothing is held and the key does nothing to the state: the
		// common case of typing.
		return 0
	}
	prev := s.c
	s.setMods, s.clearMods = 0, 0
	s.applyFilters(key, dir)
	for m := s.setMods; m != 0; m &= m - 1 {
		i := bits.TrailingZeros32(uint32(m))
		s.modKeyCount[i]++
		s.c.baseMods |= 1 << uint(i)
	}
	for m := s.clearMods; m != 0; m &= m - 1 {
		i := bits.TrailingZeros32(uint32(m))
		s.modKeyCount[i]--
		if s.modKeyCount[i] <= 0 {
			s.c.baseMods &^= 1 << uint(i)
			s.modKeyCount[i] = 0
		}
	}
	if s.c.baseMods == prev.baseMods && s.c.latchedMods == prev.latchedMods && s.c.lockedMods == prev.lockedMods &&
		s.c.baseGroup == prev.baseGroup && s.c.latchedGroup == prev.latchedGroup && s.c.lockedGroup == prev.lockedGroup &&
		!rewrap {
		return 0
	}
	s.updateDerived()
	return changed(&prev, &s.c)
}

// UpdateMask replaces the state's components with serialized ones, as a
// nested compositor receives them from its parent (wl_keyboard.modifiers):
// modifier masks are resolved to real modifiers and the locked and
// effective groups wrapped into the keymap's layouts. It returns the
// components that changed. Keys held down keep their actions: passing the
// current depressed and latched values back (to change only the locks, say)
// is safe, but a depressed modifier set here is not released by any key.
func (s *State) UpdateMask(baseMods, latchedMods, lockedMods keymap.ModMask, baseGroup, latchedGroup, lockedGroup int32) Component {
	prev := s.c
	valid := keymap.ModMask(1<<uint(len(s.km.Mods)) - 1)
	if len(s.km.Mods) >= 32 {
		valid = ^keymap.ModMask(0)
	}
	s.c.baseMods = keymap.ResolveMask(s.km.Mods, baseMods&valid)
	s.c.latchedMods = keymap.ResolveMask(s.km.Mods, latchedMods&valid)
	s.c.lockedMods = keymap.ResolveMask(s.km.Mods, lockedMods&valid)
	s.c.baseGroup, s.c.latchedGroup, s.c.lockedGroup = baseGroup, latchedGroup, lockedGroup
	s.updateDerived()
	return changed(&prev, &s.c)
}

// changed compares two sets of components.
func changed(a, b *components) Component {
	var c Component
	if a.baseMods != b.baseMods {
		c |= ModsDepressed
	}
	if a.latchedMods != b.latchedMods {
		c |= ModsLatched
	}
	if a.lockedMods != b.lockedMods {
		c |= ModsLocked
	}
	if a.mods != b.mods {
		c |= ModsEffective
	}
	if a.baseGroup != b.baseGroup {
		c |= LayoutDepressed
	}
	if a.latchedGroup != b.latchedGroup {
		c |= LayoutLatched
	}
	if a.lockedGroup != b.lockedGroup {
		c |= LayoutLocked
	}
	if a.group != b.group {
		c |= LayoutEffective
	}
	if a.leds != b.leds {
		c |= LEDs
	}
	return c
}

// wrapGroup brings g into the n groups of a keymap by wrapping, as
// libxkbcommon 1.5 does: a negative g becomes n + g%n, which is n itself
// (out of range, until each key's own rule maps it) for multiples of n.
// It returns 0 when there are no groups.
func wrapGroup(g, n int32) int32 {
	switch {
	case n <= 0:
		return 0
	case g < 0:
		return n + g%n
	case g >= n:
		return g % n
	}
	return g
}

// updateDerived computes the effective modifiers and group from the base,
// latched and locked ones, wraps the locked group, and lights the LEDs.
func (s *State) updateDerived() {
	c := &s.c
	c.mods = c.baseMods | c.latchedMods | c.lockedMods
	c.lockedGroup = wrapGroup(c.lockedGroup, s.numGroups)
	c.group = wrapGroup(c.baseGroup+c.latchedGroup+c.lockedGroup, s.numGroups)
	c.leds = s.computeLEDs()
}

// ledMap is an indicator map reduced to what computeLEDs needs.
type ledMap struct {
	bit                    uint32 // 1 << LED index
	whichMods, whichGroups keymap.StateComponents
	mods                   keymap.ModMask
	groups                 uint32
}

// compileLEDs keeps the named LEDs whose maps can light them, in keymap
// order; LEDs lit by a control are never lit (libxkbcommon 1.5 enables no
// control).
func compileLEDs(km *keymap.Keymap) []ledMap {
	var out []ledMap
	for i := range km.LEDs {
		led := &km.LEDs[i]
		if led.Name == "" || i >= 32 {
			continue
		}
		m := ledMap{bit: 1 << uint(i), whichMods: led.WhichMods, whichGroups: led.WhichGroups, mods: led.Mods.Mask, groups: led.Groups}
		if m.whichMods&keymap.StateEffective != 0 {
			m.whichMods |= keymap.StateBase | keymap.StateLatched | keymap.StateLocked
		}
		if (m.mods == 0 || m.whichMods == 0) && (m.groups == 0 || m.whichGroups == 0) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// computeLEDs returns the lit LEDs for the current components.
func (s *State) computeLEDs() uint32 {
	c := &s.c
	var lit uint32
	for i := range s.ledMaps {
		led := &s.ledMaps[i]
		var mods keymap.ModMask
		if led.whichMods&keymap.StateBase != 0 {
			mods |= c.baseMods
		}
		if led.whichMods&keymap.StateLatched != 0 {
			mods |= c.latchedMods
		}
		if led.whichMods&keymap.StateLocked != 0 {
			mods |= c.lockedMods
		}
		if led.mods&mods != 0 {
			lit |= led.bit
			continue
		}
		if led.groups == 0 {
			continue
		}
		var groups uint32
		if led.whichGroups&keymap.StateEffective != 0 {
			groups |= groupBit(c.group)
		}
		if led.whichGroups&keymap.StateBase != 0 {
			groups |= groupBit(c.baseGroup)
		}
		if led.whichGroups&keymap.StateLatched != 0 {
			groups |= groupBit(c.latchedGroup)
		}
		if led.whichGroups&keymap.StateLocked != 0 {
			groups |= groupBit(c.lockedGroup)
		}
		if led.groups&groups != 0 {
			lit |= led.bit
		}
	}
	return lit
}

// groupBit is the bit of group g in an LED's group mask; like a 32-bit
// shift on common hardware, the count is taken modulo 32.
func groupBit(g int32) uint32 { return 1 << (uint32(g) & 31) }

// SerializeMods returns the union of the modifier components selected by
// which (ModsDepressed, ModsLatched, ModsLocked, ModsEffective).
func (s *State) SerializeMods(which Component) keymap.ModMask {
	if which&ModsEffective != 0 {
		return s.c.mods
	}
	var m keymap.ModMask
	if which&ModsDepressed != 0 {
		m |= s.c.baseMods
	}
	if which&ModsLatched != 0 {
		m |= s.c.latchedMods
	}
	if which&ModsLocked != 0 {
		m |= s.c.lockedMods
	}
	return m
}

// SerializeLayout returns the sum of the layout components selected by
// which (LayoutDepressed, LayoutLatched, LayoutLocked, LayoutEffective).
// Depressed and latched layouts are relative and may be negative; locked
// and effective ones are 0-based layout indices.
func (s *State) SerializeLayout(which Component) int32 {
	if which&LayoutEffective != 0 {
		return s.c.group
	}
	var g int32
	if which&LayoutDepressed != 0 {
		g += s.c.baseGroup
	}
	if which&LayoutLatched != 0 {
		g += s.c.latchedGroup
	}
	if which&LayoutLocked != 0 {
		g += s.c.lockedGroup
	}
	return g
}

// ModActive reports whether modifier index i is in the components which
// selects.
func (s *State) ModActive(i keymap.ModIndex, which Component) bool {
	return i < keymap.MaxMods && s.SerializeMods(which)&(1<<i) != 0
}

// LEDs returns the lit LEDs: bit i stands for keymap LED i.
func (s *State) LEDs() uint32 { return s.c.leds }

// LEDActive reports whether keymap LED i is lit.
func (s *State) LEDActive(i int) bool { return i >= 0 && i < 32 && s.c.leds&(1<<uint(i)) != 0 }
