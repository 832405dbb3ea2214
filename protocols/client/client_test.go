package client_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"gocomp/protocols/client"
	"gocomp/protocols/client/internal/testproto/testcli"
	"gocomp/protocols/client/wlclient"

	"golang.org/x/sys/unix"
)

// bindAll gets the registry, waits for the globals and binds them.
func (r *rig) bindAll(fdsVersion uint32) (*client.Registry, *wlclient.Compositor, *testcli.Fds) {
	r.t.Helper()
	reg, err := r.c.GetRegistry(nil)
	if err != nil {
		r.t.Fatal(err)
	}
	r.roundtrip()
	comp, err := wlclient.BindCompositor(reg, 4)
	if err != nil {
		r.t.Fatal(err)
	}
	fds, err := testcli.BindFds(reg, fdsVersion)
	if err != nil {
		r.t.Fatal(err)
	}
	r.roundtrip()
	return reg, comp, fds
}

// TestBindRoundtripCreate binds globals at min(advertised, wanted), creates
// a surface and checks what the server saw.
func TestBindRoundtripCreate(t *testing.T) {
	r := newRig(t, client.Options{})
	reg, err := r.c.GetRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	r.roundtrip()
	var names []string
	for _, g := range reg.Globals() {
		names = append(names, g.Interface)
	}
	if want := []string{"wl_compositor", "wl_shm", "tst_fds"}; !slices.Equal(names, want) {
		t.Fatalf("globals %v; want %v", names, want)
	}
	tests := []struct {
		bind        func() (client.Object, error)
		wantVersion uint32
	}{
		{func() (client.Object, error) { return wlclient.BindCompositor(reg, 4) }, 4},  // below the offer
		{func() (client.Object, error) { return wlclient.BindCompositor(reg, 99) }, 6}, // above the offer
		{func() (client.Object, error) { return wlclient.BindShm(reg, 2) }, 1},
	}
	for i, tt := range tests {
		obj, err := tt.bind()
		if err != nil {
			t.Fatalf("bind %d: %v", i, err)
		}
		if v := obj.Base().Version(); v != tt.wantVersion {
			t.Errorf("bind %d: version %d; want %d", i, v, tt.wantVersion)
		}
	}
	if _, err := wlclient.BindSeat(reg, 7); !errors.Is(err, client.ErrNoGlobal) {
		t.Errorf("BindSeat without a wl_seat global: %v; want ErrNoGlobal", err)
	}
	comp, err := wlclient.BindCompositor(reg, 5)
	if err != nil {
		t.Fatal(err)
	}
	surf, err := comp.CreateSurface()
	if err != nil {
		t.Fatal(err)
	}
	r.roundtrip()
	if len(r.surfaces) != 1 {
		t.Fatalf("server saw %d surfaces; want 1", len(r.surfaces))
	}
	if s := r.surfaces[0]; s.ID() != surf.ID() || s.Version() != 5 || surf.Version() != 5 {
		t.Errorf("server surface %d v%d, client surface %d v%d; want the same id, version 5 (the compositor's)",
			s.ID(), s.Version(), surf.ID(), surf.Version())
	}
	if len(r.failed) != 0 || r.c.Err() != nil {
		t.Errorf("connection failed: %v %v", r.failed, r.c.Err())
	}
}

// fdsListener records tst_fds events.
type fdsListener struct {
	testcli.NopFdsListener
	got      [][3]int
	tags     []uint32
	children []*testcli.Child
	poked    int
	onChild  func(*testcli.Child) // runs as a child arrives
}

func (l *fdsListener) Fds(p *testcli.Fds, a, b, c int, tag uint32) {
	l.got = append(l.got, [3]int{a, b, c})
	l.tags = append(l.tags, tag)
}

func (l *fdsListener) Child(p *testcli.Fds, id *testcli.Child, tag uint32) {
	l.children = append(l.children, id)
	if l.onChild != nil {
		l.onChild(id)
	}
}

func (l *fdsListener) Poked(p *testcli.Fds) { l.poked++ }

