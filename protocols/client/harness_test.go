package client_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"gocomp/compositor/loop"
	"gocomp/protocols/client"
	"gocomp/protocols/client/internal/testproto/testsrv"
	"gocomp/protocols/client/testclient"
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"

	"golang.org/x/sys/unix"
)

// rig is our client and our server on the two ends of a socketpair, both
// driven by one compositor/loop loop on the test goroutine, wired the way
// package doc.go says an owner wires them.
type rig struct {
	t   *testing.T
	l   *loop.Loop
	d   *server.Display
	srv *server.Client
	c   *client.Conn

	failed   []error // the client's Failed hook calls
	writable []bool  // the client's WantWritable hook calls

	surfaces []*wayland.Surface // created by the client, in order
	frames   int                // frame callbacks answered
	fds      []*testsrv.Fds     // bound tst_fds resources
	sent     []recvFDs          // what tst_fds.send delivered to the server
	echoFDs  [3]int             // the server's own fds for tst_fds.echo
}

// recvFDs is one tst_fds.send as the server saw it.
type recvFDs struct {
	fds [3]int
	tag uint32
}

// newRig starts a server with wl_compositor v6, wl_shm v1 and tst_fds v2
// and connects a client with opts (the rig sets the hooks).
func newRig(t *testing.T, opts client.Options) *rig {
	t.Helper()
	r := &rig{t: t, echoFDs: [3]int{-1, -1, -1}}
	var err error
	if r.l, err = loop.New(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.l.Close() })
	r.d = server.NewDisplay(server.Options{})
	t.Cleanup(r.d.Close)
	r.addGlobals()
	r.l.AddBeforeWait(r.d.FlushClients)

	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	var srvSrc *loop.FDSource
	r.srv, err = r.d.NewClient(pair[0], server.ClientHooks{
		Disconnected: func(*server.Client, error) { srvSrc.Remove() },
		WantWritable: func(_ *server.Client, want bool) { srvSrc.SetMask(mask(want)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	srvSrc, err = r.l.AddFD(pair[0], loop.Readable, func(ev loop.Events) {
		if ev&loop.Writable != 0 {
			r.srv.Flush()
		}
		if ev&^loop.Writable != 0 {
			r.srv.HandleReadable()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	r.c, _ = connectToLoop(t, r.l, pair[1], opts, &r.failed, &r.writable)
	return r
}

// mask is the loop mask for a connection that does or does not wait to
// write.
func mask(writable bool) loop.Events {
	if writable {
		return loop.Readable | loop.Writable
	}
	return loop.Readable
}

// connectToLoop makes a client.Conn on fd and drives it from l as the
// package documentation shows, recording the hooks' calls.
func connectToLoop(t *testing.T, l *loop.Loop, fd int, opts client.Options, failed *[]error, writable *[]bool) (*client.Conn, *loop.FDSource) {
	t.Helper()
	var src *loop.FDSource
	opts.WantWritable = func(want bool) {
		*writable = append(*writable, want)
		src.SetMask(mask(want))
	}
	opts.Failed = func(err error) {
		*failed = append(*failed, err)
		src.Remove()
	}
	c, err := client.NewConn(fd, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	src, err = l.AddFD(c.Fd(), loop.Readable, func(ev loop.Events) {
		if ev&loop.Writable != 0 {
			c.Flush()
		}
		if ev&^loop.Writable != 0 {
			c.HandleReadable()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	l.AddBeforeWait(func() { c.Flush() })
	return c, src
}

// until runs the loop until cond holds, failing the test after 5 s.
func (r *rig) until(what string, cond func() bool) {
	r.t.Helper()
	runUntil(r.t, r.l, what, cond)
}

func runUntil(t *testing.T, l *loop.Loop, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		if err := l.Dispatch(50 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
}

// roundtrip runs the loop until a Sync sent now is answered.
func (r *rig) roundtrip() {
	r.t.Helper()
	done := false
	if err := r.c.Sync(func(uint32) { done = true }); err != nil {
		r.t.Fatalf("Sync: %v", err)
	}
	r.until("sync", func() bool { return done })
}

func (r *rig) addGlobals() {
	t := r.t
	if _, err := wayland.AddCompositorGlobal(r.d, 6, func(res *wayland.Compositor) error {
		res.SetHandler(compositor{r})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := wayland.AddShmGlobal(r.d, 1, func(res *wayland.Shm) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := testsrv.AddFdsGlobal(r.d, 2, func(res *testsrv.Fds) error {
		r.fds = append(r.fds, res)
		res.SetHandler(fdsServer{r})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// compositor serves wl_compositor: surfaces answer frame at once.
type compositor struct{ r *rig }

func (c compositor) CreateSurface(_ *wayland.Compositor, id *wayland.Surface) error {
	c.r.surfaces = append(c.r.surfaces, id)
	id.SetHandler(surface{r: c.r})
	return nil
}

func (c compositor) CreateRegion(*wayland.Compositor, *wayland.Region) error { return nil }

// surface serves the wl_surface requests the tests send; the others are
// left to the nil embedded handler (a test sending them would crash).
type surface struct {
	wayland.SurfaceHandler
	r *rig
}

func (s surface) Destroy(*wayland.Surface) error { return nil }

func (s surface) Attach(*wayland.Surface, *wayland.Buffer, int32, int32) error { return nil }

func (s surface) SetInputRegion(*wayland.Surface, *wayland.Region) error { return nil }

func (s surface) Frame(_ *wayland.Surface, cb *wayland.Callback) error {
	s.r.frames++
	cb.SendDone(uint32(s.r.frames))
	return nil
}

// fdsServer serves tst_fds.
type fdsServer struct{ r *rig }

func (f fdsServer) Send(_ *testsrv.Fds, a, b, c int, tag uint32) error {
	f.r.sent = append(f.r.sent, recvFDs{fds: [3]int{a, b, c}, tag: tag})
	return nil
}

// Echo sends the rig's echo fds back (duplicates of them).
func (f fdsServer) Echo(res *testsrv.Fds, tag uint32) error {
	res.SendFds(f.r.echoFDs[0], f.r.echoFDs[1], f.r.echoFDs[2], tag)
	return nil
}

// Spawn creates a tst_child, announces it and pings it with an fd.
func (f fdsServer) Spawn(res *testsrv.Fds, tag uint32) error {
	child, err := testsrv.NewChild(res.Client(), res.Version())
	if err != nil {
		return err
	}
	res.SendChild(child, tag)
	label := "hello"
	child.SendPing(f.r.echoFDs[0], &label)
	return nil
}

func (f fdsServer) Fail(res *testsrv.Fds, code uint32, message string) error {
	return server.Errorf(res, code, "%s", message)
}

func (f fdsServer) Destroy(*testsrv.Fds) error { return nil }

func (f fdsServer) Poke(res *testsrv.Fds) error {
	res.SendPoked()
	return nil
}

// openFDs counts this process's open fds.
func openFDs(t testing.TB) int {
	t.Helper()
	n, err := testclient.OpenFDs()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// tempFiles returns n open files in a temporary directory, closed at
// cleanup, to pass as fds.
func tempFiles(t *testing.T, n int) []*os.File {
	t.Helper()
	var files []*os.File
	for range n {
		f, err := os.CreateTemp(t.TempDir(), "fd")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		files = append(files, f)
	}
	return files
}

// sameFile reports whether fd refers to f.
func sameFile(t *testing.T, fd int, f *os.File) bool {
	t.Helper()
	var a, b unix.Stat_t
	if err := unix.Fstat(fd, &a); err != nil {
		return false
	}
	if err := unix.Fstat(int(f.Fd()), &b); err != nil {
		t.Fatal(err)
	}
	return a.Dev == b.Dev && a.Ino == b.Ino
}

// errorsAsProtocol returns err as a *client.ProtocolError.
func errorsAsProtocol(err error) (*client.ProtocolError, bool) {
	var pe *client.ProtocolError
	ok := errors.As(err, &pe)
	return pe, ok
}
