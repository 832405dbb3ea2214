package nested_test

import (
	"fmt"
	"image"
	"slices"
	"strings"
	"testing"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
	"gocomp/protocols/wayland"
	"gocomp/protocols/xdgshell"
)

// The evdev codes the keyboard tests press.
const (
	keyLeftCtrl  = 29
	keyLeftShift = 42
	keyA         = 30
	btnLeft      = 0x110
)

// region checks that the pixels of img inside r are all want, and those
// outside r are all outside; it names the first pixel that is not.
func region(img *image.RGBA, r image.Rectangle, want, outside uint32) string {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			w := outside
			if (image.Point{x, y}).In(r) {
				w = want
			}
			if got := rgb(img, x, y); got != w {
				return fmt.Sprintf("pixel (%d,%d) is %06x, want %06x (%v holds %06x, the rest %06x)", x, y, got, w, r, want, outside)
			}
		}
	}
	return ""
}

func TestInnerClientShowsCentredInTheHostWindow(t *testing.T) {
	runtimeDir(t)
	outer := startOuter(t, 640, 480, "--hide-cursor") // the region check wants no cursor on top
	inner := startInner(t, outer, false)
	c := dial(t, inner)
	const blue = 0x3366cc
	newWindow(t, c, 200, 100, blue)
	// The host window is fullscreen in the outer kiosk (640x480), so the
	// inner output is 640x480 and the 200x100 client sits centred on
	// black in it, pixel for pixel.
	outer.waitScreen(func(img *image.RGBA) string {
		return region(img, image.Rect(220, 190, 420, 290), blue, 0x000000)
	})
	if !strings.Contains(inner.log.String(), "mode=640x480@60") {
		t.Errorf("the inner output did not take the host window's size:\n%s", inner.log.String())
	}
}

func TestHostResizeReconfiguresTheInnerClients(t *testing.T) {
	runtimeDir(t)
	outer := startOuter(t, 640, 480, "--hide-cursor")
	inner := startInner(t, outer, false)
	c := dial(t, inner)
	w := newWindow(t, c, 0, 0, 0xcc0000)
	if w.Width != 640 || w.Height != 480 {
		t.Fatalf("the inner client was configured to %dx%d; want the host window's 640x480", w.Width, w.Height)
	}
	outer.waitScreen(func(img *image.RGBA) string { return region(img, img.Bounds(), 0xcc0000, 0) })

	// The outer output changes mode: its kiosk toplevel (the inner's
	// window) is configured to the new size, the inner output follows, and
	// so does the inner's fullscreen client.
	outer.do(func() {
		if err := outer.headless.SetMode(outer.headless.Outputs()[0], headlessMode(800, 600)); err != nil {
			t.Error(err)
		}
	})
	configures := len(w.Configures)
	waitFor(t, c, "a configure of the new size", func() bool {
		return len(w.Configures) > configures && w.Configures[len(w.Configures)-1].Width == 800
	})
	last := w.Configures[len(w.Configures)-1]
	if last.Width != 800 || last.Height != 600 || !slices.Contains(last.States, xdgshell.ToplevelStateFullscreen) {
		t.Errorf("configure after the resize = %+v; want 800x600 fullscreen", last)
	}
	if err := w.Resize(800, 600, 0x00aa00); err != nil {
		t.Fatal(err)
	}
	outer.waitScreen(func(img *image.RGBA) string {
		if img.Bounds().Dx() != 800 {
			return fmt.Sprintf("the outer output is %v", img.Bounds())
		}
		return region(img, img.Bounds(), 0x00aa00, 0)
	})
	if !strings.Contains(inner.log.String(), "the host window was resized") {
		t.Errorf("the inner did not log the resize:\n%s", inner.log.String())
	}
}

