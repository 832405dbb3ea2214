package nested_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"flag"
	"image"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"gocomp/compositor"
	"gocomp/compositor/backend"
	"gocomp/compositor/backend/nested"
	"gocomp/compositor/headless"
	"gocomp/compositor/loop"
	"gocomp/protocols/client"
	"gocomp/protocols/client/testclient"
	"gocomp/protocols/server"
	"gocomp/seat"
)

// logBuffer is a log sink shared by a loop goroutine and the test.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// session is one gocomp compositor running in the test process on a loop
// goroutine of its own, with a real seat: the outer one on a headless
// backend, or an inner one on the nested backend.
type session struct {
	t      *testing.T
	socket string
	l      *loop.Loop
	srv    *compositor.Server
	input  *seat.Input
	log    *logBuffer
	logger *slog.Logger // writes to log
	done   chan error

	headless *headless.Backend // the outer session's backend
	devices  *testDevices      // the outer session's keyboard and pointer
}

// testDevices is an input source with one keyboard and one pointer that
// the test drives.
type testDevices struct {
	kbd backend.Keyboard
	ptr backend.Pointer
}

func (d *testDevices) Name() string { return "test devices" }

func (d *testDevices) Start(sink backend.InputSink) error {
	d.kbd = sink.AddKeyboard("test keyboard", nil)
	d.ptr = sink.AddPointer(backend.PointerInfo{Name: "test pointer"})
	return nil
}

func (d *testDevices) Close() error { return nil }

// runtimeDir gives the test an XDG_RUNTIME_DIR of its own.
func runtimeDir(t *testing.T) {
	t.Helper()
	dir, err := os.MkdirTemp("", "gocomp-nested")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("XDG_RUNTIME_DIR", dir)
	t.Setenv("WAYLAND_DISPLAY", "")
}

// startSession starts a compositor listening on socket with the backend
// newBackend makes and a seat configured by seatFlags (gocomp's keyboard
// flags, e.g. --xkb-layout=de). It stops at cleanup.
func startSession(t *testing.T, socket string, seatFlags []string, newBackend func(*session) (backend.Backend, error)) *session {
	t.Helper()
	s := &session{t: t, socket: socket, log: &logBuffer{}, done: make(chan error, 1)}
	log := slog.New(slog.NewTextHandler(s.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.logger = log
	var opts seat.Options
	fs := flag.NewFlagSet("seat", flag.ContinueOnError)
	opts.RegisterFlags(fs)
	if err := fs.Parse(append([]string{"--repeat-rate=0", "--no-terminate-binding"}, seatFlags...)); err != nil {
		t.Fatal(err)
	}
	var err error
	if s.l, err = loop.New(); err != nil {
		t.Fatal(err)
	}
	if s.input, err = seat.PrepareInput(seat.InputConfig{Loop: s.l, Options: &opts, Getenv: os.Getenv, Log: log}); err != nil {
		t.Fatal(err)
	}
	b, err := newBackend(s)
	if err != nil {
		t.Fatal(err)
	}
	s.srv, err = compositor.New(s.l, b, compositor.Config{Socket: socket, Log: log,
		NewSeat: func(d *server.Display, scene compositor.Scene) (compositor.Seat, error) {
			return s.input.Start(d, scene)
		}})
	if err != nil {
		b.Close()
		t.Fatal(err)
	}
	go func() {
		_, err := s.srv.Run(nil)
		s.done <- err
	}()
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("%s: %v", socket, err)
		}
		if t.Failed() {
			t.Logf("%s log:\n%s", socket, s.log.String())
		}
	})
	return s
}

// startOuter starts a headless compositor with one output of the given
// size and the test's keyboard and pointer.
func startOuter(t *testing.T, width, height int, seatFlags ...string) *session {
	t.Helper()
	return startSession(t, "outer", seatFlags, func(s *session) (backend.Backend, error) {
		s.devices = &testDevices{}
		var err error
		s.headless, err = headless.New(s.l, headless.Config{Inputs: []backend.InputSource{s.devices},
			Mode: backend.Mode{Width: width, Height: height, RefreshMHz: 60000}})
		return s.headless, err
	})
}

