package nested_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/backend/nested"
	"gocomp/compositor/headless"
	"gocomp/compositor/loop"
	"gocomp/xkb/compile"
	"gocomp/xkb/includepath"
	"gocomp/xkb/rules"

	"golang.org/x/sys/unix"
)

// hostileHost sits between a nested gocomp and its real host (an outer
// gocomp) and misbehaves on purpose: every host message reaches the
// nested gocomp in two writes, and the test can inject messages (several
// fds in one write), stop reading the nested gocomp's requests, or send
// garbage.
type hostileHost struct {
	t           *testing.T
	listener    int  // where the nested gocomp connects
	closing     bool // close has begun (guarded by writeMu)
	inner       int  // the nested gocomp's connection (blocking; set under writeMu)
	outer       int  // the real host's connection (blocking; set under writeMu)
	writeMu     sync.Mutex
	pause       chan struct{} // closed: reading requests resumes
	paused      bool
	mu          sync.Mutex
	registry    uint32
	seat        uint32
	wmBase      uint32
	keyboard    uint32
	xdgSurfaces []uint32
	toplevels   []uint32
	pongs       []uint32 // serials of pongs to injected pings, in order
	done        sync.WaitGroup
}

// injectedSerial is where the serials of injected pings start; the real
// host's are far below.
const injectedSerial = 0x40000000

// startHostileHost listens on name in XDG_RUNTIME_DIR and, for the first
// client, connects to the real host's socket realHost.
func startHostileHost(t *testing.T, name, realHost string) *hostileHost {
	t.Helper()
	dir := os.Getenv("XDG_RUNTIME_DIR")
	lfd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(lfd, &unix.SockaddrUnix{Name: filepath.Join(dir, name)}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(lfd, 1); err != nil {
		t.Fatal(err)
	}
	h := &hostileHost{t: t, listener: lfd, inner: -1, outer: -1}
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		defer unix.Close(lfd)
		fd, _, err := unix.Accept4(lfd, unix.SOCK_CLOEXEC)
		if err != nil {
			h.writeMu.Lock()
			closing := h.closing
			h.writeMu.Unlock()
			if !closing { // not woken by close: the test failed earlier
				t.Errorf("hostile host: accept: %v", err)
			}
			return
		}
		ofd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err == nil {
			err = unix.Connect(ofd, &unix.SockaddrUnix{Name: filepath.Join(dir, realHost)})
		}
		if err != nil {
			t.Errorf("hostile host: connect to %s: %v", realHost, err)
			unix.Close(fd)
			return
		}
		h.writeMu.Lock()
		h.inner, h.outer = fd, ofd
		h.writeMu.Unlock()
		h.done.Add(2)
		go h.forwardEvents()
		go h.forwardRequests()
	}()
	t.Cleanup(h.close)
	return h
}

// close ends both connections and waits for the forwarding goroutines.
func (h *hostileHost) close() {
	h.resume()
	h.writeMu.Lock()
	h.closing = true
	// A test that failed before the nested gocomp connected leaves the
	// accept waiting: shutting the listener down wakes it.
	unix.Shutdown(h.listener, unix.SHUT_RDWR)
	for _, fd := range []int{h.inner, h.outer} {
		if fd >= 0 {
			unix.Shutdown(fd, unix.SHUT_RDWR)
		}
	}
	h.writeMu.Unlock()
	h.done.Wait()
	unix.Close(h.inner)
	unix.Close(h.outer)
}

// reader splits a byte stream with SCM_RIGHTS fds into messages.
type reader struct {
	fd  int
	buf []byte
	fds []int
}

// next returns the next whole message and the fds received so far (which
// the sender meant for it or earlier messages), or an error at EOF.
func (r *reader) next() (msg []byte, fds []int, err error) {
	for {
		if len(r.buf) >= 8 {
			size := int(binary.NativeEndian.Uint32(r.buf[4:]) >> 16)
			if size >= 8 && len(r.buf) >= size {
				msg = slices.Clone(r.buf[:size])
				r.buf = r.buf[size:]
				fds, r.fds = r.fds, nil
				return msg, fds, nil
			}
		}
		b := make([]byte, 4096)
		oob := make([]byte, unix.CmsgSpace(28*4))
		n, oobn, _, _, err := unix.Recvmsg(r.fd, b, oob, unix.MSG_CMSG_CLOEXEC)
		if err != nil {
			return nil, nil, err
		}
		if oobn > 0 {
			cmsgs, _ := unix.ParseSocketControlMessage(oob[:oobn])
			for _, c := range cmsgs {
				got, _ := unix.ParseUnixRights(&c)
				r.fds = append(r.fds, got...)
			}
		}
		if n == 0 {
			return nil, nil, errors.New("EOF")
		}
		r.buf = append(r.buf, b[:n]...)
	}
}