func TestHostKeyboardGoesThroughTheInnerKeymap(t *testing.T) {
	for _, tc := range []struct {
		name       string
		hostKeymap bool
		want       string // the layout name in the keymap the inner client gets
	}{
		{"own keymap", false, `name[Group1]="German"`},
		{"host keymap", true, `name[Group1]="English (US)"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runtimeDir(t)
			outer := startOuter(t, 640, 480, "--xkb-layout=us")
			inner := startInner(t, outer, tc.hostKeymap, "--xkb-layout=de")
			c := dial(t, inner)
			k, err := c.Keyboard()
			if err != nil {
				t.Fatal(err)
			}
			w := newWindow(t, c, 0, 0, 0x202020)
			waitFor(t, c, "keyboard focus and the keymap", func() bool {
				return k.Focus == w.Surface && strings.Contains(k.Keymap, tc.want)
			})
			kbd := outer.devices.kbd
			press := func(code uint16, down bool) { outer.do(func() { kbd.Key(loop.Now(), code, down) }) }

			// Shift+A: the inner's XKB state sets Shift for its client.
			from := len(k.Events)
			press(keyLeftShift, true)
			press(keyA, true)
			press(keyA, false)
			waitFor(t, c, "Shift+A", func() bool { return slices.Contains(k.Events[from:], "key 30 released") })
			got := strings.Join(k.Events[from:], "; ")
			if want := "key 42 pressed; mods 1 0 0 0; key 30 pressed; key 30 released"; got != want {
				t.Errorf("inner client events = %q; want %q", got, want)
			}

			// Another outer client takes the focus while Shift is held: the
			// host keyboard leaves the inner's window and the inner client
			// sees Shift released, no key stuck.
			from = len(k.Events)
			other := dial(t, outer)
			newWindow(t, other, 0, 0, 0x0000ff)
			waitFor(t, c, "Shift released on host focus loss", func() bool { return len(k.Down) == 0 && k.Mods.Depressed == 0 })
			got = strings.Join(k.Events[from:], "; ")
			if want := "key 42 released; mods 0 0 0 0"; got != want {
				t.Errorf("on host focus loss the inner client got %q; want %q", got, want)
			}
			press(keyLeftShift, false)

			// Ctrl is pressed elsewhere; when the inner's window gets the
			// focus back, the host reports it down and the inner presses it.
			press(keyLeftCtrl, true)
			from = len(k.Events)
			other.Close()
			waitFor(t, c, "Ctrl held at host enter", func() bool { return k.Mods.Depressed == 4 })
			got = strings.Join(k.Events[from:], "; ")
			if want := "key 29 pressed; mods 4 0 0 0"; got != want {
				t.Errorf("on host enter with Ctrl held the inner client got %q; want %q", got, want)
			}
			press(keyLeftCtrl, false)
			waitFor(t, c, "Ctrl released", func() bool { return k.Mods.Depressed == 0 })
			if k.Err != nil {
				t.Error(k.Err)
			}
		})
	}
}

func TestHostPointerAndCursor(t *testing.T) {
	runtimeDir(t)
	outer := startOuter(t, 640, 480)
	inner := startInner(t, outer, false)
	c := dial(t, inner)
	waitFor(t, c, "the host pointer on the inner seat", func() bool { return c.SeatCaps&wayland.SeatCapabilityPointer != 0 })
	p, err := c.Pointer()
	if err != nil {
		t.Fatal(err)
	}
	const grey = 0x808080
	w := newWindow(t, c, 0, 0, grey)
	ptr := outer.devices.ptr
	outer.do(func() {
		ptr.MotionAbsolute(loop.Now(), "HEADLESS-1", 0.25, 0.5)
		ptr.Frame()
	})
	waitFor(t, c, "the pointer over the inner client at (160, 240)", func() bool {
		return p.Focus == w.Surface && p.X == 160 && p.Y == 240
	})
	outer.do(func() {
		ptr.Button(loop.Now(), btnLeft, true)
		ptr.Frame()
		ptr.Button(loop.Now(), btnLeft, false)
		ptr.Frame()
	})
	waitFor(t, c, "a click", func() bool {
		return slices.ContainsFunc(p.Events, func(e string) bool { return strings.Contains(e, "button 272 released") })
	})

	// The inner seat's cursor is the host pointer's: the outer draws it at
	// the pointer, over the inner window.
	cursorShown := func(img *image.RGBA) string {
		for y := 240; y < 250; y++ {
			for x := 160; x < 170; x++ {
				if rgb(img, x, y) != grey {
					return ""
				}
			}
		}
		return "no cursor pixel near (160, 240)"
	}
	outer.waitScreen(cursorShown)

	// The client hides its cursor: so does the host pointer.
	if err := p.Proxy.SetCursor(p.EnterSerial, nil, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := c.Conn.Flush(); err != nil {
		t.Fatal(err)
	}
	outer.waitScreen(func(img *image.RGBA) string { return region(img, img.Bounds(), grey, 0) })
}

func TestHostGoingAwayEndsTheSession(t *testing.T) {
	runtimeDir(t)
	outer := startOuter(t, 320, 240)
	inner := startInner(t, outer, false)
	dial(t, inner)
	if err := outer.stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-inner.done:
		if err == nil || !strings.Contains(err.Error(), "host compositor") || !strings.Contains(err.Error(), "closed the connection") {
			t.Errorf("inner session ended with %v; want an error saying the host compositor closed the connection", err)
		}
		inner.done <- nil // checked here: stop has nothing to add
	case <-time.After(10 * time.Second):
		t.Fatal("the inner session did not end when its host went away")
	}
}

// headlessMode is a 60 Hz mode.
func headlessMode(w, h int) backend.Mode { return backend.Mode{Width: w, Height: h, RefreshMHz: 60000} }
