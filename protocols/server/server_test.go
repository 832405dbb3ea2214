package server_test

import (
	"errors"
	"strings"
	"testing"

	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

func TestSyncRegistryAndDestroy(t *testing.T) {
	td := newTestDisplay(t, server.Options{})
	tc := newTestClient(t, td.d)
	tc.sync(3)

	tc.send(1, 1, func(e *wire.Encoder) { e.PutUint(2) }) // get_registry
	g := globals(tc.pump(), 2)
	if g["wl_compositor"] != [2]uint32{1, 6} || g["wl_shm"] != [2]uint32{2, 1} || len(g) != 2 {
		t.Fatalf("globals = %v; want wl_compositor 1 v6, wl_shm 2 v1", g)
	}

	tc.bind(2, 1, "wl_compositor", 5, 4)
	tc.send(4, wayland.CompositorRequestCreateSurface, func(e *wire.Encoder) { e.PutUint(5) })
	if evs := tc.pump(); len(evs) != 0 {
		t.Fatalf("create_surface answered %+v", evs)
	}
	if len(td.comp.surfaces) != 1 {
		t.Fatalf("handler saw %d surfaces; want 1", len(td.comp.surfaces))
	}
	surf := td.comp.surfaces[0]
	if surf.ID() != 5 || surf.Version() != 5 || surf.Client() != tc.srv {
		t.Errorf("surface id %d version %d; want 5, 5 (inherited from the bound compositor)", surf.ID(), surf.Version())
	}
	hooks := 0
	surf.OnDestroy(func() { hooks++ })
	cancelled := surf.OnDestroy(func() { t.Error("cancelled destroy hook ran") })
	cancelled()

	tc.send(5, wayland.SurfaceRequestDestroy, nil)
	evs := tc.pump()
	if len(evs) != 1 || evs[0].sender != 1 || evs[0].opcode != 1 || evs[0].uint(0) != 5 {
		t.Fatalf("after wl_surface.destroy got %+v; want wl_display.delete_id(5)", evs)
	}
	if !surf.Destroyed() || hooks != 1 {
		t.Errorf("Destroyed() = %v, hooks ran %d times; want true, 1", surf.Destroyed(), hooks)
	}
	surf.Destroy() // idempotent
	var nilSurf *wayland.Surface
	nilSurf.Destroy() // nil-safe
	if hooks != 1 {
		t.Errorf("second Destroy ran hooks again")
	}

	// The client may reuse id 5 once it has seen delete_id.
	tc.send(4, wayland.CompositorRequestCreateSurface, func(e *wire.Encoder) { e.PutUint(5) })
	tc.sync(6)
	if len(td.comp.surfaces) != 2 || tc.gone {
		t.Fatalf("reusing a deleted id failed: gone=%v reason=%v", tc.gone, tc.reason)
	}

	// Globals added and removed later reach existing registries.
	out, err := wayland.AddOutputGlobal(td.d, 4, func(r *wayland.Output) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	g = globals(tc.pump(), 2)
	if g["wl_output"] != [2]uint32{3, 4} {
		t.Fatalf("after AddOutputGlobal: %v", g)
	}
	out.Remove()
	out.Remove()
	evs = tc.pump()
	if len(evs) != 1 || evs[0].sender != 2 || evs[0].opcode != 1 || evs[0].uint(0) != 3 {
		t.Fatalf("after Remove got %+v; want one wl_registry.global_remove(3)", evs)
	}
	// A bind racing with the removal is not an error; the object is inert.
	tc.bind(2, 3, "wl_output", 4, 7)
	tc.send(7, wayland.OutputRequestRelease, nil)
	tc.sync(8)
	if tc.gone {
		t.Fatalf("bind to a removed global disconnected the client: %v", tc.reason)
	}
}

// TestZombie checks that requests to an object the server destroyed are
// ignored and that fds they carry are closed.
func TestZombie(t *testing.T) {
	td := newTestDisplay(t, server.Options{})
	tc := newTestClient(t, td.d)
	tc.send(1, 1, func(e *wire.Encoder) { e.PutUint(2) })
	tc.bind(2, 2, "wl_shm", 1, 3)
	tc.pump()
	if len(td.shm.objs) != 1 {
		t.Fatal("wl_shm not bound")
	}
	td.shm.objs[0].Destroy() // server-side destruction
	evs := tc.pump()
	if len(evs) != 1 || evs[0].sender != 1 || evs[0].opcode != 1 || evs[0].uint(0) != 3 {
		t.Fatalf("server destroy sent %+v; want wl_display.delete_id(3)", evs)
	}

	before := openFDs(t)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0) // any two fds
	if err != nil {
		t.Fatal(err)
	}
	e := tc.conn.Out()
	e.Begin(3, wayland.ShmRequestCreatePool)
	e.PutUint(4)
	e.PutFD(fds[0])
	e.PutUint(4096)
	if err := e.End(); err != nil {
		t.Fatal(err)
	}
	tc.conn.Flush()
	unix.Close(fds[0])
	unix.Close(fds[1])
	tc.sync(5)
	if tc.gone || td.shm.pools != 0 {
		t.Fatalf("request to a zombie: gone=%v (%v), pools created %d", tc.gone, tc.reason, td.shm.pools)
	}
	if after := openFDs(t); after != before {
		t.Errorf("open fds %d -> %d: the ignored request's fd leaked", before, after)
	}
}

// TestHostile sends each kind of bad input from a fresh client and checks
// the wl_display.error it gets, the disconnect, and that another client
// connected throughout is still served.
func TestHostile(t *testing.T) {
	td := newTestDisplay(t, server.Options{})
	bystander := newTestClient(t, td.d)
	bystander.sync(2)

	getRegistry := func(tc *testClient) { tc.send(1, 1, func(e *wire.Encoder) { e.PutUint(2) }) }
	tests := []struct {
		name     string
		do       func(tc *testClient)
		wantObj  uint32
		wantCode uint32
		wantMsg  string
	}{
		{"garbage bytes", func(tc *testClient) { tc.raw([]byte("GARBAGE!GARBAGE!")) }, 1, server.ErrorInvalidMethod, "bad message header"},
		{"header size below 8", func(tc *testClient) { tc.raw(words(1, 4<<16|0)) }, 1, server.ErrorInvalidMethod, "size 4"},
		{"header size above 4096", func(tc *testClient) { tc.raw(words(1, 4100<<16|0)) }, 1, server.ErrorInvalidMethod, "size 4100"},
		{"header size not a multiple of 4", func(tc *testClient) { tc.raw(words(1, 10<<16|0, 0, 0)) }, 1, server.ErrorInvalidMethod, "size 10"},
		{"unknown object", func(tc *testClient) { tc.send(55, 0, nil) }, 1, server.ErrorInvalidObject, "invalid object 55"},
		{"invalid opcode", func(tc *testClient) { tc.send(1, 7, nil) }, 1, server.ErrorInvalidMethod, "invalid method 7"},
		{"request above the object's version", func(tc *testClient) {
			getRegistry(tc)
			tc.bind(2, 2, "wl_shm", 1, 3)
			tc.send(3, wayland.ShmRequestRelease, nil)
		}, 3, server.ErrorInvalidMethod, "needs version 2"},
		{"bind to a nonexistent global", func(tc *testClient) {
			getRegistry(tc)
			tc.bind(2, 99, "wl_compositor", 1, 3)
		}, 2, server.ErrorInvalidObject, "invalid global wl_compositor (99)"},
		{"bind above the advertised version", func(tc *testClient) {
			getRegistry(tc)
			tc.bind(2, 1, "wl_compositor", 7, 3)
		}, 2, server.ErrorInvalidObject, "have 6, wanted 7"},
		{"bind version 0", func(tc *testClient) {
			getRegistry(tc)
			tc.bind(2, 1, "wl_compositor", 0, 3)
		}, 2, server.ErrorInvalidObject, "invalid version"},
		{"bind with the wrong interface", func(tc *testClient) {
			getRegistry(tc)
			tc.bind(2, 1, "wl_shm", 1, 3)
		}, 2, server.ErrorInvalidObject, "invalid interface"},
		{"reuse of a live id", func(tc *testClient) {
			getRegistry(tc)
			tc.send(1, 0, func(e *wire.Encoder) { e.PutUint(2) })
		}, 1, server.ErrorInvalidObject, "already in use"},
		{"new id in the server range", func(tc *testClient) {
			tc.send(1, 0, func(e *wire.Encoder) { e.PutUint(0xff000005) })
		}, 1, server.ErrorInvalidObject, "invalid new id"},
		{"null new id", func(tc *testClient) {
			tc.send(1, 0, func(e *wire.Encoder) { e.PutUint(0) })
		}, 1, server.ErrorInvalidMethod, "null new_id"},
		{"fd argument without an fd", func(tc *testClient) {
			getRegistry(tc)
			tc.bind(2, 2, "wl_shm", 1, 3)
			tc.send(3, wayland.ShmRequestCreatePool, func(e *wire.Encoder) { e.PutUint(4); e.PutUint(4096) })
		}, 3, server.ErrorInvalidMethod, "fd argument without a file descriptor"},
		{"unclaimed fds, then an unknown object", func(tc *testClient) {
			fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
			if err != nil {
				t.Fatal(err)
			}
			msg := append(words(1, 12<<16|0, 9), words(56, 8<<16)...) // sync(9), then object 56
			if err := unix.Sendmsg(tc.conn.Fd(), msg, unix.UnixRights(fds[:]...), nil, 0); err != nil {
				t.Fatal(err)
			}
			unix.Close(fds[0])
			unix.Close(fds[1])
		}, 1, server.ErrorInvalidObject, "invalid object 56"},
		{"truncated arguments", func(tc *testClient) { tc.send(1, 0, nil) }, 1, server.ErrorInvalidMethod, "past end"},
		{"string without its NUL", func(tc *testClient) {
			getRegistry(tc)
			tc.send(2, 0, func(e *wire.Encoder) { e.PutUint(1); e.PutUint(4); e.PutUint(0x61616161); e.PutUint(1); e.PutUint(3) })
		}, 2, server.ErrorInvalidMethod, "malformed string"},
		{"request to an object without a handler", func(tc *testClient) {
			getRegistry(tc)
			tc.bind(2, 1, "wl_compositor", 6, 3)
			tc.send(3, wayland.CompositorRequestCreateSurface, func(e *wire.Encoder) { e.PutUint(4) })
			tc.send(4, wayland.SurfaceRequestCommit, nil)
		}, 4, server.ErrorImplementation, "no handler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fdsBefore := openFDs(t)
			tc := newTestClient(t, td.d)
			tt.do(tc)
			evs := tc.pump()
			obj, code, msg, ok := displayError(evs)
			if !ok {
				t.Fatalf("got %+v; want wl_display.error", evs)
			}
			if obj != tt.wantObj || code != tt.wantCode || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("wl_display.error(%d, %d, %q); want (%d, %d, ...%q...)", obj, code, msg, tt.wantObj, tt.wantCode, tt.wantMsg)
			}
			var pe *server.ProtocolError
			if !tc.gone || !errors.As(tc.reason, &pe) || pe.Code != tt.wantCode {
				t.Errorf("disconnected=%v reason=%v; want a *ProtocolError with code %d", tc.gone, tc.reason, tt.wantCode)
			}
			if !tc.eof() {
				t.Errorf("server did not close the connection")
			}
			if !tc.srv.Closed() || tc.srv.Fd() != -1 {
				t.Errorf("client not torn down")
			}
			tc.conn.Close()
			if after := openFDs(t); after != fdsBefore {
				t.Errorf("open fds %d -> %d: the disconnected client leaked fds", fdsBefore, after)
			}
			bystander.sync(3)
		})
	}
}