// send writes b with fds (closing them) to fd in full.
func send(fd int, b []byte, fds []int) error {
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	n, err := unix.SendmsgN(fd, b, oob, nil, 0)
	for _, f := range fds {
		unix.Close(f)
	}
	for err == nil && n < len(b) {
		b = b[n:]
		n, err = unix.Write(fd, b)
	}
	return err
}

// forwardEvents passes the host's events on, each in two writes (the fds
// with the first), a moment apart so that they arrive in two reads.
func (h *hostileHost) forwardEvents() {
	defer h.done.Done()
	r := &reader{fd: h.outer}
	for {
		msg, fds, err := r.next()
		if err != nil {
			return
		}
		half := len(msg) / 2
		h.writeMu.Lock()
		err = send(h.inner, msg[:half], fds)
		if err == nil {
			time.Sleep(200 * time.Microsecond)
			err = send(h.inner, msg[half:], nil)
		}
		h.writeMu.Unlock()
		if err != nil {
			return
		}
	}
}

// forwardRequests passes the nested gocomp's requests on, noting the ids
// the test injects events for and keeping the pongs to injected pings.
func (h *hostileHost) forwardRequests() {
	defer h.done.Done()
	r := &reader{fd: h.inner}
	for {
		h.mu.Lock()
		pause := h.pause
		h.mu.Unlock()
		if pause != nil {
			<-pause
		}
		msg, fds, err := r.next()
		if err != nil {
			return
		}
		if h.note(msg) {
			continue
		}
		if err := send(h.outer, msg, fds); err != nil {
			return
		}
	}
}

// note records what the request msg creates; it reports whether msg is a
// pong to an injected ping, which the real host must not see.
func (h *hostileHost) note(msg []byte) bool {
	obj := binary.NativeEndian.Uint32(msg)
	opcode := binary.NativeEndian.Uint32(msg[4:]) & 0xffff
	arg := func(i int) uint32 { return binary.NativeEndian.Uint32(msg[8+4*i:]) }
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case obj == 1 && opcode == 1: // wl_display.get_registry
		h.registry = arg(0)
	case obj == h.registry && opcode == 0: // wl_registry.bind(name, interface, version, id)
		n := int(arg(1))
		iface := strings.TrimRight(string(msg[16:16+n]), "\x00")
		id := binary.NativeEndian.Uint32(msg[len(msg)-4:])
		switch iface {
		case "wl_seat":
			h.seat = id
		case "xdg_wm_base":
			h.wmBase = id
		}
	case obj == h.seat && opcode == 1: // wl_seat.get_keyboard
		h.keyboard = arg(0)
	case obj == h.wmBase && opcode == 2: // xdg_wm_base.get_xdg_surface(id, surface)
		h.xdgSurfaces = append(h.xdgSurfaces, arg(0))
	case slices.Contains(h.xdgSurfaces, obj) && opcode == 1: // xdg_surface.get_toplevel(id)
		h.toplevels = append(h.toplevels, arg(0))
	case obj == h.wmBase && opcode == 3 && arg(0) >= injectedSerial: // xdg_wm_base.pong
		h.pongs = append(h.pongs, arg(0))
		return true
	}
	return false
}

// ids returns the host keyboard's and xdg_wm_base's ids in the nested
// gocomp's connection.
func (h *hostileHost) ids() (keyboard, wmBase uint32) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.keyboard, h.wmBase
}

// toplevelIDs returns the ids of the nested gocomp's windows.
func (h *hostileHost) toplevelIDs() []uint32 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.toplevels)
}

// pongSerials returns the pongs to injected pings so far.
func (h *hostileHost) pongSerials() []uint32 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.pongs)
}

// stopReading makes the host stop reading the nested gocomp's requests.
func (h *hostileHost) stopReading() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pause == nil {
		h.pause = make(chan struct{})
	}
}

// resume makes the host read again.
func (h *hostileHost) resume() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pause != nil {
		close(h.pause)
		h.pause = nil
	}
}