// TestFDsBothWays sends three fds in one request and receives three in one
// event, checking each arrives as the same file, in order, and that no fd
// is left open afterwards.
func TestFDsBothWays(t *testing.T) {
	files := tempFiles(t, 6)
	r := newRig(t, client.Options{})
	_, _, fds := r.bindAll(2)
	l := &fdsListener{}
	fds.SetListener(l)
	r.roundtrip()
	before := openFDs(t)

	if err := fds.Send(int(files[0].Fd()), int(files[1].Fd()), int(files[2].Fd()), 41); err != nil {
		t.Fatal(err)
	}
	r.roundtrip()
	if len(r.sent) != 1 || r.sent[0].tag != 41 {
		t.Fatalf("server got %+v; want one send with tag 41", r.sent)
	}
	for i, fd := range r.sent[0].fds {
		if !sameFile(t, fd, files[i]) {
			t.Errorf("server's fd %d is not file %d", i, i)
		}
		unix.Close(fd)
	}

	for i := range r.echoFDs {
		r.echoFDs[i] = int(files[3+i].Fd())
	}
	if err := fds.Echo(42); err != nil {
		t.Fatal(err)
	}
	r.roundtrip()
	if len(l.got) != 1 || l.tags[0] != 42 {
		t.Fatalf("client got %v %v; want one fds event with tag 42", l.got, l.tags)
	}
	for i, fd := range l.got[0] {
		if !sameFile(t, fd, files[3+i]) {
			t.Errorf("client's fd %d is not file %d", i, 3+i)
		}
		unix.Close(fd)
	}
	// Every duplicate made on the way is closed: the request's by the
	// client once sent, the event's by the server once sent.
	if after := openFDs(t); after != before {
		t.Errorf("open fds %d -> %d after passing fds both ways", before, after)
	}
}

// TestIDReuse: an id is reused only after delete_id, last freed first, so
// a stream of frame callbacks keeps reusing one id.
func TestIDReuse(t *testing.T) {
	r := newRig(t, client.Options{})
	_, comp, _ := r.bindAll(1)
	s1, err := comp.CreateSurface()
	if err != nil {
		t.Fatal(err)
	}
	id1 := s1.ID()
	if err := s1.Destroy(); err != nil {
		t.Fatal(err)
	}
	if !s1.Destroyed() {
		t.Fatal("destructor request did not destroy the proxy")
	}
	if err := s1.Commit(); !errors.Is(err, client.ErrDestroyed) {
		t.Errorf("request on a destroyed proxy: %v; want ErrDestroyed", err)
	}
	s2, err := comp.CreateSurface()
	if err != nil {
		t.Fatal(err)
	}
	if s2.ID() == id1 {
		t.Fatalf("id %d reused before the server's delete_id", id1)
	}
	r.roundtrip() // delete_id(id1) arrives, and that of the sync's callback
	s3, err := comp.CreateSurface()
	if err != nil {
		t.Fatal(err)
	}
	s4, err := comp.CreateSurface()
	if err != nil {
		t.Fatal(err)
	}
	if s3.ID() != id1 && s4.ID() != id1 {
		t.Fatalf("after delete_id the next objects got ids %d, %d; want %d among them", s3.ID(), s4.ID(), id1)
	}

	// wl_callback.done is a destructor event: the callback's id comes back
	// with delete_id, and the next frame reuses it.
	var cbIDs []uint32
	done := 0
	for i := range 50 {
		cb, err := s3.Frame()
		if err != nil {
			t.Fatal(err)
		}
		cb.SetListener(callbackFunc(func(uint32) { done++ }))
		cbIDs = append(cbIDs, cb.ID())
		r.roundtrip()
		if done != i+1 || !cb.Destroyed() {
			t.Fatalf("frame %d: done %d times, destroyed %v", i, done, cb.Destroyed())
		}
	}
	// Each round has two callbacks alive (the frame's and the round
	// trip's), so two ids take turns; the map does not grow.
	slices.Sort(cbIDs)
	if ids := slices.Compact(cbIDs); len(ids) > 2 {
		t.Errorf("50 frame callbacks used ids %v; want the same two ids reused", ids)
	}
}

// callbackFunc is a wl_callback listener.
type callbackFunc func(data uint32)

func (f callbackFunc) Done(_ *wlclient.Callback, data uint32) { f(data) }

// newEchoRig returns a rig whose tst_fds (bound at version 2) echoes three
// temporary files.
func newEchoRig(t *testing.T) (*rig, *testcli.Fds) {
	t.Helper()
	files := tempFiles(t, 3)
	r := newRig(t, client.Options{})
	_, _, fds := r.bindAll(2)
	for i := range r.echoFDs {
		r.echoFDs[i] = int(files[i].Fd())
	}
	r.roundtrip()
	return r, fds
}

