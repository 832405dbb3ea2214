package seat

import (
	"encoding/binary"
	"fmt"

	"gocomp/protocols/wayland"

	"golang.org/x/sys/unix"
)

// keyboardState is the keyboard half of the seat: the seat-wide key counts,
// the XKB state they feed, the keymap clients get, and the wl_keyboard
// resources.
type keyboardState struct {
	km     Keymap
	keymap *keymapFile
	state  State
	mods   Modifiers // last modifiers sent
	leds   LEDs      // last LEDs written

	repeatRate, repeatDelay int32

	count [maxKey + 1]uint16 // how many physical keyboards hold each key
	down  keySet             // keys with count > 0
	eaten keySet             // down keys whose press a binding ate

	devices   []*Keyboard
	virtuals  []*VirtualKeyboard
	active    *VirtualKeyboard    // the keymap source: nil for the physical keyboards
	resources []*keyboardResource // every wl_keyboard
	focused   []*keyboardResource // the wl_keyboards of the focused client, entered

	keysBuf []byte // scratch for the enter key array
}

// keyboardResource is one wl_keyboard and what its client was told.
type keyboardResource struct {
	r       *wayland.Keyboard
	seat    *Seat
	pressed keySet      // keys this resource was sent as down and not yet released
	keymap  *keymapFile // the keymap last sent
	entered bool        // in keyboardState.focused
}

func (k *keyboardState) init(km Keymap, rate, delay int32) error {
	f, err := newKeymapFile(km.Text())
	if err != nil {
		return err
	}
	k.km, k.keymap, k.state = km, f, km.NewState()
	k.mods, k.leds = k.state.Modifiers(), k.state.LEDs()
	k.repeatRate, k.repeatDelay = rate, delay
	return nil
}

// newKeyboardResource takes over a new wl_keyboard: keymap, repeat info,
// and enter + modifiers when its client holds the focus.
func (s *Seat) newKeyboardResource(id *wayland.Keyboard) error {
	kr := &keyboardResource{r: id, seat: s}
	id.SetHandler(kr)
	s.kbd.resources = append(s.kbd.resources, kr)
	id.OnDestroy(func() {
		s.kbd.resources = removeItem(s.kbd.resources, kr)
		if kr.entered {
			s.kbd.focused = removeItem(s.kbd.focused, kr)
			kr.entered = false
		}
	})
	if err := s.sendKeymap(kr); err != nil {
		return err
	}
	kr.r.SendRepeatInfo(s.kbd.repeatRate, s.kbd.repeatDelay)
	if f := s.foc.current; f != nil && f.Client() == id.Client() {
		s.enterResource(kr, f, s.serial())
	}
	return nil
}

// Release runs on wl_keyboard.release; the resource is destroyed after it
// returns and its destroy hook forgets it.
func (kr *keyboardResource) Release(*wayland.Keyboard) error { return nil }

// sendKeymap sends the seat's keymap (see sendKeymapFile).
func (s *Seat) sendKeymap(kr *keyboardResource) error {
	return s.sendKeymapFile(kr, s.kbd.keymap)
}

// sendKeymapFile sends keymap f and records it as kr's: the shared sealed
// fd from version 7, a private unsealed copy below.
func (s *Seat) sendKeymapFile(kr *keyboardResource, f *keymapFile) error {
	kr.keymap = f
	if kr.r.Version() >= 7 {
		kr.r.SendKeymap(wayland.KeyboardKeymapFormatXkbV1, f.fd, f.size)
		return nil
	}
	fd, err := f.privateCopy()
	if err != nil {
		return fmt.Errorf("seat: keymap for %s: %w", kr.r, err)
	}
	kr.r.SendKeymap(wayland.KeyboardKeymapFormatXkbV1, fd, f.size) // the event holds its own dup
	unix.Close(fd)
	return nil
}

// handleKey runs for every key transition a physical keyboard reports,
// after that keyboard's own record is updated; t is in milliseconds.
// Only the seat-wide first press and last release go on.
func (s *Seat) handleKey(t uint32, code uint16, down bool) {
	k := &s.kbd
	if down {
		k.count[code]++
		if k.count[code] == 1 {
			s.notifyKey(t, code, true)
		}
		return
	}
	if k.count[code] == 0 {
		return // the keyboard's record prevents this; be safe anyway
	}
	k.count[code]--
	if k.count[code] == 0 {
		s.notifyKey(t, code, false)
	}
}

// notifyKey runs on a seat-wide transition of key code: bindings see the
// press first, the XKB state is updated, and unless a binding ate the key
// the focused client gets it, then modifiers if they changed.
func (s *Seat) notifyKey(t uint32, code uint16, down bool) {
	k := &s.kbd
	s.activate(nil)
	var fire *binding
	if down {
		k.down.add(code)
		if b := s.matchBinding(code, k.mods); b != nil {
			k.eaten.add(code)
			fire = b
		}
	} else {
		k.down.remove(code)
	}
	eaten := k.eaten.has(code)
	if !down {
		k.eaten.remove(code)
	}
	changed := k.state.UpdateKey(uint32(code)+evdevOffset, down)
	if !eaten && (down || !s.keyHeldElsewhere(code, nil)) {
		s.sendKeyToFocus(t, code, down)
	}
	if changed&ChangedModifiers != 0 {
		s.updateModifiers()
	}
	if changed&ChangedLEDs != 0 {
		s.updateLEDs()
	}
	if fire != nil {
		fire.action()
	}
}