// inject writes raw bytes with fds to the nested gocomp in one write,
// between two forwarded messages.
func (h *hostileHost) inject(b []byte, fds []int) {
	h.t.Helper()
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	if err := send(h.inner, b, fds); err != nil {
		h.t.Fatalf("hostile host: write: %v", err)
	}
}

// event encodes an event of object obj.
func event(obj uint32, opcode uint16, args ...uint32) []byte {
	b := make([]byte, 8+4*len(args))
	binary.NativeEndian.PutUint32(b, obj)
	binary.NativeEndian.PutUint32(b[4:], uint32(len(b))<<16|uint32(opcode))
	for i, a := range args {
		binary.NativeEndian.PutUint32(b[8+4*i:], a)
	}
	return b
}

// keymapFile compiles layout into a keymap text in a memfd, as a host
// sends it.
func keymapFile(t *testing.T, layout string) (fd int, size uint32, text string) {
	t.Helper()
	km, err := compile.FromNames(includepath.Dirs(os.Getenv), rules.Names{Rules: "evdev", Model: "pc105", Layout: layout}, rules.EnvFrom(os.Getenv))
	if err != nil {
		t.Fatal(err)
	}
	text = km.Text()
	fd, err = unix.MemfdCreate("host-keymap", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unix.Write(fd, append([]byte(text), 0)); err != nil {
		t.Fatal(err)
	}
	return fd, uint32(len(text) + 1), text
}

func TestHostileHost(t *testing.T) {
	runtimeDir(t)
	outer := startOuter(t, 320, 240, "--hide-cursor")
	host := startHostileHost(t, "hostile", outer.socket)
	var keymaps []string // the host keymaps the nested gocomp read, in order
	var keymapsMu sync.Mutex
	inner := startSession(t, "inner", nil, func(s *session) (backend.Backend, error) {
		return nested.New(s.l, nested.Config{Display: "hostile", Mode: headless.DefaultMode(), Log: s.logger,
			HostKeymap: func(fd int, size uint32) {
				b := make([]byte, size)
				n, _ := unix.Pread(fd, b, 0)
				keymapsMu.Lock()
				keymaps = append(keymaps, string(bytes.TrimRight(b[:max(n, 0)], "\x00")))
				keymapsMu.Unlock()
			}})
	})
	c := dial(t, inner)
	k, err := c.Keyboard()
	if err != nil {
		t.Fatal(err)
	}

	// 1. Every host message arrives in two writes: the window maps, the
	// inner client's picture shows, keys typed on the outer keyboard all
	// arrive in order.
	w := newWindow(t, c, 0, 0, 0x112233)
	outer.waitScreen(func(img *image.RGBA) string { return region(img, img.Bounds(), 0x112233, 0) })
	waitFor(t, c, "keyboard focus", func() bool { return k.Focus == w.Surface })
	kbd := outer.devices.kbd
	typeKeys := func(n int) []string {
		var want []string
		outer.do(func() {
			for i := range n {
				code := uint16(16 + i%10) // q w e r t y u i o p
				kbd.Key(loop.Now(), code, true)
				kbd.Key(loop.Now(), code, false)
				want = append(want, fmt.Sprintf("key %d pressed", code), fmt.Sprintf("key %d released", code))
			}
		})
		return want
	}
	from := len(k.Events)
	want := typeKeys(100)
	waitFor(t, c, "100 keys", func() bool { return len(k.Events)-from >= len(want) })
	if got := k.Events[from:]; !slices.Equal(got, want) {
		t.Errorf("keys through the splitting host: got %d events %q...; want %q...", len(got), got[:min(6, len(got))], want[:6])
	}

	// 2. Three keymap events, their three fds in one write (and the
	// messages themselves cut mid-way): each fd goes with its message.
	keyboard, wmBase := host.ids()
	if keyboard == 0 || wmBase == 0 {
		t.Fatalf("the nested gocomp made no host keyboard (%d) or xdg_wm_base (%d)", keyboard, wmBase)
	}
	var msgs []byte
	var fds []int
	var texts []string
	for _, layout := range []string{"fr", "de", "gb"} {
		fd, size, text := keymapFile(t, layout)
		msgs = append(msgs, event(keyboard, 0, 1, size)...) // keymap(xkb_v1, fd, size): the fd travels aside
		fds, texts = append(fds, fd), append(texts, text)
	}
	host.inject(msgs[:20], fds)
	time.Sleep(50 * time.Millisecond)
	host.inject(msgs[20:], nil)
	if err := c.Roundtrip(ctxTimeout(t)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		keymapsMu.Lock()
		got := slices.Clone(keymaps)
		keymapsMu.Unlock()
		if len(got) >= 4 {
			// The real host's keymap first, then the three injected ones.
			if !slices.Equal(got[1:], texts) {
				t.Errorf("the nested gocomp read %d keymaps; the injected three differ from what was sent", len(got))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the nested gocomp read %d host keymaps; want 4 (the host's, then three in one write)", len(got))
		}
		time.Sleep(10 * time.Millisecond)
	}

	// 3. The host stops reading for 10 s while asking for 40,000 pongs:
	// the nested gocomp queues them (bounded) and keeps serving its own
	// client, which still gets the keys the host sends.
	host.stopReading()
	const pings = 40000
	var burst []byte
	for i := range pings {
		burst = append(burst, event(wmBase, 0, injectedSerial+uint32(i))...)
	}
	host.inject(burst, nil)
	stall := time.Now()
	for time.Since(stall) < 10*time.Second {
		from := len(k.Events)
		want := typeKeys(5)
		waitFor(t, c, "keys while the host does not read", func() bool { return len(k.Events)-from >= len(want) })
		if err := c.Roundtrip(ctxTimeout(t)); err != nil {
			t.Fatalf("the nested gocomp stopped serving its client while its host did not read: %v", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if !strings.Contains(inner.log.String(), "not reading") {
		t.Errorf("the nested gocomp did not log that its host stopped reading:\n%s", inner.log.String())
	}
	host.resume()
	deadline = time.Now().Add(20 * time.Second)
	for len(host.pongSerials()) < pings && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	got := host.pongSerials()
	if len(got) != pings {
		t.Fatalf("the host got %d pongs; want %d", len(got), pings)
	}
	for i, s := range got {
		if s != injectedSerial+uint32(i) {
			t.Fatalf("pong %d has serial %#x; want %#x (in order, none lost)", i, s, injectedSerial+uint32(i))
		}
	}
	// The requests held back meanwhile reach the host: a new picture shows.
	if err := w.Draw(ctxTimeout(t), 0x445566); err != nil {
		t.Fatal(err)
	}
	outer.waitScreen(func(img *image.RGBA) string { return region(img, img.Bounds(), 0x445566, 0) })

	// 4. Garbage: a message shorter than its header. The nested gocomp
	// ends its session with a clear error.
	host.inject([]byte{1, 0, 0, 0, 0, 0, 3, 0}, nil)
	select {
	case err := <-inner.done:
		if err == nil || !strings.Contains(err.Error(), "host compositor") || !strings.Contains(err.Error(), "malformed") {
			t.Errorf("after garbage the nested session ended with %v; want an error naming the host compositor's malformed message", err)
		}
		inner.done <- nil // checked here
	case <-time.After(10 * time.Second):
		t.Fatal("the nested session did not end on garbage from its host")
	}
}

func TestHostClosingTheWindowEndsTheSession(t *testing.T) {
	runtimeDir(t)
	outer := startOuter(t, 320, 240)
	host := startHostileHost(t, "hostile", outer.socket)
	inner := startSession(t, "inner", nil, func(s *session) (backend.Backend, error) {
		return nested.New(s.l, nested.Config{Display: "hostile", Mode: headless.DefaultMode(), Outputs: 2, Log: s.logger})
	})
	c := dial(t, inner)
	if err := c.Roundtrip(ctxTimeout(t)); err != nil {
		t.Fatal(err)
	}
	// --outputs 2: two host windows, two outputs side by side.
	log := inner.log.String()
	for _, want := range []string{"output added\" output=WL-1", "output added\" output=WL-2 mode=320x240@60", "x=320"} {
		if !strings.Contains(log, want) {
			t.Errorf("the nested log lacks %q:\n%s", want, log)
		}
	}
	toplevels := host.toplevelIDs()
	if len(toplevels) != 2 {
		t.Fatalf("the nested gocomp opened %d host windows; want 2", len(toplevels))
	}
	host.inject(event(toplevels[1], 1), nil) // xdg_toplevel.close
	select {
	case err := <-inner.done:
		if err != nil {
			t.Errorf("closing the host window ended the session with %v; want a clean end, as SIGTERM", err)
		}
		inner.done <- nil
	case <-time.After(10 * time.Second):
		t.Fatal("closing the host window did not end the session")
	}
	if !strings.Contains(inner.log.String(), "the host window was closed") {
		t.Errorf("the nested gocomp did not say why it ended:\n%s", inner.log.String())
	}
}
