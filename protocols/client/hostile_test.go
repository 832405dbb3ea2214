package client_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"gocomp/compositor/loop"
	"gocomp/protocols/client"
	"gocomp/protocols/client/internal/testproto/testcli"
	"gocomp/protocols/client/internal/testproto/testsrv"
	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

// scripted is our client facing a server the test plays by hand: raw
// writes on the other end of the socketpair.
type scripted struct {
	t        *testing.T
	l        *loop.Loop
	c        *client.Conn
	src      *loop.FDSource
	raw      int // the server's end
	failed   []error
	writable []bool
	reg      *client.Registry
}

// Ids the scripted setup gives its objects (bind order after the registry).
const (
	regID   = 2
	fdsID   = 3 // tst_fds, bound at version 1
	seatID  = 4 // wl_seat v7
	kbdID   = 5 // its wl_keyboard
	subID   = 6 // wl_subcompositor
	fdsName = 2 // registry name of tst_fds
)

// globals the scripted server advertises.
var scriptGlobals = []client.Global{
	{Name: 1, Interface: "wl_compositor", Version: 6},
	{Name: fdsName, Interface: "tst_fds", Version: 2},
	{Name: 3, Interface: "wl_seat", Version: 7},
	{Name: 4, Interface: "wl_subcompositor", Version: 1},
	{Name: 5, Interface: "xdg_wm_base", Version: 3},
	{Name: 6, Interface: "zxdg_decoration_manager_v1", Version: 1},
}

// newScripted connects a client, advertises scriptGlobals and binds
// tst_fds v1, wl_seat (with a keyboard) and wl_subcompositor.
func newScripted(t *testing.T, opts client.Options) (*scripted, *testcli.Fds, *wlclient.Keyboard, *wlclient.Subcompositor) {
	t.Helper()
	s := &scripted{t: t}
	var err error
	if s.l, err = loop.New(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.l.Close() })
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.raw = pair[0]
	if err := unix.SetNonblock(s.raw, true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(s.raw) })
	s.c, s.src = connectToLoop(t, s.l, pair[1], opts, &s.failed, &s.writable)
	if s.reg, err = s.c.GetRegistry(nil); err != nil {
		t.Fatal(err)
	}
	for _, g := range scriptGlobals {
		s.write(event(regID, 0, func(e *wire.Encoder) { e.PutUint(g.Name); e.PutString(g.Interface); e.PutUint(g.Version) }))
	}
	s.until("globals", func() bool { return len(s.reg.Globals()) == len(scriptGlobals) })
	fds, err := testcli.BindFds(s.reg, 1)
	if err != nil {
		t.Fatal(err)
	}
	seat, err := wlclient.BindSeat(s.reg, 7)
	if err != nil {
		t.Fatal(err)
	}
	kbd, err := seat.GetKeyboard()
	if err != nil {
		t.Fatal(err)
	}
	sub, err := wlclient.BindSubcompositor(s.reg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if fds.ID() != fdsID || seat.ID() != seatID || kbd.ID() != kbdID || sub.ID() != subID {
		t.Fatalf("setup ids %d %d %d %d; want %d %d %d %d", fds.ID(), seat.ID(), kbd.ID(), sub.ID(), fdsID, seatID, kbdID, subID)
	}
	if err := s.c.Flush(); err != nil {
		t.Fatal(err)
	}
	s.drain()
	return s, fds, kbd, sub
}

// event encodes one event.
func event(sender uint32, opcode uint16, put func(e *wire.Encoder)) []byte {
	e := wire.NewEncoder(0)
	e.Begin(sender, opcode)
	if put != nil {
		put(e)
	}
	if err := e.End(); err != nil {
		panic(err) // the test's own encoding
	}
	return bytes.Clone(e.Bytes())
}

// words returns native-endian 32-bit words.
func words(ws ...uint32) []byte {
	var b []byte
	for _, w := range ws {
		b = binary.NativeEndian.AppendUint32(b, w)
	}
	return b
}

// write sends b from the server end with fds attached, then lets the
// loop run once.
func (s *scripted) write(b []byte, fds ...int) {
	s.t.Helper()
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	if err := unix.Sendmsg(s.raw, b, oob, nil, 0); err != nil {
		s.t.Fatal(err)
	}
	if err := s.l.Dispatch(0); err != nil {
		s.t.Fatal(err)
	}
}

// drain reads and discards what the client sent so far.
func (s *scripted) drain() int {
	buf := make([]byte, 64<<10)
	total := 0
	for {
		n, err := unix.Read(s.raw, buf)
		if n <= 0 || err != nil {
			return total
		}
		total += n
	}
}

func (s *scripted) until(what string, cond func() bool) {
	s.t.Helper()
	runUntil(s.t, s.l, what, cond)
}

