package server_test

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"

	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

// event is one message the test client received.
type event struct {
	sender uint32
	opcode uint16
	args   []byte
	fds    int
}

func (e event) uint(i int) uint32 { return binary.NativeEndian.Uint32(e.args[4*i:]) }

// testClient is a raw protocol client on one end of a socketpair whose other
// end is a server.Client, driven synchronously from the test goroutine.
type testClient struct {
	t      testing.TB
	d      *server.Display
	srv    *server.Client
	conn   *wire.Conn
	gone   bool
	reason error
	events []event
}

func newTestClient(t testing.TB, d *server.Display) *testClient {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	tc := &testClient{t: t, d: d}
	tc.srv, err = d.NewClient(fds[0], server.ClientHooks{
		Disconnected: func(c *server.Client, reason error) {
			if tc.gone {
				t.Errorf("Disconnected called twice")
			}
			tc.gone, tc.reason = true, reason
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	tc.conn, err = wire.NewConn(fds[1], 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tc.conn.Close() })
	return tc
}

// send encodes one request and writes it, with optional fds.
func (tc *testClient) send(id uint32, opcode uint16, put func(e *wire.Encoder)) {
	tc.t.Helper()
	e := tc.conn.Out()
	e.Begin(id, opcode)
	if put != nil {
		put(e)
	}
	if err := e.End(); err != nil {
		tc.t.Fatalf("encode request: %v", err)
	}
	if pending, err := tc.conn.Flush(); pending || err != nil {
		tc.t.Fatalf("client flush: pending %v, %v", pending, err)
	}
}

// raw writes bytes as they are.
func (tc *testClient) raw(b []byte) {
	tc.t.Helper()
	if _, err := unix.Write(tc.conn.Fd(), b); err != nil {
		tc.t.Fatal(err)
	}
}

// pump lets the server read and answer, then collects what arrived.
func (tc *testClient) pump() []event {
	tc.t.Helper()
	tc.srv.HandleReadable()
	tc.d.FlushClients()
	return tc.read()
}

// read collects every complete event waiting on the client socket.
func (tc *testClient) read() []event {
	tc.t.Helper()
	var got []event
	for {
		_, err := tc.conn.Read()
		if errors.Is(err, unix.EAGAIN) {
			break
		}
		if err != nil {
			break // EOF after disconnect: the test checks tc.gone
		}
		for {
			h, args, ok, err := tc.conn.Next()
			if err != nil {
				tc.t.Fatalf("client: %v", err)
			}
			if !ok {
				break
			}
			ev := event{sender: h.Sender, opcode: h.Opcode, args: append([]byte(nil), args...)}
			got = append(got, ev)
		}
	}
	for fd, ok := tc.conn.PopFD(); ok; fd, ok = tc.conn.PopFD() {
		unix.Close(fd)
	}
	tc.events = append(tc.events, got...)
	return got
}

// eof reports whether the server closed the connection.
func (tc *testClient) eof() bool {
	var b [1]byte
	n, err := unix.Read(tc.conn.Fd(), b[:])
	return n == 0 && err == nil
}

// sync sends wl_display.sync with callback id and checks done + delete_id.
func (tc *testClient) sync(id uint32) {
	tc.t.Helper()
	tc.send(1, 0, func(e *wire.Encoder) { e.PutUint(id) })
	evs := tc.pump()
	if len(evs) != 2 || evs[0].sender != id || evs[0].opcode != 0 ||
		evs[1].sender != 1 || evs[1].opcode != 1 || evs[1].uint(0) != id {
		tc.t.Fatalf("sync %d: got %+v; want wl_callback.done then wl_display.delete_id", id, evs)
	}
}

// displayError decodes wl_display.error from events.
func displayError(evs []event) (obj, code uint32, msg string, ok bool) {
	for _, ev := range evs {
		if ev.sender == 1 && ev.opcode == 0 {
			var d wire.Decoder
			d.Reset(ev.args, nil)
			obj, code, msg = d.Object(), d.Uint(), d.Str()
			return obj, code, msg, d.Finish() == nil
		}
	}
	return 0, 0, "", false
}

// globals holds the registry announcements by interface name.
func globals(evs []event, registry uint32) map[string][2]uint32 {
	m := map[string][2]uint32{}
	for _, ev := range evs {
		if ev.sender == registry && ev.opcode == 0 {
			var d wire.Decoder
			d.Reset(ev.args, nil)
			name, iface, version := d.Uint(), d.Str(), d.Uint()
			if d.Finish() == nil {
				m[iface] = [2]uint32{name, version}
			}
		}
	}
	return m
}

// bind sends wl_registry.bind.
func (tc *testClient) bind(registry, name uint32, iface string, version, id uint32) {
	tc.send(registry, 0, func(e *wire.Encoder) {
		e.PutUint(name)
		e.PutString(iface)
		e.PutUint(version)
		e.PutUint(id)
	})
}

// compositor implements wl_compositor for tests: surfaces get no handler.
type compositor struct{ surfaces []*wayland.Surface }

func (c *compositor) CreateSurface(r *wayland.Compositor, id *wayland.Surface) error {
	c.surfaces = append(c.surfaces, id)
	return nil
}

func (c *compositor) CreateRegion(r *wayland.Compositor, id *wayland.Region) error { return nil }

// shm implements wl_shm for tests: it closes pool fds and counts them.
type shm struct {
	pools int
	objs  []*wayland.Shm
}

func (s *shm) CreatePool(r *wayland.Shm, id *wayland.ShmPool, fd int, size int32) error {
	s.pools++
	return unix.Close(fd)
}

func (s *shm) Release(r *wayland.Shm) error { return nil }

// testDisplay has wl_compositor v6 and wl_shm v1 (so wl_shm.release, since
// 2, is above the bound version).
type testDisplay struct {
	d    *server.Display
	comp *compositor
	shm  *shm
}

func newTestDisplay(t testing.TB, opts server.Options) *testDisplay {
	t.Helper()
	td := &testDisplay{d: server.NewDisplay(opts), comp: &compositor{}, shm: &shm{}}
	if _, err := wayland.AddCompositorGlobal(td.d, 6, func(r *wayland.Compositor) error {
		r.SetHandler(td.comp)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := wayland.AddShmGlobal(td.d, 1, func(r *wayland.Shm) error {
		td.shm.objs = append(td.shm.objs, r)
		r.SetHandler(td.shm)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(td.d.Close)
	return td
}

// openFDs counts this process's open fds.
func openFDs(t testing.TB) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}
