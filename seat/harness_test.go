package seat

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"
	"gocomp/xkb/compile"
	"gocomp/xkb/keymap"
	"gocomp/xkb/keysym"
	"gocomp/xkb/state"

	"golang.org/x/sys/unix"
)

// testServer is a display with wl_compositor (bare surfaces) and the seat
// under test, driven synchronously by the test goroutine.
type testServer struct {
	t        testing.TB
	d        *server.Display
	seat     *Seat
	surfaces map[*server.Client][]*wayland.Surface
	clients  []*testClient
	quit     int // terminate binding fired
}

func newTestServer(t testing.TB, seatVersion uint32) *testServer {
	t.Helper()
	return newTestServerConfig(t, seatVersion, Config{Keymap: fakeKeymap{}, RepeatRate: 25, RepeatDelay: 600})
}

// newTestServerConfig is newTestServer with the seat built from cfg (its
// Serial and Terminate are the test server's).
func newTestServerConfig(t testing.TB, seatVersion uint32, cfg Config) *testServer {
	t.Helper()
	ts := &testServer{t: t, d: server.NewDisplay(server.Options{}), surfaces: map[*server.Client][]*wayland.Surface{}}
	t.Cleanup(ts.d.Close)
	var err error
	cfg.Serial, cfg.Terminate = ts.d.NextSerial, func() { ts.quit++ }
	ts.seat, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ts.seat.Close() })
	if _, err := wayland.AddCompositorGlobal(ts.d, 6, func(r *wayland.Compositor) error {
		r.SetHandler(compositor{ts})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := wayland.AddSeatGlobal(ts.d, seatVersion, ts.seat.Bind); err != nil {
		t.Fatal(err)
	}
	return ts
}

type compositor struct{ ts *testServer }

func (c compositor) CreateSurface(r *wayland.Compositor, id *wayland.Surface) error {
	c.ts.surfaces[r.Client()] = append(c.ts.surfaces[r.Client()], id)
	return nil
}

func (c compositor) CreateRegion(r *wayland.Compositor, id *wayland.Region) error { return nil }

// surface returns the server side of the client's surface with id.
func (ts *testServer) surface(tc *testClient, id uint32) *wayland.Surface {
	for _, s := range ts.surfaces[tc.srv] {
		if s.ID() == id && !s.Destroyed() {
			return s
		}
	}
	ts.t.Fatalf("client %d has no surface %d", tc.n, id)
	return nil
}

// pump lets the server read every client's requests, flushes, and lets
// every client read and check its events.
func (ts *testServer) pump() {
	ts.t.Helper()
	for _, tc := range ts.clients {
		if !tc.gone {
			tc.srv.HandleReadable()
		}
	}
	ts.d.FlushClients()
	for _, tc := range ts.clients {
		tc.read()
	}
}

// kbdRecord is what a client knows of one of its wl_keyboards, rebuilt
// from the events it received, with the contract checks of FIELD-NOTES §5.
type kbdRecord struct {
	id, version uint32
	keymaps     int
	keymapText  string
	repeat      [2]int32
	repeatSeen  bool
	focus       uint32 // entered surface, 0 when none
	pressed     map[uint32]bool
	mods        [4]uint32
	wantMods    bool // enter was just received; modifiers must come next
	keyEvents   int
}

// testClient is a raw protocol client on a socketpair.
type testClient struct {
	t           testing.TB
	ts          *testServer
	n           int
	srv         *server.Client
	conn        *wire.Conn
	gone        bool
	nextID      uint32
	seatID      uint32
	seatVersion uint32
	caps        uint32
	name        string
	kbds        map[uint32]*kbdRecord
	ptrs        map[uint32]*ptrRecord
	touches     map[uint32]*touchRecord
	destroyed   map[uint32]bool // surfaces the client destroyed
	errs        []string
	log         []string // recent events, for failure messages
	// Totals over the client's life, to show a test exercised something.
	keyEvents, heldEnters, leaves int
	// trace lists every wl_seat and wl_keyboard event in short form when
	// tracing is on (scenario tests).
	trace   []string
	tracing bool
	// expectErrors records errors in errs without failing the test.
	expectErrors bool
	// With decodeSyms, the client runs an XKB state over each keymap it
	// receives, as a libxkbcommon client does (keymap text compiled,
	// modifiers applied with UpdateMask), and appends the keysym name of
	// every key press to syms.
	decodeSyms bool
	xstate     *state.State
	syms       []string
}

// connect adds a client that binds wl_compositor and wl_seat (at version).
func (ts *testServer) connect(version uint32) *testClient {
	ts.t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		ts.t.Fatal(err)
	}
	tc := &testClient{t: ts.t, ts: ts, n: len(ts.clients), nextID: 2, kbds: map[uint32]*kbdRecord{},
		ptrs: map[uint32]*ptrRecord{}, touches: map[uint32]*touchRecord{}}
	tc.srv, err = ts.d.NewClient(fds[0], server.ClientHooks{
		Disconnected: func(c *server.Client, reason error) { tc.gone = true },
	})
	if err != nil {
		ts.t.Fatal(err)
	}
	tc.conn, err = wire.NewConn(fds[1], 1<<20)
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.t.Cleanup(func() { tc.conn.Close() })
	ts.clients = append(ts.clients, tc)
	reg := tc.newID()
	tc.send(1, wayland.DisplayRequestGetRegistry, func(e *wire.Encoder) { e.PutUint(reg) })
	// Globals are numbered in creation order: compositor 1, seat 2.
	tc.send(reg, wayland.RegistryRequestBind, func(e *wire.Encoder) {
		e.PutUint(1)
		e.PutString("wl_compositor")
		e.PutUint(6)
		e.PutUint(3)
	})
	tc.seatID, tc.seatVersion = 4, version
	tc.send(reg, wayland.RegistryRequestBind, func(e *wire.Encoder) {
		e.PutUint(2)
		e.PutString("wl_seat")
		e.PutUint(version)
		e.PutUint(tc.seatID)
	})
	tc.nextID = 5
	ts.pump()
	return tc
}