// sendKeyToFocus sends the key to every entered wl_keyboard whose record
// allows it: a press only where the key is up, a release only where it is
// down.
func (s *Seat) sendKeyToFocus(t uint32, code uint16, down bool) {
	k := &s.kbd
	if len(k.focused) == 0 {
		return
	}
	serial := s.serial()
	for _, kr := range k.focused {
		if down == kr.pressed.has(code) {
			continue
		}
		state := wayland.KeyboardKeyStateReleased
		if down {
			kr.pressed.add(code)
			state = wayland.KeyboardKeyStatePressed
		} else {
			kr.pressed.remove(code)
		}
		kr.r.SendKey(serial, t, uint32(code), state)
	}
}

// updateModifiers sends modifiers to the focused client when the XKB
// state's serialization changed.
func (s *Seat) updateModifiers() {
	k := &s.kbd
	m := k.state.Modifiers()
	if m == k.mods {
		return
	}
	k.mods = m
	if len(k.focused) == 0 {
		return
	}
	serial := s.serial()
	for _, kr := range k.focused {
		kr.r.SendModifiers(serial, m.Depressed, m.Latched, m.Locked, m.Group)
	}
}

// updateLEDs writes the indicators that changed to every physical keyboard.
func (s *Seat) updateLEDs() {
	k := &s.kbd
	leds := k.state.LEDs()
	changed := leds ^ k.leds
	if changed == 0 {
		return
	}
	k.leds = leds
	for _, d := range k.devices {
		d.writeLEDs(leds, changed)
	}
}

// enterResource sends enter with the keys down (minus the eaten ones, plus
// those virtual keyboards hold) and then modifiers to one wl_keyboard, and
// makes it a focused one. A wl_keyboard whose last keymap is not the
// keymap source's gets that keymap first.
func (s *Seat) enterResource(kr *keyboardResource, surface *wayland.Surface, serial uint32) {
	k := &s.kbd
	f, m := s.activeKeymap()
	s.ensureKeymap(kr, f)
	for i := range kr.pressed {
		kr.pressed[i] = k.down[i] &^ k.eaten[i]
		for _, vk := range k.virtuals {
			kr.pressed[i] |= vk.held[i]
		}
	}
	buf := k.keysBuf[:0]
	kr.pressed.each(func(code uint16) { buf = binary.NativeEndian.AppendUint32(buf, uint32(code)) })
	k.keysBuf = buf
	kr.r.SendEnter(serial, surface, buf)
	kr.r.SendModifiers(serial, m.Depressed, m.Latched, m.Locked, m.Group)
	kr.entered = true
	k.focused = append(k.focused, kr)
}

// leaveFocused sends leave to every focused wl_keyboard and forgets their
// keys: leave resets them on the client side, so no releases follow.
func (s *Seat) leaveFocused(surface *wayland.Surface) {
	k := &s.kbd
	if len(k.focused) > 0 {
		serial := s.serial()
		for _, kr := range k.focused {
			kr.r.SendLeave(serial, surface)
			kr.pressed.clear()
			kr.entered = false
		}
	}
	clear(k.focused)
	k.focused = k.focused[:0]
}

// SetKeymap replaces the keymap: a fresh XKB state is built, fed the keys
// currently down and given the old state's locked modifiers; every
// wl_keyboard receives the new keymap, and those of the focused client the
// modifiers in it (the others get them with their next enter). On error
// the old keymap stays.
func (s *Seat) SetKeymap(km Keymap) error {
	f, err := newKeymapFile(km.Text())
	if err != nil {
		return err
	}
	k := &s.kbd
	k.keymap.close()
	k.active = nil // every wl_keyboard gets the seat keymap below
	locked := k.state.Modifiers().Locked & 0xff
	k.km, k.keymap, k.state = km, f, km.NewState()
	k.down.each(func(code uint16) { k.state.UpdateKey(uint32(code)+evdevOffset, true) })
	k.state.LockMods(locked) // after the held keys: a held Caps Lock must not toggle it
	k.mods = k.state.Modifiers()
	var firstErr error
	for _, kr := range k.resources {
		if err := s.sendKeymap(kr); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if len(k.focused) > 0 {
		serial, m := s.serial(), k.mods
		for _, kr := range k.focused {
			kr.r.SendModifiers(serial, m.Depressed, m.Latched, m.Locked, m.Group)
		}
	}
	s.updateLEDs()
	return firstErr
}

// SetRepeat changes the repeat rate (keys/s, 0 = none) and delay (ms) and
// sends repeat_info to every wl_keyboard.
func (s *Seat) SetRepeat(rate, delay int32) {
	k := &s.kbd
	if rate == k.repeatRate && delay == k.repeatDelay {
		return
	}
	k.repeatRate, k.repeatDelay = rate, delay
	for _, kr := range k.resources {
		kr.r.SendRepeatInfo(rate, delay)
	}
}

// Modifiers returns the seat's current serialized modifiers.
func (s *Seat) Modifiers() Modifiers { return s.kbd.mods }

// LEDs returns the indicators currently lit.
func (s *Seat) LEDs() LEDs { return s.kbd.leds }

// KeyDown reports whether evdev key code is down on any keyboard.
func (s *Seat) KeyDown(code uint16) bool { return validKey(code) && s.kbd.down.has(code) }