func words(ws ...uint32) []byte {
	e := wire.NewEncoder(0)
	for _, w := range ws {
		e.PutUint(w)
	}
	return append([]byte(nil), e.Bytes()...)
}

func TestNoMemory(t *testing.T) {
	td := newTestDisplay(t, server.Options{MaxObjects: 3})
	tc := newTestClient(t, td.d)
	tc.send(1, 1, func(e *wire.Encoder) { e.PutUint(2) }) // objects: 1, 2
	tc.send(1, 1, func(e *wire.Encoder) { e.PutUint(3) }) // 3
	tc.send(1, 1, func(e *wire.Encoder) { e.PutUint(4) }) // over the limit
	_, code, msg, ok := displayError(tc.pump())
	if !ok || code != server.ErrorNoMemory || !strings.Contains(msg, "limit 3") || !tc.gone {
		t.Errorf("error code %d %q (ok=%v, gone=%v); want no_memory", code, msg, ok, tc.gone)
	}
}

// TestSlowClient: client A never reads while the server keeps answering
// its syncs; B keeps getting its answers in order; A is disconnected once
// its backlog passes the limit, with a reason naming the limit, after having
// received a gap-free prefix of its answers.
func TestSlowClient(t *testing.T) {
	const limit = 64 << 10
	td := newTestDisplay(t, server.Options{OutputLimit: limit})
	a := newTestClient(t, td.d)
	b := newTestClient(t, td.d)
	if err := unix.SetsockoptInt(a.srv.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 4096); err != nil {
		t.Fatal(err)
	}
	if err := unix.SetsockoptInt(a.conn.Fd(), unix.SOL_SOCKET, unix.SO_RCVBUF, 4096); err != nil {
		t.Fatal(err)
	}
	wantWritable := false
	id := uint32(10)
	round := 0
	for ; !a.gone && round < 1000; round++ {
		for range 100 {
			a.send(1, 0, func(e *wire.Encoder) { e.PutUint(id) })
			id++
		}
		a.srv.HandleReadable()
		td.d.FlushClients()
		if !a.gone && a.srv.Flush() {
			wantWritable = true
		}
		b.sync(uint32(3 + round%2))
	}
	if !a.gone {
		t.Fatalf("client A never disconnected after %d syncs", id-10)
	}
	if !wantWritable {
		t.Errorf("Flush never reported pending output before the disconnect")
	}
	var oe *wire.OverflowError
	if !errors.As(a.reason, &oe) || !strings.Contains(a.reason.Error(), "limit of 65536 bytes") {
		t.Errorf("disconnect reason %v; want an overflow naming the 65536-byte limit", a.reason)
	}
	// What A did receive is every answer in order, up to some point.
	evs := a.read()
	next := uint32(10)
	for i := 0; i+1 < len(evs); i += 2 {
		if evs[i].sender != next || evs[i].opcode != 0 || evs[i+1].sender != 1 || evs[i+1].uint(0) != next {
			t.Fatalf("A's answer %d: %+v %+v; want done and delete_id for %d", i/2, evs[i], evs[i+1], next)
		}
		next++
	}
	t.Logf("A sent %d syncs, got %d answers before the disconnect: %v", id-10, next-10, a.reason)
	if next == 10 || next >= id {
		t.Errorf("A received %d answers of %d; want some but not all", next-10, id-10)
	}
	if !a.eof() {
		t.Errorf("A's connection not closed")
	}
}