func (tc *testClient) newID() uint32 { id := tc.nextID; tc.nextID++; return id }

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

// createSurface creates a surface and returns its id (server side after pump).
func (tc *testClient) createSurface() uint32 {
	id := tc.newID()
	tc.send(3, wayland.CompositorRequestCreateSurface, func(e *wire.Encoder) { e.PutUint(id) })
	return id
}

// destroySurface destroys a surface; a wl_pointer entered on it forgets
// its focus, as a client does: a leave may still be on its way (the
// client's library would hand it over with a null surface).
func (tc *testClient) destroySurface(id uint32) {
	tc.send(id, wayland.SurfaceRequestDestroy, nil)
	if tc.destroyed == nil {
		tc.destroyed = map[uint32]bool{}
	}
	tc.destroyed[id] = true
	for _, p := range tc.ptrs {
		if p.focus == id {
			p.focus, p.pressed = 0, map[uint32]bool{}
		}
	}
}

// getKeyboard creates a wl_keyboard (of the seat's bound version).
func (tc *testClient) getKeyboard(version uint32) uint32 {
	id := tc.newID()
	tc.kbds[id] = &kbdRecord{id: id, version: version, pressed: map[uint32]bool{}}
	tc.send(tc.seatID, wayland.SeatRequestGetKeyboard, func(e *wire.Encoder) { e.PutUint(id) })
	return id
}

func (tc *testClient) releaseKeyboard(id uint32) {
	tc.send(id, wayland.KeyboardRequestRelease, nil)
	delete(tc.kbds, id)
}

func (tc *testClient) errorf(format string, args ...any) {
	msg := fmt.Sprintf("client %d: ", tc.n) + fmt.Sprintf(format, args...)
	if len(tc.log) > 0 {
		msg += "\n  recent events:\n    " + strings.Join(tc.log, "\n    ")
	}
	tc.errs = append(tc.errs, msg)
	if !tc.expectErrors {
		tc.t.Error(msg)
	}
}

