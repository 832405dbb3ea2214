package seat_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gocomp/protocols/client"
	"gocomp/protocols/client/testclient"
	"gocomp/protocols/virtualkeyboard"
	"gocomp/protocols/wayland"

	"golang.org/x/sys/unix"
)

// TestVirtualKeyboardBadInput sends what the virtual keyboard protocol
// forbids or what cannot be a keymap: each client gets no_keymap on its
// virtual keyboard, with a message saying why, and is disconnected; a
// focused bystander keeps getting the seat keyboard's keys after each.
func TestVirtualKeyboardBadInput(t *testing.T) {
	g := startGocomp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	by, err := testclient.Dial(ctx, g.socket, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer by.Close()
	w, err := by.NewWindow(ctx, "bystander", 0, 0, 0x101010)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := by.Keyboard()
	if err != nil {
		t.Fatal(err)
	}
	if err := by.WaitFor(ctx, func() bool { return kb.Focus == w.Surface }); err != nil {
		t.Fatal(err)
	}
	const validKeymap = "xkb_keymap { xkb_keycodes { <A> = 38; }; xkb_types { include \"complete\" }; " +
		"xkb_compatibility { include \"complete\" }; xkb_symbols { key <A> { [ a ] }; }; };"

	for _, tc := range []struct {
		name string
		send func(vk *testclient.VirtualKeyboard) error
		msg  string
	}{
		{"key before keymap", func(vk *testclient.VirtualKeyboard) error { return vk.Key(30, true) }, "before a keymap"},
		{"modifiers before keymap", func(vk *testclient.VirtualKeyboard) error { return vk.Modifiers(1, 0, 0, 0) }, "before a keymap"},
		{"garbage keymap", func(vk *testclient.VirtualKeyboard) error { return vk.Keymap("this is { not ; a keymap") }, "keymap rejected"},
		{"keymap including a file that does not exist", func(vk *testclient.VirtualKeyboard) error {
			return vk.Keymap(strings.Replace(validKeymap, `include "complete" }; xkb_comp`, `include "no-such-types" }; xkb_comp`, 1))
		}, "keymap rejected"},
		{"keymap fd shorter than its size", func(vk *testclient.VirtualKeyboard) error {
			fd, err := testclient.MemfdWith("short", []byte(validKeymap))
			if err != nil {
				return err
			}
			defer unix.Close(fd)
			return vk.Proxy.Keymap(uint32(wayland.KeyboardKeymapFormatXkbV1), fd, uint32(len(validKeymap)+100))
		}, "fewer than the size"},
		{"keymap of format no_keymap", func(vk *testclient.VirtualKeyboard) error {
			fd, err := testclient.MemfdWith("fmt", []byte(validKeymap+"\x00"))
			if err != nil {
				return err
			}
			defer unix.Close(fd)
			return vk.Proxy.Keymap(uint32(wayland.KeyboardKeymapFormatNoKeymap), fd, uint32(len(validKeymap)+1))
		}, "not xkb_v1"},
		{"keymap with data after its NUL", func(vk *testclient.VirtualKeyboard) error {
			fd, err := testclient.MemfdWith("tail", []byte(validKeymap+"\x00junk"))
			if err != nil {
				return err
			}
			defer unix.Close(fd)
			return vk.Proxy.Keymap(uint32(wayland.KeyboardKeymapFormatXkbV1), fd, uint32(len(validKeymap)+5))
		}, "after its terminating NUL"},
	} {
		c, err := testclient.Dial(ctx, g.socket, client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		vk, err := c.VirtualKeyboard()
		if err != nil {
			t.Fatal(err)
		}
		if err := tc.send(vk); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		err = c.Roundtrip(ctx)
		var perr *client.ProtocolError
		if !errors.As(err, &perr) || perr.ObjectID != vk.Proxy.ID() ||
			perr.Code != uint32(virtualkeyboard.VirtualKeyboardV1ErrorNoKeymap) || !strings.Contains(perr.Message, tc.msg) {
			t.Errorf("%s: %v; want no_keymap on %s saying %q", tc.name, err, vk.Proxy, tc.msg)
		}
		c.Close()
		g.key(30, true)
		g.key(30, false)
		n := len(kb.Events)
		if err := by.WaitFor(ctx, func() bool {
			return strings.Join(kb.Events[n:], "|") == "key 30 pressed|key 30 released" || len(kb.Events) > n+2
		}); err != nil {
			t.Fatalf("after %s the bystander: %v", tc.name, err)
		}
		if got := kb.Events[n:]; strings.Join(got, "|") != "key 30 pressed|key 30 released" {
			// The seat keymap comes back first when a virtual keyboard
			// typed last; none did here.
			t.Errorf("after %s the bystander got %q", tc.name, got)
		}
	}
	if kb.Err != nil {
		t.Error(kb.Err)
	}

	// The valid keymap the cases above broke is accepted, and its key
	// reaches the bystander after the keymap.
	c, err := testclient.Dial(ctx, g.socket, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	vk, err := c.VirtualKeyboard()
	if err != nil {
		t.Fatal(err)
	}
	if err := vk.Keymap(validKeymap); err != nil {
		t.Fatal(err)
	}
	n, maps := len(kb.Events), kb.Keymaps
	if err := vk.Type(30); err != nil {
		t.Fatal(err)
	}
	if err := c.Roundtrip(ctx); err != nil {
		t.Fatalf("a valid keymap: %v", err)
	}
	if err := by.WaitFor(ctx, func() bool { return strings.Contains(strings.Join(kb.Events[n:], "|"), "key 30 released") }); err != nil {
		t.Fatal(err)
	}
	if kb.Keymaps != maps+1 || !strings.HasPrefix(kb.Events[n], "keymap ") {
		t.Errorf("the bystander got %q (%d keymaps before, %d after); want the virtual keyboard's keymap first", kb.Events[n:], maps, kb.Keymaps)
	}
	if !strings.Contains(kb.Keymap, "<A>") {
		t.Errorf("the bystander's keymap is not the virtual keyboard's:\n%.300s", kb.Keymap)
	}
}