// TestZombieEvents: events the server sent to an object before it saw the
// destructor are dropped, their fds closed, and objects they create are
// tracked as destroyed too, so later events to those are dropped as well.
func TestZombieEvents(t *testing.T) {
	r, fds := newEchoRig(t)
	l := &fdsListener{}
	fds.SetListener(l)
	before := openFDs(t)
	// Queued together: the server answers echo and spawn (fds event; child
	// event, then ping(fd) on the child) before it handles destroy.
	if err := fds.Echo(1); err != nil {
		t.Fatal(err)
	}
	if err := fds.Spawn(2); err != nil {
		t.Fatal(err)
	}
	if err := fds.Destroy(); err != nil {
		t.Fatal(err)
	}
	r.roundtrip()
	if len(l.got) != 0 || len(l.children) != 0 {
		t.Errorf("listener of a destroyed object ran: fds %v, children %v", l.got, l.children)
	}
	if err := r.c.Err(); err != nil {
		t.Fatalf("connection failed: %v", err)
	}
	if after := openFDs(t); after != before {
		t.Errorf("open fds %d -> %d: fds of dropped events leaked", before, after)
	}
}

// TestNoListenerClosesFDs: an fd event for a proxy without a listener is
// dropped and its fd closed.
func TestNoListenerClosesFDs(t *testing.T) {
	r, fds := newEchoRig(t)
	before := openFDs(t)
	for i := range 5 {
		if err := fds.Echo(uint32(i)); err != nil {
			t.Fatal(err)
		}
	}
	r.roundtrip()
	if after := openFDs(t); after != before {
		t.Errorf("open fds %d -> %d after 5 unheard fds events", before, after)
	}
}

// TestObjectsFromEvents: a new_id in an event registers the proxy before
// the listener sees it, with the parent's version, and it gets the events
// that follow in the same batch (a ping with an fd and a label).
func TestObjectsFromEvents(t *testing.T) {
	files := tempFiles(t, 1)
	r := newRig(t, client.Options{})
	_, _, fds := r.bindAll(2)
	pings := &childListener{}
	l := &fdsListener{onChild: func(c *testcli.Child) { c.SetListener(pings) }}
	fds.SetListener(l)
	r.echoFDs[0] = int(files[0].Fd())
	if err := fds.Spawn(9); err != nil {
		t.Fatal(err)
	}
	r.until("child and its ping", func() bool { return len(l.children) == 1 && len(pings.labels) == 1 })
	child := l.children[0]
	if child.ID() < client.ServerIDBase || child.Version() != 2 {
		t.Errorf("child %s v%d; want a server id and version 2", child, child.Version())
	}
	if !slices.Equal(pings.labels, []string{"hello"}) {
		t.Errorf("the child heard pings %q; want [hello]", pings.labels)
	}
	if err := child.Destroy(); err != nil {
		t.Fatal(err)
	}
	r.roundtrip()
	if r.c.Err() != nil {
		t.Fatal(r.c.Err())
	}
}

// childListener records tst_child pings.
type childListener struct{ labels []string }

func (l *childListener) Ping(p *testcli.Child, fd int, label *string) {
	unix.Close(fd)
	if label != nil {
		l.labels = append(l.labels, *label)
	}
}

// TestProtocolError: wl_display.error becomes a *client.ProtocolError,
// reported once through Failed, and every later call returns it.
func TestProtocolError(t *testing.T) {
	r := newRig(t, client.Options{})
	_, comp, fds := r.bindAll(2)
	if err := fds.Fail(7, "asked for it"); err != nil {
		t.Fatal(err)
	}
	r.until("failure", func() bool { return r.c.Err() != nil })
	r.roundtripFails()
	pe, ok := errorsAsProtocol(r.c.Err())
	if !ok {
		t.Fatalf("Err() = %v; want a *client.ProtocolError", r.c.Err())
	}
	if pe.ObjectID != fds.ID() || pe.Interface != "tst_fds" || pe.Code != 7 || !strings.Contains(pe.Message, "asked for it") {
		t.Errorf("ProtocolError %+v; want tst_fds@%d code 7 with the message", pe, fds.ID())
	}
	if len(r.failed) != 1 || r.failed[0] != r.c.Err() {
		t.Errorf("Failed ran %d times (%v); want once with the error", len(r.failed), r.failed)
	}
	if _, err := comp.CreateSurface(); err != r.c.Err() {
		t.Errorf("request after the error: %v; want the protocol error", err)
	}
	if err := r.c.HandleReadable(); err != r.c.Err() {
		t.Errorf("HandleReadable after the error: %v", err)
	}
	if err := r.c.Flush(); err != r.c.Err() {
		t.Errorf("Flush after the error: %v", err)
	}
	if len(r.failed) != 1 {
		t.Errorf("Failed ran %d times; want once", len(r.failed))
	}
}

// roundtripFails runs the loop a little after a failure: nothing more
// happens and Sync is refused.
func (r *rig) roundtripFails() {
	r.t.Helper()
	if err := r.c.Sync(nil); err == nil {
		r.t.Fatal("Sync on a failed connection succeeded")
	}
}