// read takes every event waiting and applies it to the records.
func (tc *testClient) read() {
	tc.t.Helper()
	for {
		_, err := tc.conn.Read()
		if errors.Is(err, unix.EAGAIN) {
			return
		}
		if err != nil {
			return
		}
		for {
			h, args, ok, err := tc.conn.Next()
			if err != nil {
				tc.t.Fatalf("client %d: %v", tc.n, err)
			}
			if !ok {
				break
			}
			tc.handle(h, args)
		}
	}
}

func (tc *testClient) note(s string) {
	if tc.tracing {
		tc.trace = append(tc.trace, s)
	}
	if len(tc.log) == 12 {
		copy(tc.log, tc.log[1:])
		tc.log = tc.log[:11]
	}
	tc.log = append(tc.log, s)
}

// handle applies one event.
func (tc *testClient) handle(h wire.Header, args []byte) {
	var d wire.Decoder
	d.Reset(args, nil)
	switch {
	case h.Sender == 1 && h.Opcode == 0:
		obj, code, msg := d.Object(), d.Uint(), d.Str()
		tc.errorf("wl_display.error on %d code %d: %s", obj, code, msg)
		return
	case h.Sender == tc.seatID:
		switch h.Opcode {
		case wayland.SeatEventCapabilities:
			tc.caps = d.Uint()
			tc.note(fmt.Sprintf("capabilities %d", tc.caps))
		case wayland.SeatEventName:
			tc.name = d.Str()
		}
		return
	}
	if pr := tc.ptrs[h.Sender]; pr != nil {
		tc.handlePointer(pr, h, &d)
		return
	}
	if tr := tc.touches[h.Sender]; tr != nil {
		tc.handleTouch(tr, h, &d)
		return
	}
	k := tc.kbds[h.Sender]
	if k == nil {
		return
	}
	if k.wantMods && h.Opcode != wayland.KeyboardEventModifiers {
		tc.errorf("wl_keyboard@%d: event %d after enter; want modifiers first", k.id, h.Opcode)
	}
	switch h.Opcode {
	case wayland.KeyboardEventKeymap:
		format, size := d.Uint(), d.Uint()
		fd, ok := tc.conn.PopFD()
		if !ok {
			tc.errorf("keymap without fd")
			return
		}
		tc.note(fmt.Sprintf("kbd%d keymap", k.id))
		k.keymaps++
		k.keymapText = tc.checkKeymap(k, format, fd, size)
		if tc.decodeSyms {
			km, err := compile.FromText("keymap", []byte(k.keymapText), nil)
			if err != nil {
				tc.errorf("keymap does not compile: %v", err)
			} else {
				tc.xstate = state.New(km, state.Options{})
			}
		}
		unix.Close(fd)
	case wayland.KeyboardEventRepeatInfo:
		k.repeat = [2]int32{d.Int(), d.Int()}
		tc.note(fmt.Sprintf("kbd%d repeat %d %d", k.id, k.repeat[0], k.repeat[1]))
		k.repeatSeen = true
	case wayland.KeyboardEventEnter:
		_, surface, keys := d.Uint(), d.Object(), d.Array()
		tc.note(fmt.Sprintf("kbd%d enter surface %d keys %v", k.id, surface, words(keys)))
		if k.focus != 0 {
			tc.errorf("wl_keyboard@%d: enter %d while entered on %d", k.id, surface, k.focus)
		}
		if k.keymaps == 0 || (k.version >= 4 && !k.repeatSeen) {
			tc.errorf("wl_keyboard@%d: enter before keymap/repeat_info", k.id)
		}
		k.focus = surface
		k.pressed = map[uint32]bool{}
		for _, key := range words(keys) {
			if k.pressed[key] {
				tc.errorf("wl_keyboard@%d: enter lists key %d twice", k.id, key)
			}
			k.pressed[key] = true
		}
		k.wantMods = true
		if len(keys) > 0 {
			tc.heldEnters++
		}
	case wayland.KeyboardEventLeave:
		_, surface := d.Uint(), d.Object()
		tc.note(fmt.Sprintf("kbd%d leave %d", k.id, surface))
		if k.focus == 0 || surface != k.focus {
			tc.errorf("wl_keyboard@%d: leave %d while entered on %d", k.id, surface, k.focus)
		}
		k.focus = 0
		k.pressed = map[uint32]bool{}
		tc.leaves++
	case wayland.KeyboardEventKey:
		_, _, key, state := d.Uint(), d.Uint(), d.Uint(), d.Uint()
		tc.note(fmt.Sprintf("kbd%d key %d state %d", k.id, key, state))
		k.keyEvents++
		tc.keyEvents++
		if k.focus == 0 {
			tc.errorf("wl_keyboard@%d: key %d without focus", k.id, key)
		}
		switch state {
		case 1:
			if k.pressed[key] {
				tc.errorf("wl_keyboard@%d: press of key %d already down", k.id, key)
			}
			k.pressed[key] = true
		case 0:
			if !k.pressed[key] {
				tc.errorf("wl_keyboard@%d: release of key %d not down", k.id, key)
			}
			delete(k.pressed, key)
		default:
			tc.errorf("wl_keyboard@%d: key state %d", k.id, state)
		}
		if tc.decodeSyms && state == 1 && tc.xstate != nil {
			tc.syms = append(tc.syms, keysym.Name(tc.xstate.KeyOneSym(keymap.Keycode(key+8))))
		}
	case wayland.KeyboardEventModifiers:
		_ = d.Uint()
		k.mods = [4]uint32{d.Uint(), d.Uint(), d.Uint(), d.Uint()}
		if tc.xstate != nil {
			tc.xstate.UpdateMask(keymap.ModMask(k.mods[0]), keymap.ModMask(k.mods[1]), keymap.ModMask(k.mods[2]), 0, 0, int32(k.mods[3]))
		}
		if k.wantMods && tc.tracing {
			tc.trace[len(tc.trace)-1] += fmt.Sprintf(" mods %v", k.mods) // enter and its modifiers on one line
		}
		if !k.wantMods {
			tc.note(fmt.Sprintf("kbd%d modifiers %v", k.id, k.mods))
		}
		k.wantMods = false
	}
	if err := d.Finish(); err != nil {
		tc.errorf("event %d of wl_keyboard@%d: %v", h.Opcode, k.id, err)
	}
}

