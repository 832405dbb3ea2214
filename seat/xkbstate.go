package seat

import (
	"gocomp/xkb/keymap"
	"gocomp/xkb/state"
)

// XKBKeymap is a Keymap compiled by gocomp's XKB engine, with the caps-lock
// policy its states follow. The text clients receive is the keymap's text
// v1 either way: the policy is the compositor's, not the keymap's.
type XKBKeymap struct {
	km   *keymap.Keymap
	text string
	opts state.Options
	// leds are the keymap's indices of the Num, Caps and Scroll Lock
	// indicators (-1 when it has none), in evdev LED code order.
	leds [len(ledCodes)]int
}

// NewXKBKeymap wraps a compiled keymap; states built from it use caps.
func NewXKBKeymap(km *keymap.Keymap, caps state.CapsLockPolicy) *XKBKeymap {
	k := &XKBKeymap{km: km, text: km.Text(), opts: state.Options{CapsLock: caps}}
	for i, name := range [...]string{"Num Lock", "Caps Lock", "Scroll Lock"} {
		k.leds[i] = km.LEDIndex(name)
	}
	return k
}

// Keymap returns the compiled keymap.
func (k *XKBKeymap) Keymap() *keymap.Keymap { return k.km }

// Text returns the keymap text v1.
func (k *XKBKeymap) Text() string { return k.text }

// NewState returns a fresh state with the keymap's caps-lock policy.
func (k *XKBKeymap) NewState() State {
	return &xkbState{s: state.New(k.km, k.opts), leds: &k.leds}
}

// xkbState adapts *state.State to the seat's State.
type xkbState struct {
	s    *state.State
	leds *[len(ledCodes)]int
}

// modifierComponents are the state components wl_keyboard.modifiers
// carries.
const modifierComponents = state.ModsDepressed | state.ModsLatched | state.ModsLocked | state.LayoutEffective

func (x *xkbState) UpdateKey(kc uint32, down bool) Changes {
	dir := state.Up
	if down {
		dir = state.Down
	}
	c := x.s.UpdateKey(keymap.Keycode(kc), dir)
	var ch Changes
	if c&modifierComponents != 0 {
		ch |= ChangedModifiers
	}
	if c&state.LEDs != 0 {
		ch |= ChangedLEDs
	}
	return ch
}

// Modifiers serializes like weston and wlroots: depressed, latched and
// locked modifier masks and the effective layout.
func (x *xkbState) Modifiers() Modifiers {
	return Modifiers{
		Depressed: uint32(x.s.SerializeMods(state.ModsDepressed)),
		Latched:   uint32(x.s.SerializeMods(state.ModsLatched)),
		Locked:    uint32(x.s.SerializeMods(state.ModsLocked)),
		Group:     uint32(x.s.SerializeLayout(state.LayoutEffective)),
	}
}

func (x *xkbState) LEDs() LEDs {
	var l LEDs
	for i, idx := range x.leds {
		if x.s.LEDActive(idx) {
			l |= 1 << i
		}
	}
	return l
}

// KeySym implements State.
func (x *xkbState) KeySym(kc uint32) uint32 {
	return uint32(x.s.KeyOneSym(keymap.Keycode(kc)))
}

func (x *xkbState) LockMods(mask uint32) {
	s := x.s
	s.UpdateMask(s.SerializeMods(state.ModsDepressed), s.SerializeMods(state.ModsLatched), keymap.ModMask(mask),
		s.SerializeLayout(state.LayoutDepressed), s.SerializeLayout(state.LayoutLatched), s.SerializeLayout(state.LayoutLocked))
}

// SetModifiers implements modsSetter: depressed, latched and locked
// modifiers as given, the group locked (the layout a virtual keyboard's
// client reports).
func (x *xkbState) SetModifiers(m Modifiers) Changes {
	c := x.s.UpdateMask(keymap.ModMask(m.Depressed), keymap.ModMask(m.Latched), keymap.ModMask(m.Locked), 0, 0, int32(m.Group))
	var ch Changes
	if c&modifierComponents != 0 {
		ch |= ChangedModifiers
	}
	if c&state.LEDs != 0 {
		ch |= ChangedLEDs
	}
	return ch
}
