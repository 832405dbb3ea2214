package seat

import (
	"fmt"
)

// VirtualKeyboard is a keyboard a client drives (zwp_virtual_keyboard_v1):
// it brings its own keymap and XKB state. Its keys go to the focused
// client like a physical keyboard's, but they do not enter the seat's XKB
// state, its key counts or its bindings: its key codes mean what its own
// keymap says.
//
// The seat's keymap source is the keyboard that typed last: the seat's
// physical keyboards (sharing the seat keymap) or one virtual keyboard.
// Before keys from a source reach a wl_keyboard that last received another
// keymap, that wl_keyboard gets the source's keymap and then its modifiers;
// entering a surface does the same.
type VirtualKeyboard struct {
	seat    *Seat
	name    string
	km      Keymap
	file    *keymapFile // nil until SetKeymap
	state   State
	mods    Modifiers
	held    keySet
	removed bool
}

// modsSetter is implemented by states that can take a serialized
// modifier state as a whole (a virtual keyboard's modifiers request).
type modsSetter interface {
	// SetModifiers replaces the depressed, latched and locked modifiers
	// and the locked group, and reports what changed.
	SetModifiers(m Modifiers) Changes
}

// AddVirtualKeyboard adds a virtual keyboard called name (for logs) with
// no keymap yet. The seat has the keyboard capability while any keyboard,
// physical or virtual, is on it.
func (s *Seat) AddVirtualKeyboard(name string) *VirtualKeyboard {
	vk := &VirtualKeyboard{seat: s, name: name}
	s.kbd.virtuals = append(s.kbd.virtuals, vk)
	s.updateCapabilities()
	s.log.Debug("seat: virtual keyboard added", "name", name)
	return vk
}

// HasKeymap reports whether SetKeymap succeeded at least once.
func (vk *VirtualKeyboard) HasKeymap() bool { return vk.file != nil }

// SetKeymap makes km the keyboard's keymap, with a fresh XKB state fed the
// keys it holds. When the keyboard is the seat's keymap source, the
// focused client gets the new keymap and the modifiers at once. On error
// the old keymap stays.
func (vk *VirtualKeyboard) SetKeymap(km Keymap) error {
	if vk.removed {
		return fmt.Errorf("seat: keymap for removed virtual keyboard %s", vk.name)
	}
	f, err := newKeymapFile(km.Text())
	if err != nil {
		return fmt.Errorf("seat: virtual keyboard %s: %w", vk.name, err)
	}
	old := vk.file
	vk.km, vk.file, vk.state = km, f, km.NewState()
	vk.held.each(func(code uint16) { vk.state.UpdateKey(uint32(code)+evdevOffset, true) })
	vk.mods = vk.state.Modifiers()
	s := vk.seat
	if s.kbd.active == vk {
		s.kbd.active = nil // makes activate send the new keymap
		s.activate(vk)
	}
	old.close()
	return nil
}

// Key reports a key transition of evdev code at t (milliseconds, the
// client's clock). A press of a key the keyboard holds, a release of one
// it does not, codes that are not keyboard keys and keys before a keymap
// are ignored (the protocol layer reports the missing keymap).
func (vk *VirtualKeyboard) Key(t uint32, code uint16, pressed bool) {
	if vk.removed || vk.file == nil || !validKey(code) || pressed == vk.held.has(code) {
		return
	}
	if pressed {
		vk.held.add(code)
	} else {
		vk.held.remove(code)
	}
	s := vk.seat
	s.activate(vk)
	changed := vk.state.UpdateKey(uint32(code)+evdevOffset, pressed)
	if pressed || !s.keyHeldElsewhere(code, vk) {
		s.sendKeyToFocus(t, code, pressed)
	}
	if changed&ChangedModifiers != 0 {
		vk.mods = vk.state.Modifiers()
		s.sendModifiersToFocus(vk.mods)
	}
}