// unread returns the bytes waiting in the client's receive queue.
func (s *scripted) unread() int {
	n, err := unix.IoctlGetInt(s.c.Fd(), unix.SIOCINQ)
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// kbdLog records wl_keyboard events as text.
type kbdLog struct {
	wlclient.NopKeyboardListener
	log     []string
	keymaps []int
}

func (k *kbdLog) Keymap(p *wlclient.Keyboard, format wayland.KeyboardKeymapFormat, fd int, size uint32) {
	k.keymaps = append(k.keymaps, fd)
	k.log = append(k.log, "keymap "+format.String())
}

func (k *kbdLog) Key(p *wlclient.Keyboard, serial, time, key uint32, state wayland.KeyboardKeyState) {
	k.log = append(k.log, "key "+itoa(key)+" "+state.String())
}

func (k *kbdLog) Modifiers(p *wlclient.Keyboard, serial, depressed, latched, locked, group uint32) {
	k.log = append(k.log, "mods "+itoa(depressed))
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

// TestSplitMessages delivers every event in two writes with a pause
// between, the split point moving through the header and the arguments,
// with the fds on the first part, and checks each arrives whole and in
// order.
func TestSplitMessages(t *testing.T) {
	files := tempFiles(t, 4)
	s, fds, kbd, _ := newScripted(t, client.Options{})
	fl := &fdsListener{}
	fds.SetListener(fl)
	kl := &kbdLog{}
	kbd.SetListener(kl)
	before := openFDs(t)

	type msg struct {
		b   []byte
		fds []int
	}
	var msgs []msg
	msgs = append(msgs, msg{b: event(kbdID, wayland.KeyboardEventKeymap, func(e *wire.Encoder) {
		e.PutUint(uint32(wayland.KeyboardKeymapFormatXkbV1))
		e.PutUint(4096)
	}), fds: []int{int(files[0].Fd())}})
	for i := range 10 {
		msgs = append(msgs, msg{b: event(kbdID, wayland.KeyboardEventKey, func(e *wire.Encoder) {
			e.PutUint(uint32(i))
			e.PutUint(1000)
			e.PutUint(uint32(30 + i))
			e.PutUint(uint32(i % 2))
		})})
	}
	msgs = append(msgs, msg{b: event(fdsID, 0, func(e *wire.Encoder) { e.PutUint(77) }),
		fds: []int{int(files[1].Fd()), int(files[2].Fd()), int(files[3].Fd())}})
	msgs = append(msgs, msg{b: event(kbdID, wayland.KeyboardEventModifiers, func(e *wire.Encoder) {
		e.PutUint(9)
		e.PutUint(1)
		e.PutUint(0)
		e.PutUint(0)
		e.PutUint(0)
	})})

	for k, m := range msgs {
		cut := 1 + k*5%(len(m.b)-1)
		s.write(m.b[:cut], m.fds...)
		time.Sleep(2 * time.Millisecond)
		if err := s.l.Dispatch(5 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if n := s.unread(); n != 0 {
			t.Fatalf("message %d: %d bytes of the first part still unread", k, n)
		}
		if s.c.Err() != nil {
			t.Fatalf("message %d cut at %d: %v", k, cut, s.c.Err())
		}
		s.write(m.b[cut:])
	}
	s.until("all events", func() bool { return len(kl.log) == 12 && len(fl.tags) == 1 })
	want := []string{"keymap xkb_v1"}
	for i := range 10 {
		want = append(want, "key "+itoa(uint32(30+i))+" "+wayland.KeyboardKeyState(i%2).String())
	}
	want = append(want, "mods 1")
	if got := strings.Join(kl.log, ","); got != strings.Join(want, ",") {
		t.Errorf("keyboard events\n%s\nwant\n%s", got, strings.Join(want, ","))
	}
	if !sameFile(t, kl.keymaps[0], files[0]) {
		t.Errorf("keymap fd is not the file sent")
	}
	unix.Close(kl.keymaps[0])
	if fl.tags[0] != 77 {
		t.Errorf("fds tag %d; want 77", fl.tags[0])
	}
	for i, fd := range fl.got[0] {
		if !sameFile(t, fd, files[1+i]) {
			t.Errorf("fd %d of the three is not the file sent", i)
		}
		unix.Close(fd)
	}
	if after := openFDs(t); after != before {
		t.Errorf("open fds %d -> %d", before, after)
	}
}

// TestMalformedInput sends each kind of bad input to a fresh client and
// checks the error, that Failed runs once, and that no fd is left open.
func TestMalformedInput(t *testing.T) {
	devnull := tempFiles(t, 1)[0]
	keymap := event(kbdID, wayland.KeyboardEventKeymap, func(e *wire.Encoder) { e.PutUint(1); e.PutUint(10) })
	tests := []struct {
		name string
		b    []byte
		fds  int // devnull fds attached
		eof  bool
		want error
		msg  string
	}{
		{"garbage bytes", []byte("GARBAGE!GARBAGE!"), 0, false, client.ErrMalformed, "bad message header"},
		{"size below the header", words(1, 4<<16), 0, false, client.ErrMalformed, "size 4"},
		{"size not a multiple of 4", words(1, 10<<16, 0, 0), 0, false, client.ErrMalformed, "size 10"},
		{"unknown object", words(77, 8<<16), 0, false, client.ErrMalformed, "unknown object 77"},
		{"unknown opcode", words(regID, 8<<16|5), 0, false, client.ErrMalformed, "no event 5"},
		{"string without NUL", append(words(regID, 24<<16, 9, 8), []byte("wl_seatX")...), 0, false, client.ErrMalformed, "malformed string"},
		{"string past the end", words(regID, 20<<16, 9, 100, 1), 0, false, client.ErrMalformed, "past end"},
		{"trailing bytes", words(1, 16<<16|1, 3, 0), 0, false, client.ErrMalformed, "longer than its arguments"},
		{"event above the version", words(fdsID, 8<<16|2), 0, false, client.ErrMalformed, "needs version 2"},
		{"new id in the client range", words(fdsID, 16<<16|1, 50, 0), 0, false, client.ErrMalformed, "not a server id"},
		{"new id already live", append(words(fdsID, 16<<16|1, 0xff000001, 0), words(fdsID, 16<<16|1, 0xff000001, 0)...), 0, false, client.ErrMalformed, "in use"},
		{"delete_id of an unknown id", words(1, 12<<16|1, 99), 0, false, client.ErrMalformed, "unknown id 99"},
		{"delete_id of wl_display", words(1, 12<<16|1, 1), 0, false, client.ErrMalformed, "not ours"},
		{"fd event without its fds", words(fdsID, 12<<16, 5), 1, false, client.ErrMalformed, "without a file descriptor"},
		{"object argument of the wrong type", words(kbdID, 20<<16|1, 1, regID, 0), 0, false, client.ErrMalformed, "want wl_surface"},
		{"global with version 0", append(words(regID, 28<<16, 9, 8), append([]byte("wl_seat\x00"), words(0)...)...), 0, false, client.ErrMalformed, "version 0"},
		{"global_remove of an unknown name", words(regID, 12<<16|1, 42), 0, false, client.ErrMalformed, "unknown global 42"},
		{"hang-up in a message", keymap[:10], 1, true, client.ErrServerClosed, "middle of a message"},
		{"hang-up", nil, 0, true, client.ErrServerClosed, "closed the connection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, _, _ := newScripted(t, client.Options{})
			before := openFDs(t)
			var fds []int
			for range tt.fds {
				fds = append(fds, int(devnull.Fd()))
			}
			if len(tt.b) > 0 {
				s.write(tt.b, fds...)
			}
			if tt.eof {
				unix.Shutdown(s.raw, unix.SHUT_WR)
			}
			s.until("the failure", func() bool { return len(s.failed) > 0 })
			err := s.c.Err()
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q; want %v containing %q", err, tt.want, tt.msg)
			}
			if len(s.failed) != 1 || s.failed[0] != err {
				t.Errorf("Failed ran %d times", len(s.failed))
			}
			s.c.Close()
			if after := openFDs(t); after != before-1 { // the client's socket is closed
				t.Errorf("open fds %d -> %d after Close; want %d", before, after, before-1)
			}
		})
	}
}

// TestDisplayError: the error event names the object and its interface,
// also for an object we already destroyed.
func TestDisplayError(t *testing.T) {
	tests := []struct {
		object    uint32
		destroy   bool
		wantIface string
	}{
		{fdsID, false, "tst_fds"},
		{fdsID, true, "tst_fds"},
		{1234, false, ""},
	}
	for _, tt := range tests {
		s, fds, _, _ := newScripted(t, client.Options{})
		if tt.destroy {
			if err := fds.Destroy(); err != nil {
				t.Fatal(err)
			}
		}
		s.write(event(1, 0, func(e *wire.Encoder) { e.PutObject(tt.object); e.PutUint(3); e.PutString("bad thing") }))
		s.until("the error", func() bool { return s.c.Err() != nil })
		pe, ok := errorsAsProtocol(s.c.Err())
		if !ok || pe.ObjectID != tt.object || pe.Interface != tt.wantIface || pe.Code != 3 || pe.Message != "bad thing" {
			t.Errorf("error on object %d: %v; want a ProtocolError about %s@%d, code 3", tt.object, s.c.Err(), tt.wantIface, tt.object)
		}
	}
}

// TestNullObjectArgument: a request refuses nil for an argument that may
// not be null.
func TestNullObjectArgument(t *testing.T) {
	s, _, _, sub := newScripted(t, client.Options{})
	pending := s.c.Pending()
	if _, err := sub.GetSubsurface(nil, nil); !errors.Is(err, client.ErrBadObject) {
		t.Errorf("get_subsurface(nil, nil) = %v; want ErrBadObject", err)
	}
	if s.c.Pending() != pending {
		t.Errorf("the refused request was queued")
	}
	// The id it would have used is free for the next object.
	seat := &wlclient.Seat{}
	if err := s.reg.Bind(3, seat, wlclient.SeatInterface, 1); err != nil || seat.ID() != subID+1 {
		t.Errorf("next bind: id %d, %v; want id %d", seat.ID(), err, subID+1)
	}
}

// fillSocket makes the client's socket small, so that the kernel holds
// little of what the client sends.
func (s *scripted) fillSocket() {
	if err := unix.SetsockoptInt(s.c.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 4096); err != nil {
		s.t.Fatal(err)
	}
}

// TestOutputLimit: a server that stops reading makes the client hit its
// output limit. The request that does not fit fails with the limit, the
// connection fails, Failed runs once, and nothing ever blocks.
func TestOutputLimit(t *testing.T) {
	const limit = 16 << 10
	s, fds, _, _ := newScripted(t, client.Options{OutputLimit: limit})
	s.fillSocket()
	start := time.Now()
	var err error
	sent := 0
	for ; err == nil && sent < 1<<20; sent++ {
		err = fds.Echo(uint32(sent))
		if sent%64 == 0 {
			if err := s.l.Dispatch(0); err != nil {
				t.Fatal(err)
			}
		}
	}
	var oe *wire.OverflowError
	if !errors.As(err, &oe) || oe.Limit != limit || !strings.Contains(err.Error(), "stopped reading") {
		t.Fatalf("after %d requests: %v; want the output limit of %d", sent, err, limit)
	}
	if len(s.writable) == 0 || !s.writable[0] {
		t.Errorf("WantWritable calls %v; want true before the limit", s.writable)
	}
	if s.c.Err() != err {
		t.Errorf("Err() = %v; want the request's error", s.c.Err())
	}
	if len(s.failed) != 0 {
		t.Errorf("Failed ran inside the request")
	}
	// The hook runs at the next Flush (the loop's before-wait), once.
	if err := s.l.Dispatch(0); err != nil {
		t.Fatal(err)
	}
	if err := fds.Echo(0); err != s.c.Err() {
		t.Errorf("request after the failure: %v", err)
	}
	if err := s.l.Dispatch(0); err != nil {
		t.Fatal(err)
	}
	if len(s.failed) != 1 || s.failed[0] != s.c.Err() {
		t.Errorf("Failed calls %v; want one with the error", s.failed)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("reaching the limit took %v", d)
	}
}

// TestBackPressure: with the server not reading, Flush leaves output
// queued and asks for writability; when the server reads again, the loop
// reports the fd writable, Flush sends the rest and withdraws the request,
// all before the limit.
func TestBackPressure(t *testing.T) {
	s, fds, _, _ := newScripted(t, client.Options{OutputLimit: 1 << 20})
	s.fillSocket()
	const n = 20000 // 240 KB of tst_fds.echo
	for i := range n {
		if err := fds.Echo(uint32(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.l.Dispatch(0); err != nil {
		t.Fatal(err)
	}
	if len(s.writable) != 1 || !s.writable[0] || s.c.Pending() == 0 {
		t.Fatalf("with the server not reading: WantWritable calls %v, %d bytes pending", s.writable, s.c.Pending())
	}
	var got []byte
	buf := make([]byte, 64<<10)
	reader, err := s.l.AddFD(s.raw, loop.Readable, func(loop.Events) {
		for {
			m, err := unix.Read(s.raw, buf)
			if m <= 0 || err != nil {
				return
			}
			got = append(got, buf[:m]...)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Remove()
	s.until("all requests", func() bool { return len(got) >= n*12 })
	if s.c.Err() != nil || s.c.Pending() != 0 {
		t.Fatalf("after draining: %v, %d pending", s.c.Err(), s.c.Pending())
	}
	if last := s.writable[len(s.writable)-1]; last {
		t.Errorf("WantWritable calls %v; want the last to be false", s.writable)
	}
	for i := range n {
		m := got[i*12 : i*12+12]
		if !bytes.Equal(m, words(fdsID, 12<<16|testsrv.FdsRequestEcho, uint32(i))) {
			t.Fatalf("request %d arrived as % x", i, m)
		}
	}
}
