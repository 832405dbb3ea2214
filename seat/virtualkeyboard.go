package seat

import (
	"fmt"
	"strings"

	"gocomp/protocols/server"
	"gocomp/protocols/virtualkeyboard"
	"gocomp/protocols/wayland"
	"gocomp/xkb/compile"

	"golang.org/x/sys/unix"
)

// VirtualKeyboardVersion is the zwp_virtual_keyboard_manager_v1 version
// the seat implements.
const VirtualKeyboardVersion = 1

// maxKeymapError bounds the compiler's message quoted in the protocol
// error a client gets for a keymap that does not compile.
const maxKeymapError = 400

// BindVirtualKeyboardManager runs when a client binds
// zwp_virtual_keyboard_manager_v1 (the bind function for
// virtualkeyboard.AddVirtualKeyboardManagerV1Global). Every client may
// create virtual keyboards; the compositor leaves the global out to deny
// them all.
func (s *Seat) BindVirtualKeyboardManager(r *virtualkeyboard.VirtualKeyboardManagerV1) error {
	r.SetHandler(virtualKeyboardManager{s})
	return nil
}

// virtualKeyboardManager serves one zwp_virtual_keyboard_manager_v1.
type virtualKeyboardManager struct{ s *Seat }

// CreateVirtualKeyboard runs on create_virtual_keyboard: the new keyboard
// joins the seat without a keymap; destroying it (or the client leaving)
// removes it and releases its keys.
func (m virtualKeyboardManager) CreateVirtualKeyboard(r *virtualkeyboard.VirtualKeyboardManagerV1, seat *wayland.Seat, id *virtualkeyboard.VirtualKeyboardV1) error {
	if _, err := server.ImplArg[*Seat](seat, "a wl_seat of this compositor"); err != nil {
		return err
	}
	name := id.String()
	if pid, _, _, err := id.Client().Credentials(); err == nil {
		name = fmt.Sprintf("%s of pid %d", id, pid)
	}
	vr := &virtualKeyboardResource{vk: m.s.AddVirtualKeyboard(name)}
	id.SetHandler(vr)
	id.OnDestroy(vr.vk.Remove)
	return nil
}

// virtualKeyboardResource serves one zwp_virtual_keyboard_v1.
type virtualKeyboardResource struct{ vk *VirtualKeyboard }

// Keymap runs on zwp_virtual_keyboard_v1.keymap; it owns fd. The text is
// compiled with the seat's XKB compiler and include path (clients such as
// wtype write `include "complete"`). A keymap that cannot be read or
// compiled is the no_keymap protocol error, the only one the protocol
// names, with the reason: the keyboard has no usable keymap. Only that
// client is disconnected.
func (vr *virtualKeyboardResource) Keymap(r *virtualkeyboard.VirtualKeyboardV1, format uint32, fd int, size uint32) error {
	defer unix.Close(fd)
	noKeymap := uint32(virtualkeyboard.VirtualKeyboardV1ErrorNoKeymap)
	if format != uint32(wayland.KeyboardKeymapFormatXkbV1) {
		return server.Errorf(r, noKeymap, "keymap format %d is not xkb_v1 (%d)", format, wayland.KeyboardKeymapFormatXkbV1)
	}
	b, err := readKeymapFD(fd, size)
	if err != nil {
		return server.Errorf(r, noKeymap, "keymap rejected: %v", err)
	}
	km, err := vr.vk.seat.compileClientKeymap(vr.vk.name, b)
	if err != nil {
		return server.Errorf(r, noKeymap, "keymap rejected: %s", truncate(err.Error(), maxKeymapError))
	}
	if err := vr.vk.SetKeymap(km); err != nil {
		return err // the compositor could not create the memfd: an implementation error
	}
	return nil
}

// Key runs on zwp_virtual_keyboard_v1.key: state 1 presses, 0 releases
// (other values are ignored). A key before a keymap is the no_keymap
// protocol error.
func (vr *virtualKeyboardResource) Key(r *virtualkeyboard.VirtualKeyboardV1, time, key, state uint32) error {
	if !vr.vk.HasKeymap() {
		return server.Errorf(r, uint32(virtualkeyboard.VirtualKeyboardV1ErrorNoKeymap), "key %d sent before a keymap", key)
	}
	if key > maxKey || state > uint32(wayland.KeyboardKeyStatePressed) {
		return nil
	}
	vr.vk.Key(time, uint16(key), state == uint32(wayland.KeyboardKeyStatePressed))
	return nil
}

// Modifiers runs on zwp_virtual_keyboard_v1.modifiers; before a keymap it
// is the no_keymap protocol error.
func (vr *virtualKeyboardResource) Modifiers(r *virtualkeyboard.VirtualKeyboardV1, depressed, latched, locked, group uint32) error {
	if !vr.vk.HasKeymap() {
		return server.Errorf(r, uint32(virtualkeyboard.VirtualKeyboardV1ErrorNoKeymap), "modifiers sent before a keymap")
	}
	vr.vk.SetModifiers(Modifiers{Depressed: depressed, Latched: latched, Locked: locked, Group: group})
	return nil
}

// Destroy runs on zwp_virtual_keyboard_v1.destroy; the destroy hook
// removes the keyboard.
func (vr *virtualKeyboardResource) Destroy(*virtualkeyboard.VirtualKeyboardV1) error { return nil }

// SetKeymapFromFD makes the keymap another party passed as a keymap fd of
// size bytes (format xkb_v1, as wl_keyboard.keymap sends it: a host
// compositor's, for a nested gocomp) the seat's keymap, compiled like a
// client's with the seat's include path and caps-lock policy. The caller
// keeps fd. On error the keymap in use stays.
func (s *Seat) SetKeymapFromFD(name string, fd int, size uint32) error {
	b, err := readKeymapFD(fd, size)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	km, err := s.compileClientKeymap(name, b)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return s.SetKeymap(km)
}

// compileClientKeymap compiles keymap bytes a client sent with the seat's
// include path and caps-lock policy.
func (s *Seat) compileClientKeymap(name string, b []byte) (*XKBKeymap, error) {
	text, err := keymapText(b)
	if err != nil {
		return nil, err
	}
	km, err := compile.FromText(name, text, s.keymapDirs)
	if err != nil {
		return nil, err
	}
	return NewXKBKeymap(km, s.settings.CapsLock), nil
}

// truncate shortens s to at most n bytes (on a rune boundary), marking the
// cut, and keeps only its first line.
func truncate(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n] + "..."
}
