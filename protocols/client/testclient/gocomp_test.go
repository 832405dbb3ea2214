package testclient_test

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"gocomp/compositor"
	"gocomp/compositor/backend"
	"gocomp/compositor/headless"
	"gocomp/compositor/loop"
	"gocomp/protocols/client"
	"gocomp/protocols/client/testclient"
	"gocomp/protocols/server"
	"gocomp/seat"
)

// inProcess is gocomp's compositor and seat, with one keyboard that the
// test presses, running on a loop goroutine of this process (the binary
// gets keyboards only from /dev/input, which this host lacks).
type inProcess struct {
	l      *loop.Loop
	socket string
	kbd    backend.Keyboard
	now    time.Duration
}

func startInProcess(t *testing.T) *inProcess {
	t.Helper()
	runtimeDir(t)
	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	out, err := headless.New(l, headless.Config{})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	var opts seat.Options
	noXKBEnv := func(k string) string { // the default layout, whatever the host sets
		if strings.HasPrefix(k, "XKB_DEFAULT_") {
			return ""
		}
		return os.Getenv(k)
	}
	input, err := seat.PrepareInput(seat.InputConfig{Loop: l, Options: &opts, Getenv: noXKBEnv, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := compositor.New(l, out, compositor.Config{Log: log,
		NewSeat: func(d *server.Display, sc compositor.Scene) (compositor.Seat, error) { return input.Start(d, sc) }})
	if err != nil {
		t.Fatal(err)
	}
	g := &inProcess{l: l, socket: srv.SocketName()}
	ran := make(chan error, 1)
	go func() {
		_, err := srv.Run(nil)
		ran <- err
	}()
	g.do(t, func() { g.kbd = input.Seat.AddKeyboard("test keyboard", nil) })
	t.Cleanup(func() {
		l.Post(func() { srv.Shutdown("test over") })
		if err := <-ran; err != nil {
			t.Errorf("compositor: %v", err)
		}
		input.Close()
		srv.Close()
		l.Close()
	})
	return g
}

// do runs fn on the compositor's loop goroutine and waits for it.
func (g *inProcess) do(t *testing.T, fn func()) {
	t.Helper()
	onLoop(t, g.l, fn)
}

// onLoop runs fn on l's goroutine and waits for it.
func onLoop(t *testing.T, l *loop.Loop, fn func()) {
	t.Helper()
	done := make(chan struct{})
	l.Post(func() { fn(); close(done) })
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a loop did not run a posted function")
	}
}

// key presses or releases evdev code on the test keyboard.
func (g *inProcess) key(t *testing.T, code uint16, down bool) {
	g.do(t, func() {
		g.now += time.Millisecond
		g.kbd.Key(g.now, code, down)
	})
}

// TestGocompKeyboard: gocomp's seat sends the keymap (read and closed by
// the recorder: several keyboards later, no fd is left open), focuses the
// mapped window, and the keys typed arrive with their modifiers.
func TestGocompKeyboard(t *testing.T) {
	g := startInProcess(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := testclient.Dial(ctx, g.socket, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	kb, err := c.Keyboard()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitFor(ctx, func() bool { return kb.Keymaps == 1 && kb.RepeatRate != 0 }); err != nil {
		t.Fatalf("waiting for keymap and repeat info: %v (events %q)", err, kb.Events)
	}
	if !strings.HasPrefix(kb.Keymap, "xkb_keymap") || kb.Err != nil {
		t.Fatalf("keymap %.40q, %v", kb.Keymap, kb.Err)
	}

	before := openFDs(t)
	var more []*testclient.Keyboard
	for range 5 {
		k, err := c.Keyboard()
		if err != nil {
			t.Fatal(err)
		}
		more = append(more, k)
	}
	if err := c.WaitFor(ctx, func() bool {
		return !slices.ContainsFunc(more, func(k *testclient.Keyboard) bool { return k.Keymaps == 0 })
	}); err != nil {
		t.Fatal(err)
	}
	for _, k := range more {
		if err := k.Release(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Roundtrip(ctx); err != nil {
		t.Fatal(err)
	}
	// The compositor's goroutine may hold a transient fd in either count.
	if after := fdsSettle(t, before); after > before {
		t.Errorf("open fds %d -> %d after five keymaps: the keymap fds leaked", before, after)
	}

	w, err := c.NewWindow(ctx, "keyboard", 0, 0, 0x336699)
	if err != nil {
		t.Fatal(err)
	}
	if w.Width <= 0 || w.Height <= 0 || int32(w.Width) != w.Configures[0].Width && w.Configures[0].Width != 0 {
		t.Errorf("window %dx%d after configure %+v", w.Width, w.Height, w.Configures[0])
	}
	if err := c.WaitFor(ctx, func() bool { return kb.Focus == w.Surface }); err != nil {
		t.Fatalf("waiting for the keyboard focus: %v (events %q)", err, kb.Events)
	}
	n := len(kb.Events)
	const shift, a = 42, 30
	g.key(t, shift, true)
	g.key(t, a, true)
	g.key(t, a, false)
	g.key(t, shift, false)
	want := []string{"key 42 pressed", "mods 1 0 0 0", "key 30 pressed", "key 30 released", "key 42 released", "mods 0 0 0 0"}
	if err := c.WaitFor(ctx, func() bool { return len(kb.Events) >= n+len(want) }); err != nil {
		t.Fatalf("waiting for the keys: %v (events %q)", err, kb.Events[n:])
	}
	if got := kb.Events[n:]; !slices.Equal(got, want) {
		t.Errorf("events %q; want %q", got, want)
	}
	if kb.Err != nil || len(kb.Down) != 0 {
		t.Errorf("recorder: %v, keys down %v", kb.Err, kb.Down)
	}
}

// fdsSettle returns the number of open fds once it is at most want, or
// after 2 s.
func fdsSettle(t *testing.T, want int) int {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := openFDs(t)
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(5 * time.Millisecond)
	}
}