// SetModifiers sets the keyboard's serialized modifier state, as a client
// computing its own state reports it, and sends it to the focused client.
// Ignored before a keymap.
func (vk *VirtualKeyboard) SetModifiers(m Modifiers) {
	if vk.removed || vk.file == nil {
		return
	}
	if ms, ok := vk.state.(modsSetter); ok {
		ms.SetModifiers(m)
		m = vk.state.Modifiers()
	}
	vk.mods = m
	s := vk.seat
	if s.kbd.active != vk {
		s.activate(vk) // sends vk.mods after the keymap
		return
	}
	s.sendModifiersToFocus(m)
}

// Remove takes the keyboard off the seat: every key it holds is released
// (a release reaches the client unless another keyboard still holds the
// key), and the seat's keymap source returns to the physical keyboards,
// whose keymap the focused client gets again when one of them types.
// Idempotent and nil-safe.
func (vk *VirtualKeyboard) Remove() {
	if vk == nil || vk.removed {
		return
	}
	vk.held.each(func(code uint16) { vk.Key(0, code, false) })
	vk.removed = true
	s := vk.seat
	if s.kbd.active == vk {
		s.kbd.active = nil
	}
	s.kbd.virtuals = removeItem(s.kbd.virtuals, vk)
	vk.file.close()
	s.updateCapabilities()
	s.log.Debug("seat: virtual keyboard removed", "name", vk.name)
}

// keyHeldElsewhere reports whether a keyboard other than vk (a physical
// one, counted seat-wide, or another virtual one) holds code, so its
// release must not reach the client yet.
func (s *Seat) keyHeldElsewhere(code uint16, vk *VirtualKeyboard) bool {
	k := &s.kbd
	if k.count[code] > 0 {
		return true
	}
	for _, o := range k.virtuals {
		if o != vk && o.held.has(code) {
			return true
		}
	}
	return false
}

// activeKeymap returns the keymap file and modifiers of the seat's keymap
// source.
func (s *Seat) activeKeymap() (*keymapFile, Modifiers) {
	if vk := s.kbd.active; vk != nil {
		return vk.file, vk.mods
	}
	return s.kbd.keymap, s.kbd.mods
}

// activate makes vk (nil: the physical keyboards) the seat's keymap
// source. Every focused wl_keyboard whose last keymap is not the source's
// gets it; those and, when the source changed, every focused wl_keyboard
// then get the source's modifiers. When nothing changes it sends nothing
// and allocates nothing: it runs on every key.
func (s *Seat) activate(vk *VirtualKeyboard) {
	k := &s.kbd
	switched := k.active != vk
	k.active = vk
	if len(k.focused) == 0 {
		return
	}
	f, m := s.activeKeymap()
	var serial uint32
	for _, kr := range k.focused {
		if !s.ensureKeymap(kr, f) && !switched {
			continue
		}
		if serial == 0 {
			serial = s.serial()
		}
		kr.r.SendModifiers(serial, m.Depressed, m.Latched, m.Locked, m.Group)
	}
}

// ensureKeymap sends f to kr unless kr's last keymap has the same text,
// and reports whether it sent it.
func (s *Seat) ensureKeymap(kr *keyboardResource, f *keymapFile) bool {
	if kr.keymap == f {
		return false
	}
	if kr.keymap != nil && kr.keymap.text == f.text {
		kr.keymap = f
		return false
	}
	if err := s.sendKeymapFile(kr, f); err != nil {
		s.log.Warn("seat: cannot send keymap", "keyboard", kr.r.String(), "err", err)
		return false
	}
	return true
}

// sendModifiersToFocus sends m to every focused wl_keyboard.
func (s *Seat) sendModifiersToFocus(m Modifiers) {
	k := &s.kbd
	if len(k.focused) == 0 {
		return
	}
	serial := s.serial()
	for _, kr := range k.focused {
		kr.r.SendModifiers(serial, m.Depressed, m.Latched, m.Locked, m.Group)
	}
}