// startInner starts a nested compositor in the outer one; with hostKeymap
// it uses the host keyboard's keymap, as --nested-keymap host does.
func startInner(t *testing.T, outer *session, hostKeymap bool, seatFlags ...string) *session {
	t.Helper()
	return startSession(t, "inner", seatFlags, func(s *session) (backend.Backend, error) {
		cfg := nested.Config{Display: outer.socket, Mode: headless.DefaultMode(), Log: s.logger}
		if hostKeymap {
			cfg.HostKeymap = func(fd int, size uint32) {
				if err := s.input.Seat.SetKeymapFromFD("host keymap", fd, size); err != nil {
					t.Errorf("the host keymap: %v", err)
				}
			}
		}
		return nested.New(s.l, cfg)
	})
}

// stop ends the session as SIGTERM does and returns what Run returned.
// Idempotent.
func (s *session) stop() error {
	if s.l == nil {
		return nil
	}
	s.l.Post(func() { s.srv.Shutdown("test over") })
	var err error
	select {
	case err = <-s.done:
	case <-time.After(10 * time.Second):
		s.t.Fatalf("%s did not stop within 10 s", s.socket)
	}
	s.srv.Close()
	s.input.Close()
	s.l.Close()
	s.l = nil
	return err
}

// do runs fn on the session's loop goroutine and waits for it.
func (s *session) do(fn func()) {
	s.t.Helper()
	ch := make(chan struct{})
	s.l.Post(func() { fn(); close(ch) })
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		s.t.Fatalf("%s: the loop did not run posted work within 10 s", s.socket)
	}
}

// screen copies the outer session's first output as 0xRRGGBB pixels.
func (s *session) screen() *image.RGBA {
	var img *image.RGBA
	s.do(func() {
		fb := s.headless.Outputs()[0].Framebuffer()
		img = image.NewRGBA(image.Rect(0, 0, fb.Width, fb.Height))
		for y := range fb.Height {
			for x := range fb.Width {
				px := binary.LittleEndian.Uint32(fb.Data[y*fb.Stride+4*x:])
				img.Pix[img.PixOffset(x, y)] = uint8(px >> 16)
				img.Pix[img.PixOffset(x, y)+1] = uint8(px >> 8)
				img.Pix[img.PixOffset(x, y)+2] = uint8(px)
			}
		}
	})
	return img
}

// rgb returns the 0xRRGGBB value of img at (x, y).
func rgb(img *image.RGBA, x, y int) uint32 {
	i := img.PixOffset(x, y)
	return uint32(img.Pix[i])<<16 | uint32(img.Pix[i+1])<<8 | uint32(img.Pix[i+2])
}

// waitScreen polls the outer session's output until check returns "" and
// fails with check's last complaint after 10 s.
func (s *session) waitScreen(check func(*image.RGBA) string) *image.RGBA {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		img := s.screen()
		why := check(img)
		if why == "" {
			return img
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the outer output never showed what was expected: %s", why)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dial connects a test client to s.
func dial(t *testing.T, s *session) *testclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := testclient.Dial(ctx, s.socket, client.Options{})
	if err != nil {
		t.Fatalf("dial %s: %v", s.socket, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// ctxTimeout is a context that ends after 10 s (or with the test).
func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitFor waits up to 10 s for cond, dispatching c's events.
func waitFor(t *testing.T, c *testclient.Client, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.WaitFor(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// newWindow maps a window in c (width x height, 0 x 0 for the configured
// size) filled with color.
func newWindow(t *testing.T, c *testclient.Client, width, height int, color uint32) *testclient.Window {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w, err := c.NewWindow(ctx, "test", width, height, color)
	if err != nil {
		t.Fatal(err)
	}
	return w
}