// TestRequestErrors: requests the caller gets wrong are refused without
// being sent and without harming the connection.
func TestRequestErrors(t *testing.T) {
	r := newRig(t, client.Options{})
	reg, comp, fds := r.bindAll(1)
	surf, err := comp.CreateSurface()
	if err != nil {
		t.Fatal(err)
	}
	gone, err := comp.CreateRegion()
	if err != nil {
		t.Fatal(err)
	}
	if err := gone.Destroy(); err != nil {
		t.Fatal(err)
	}
	other := newRig(t, client.Options{})
	_, otherComp, _ := other.bindAll(1)
	foreign, err := otherComp.CreateRegion()
	if err != nil {
		t.Fatal(err)
	}
	r.roundtrip()
	var nilSurface *wlclient.Surface
	tests := []struct {
		name string
		do   func() error
		want error
	}{
		{"request above the version", fds.Poke, client.ErrVersion},
		{"bind above the offer", func() error {
			return reg.Bind(1, &wlclient.Compositor{}, wlclient.CompositorInterface, 7)
		}, client.ErrVersion},
		{"bind of an unknown name", func() error {
			return reg.Bind(99, &wlclient.Compositor{}, wlclient.CompositorInterface, 1)
		}, client.ErrNoGlobal},
		{"bind under another interface", func() error {
			return reg.Bind(1, &wlclient.Shm{}, wlclient.ShmInterface, 1)
		}, client.ErrBadObject},
		{"bind of a proxy in use", func() error {
			return reg.Bind(1, surf, wlclient.CompositorInterface, 1)
		}, client.ErrBadObject},
		{"destroyed proxy", gone.Destroy, client.ErrDestroyed},
		{"nil proxy", nilSurface.Commit, client.ErrBadObject},
		{"destroyed argument", func() error { return surf.SetInputRegion(gone) }, client.ErrDestroyed},
		{"argument of another connection", func() error { return surf.SetInputRegion(foreign) }, client.ErrBadObject},
		{"nil for a nullable argument", func() error { return surf.SetInputRegion(nil) }, nil},
	}
	for _, tt := range tests {
		pending := r.c.Pending()
		err := tt.do()
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: %v; want %v", tt.name, err, tt.want)
		}
		if tt.want != nil && r.c.Pending() != pending {
			t.Errorf("%s: the refused request queued %d bytes", tt.name, r.c.Pending()-pending)
		}
	}
	r.roundtrip()
	if r.c.Err() != nil || len(r.failed) != 0 {
		t.Fatalf("connection failed: %v", r.c.Err())
	}
}

// TestServerDeletesLiveObject: delete_id for an object we still hold (the
// server destroyed it on its own) frees the id as soon as we destroy the
// proxy, without waiting for another delete_id.
func TestServerDeletesLiveObject(t *testing.T) {
	r := newRig(t, client.Options{})
	_, comp, fds := r.bindAll(1)
	r.fds[0].Destroy()
	r.roundtrip()
	if fds.Destroyed() {
		t.Fatal("delete_id destroyed a live proxy")
	}
	id := fds.ID()
	if err := fds.Destroy(); err != nil {
		t.Fatal(err)
	}
	surf, err := comp.CreateSurface()
	if err != nil {
		t.Fatal(err)
	}
	if surf.ID() != id {
		t.Errorf("new object got id %d; want %d, freed by the earlier delete_id", surf.ID(), id)
	}
	r.roundtrip()
	if r.c.Err() != nil {
		t.Fatal(r.c.Err())
	}
}

// TestTrace checks the WAYLAND_DEBUG-style lines of requests and events.
func TestTrace(t *testing.T) {
	var lines []string
	r := newRig(t, client.Options{Trace: func(line string) { lines = append(lines, line) }})
	_, comp, _ := r.bindAll(1)
	surf, err := comp.CreateSurface()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := surf.Frame(); err != nil {
		t.Fatal(err)
	}
	if err := surf.Attach(nil, 1, -2); err != nil {
		t.Fatal(err)
	}
	r.roundtrip()
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		`-> wl_display@1.get_registry(new id 2)`,
		`<- wl_registry@2.global(1, "wl_compositor", 6)`,
		`<- wl_display@1.delete_id(3)`, // the sync's callback: id 3 is free again
		`-> wl_registry@2.bind(1, "wl_compositor", 4, new id 3)`,
		`-> wl_compositor@3.create_surface(new id 5)`,
		`-> wl_surface@5.frame(new id 6)`,
		`-> wl_surface@5.attach(nil, 1, -2)`,
		`<- wl_callback@6.done(1)`,
		`<- wl_display@1.delete_id(6)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("trace lacks %q:\n%s", want, got)
		}
	}
}
