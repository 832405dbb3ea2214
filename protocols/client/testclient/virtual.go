package testclient

import (
	"fmt"

	"gocomp/protocols/client/vkbdclient"
	"gocomp/protocols/virtualkeyboard"
	"gocomp/protocols/wayland"

	"golang.org/x/sys/unix"
)

// VirtualKeyboard is a zwp_virtual_keyboard_v1 a test types with: its
// keys reach the focused client through the compositor's seat, as a
// typing tool's (wtype) or an on-screen keyboard's do.
type VirtualKeyboard struct {
	Proxy *vkbdclient.VirtualKeyboardV1
	time  uint32 // the time stamp of the next event, in ms
}

// VirtualKeyboard creates a virtual keyboard on the client's seat,
// binding zwp_virtual_keyboard_manager_v1 on first use. Give it a keymap
// (Keymap) before keys.
func (c *Client) VirtualKeyboard() (*VirtualKeyboard, error) {
	if c.Seat == nil {
		return nil, fmt.Errorf("testclient: the server has no wl_seat")
	}
	if c.vkbdManager == nil {
		m, err := vkbdclient.BindVirtualKeyboardManagerV1(c.Registry, virtualkeyboard.VirtualKeyboardManagerV1Version)
		if err != nil {
			return nil, err
		}
		c.vkbdManager = m
	}
	p, err := c.vkbdManager.CreateVirtualKeyboard(c.Seat)
	if err != nil {
		return nil, err
	}
	return &VirtualKeyboard{Proxy: p}, nil
}

// Keymap sends text (format xkb_v1) in a memfd holding text and its
// terminating NUL, the size counting both, as clients do.
func (k *VirtualKeyboard) Keymap(text string) error {
	fd, err := MemfdWith("testclient-keymap", append([]byte(text), 0))
	if err != nil {
		return err
	}
	defer unix.Close(fd) // the request carries its own duplicate
	return k.Proxy.Keymap(uint32(wayland.KeyboardKeymapFormatXkbV1), fd, uint32(len(text)+1))
}

// Key presses (or releases) evdev key code.
func (k *VirtualKeyboard) Key(code uint32, pressed bool) error {
	state := wayland.KeyboardKeyStateReleased
	if pressed {
		state = wayland.KeyboardKeyStatePressed
	}
	k.time++
	return k.Proxy.Key(k.time, code, uint32(state))
}

// Type presses and releases each evdev key code in turn.
func (k *VirtualKeyboard) Type(codes ...uint32) error {
	for _, code := range codes {
		if err := k.Key(code, true); err != nil {
			return err
		}
		if err := k.Key(code, false); err != nil {
			return err
		}
	}
	return nil
}

// Modifiers sends a serialized modifier state, in the keymap's indices.
func (k *VirtualKeyboard) Modifiers(depressed, latched, locked, group uint32) error {
	return k.Proxy.Modifiers(depressed, latched, locked, group)
}

// Destroy destroys the virtual keyboard; the compositor releases the keys
// it held.
func (k *VirtualKeyboard) Destroy() error { return k.Proxy.Destroy() }

// MemfdWith returns a new memfd holding data (the caller closes it): the
// fd a keymap or a shm pool travels in.
func MemfdWith(name string, data []byte) (int, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("testclient: memfd_create: %w", err)
	}
	for off := 0; off < len(data); {
		n, err := unix.Write(fd, data[off:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			unix.Close(fd)
			return -1, fmt.Errorf("testclient: write memfd: %w", err)
		}
		off += n
	}
	return fd, nil
}
