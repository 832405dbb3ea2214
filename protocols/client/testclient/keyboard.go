package testclient

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/wayland"

	"golang.org/x/sys/unix"
)

// Modifiers is the state of a wl_keyboard.modifiers event.
type Modifiers struct {
	Depressed, Latched, Locked, Group uint32
}

// Keyboard records the events of a wl_keyboard. Its fields are updated as
// events arrive; read them between waits.
type Keyboard struct {
	Proxy *wlclient.Keyboard

	// Keymap is the text of the last keymap (its fd is read and closed at
	// once); Keymaps counts keymap events.
	Keymap  string
	Keymaps int
	// Focus is the surface that has the keyboard focus, nil outside.
	Focus *wlclient.Surface
	// Down holds the keys the client was told are down, in press order.
	Down []uint32
	Mods Modifiers
	// RepeatRate and RepeatDelay come from repeat_info.
	RepeatRate, RepeatDelay int32
	// Events lists every event in short form: "keymap xkb_v1 <size>",
	// "enter <surface id> [<keys>]", "leave <surface id>",
	// "key <code> pressed|released|repeated", "mods <depressed> <latched>
	// <locked> <group>", "repeat <rate> <delay>". Serials and times are
	// left out so that tests can compare sequences.
	Events []string
	// Err is the first problem seen: a keymap that could not be read, or
	// an event that breaks wl_keyboard's contract (a key without focus, a
	// press of a key already down, a release of one that is not).
	Err error
}

// Keyboard gets a wl_keyboard from the seat and starts recording. The
// keymap and the rest arrive with the next waits.
func (c *Client) Keyboard() (*Keyboard, error) {
	if c.Seat == nil {
		return nil, fmt.Errorf("testclient: the server has no wl_seat")
	}
	p, err := c.Seat.GetKeyboard()
	if err != nil {
		return nil, err
	}
	k := &Keyboard{Proxy: p}
	p.SetListener(keyboardListener{k})
	return k, nil
}

// keyboardListener updates a Keyboard.
type keyboardListener struct{ *Keyboard }

// Release destroys the wl_keyboard (wl_keyboard.release).
func (k *Keyboard) Release() error { return k.Proxy.Release() }

func (k *Keyboard) record(format string, args ...any) {
	k.Events = append(k.Events, fmt.Sprintf(format, args...))
}

func (k *Keyboard) fail(format string, args ...any) {
	if k.Err == nil {
		k.Err = fmt.Errorf("testclient: wl_keyboard: "+format, args...)
	}
}

// Keymap runs on wl_keyboard.keymap: it reads the keymap and closes fd.
func (k keyboardListener) Keymap(_ *wlclient.Keyboard, format wayland.KeyboardKeymapFormat, fd int, size uint32) {
	defer unix.Close(fd)
	k.Keymaps++
	k.record("keymap %s %d", format, size)
	if size == 0 {
		k.fail("keymap of size 0")
		return
	}
	// From version 7 the fd may be sealed: map it privately.
	mem, err := unix.Mmap(fd, 0, int(size), unix.PROT_READ, unix.MAP_PRIVATE)
	if err != nil {
		k.fail("map the keymap: %v", err)
		return
	}
	k.Keyboard.Keymap = strings.TrimRight(string(mem), "\x00")
	unix.Munmap(mem)
}

// Enter runs on wl_keyboard.enter.
func (k keyboardListener) Enter(_ *wlclient.Keyboard, serial uint32, surface *wlclient.Surface, keys []byte) {
	k.Focus = surface
	k.Down = k.Down[:0]
	for i := 0; i+4 <= len(keys); i += 4 {
		k.Down = append(k.Down, binary.NativeEndian.Uint32(keys[i:]))
	}
	k.record("enter %d %v", surface.ID(), k.Down)
}

// Leave runs on wl_keyboard.leave.
func (k keyboardListener) Leave(_ *wlclient.Keyboard, serial uint32, surface *wlclient.Surface) {
	k.record("leave %d", surface.ID())
	k.Focus = nil
	k.Down = k.Down[:0]
}

// Key runs on wl_keyboard.key.
func (k keyboardListener) Key(_ *wlclient.Keyboard, serial, time, key uint32, state wayland.KeyboardKeyState) {
	k.record("key %d %s", key, state)
	if k.Focus == nil {
		k.fail("key %d without focus", key)
	}
	i := slices.Index(k.Down, key)
	switch state {
	case wayland.KeyboardKeyStatePressed:
		if i >= 0 {
			k.fail("press of key %d, which is already down", key)
			return
		}
		k.Down = append(k.Down, key)
	case wayland.KeyboardKeyStateReleased:
		if i < 0 {
			k.fail("release of key %d, which is not down", key)
			return
		}
		k.Down = slices.Delete(k.Down, i, i+1)
	}
}

// Modifiers runs on wl_keyboard.modifiers.
func (k keyboardListener) Modifiers(_ *wlclient.Keyboard, serial, depressed, latched, locked, group uint32) {
	k.Mods = Modifiers{depressed, latched, locked, group}
	k.record("mods %d %d %d %d", depressed, latched, locked, group)
}

// RepeatInfo runs on wl_keyboard.repeat_info.
func (k keyboardListener) RepeatInfo(_ *wlclient.Keyboard, rate, delay int32) {
	k.RepeatRate, k.RepeatDelay = rate, delay
	k.record("repeat %d %d", rate, delay)
}