// TestFixesDestroyRegistry: wl_fixes.destroy_registry destroys the
// registry (delete_id follows) and later globals are not announced to it.
func TestFixesDestroyRegistry(t *testing.T) {
	td := newTestDisplay(t, server.Options{})
	if _, err := td.d.AddFixesGlobal(); err != nil {
		t.Fatal(err)
	}
	tc := newTestClient(t, td.d)
	tc.send(1, 1, func(e *wire.Encoder) { e.PutUint(2) })
	g := globals(tc.pump(), 2)
	if g["wl_fixes"] != [2]uint32{3, 1} {
		t.Fatalf("globals %v; want wl_fixes 3 v1", g)
	}
	tc.bind(2, 3, "wl_fixes", 1, 3)
	tc.send(3, 1, func(e *wire.Encoder) { e.PutUint(2) }) // destroy_registry(2)
	evs := tc.pump()
	if len(evs) != 1 || evs[0].sender != 1 || evs[0].opcode != 1 || evs[0].uint(0) != 2 {
		t.Fatalf("destroy_registry answered %+v; want delete_id(2)", evs)
	}
	if _, err := wayland.AddOutputGlobal(td.d, 4, func(*wayland.Output) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if evs := tc.pump(); len(evs) != 0 {
		t.Errorf("destroyed registry still got %+v", evs)
	}
	tc.send(3, 1, func(e *wire.Encoder) { e.PutUint(3) }) // not a registry
	if _, code, _, ok := displayError(tc.pump()); !ok || code != server.ErrorInvalidObject {
		t.Errorf("destroy_registry(wl_fixes) code %d ok=%v; want invalid_object", code, ok)
	}
}

// TestTrace checks the WAYLAND_DEBUG-style lines for requests and events.
func TestTrace(t *testing.T) {
	var lines []string
	td := newTestDisplay(t, server.Options{Trace: func(_ *server.Client, line string) { lines = append(lines, line) }})
	tc := newTestClient(t, td.d)
	tc.send(1, 1, func(e *wire.Encoder) { e.PutUint(2) })
	tc.bind(2, 1, "wl_compositor", 6, 3)
	tc.send(3, wayland.CompositorRequestCreateSurface, func(e *wire.Encoder) { e.PutUint(4) })
	tc.send(1, 0, func(e *wire.Encoder) { e.PutUint(5) })
	tc.send(4, wayland.SurfaceRequestAttach, func(e *wire.Encoder) { e.PutUint(0); e.PutInt(-1); e.PutInt(2) })
	tc.pump()
	want := []string{
		`-> wl_display@1.get_registry(new id 2)`,
		`<- wl_registry@2.global(1, "wl_compositor", 6)`,
		`<- wl_registry@2.global(2, "wl_shm", 1)`,
		`-> wl_registry@2.bind(1, "wl_compositor", 6, new id 3)`,
		`-> wl_compositor@3.create_surface(new id 4)`,
		`-> wl_display@1.sync(new id 5)`,
		`<- wl_callback@5.done(0)`,
		`<- wl_display@1.delete_id(5)`,
		`-> wl_surface@4.attach(nil, -1, 2)`,
		`<- wl_display@1.error(wl_surface@4, 3, "wl_surface@4.attach: server: wl_surface@4 has no handler")`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("trace:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
