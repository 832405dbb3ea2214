package testclient_test

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"gocomp/compositor/loop"
	"gocomp/protocols/client"
	"gocomp/protocols/client/testclient"
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"
	"gocomp/protocols/xdgshell"

	"golang.org/x/sys/unix"
)

// seatServer is gocomp's server runtime with the globals Dial binds and a
// seat with a pointer and a keyboard, serving a socket from a loop
// goroutine; the test sends events through do.
type seatServer struct {
	l         *loop.Loop
	d         *server.Display
	socket    string
	surfaces  []*wayland.Surface
	pointers  []*wayland.Pointer
	keyboards []*wayland.Keyboard
}

func startSeatServer(t *testing.T) *seatServer {
	t.Helper()
	dir := runtimeDir(t)
	s := &seatServer{d: server.NewDisplay(server.Options{}), socket: "seat-test"}
	var err error
	if s.l, err = loop.New(); err != nil {
		t.Fatal(err)
	}
	_, err1 := wayland.AddCompositorGlobal(s.d, 6, func(r *wayland.Compositor) error { r.SetHandler(s); return nil })
	_, err2 := wayland.AddShmGlobal(s.d, 1, func(r *wayland.Shm) error { return nil })
	_, err3 := xdgshell.AddWmBaseGlobal(s.d, 1, func(r *xdgshell.WmBase) error { return nil })
	_, err4 := wayland.AddSeatGlobal(s.d, 9, func(r *wayland.Seat) error {
		r.SetHandler(s)
		r.SendCapabilities(wayland.SeatCapabilityPointer | wayland.SeatCapabilityKeyboard)
		return nil
	})
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	lfd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(lfd, &unix.SockaddrUnix{Name: filepath.Join(dir, s.socket)}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(lfd, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := s.l.AddFD(lfd, loop.Readable, func(loop.Events) { s.accept(lfd) }); err != nil {
		t.Fatal(err)
	}
	s.l.AddBeforeWait(s.d.FlushClients)
	ran := make(chan error, 1)
	go func() { ran <- s.l.Run() }()
	t.Cleanup(func() {
		s.l.Post(func() {
			s.d.Close()
			s.l.Stop()
		})
		if err := <-ran; err != nil {
			t.Errorf("server loop: %v", err)
		}
		s.l.Close()
		unix.Close(lfd)
	})
	return s
}

// accept serves a new client.
func (s *seatServer) accept(lfd int) {
	fd, _, err := unix.Accept4(lfd, unix.SOCK_CLOEXEC)
	if err != nil {
		return
	}
	var src *loop.FDSource
	c, err := s.d.NewClient(fd, server.ClientHooks{Disconnected: func(*server.Client, error) { src.Remove() }})
	if err != nil {
		unix.Close(fd)
		return
	}
	src, _ = s.l.AddFD(fd, loop.Readable, func(loop.Events) { c.HandleReadable() })
}

// do runs fn on the server's loop goroutine and waits for it.
func (s *seatServer) do(t *testing.T, fn func()) {
	t.Helper()
	onLoop(t, s.l, fn)
}

func (s *seatServer) CreateSurface(_ *wayland.Compositor, id *wayland.Surface) error {
	s.surfaces = append(s.surfaces, id)
	return nil
}

func (s *seatServer) CreateRegion(*wayland.Compositor, *wayland.Region) error { return nil }

func (s *seatServer) GetPointer(_ *wayland.Seat, id *wayland.Pointer) error {
	s.pointers = append(s.pointers, id)
	return nil
}

func (s *seatServer) GetKeyboard(_ *wayland.Seat, id *wayland.Keyboard) error {
	s.keyboards = append(s.keyboards, id)
	return nil
}

func (s *seatServer) GetTouch(*wayland.Seat, *wayland.Touch) error { return nil }

func (s *seatServer) Release(*wayland.Seat) error { return nil }

// TestPointerRecorder sends a pointer's events from the server runtime and
// checks the recorder's log and state.
func TestPointerRecorder(t *testing.T) {
	s := startSeatServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := testclient.Dial(ctx, s.socket, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.SeatCaps != wayland.SeatCapabilityPointer|wayland.SeatCapabilityKeyboard {
		t.Errorf("seat capabilities %v", c.SeatCaps)
	}
	surf, err := c.Compositor.CreateSurface()
	if err != nil {
		t.Fatal(err)
	}
	ptr, err := c.Pointer()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Roundtrip(ctx); err != nil {
		t.Fatal(err)
	}
	const btnLeft = 272
	s.do(t, func() {
		p, srf := s.pointers[0], s.surfaces[0]
		p.SendEnter(11, srf, wire.FixedFromFloat(10.5), wire.FixedFromInt(20))
		p.SendFrame()
		p.SendButton(12, 1000, btnLeft, wayland.PointerButtonStatePressed)
		p.SendFrame()
		p.SendMotion(1001, wire.FixedFromInt(11), wire.FixedFromFloat(21.25))
		p.SendAxisSource(wayland.PointerAxisSourceWheel)
		p.SendAxisValue120(wayland.PointerAxisVerticalScroll, 120)
		p.SendAxis(1002, wayland.PointerAxisVerticalScroll, wire.FixedFromInt(15))
		p.SendAxisStop(1003, wayland.PointerAxisVerticalScroll)
		p.SendFrame()
	})
	want := []string{
		"enter " + strconv.FormatUint(uint64(surf.ID()), 10) + " 10.5 20", "frame",
		"button 272 pressed", "frame",
		"motion 11 21.25", "axis_source wheel", "axis_value120 vertical_scroll 120",
		"axis vertical_scroll 15", "axis_stop vertical_scroll", "frame",
	}
	if err := c.WaitFor(ctx, func() bool { return len(ptr.Events) >= len(want) }); err != nil {
		t.Fatalf("waiting for pointer events: %v (got %q)", err, ptr.Events)
	}
	if !slices.Equal(ptr.Events, want) {
		t.Errorf("events %q\nwant   %q", ptr.Events, want)
	}
	if ptr.Focus != surf || ptr.X != 11 || ptr.Y != 21.25 || !slices.Equal(ptr.Buttons, []uint32{btnLeft}) || ptr.EnterSerial != 11 {
		t.Errorf("state: focus %v at %g,%g buttons %v serial %d", ptr.Focus, ptr.X, ptr.Y, ptr.Buttons, ptr.EnterSerial)
	}
	s.do(t, func() { s.pointers[0].SendLeave(13, s.surfaces[0]) })
	if err := c.WaitFor(ctx, func() bool { return ptr.Focus == nil }); err != nil {
		t.Fatal(err)
	}
	if len(ptr.Buttons) != 0 {
		t.Errorf("buttons %v after leave", ptr.Buttons)
	}
}

// TestKeyboardContract: the recorder reports events that break
// wl_keyboard's rules.
func TestKeyboardContract(t *testing.T) {
	tests := []struct {
		name string
		send func(k *wayland.Keyboard, srf *wayland.Surface)
		want bool // an error is expected
	}{
		{"key without focus", func(k *wayland.Keyboard, _ *wayland.Surface) {
			k.SendKey(1, 1, 30, wayland.KeyboardKeyStatePressed)
		}, true},
		{"press twice", func(k *wayland.Keyboard, srf *wayland.Surface) {
			k.SendEnter(1, srf, nil)
			k.SendKey(2, 1, 30, wayland.KeyboardKeyStatePressed)
			k.SendKey(3, 1, 30, wayland.KeyboardKeyStatePressed)
		}, true},
		{"release of a key not down", func(k *wayland.Keyboard, srf *wayland.Surface) {
			k.SendEnter(1, srf, []byte{30, 0, 0, 0})
			k.SendKey(2, 1, 30, wayland.KeyboardKeyStateReleased)
			k.SendKey(3, 1, 31, wayland.KeyboardKeyStateReleased)
		}, true},
		{"keys held at enter, then released", func(k *wayland.Keyboard, srf *wayland.Surface) {
			k.SendEnter(1, srf, []byte{30, 0, 0, 0, 42, 0, 0, 0})
			k.SendKey(2, 1, 30, wayland.KeyboardKeyStateReleased)
			k.SendKey(3, 1, 42, wayland.KeyboardKeyStateReleased)
		}, false},
	}
	s := startSeatServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, tt := range tests {
		c, err := testclient.Dial(ctx, s.socket, client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Compositor.CreateSurface(); err != nil {
			t.Fatal(err)
		}
		kb, err := c.Keyboard()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Roundtrip(ctx); err != nil {
			t.Fatal(err)
		}
		s.do(t, func() {
			tt.send(s.keyboards[i], s.surfaces[i])
			s.keyboards[i].SendModifiers(9, 0, 0, 0, 0)
		})
		if err := c.WaitFor(ctx, func() bool { return slices.Contains(kb.Events, "mods 0 0 0 0") }); err != nil {
			t.Fatal(err)
		}
		if (kb.Err != nil) != tt.want {
			t.Errorf("%s: recorder error %v; want one: %v (events %q)", tt.name, kb.Err, tt.want, kb.Events)
		}
		c.Close()
	}
}
