package seat_test

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gocomp/compositor"
	"gocomp/compositor/backend"
	"gocomp/compositor/headless"
	"gocomp/compositor/loop"
	"gocomp/protocols/server"
	"gocomp/seat"
	"gocomp/xkb/compile"
	"gocomp/xkb/keymap"
	"gocomp/xkb/keysym"
	"gocomp/xkb/state"
)

// gocomp is the compositor with the seat, headless, its loop running on
// its own goroutine; the test reaches the seat through Post.
type gocomp struct {
	t      *testing.T
	l      *loop.Loop
	srv    *compositor.Server
	input  *seat.Input
	kbd    backend.Keyboard
	ptr    backend.Pointer
	socket string
	ran    chan error
	now    time.Duration
	logs   *logBuffer
}

// logBuffer collects the compositor's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// waitLog waits until the log holds n lines containing s.
func (g *gocomp) waitLog(s string, n int) {
	g.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.logs.mu.Lock()
		text := g.logs.buf.String()
		g.logs.mu.Unlock()
		if strings.Count(text, s) >= n {
			return
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("log never had %d lines with %q:\n%s", n, s, text)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// getenvNoXKB is the environment minus XKB_DEFAULT_*.
func getenvNoXKB(k string) string {
	if strings.HasPrefix(k, "XKB_DEFAULT_") {
		return ""
	}
	return os.Getenv(k)
}

// startGocomp runs the compositor with the seat flags args and one
// keyboard (no evdev devices on the host).
func startGocomp(t *testing.T, args ...string) *gocomp {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", dir)
	var opts seat.Options
	fs := flag.NewFlagSet("gocomp", flag.ContinueOnError)
	opts.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	g := &gocomp{t: t, l: l, ran: make(chan error, 1), logs: &logBuffer{}}
	// The test's keyboard comes through the input-source contract, as
	// evdev keyboards and a nested backend's host keyboard do.
	src := &testSource{added: func(kb backend.Keyboard, p backend.Pointer) { g.kbd, g.ptr = kb, p }}
	b, err := headless.New(l, headless.Config{Inputs: []backend.InputSource{src}})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(g.logs, nil))
	g.input, err = seat.PrepareInput(seat.InputConfig{Loop: l, Options: &opts, Getenv: getenvNoXKB, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	g.srv, err = compositor.New(l, b, compositor.Config{
		Log:     log,
		NewSeat: func(d *server.Display, sc compositor.Scene) (compositor.Seat, error) { return g.input.Start(d, sc) },
	})
	if err != nil {
		t.Fatal(err)
	}
	g.socket = g.srv.SocketName()
	go func() {
		_, err := g.srv.Run(nil)
		g.ran <- err
	}()
	if g.kbd == nil {
		t.Fatal("the input source's keyboard did not reach the seat")
	}
	t.Cleanup(func() {
		g.l.Post(func() { g.srv.Shutdown("test over") })
		if err := <-g.ran; err != nil {
			t.Errorf("server: %v", err)
		}
		g.input.Close()
		g.srv.Close()
		if !src.closed {
			t.Errorf("the backend did not close its input source")
		}
		l.Close()
	})
	return g
}

// testSource is an input source with one keyboard and one mouse.
type testSource struct {
	added  func(backend.Keyboard, backend.Pointer)
	closed bool
}

func (s *testSource) Name() string { return "test" }

func (s *testSource) Start(sink backend.InputSink) error {
	s.added(sink.AddKeyboard("test keyboard", nil), sink.AddPointer(backend.PointerInfo{Name: "test mouse"}))
	return nil
}

func (s *testSource) Close() error {
	s.closed = true
	return nil
}

// do runs fn on the loop goroutine and waits for it.
func (g *gocomp) do(fn func()) {
	done := make(chan struct{})
	g.l.Post(func() { fn(); close(done) })
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		g.t.Fatal("loop did not run a posted function")
	}
}

// key presses (down) or releases evdev key code on the test keyboard.
func (g *gocomp) key(code uint16, down bool) {
	g.do(func() {
		g.now += time.Millisecond
		g.kbd.Key(g.now, code, down)
	})
}

// focusIs waits until the seat's focus is c's surface.
func (g *gocomp) focusIs(c *wlClient) {
	g.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ok bool
		g.do(func() {
			f := g.input.Seat.Focus()
			c.mu.Lock()
			ok = f != nil && c.surface != nil && f.ID() == uint32(c.surface.Id())
			c.mu.Unlock()
		})
		if ok {
			return
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("%s never got the focus", c.name)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestTwoClients: keys go only to the focused client; moving the focus
// with a key held gives leave to one and enter with the key to the other;
// neither ever sees an unmatched press or release (the clients check every
// event as it arrives).
func TestTwoClients(t *testing.T) {
	checkLeaks(t)
	g := startGocomp(t)
	a := dialClient(t, g.socket, "A")
	defer a.close()
	b := dialClient(t, g.socket, "B")
	defer b.close()
	for _, c := range []*wlClient{a, b} {
		c.waitFor(0, "keymap and repeat info", endsWith("keymap", "repeat 25 600"))
	}

	a.mapWindow()
	g.focusIs(a)
	a.waitFor(2, "enter", endsWith("enter", "mods 0 0 0 0"))
	g.key(30, true)
	g.key(30, false)
	a.waitFor(4, "A typed", endsWith("key 30 1", "key 30 0"))

	// B maps: it takes the focus. Q is held across the change.
	g.key(16, true)
	a.waitFor(6, "Q down at A", endsWith("key 16 1"))
	b.mapWindow()
	g.focusIs(b)
	a.waitFor(7, "leave", endsWith("leave"))
	b.waitFor(2, "enter with Q", endsWith("enter 16", "mods 0 0 0 0"))
	g.key(16, false)
	g.key(42, true) // Shift
	g.key(17, true)
	g.key(17, false)
	g.key(42, false)
	b.waitFor(4, "B typed", endsWith("key 16 0", "key 42 1", "mods 1 0 0 0", "key 17 1", "key 17 0", "key 42 0", "mods 0 0 0 0"))

	// B unmaps with W held: the focus returns to A, which gets W in enter.
	g.key(17, true)
	b.waitFor(11, "W down at B", endsWith("key 17 1"))
	b.unmapWindow()
	g.focusIs(a)
	b.waitFor(12, "leave", endsWith("leave"))
	a.waitFor(8, "enter with W", endsWith("enter 17", "mods 0 0 0 0"))
	g.key(17, false)
	a.waitFor(10, "W released at A", endsWith("key 17 0"))

	// B saw nothing while it had no focus: mapped again, the events after
	// its leave are exactly the new enter and its modifiers (the
	// compositor writes to B in order, so a stray event would come first).
	left := len(b.log())
	b.mapWindow()
	g.focusIs(b)
	if evs := b.waitFor(left, "enter again", endsWith("enter", "mods 0 0 0 0")); len(evs) != 2 {
		t.Errorf("B got events while it had no focus: %q", evs)
	}
	t.Logf("A: %q", a.log())
	t.Logf("B: %q", b.log())
}

// groupMaskRE matches an indicator's group mask in keymap text v1.
var groupMaskRE = regexp.MustCompile(`groups= 0x([0-9a-f]+);`)

// decodeKeymap compiles a received keymap text as a client would. The
// group masks are rewritten as group names first: xkb/compile's FromText
// reads "groups= 0xfe" as a group number, where libxkbcommon reads a mask.
func decodeKeymap(t *testing.T, text string) *keymap.Keymap {
	t.Helper()
	text = groupMaskRE.ReplaceAllStringFunc(text, func(m string) string {
		v, _ := strconv.ParseUint(groupMaskRE.FindStringSubmatch(m)[1], 16, 8)
		var names []string
		for g := range 4 {
			if v&(1<<g) != 0 {
				names = append(names, "Group"+strconv.Itoa(g+1))
			}
		}
		if len(names) == 0 {
			return "groups= none;"
		}
		return "groups= " + strings.Join(names, "+") + ";"
	})
	km, err := compile.FromText("received keymap", []byte(text), nil)
	if err != nil {
		t.Fatalf("received keymap does not compile: %v", err)
	}
	return km
}

// TestSIGHUPChangesLayout: gocomp runs with --config naming layout us; the
// file is changed to de and gocomp gets SIGHUP: the connected client
// receives a new keymap and then modifiers, and the key y types z with it.
// A broken file and another SIGHUP change nothing.
func TestSIGHUPChangesLayout(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "keyboard.conf")
	write := func(s string) {
		if err := os.WriteFile(conf, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("xkb-layout = us\n")
	g := startGocomp(t, "-config", conf)
	a := dialClient(t, g.socket, "A")
	defer a.close()
	a.mapWindow()
	g.focusIs(a)
	a.waitFor(0, "enter", endsWith("enter", "mods 0 0 0 0"))

	g.waitLog("seat: keyboard ready", 1) // SIGHUP is handled from now on
	write("xkb-layout = de\n")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	a.waitFor(4, "new keymap then modifiers", endsWith("keymap", "mods 0 0 0 0"))
	g.key(21, true)
	g.key(21, false)
	a.waitFor(6, "y typed", endsWith("key 21 1", "key 21 0"))

	a.mu.Lock()
	keymaps := slices.Clone(a.keymaps)
	a.mu.Unlock()
	if len(keymaps) != 2 {
		t.Fatalf("%d keymaps; want 2", len(keymaps))
	}
	for i, want := range []string{"y", "z"} {
		km := decodeKeymap(t, keymaps[i])
		st := state.New(km, state.Options{})
		if got := keysym.Name(st.KeyOneSym(21 + 8)); got != want {
			t.Errorf("keymap %d: key y gives %s; want %s", i, got, want)
		}
	}

	write("xkb-layout = de\nrepeat-rate = many\n")
	n := len(a.log())
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	g.waitLog("keyboard settings not reloaded", 1)
	g.key(21, true)
	g.key(21, false)
	if evs := a.waitFor(n, "y typed again", endsWith("key 21 1", "key 21 0")); len(evs) != 2 {
		t.Errorf("events after a broken config and SIGHUP: %q; want only the key", evs)
	}
	var layout string
	g.do(func() { layout = g.input.Seat.Settings().Names.Layout })
	if layout != "de" {
		t.Errorf("layout %q after the broken config; want de", layout)
	}
}

// checkLeaks records the open fds and goroutines now and, when t and all
// its cleanups are done, checks that the compositor, the seat and the
// clients left none behind. Register it first: cleanups run last-in,
// first-out.
func checkLeaks(t *testing.T) {
	t.Helper()
	// The Go runtime's poller fds appear with the first network use.
	if c, err := net.Dial("unix", "/nonexistent"); err == nil {
		c.Close()
	}
	// So does os/signal's watcher goroutine with the first Notify.
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGWINCH)
	signal.Stop(ch)
	fds, goroutines := openFDs(t), runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for {
			nf, ng := openFDs(t), runtime.NumGoroutine()
			if nf <= fds && ng <= goroutines {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("leaked: %d fds (%d before), %d goroutines (%d before)", nf, fds, ng, goroutines)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestCursorOnScreen: the seat's mouse puts the theme's arrow on the
// output at the pointer position (its hotspot there), and moves it;
// --hide-cursor draws none.
func TestCursorOnScreen(t *testing.T) {
	cursor, err := seat.LoadCursor(getenvNoXKB)
	if err != nil {
		t.Fatalf("%v (make deps installs adwaita-icon-theme)", err)
	}
	for _, hide := range []bool{false, true} {
		var args []string
		if hide {
			args = []string{"--hide-cursor"}
		}
		g := startGocomp(t, args...)
		var shot *image.RGBA
		g.do(func() {
			g.ptr.MotionAbsolute(time.Second, "", 0.25, 0.5) // (320, 360) on 1280x720
			g.ptr.Frame()
			shot = g.srv.Screenshot()
		})
		x0, y0 := 320-cursor.HotX, 360-cursor.HotY
		drawn := 0
		for y := range cursor.Pixels.Height {
			for x := range cursor.Pixels.Width {
				px := cursor.Pixels.Data[y*cursor.Pixels.Stride+4*x:]
				if px[3] != 0xff {
					continue // blended edges: compare the opaque pixels only
				}
				want := color.RGBA{px[2], px[1], px[0], 0xff}
				if got := shot.RGBAAt(x0+x, y0+y); got == want && want != (color.RGBA{0, 0, 0, 0xff}) {
					drawn++
				}
			}
		}
		// Everything away from the cursor is the black background.
		if c := shot.RGBAAt(1000, 100); c != (color.RGBA{0, 0, 0, 0xff}) {
			t.Errorf("background pixel %v", c)
		}
		switch {
		case !hide && drawn < 20:
			t.Errorf("only %d of the arrow's opaque light pixels at the pointer position", drawn)
		case hide && drawn != 0:
			t.Errorf("--hide-cursor: %d cursor pixels drawn", drawn)
		}
		if !hide {
			var nonBlack int
			for y := range shot.Bounds().Dy() {
				for x := range shot.Bounds().Dx() {
					if shot.RGBAAt(x, y) != (color.RGBA{0, 0, 0, 0xff}) {
						nonBlack++
					}
				}
			}
			if nonBlack > cursor.Pixels.Width*cursor.Pixels.Height {
				t.Errorf("%d non-background pixels; want only the cursor's", nonBlack)
			}
		}
	}
}

// TestPointerMotionAllocatesNothingInGocomp: through the real compositor
// (cursor damage, the output's frame scheduling), a pointer motion
// allocates nothing once the buffers have grown.
func TestPointerMotionAllocatesNothingInGocomp(t *testing.T) {
	g := startGocomp(t)
	var allocs float64
	g.do(func() {
		now := time.Second
		step := 3.0
		move := func() {
			now += 8 * time.Millisecond
			step = -step
			g.ptr.Motion(now, step, step)
			g.ptr.Frame()
		}
		for range 100 {
			move()
		}
		allocs = testing.AllocsPerRun(200, move)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per pointer motion; want 0", allocs)
	}
}