// checkKeymap checks the keymap fd against the contract and returns its
// text: sealed and read-only from version 7, writable and unsealed below.
func (tc *testClient) checkKeymap(k *kbdRecord, format uint32, fd int, size uint32) string {
	if format != uint32(wayland.KeyboardKeymapFormatXkbV1) {
		tc.errorf("keymap format %d", format)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Size != int64(size) {
		tc.errorf("keymap size %d, file %d (%v)", size, st.Size, err)
		return ""
	}
	buf := make([]byte, size)
	if n, err := unix.Pread(fd, buf, 0); err != nil || n != int(size) || buf[size-1] != 0 {
		tc.errorf("keymap read %d of %d bytes (%v) or no trailing NUL", n, size, err)
		return ""
	}
	seals, _ := unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0)
	flags, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	const want = unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE | unix.F_SEAL_SEAL
	if k.version >= 7 {
		if seals&want != want || flags&unix.O_ACCMODE != unix.O_RDONLY {
			tc.errorf("v%d keymap: seals %#x flags %#x; want sealed and read-only", k.version, seals, flags)
		}
	} else if seals&unix.F_SEAL_WRITE != 0 || flags&unix.O_ACCMODE != unix.O_RDWR {
		tc.errorf("v%d keymap: seals %#x flags %#x; want a writable private copy", k.version, seals, flags)
	}
	return string(buf[:size-1])
}

func words(b []byte) []uint32 {
	out := make([]uint32, 0, len(b)/4)
	for i := 0; i+4 <= len(b); i += 4 {
		out = append(out, binary.NativeEndian.Uint32(b[i:]))
	}
	return out
}
