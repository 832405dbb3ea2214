package compositor

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/headless"
	"gocomp/compositor/loop"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

// syncBuffer is a log sink shared by the loop goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness runs a Server with a headless output on its own loop goroutine.
type harness struct {
	t    *testing.T
	l    *loop.Loop
	b    *headless.Backend
	srv  *Server
	log  *syncBuffer
	done chan error
}

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// startServer starts a server; at cleanup it stops it and checks that no
// fd or goroutine leaked.
func startServer(t *testing.T, cfg Config, mode backend.Mode) *harness {
	t.Helper()
	return startServerOutputs(t, cfg, headless.Config{Mode: mode})
}

// startServerOutputs is startServer with headless outputs as hc says.
func startServerOutputs(t *testing.T, cfg Config, hc headless.Config) *harness {
	t.Helper()
	runtimeDir(t)
	warmRuntime()
	fds, goroutines := openFDs(t), runtime.NumGoroutine()
	h := &harness{t: t, log: &syncBuffer{}, done: make(chan error, 1)}
	cfg.Log = slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var err error
	if h.l, err = loop.New(); err != nil {
		t.Fatal(err)
	}
	if h.b, err = headless.New(h.l, hc); err != nil {
		t.Fatal(err)
	}
	if h.srv, err = New(h.l, h.b, cfg); err != nil {
		t.Fatal(err)
	}
	go func() { h.done <- h.l.Run() }()
	t.Cleanup(func() {
		h.stop()
		checkNoLeaks(t, fds, goroutines)
	})
	return h
}

// checkNoLeaks fails t unless the process is back to at most fds open file
// descriptors and goroutines goroutines. Goroutines and fds of a shut-down
// server may take a moment to go (a loaded CI machine schedules the exiting
// goroutines late), so it polls, returning as soon as both counts are down
// and failing only after 10 s.
func checkNoLeaks(t *testing.T, fds, goroutines int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		nf, ng := openFDs(t), runtime.NumGoroutine()
		if nf <= fds && ng <= goroutines {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Errorf("leak after shutdown: %d fds (was %d), %d goroutines (was %d)\nfds: %s\n%s",
				nf, fds, ng, goroutines, fdTargets(), buf[:runtime.Stack(buf, true)])
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// do runs fn on the loop goroutine and waits for it.
func (h *harness) do(fn func()) {
	ch := make(chan struct{})
	h.l.Post(func() { fn(); close(ch) })
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		h.t.Fatal("loop did not run posted work within 10 s")
	}
}

// stop ends the loop and tears everything down. Idempotent.
func (h *harness) stop() {
	if h.l == nil {
		return
	}
	h.l.Post(h.l.Stop)
	if err := <-h.done; err != nil {
		h.t.Error(err)
	}
	if err := h.srv.Close(); err != nil {
		h.t.Error(err)
	}
	if err := h.l.Close(); err != nil {
		h.t.Error(err)
	}
	h.l = nil
}

// event is one event a test client received.
type event struct {
	sender uint32
	opcode uint16
	args   []byte
	fds    []int
}

func (e event) uint(i int) uint32 { return binary.NativeEndian.Uint32(e.args[4*i:]) }

// str decodes a string argument starting at word i.
func (e event) str(i int) string {
	n := int(e.uint(i))
	if n == 0 {
		return ""
	}
	return string(e.args[4*(i+1) : 4*(i+1)+n-1])
}

// tclient is a raw Wayland client for tests: it writes requests and reads
// events with the wire package, blocking with a timeout.
type tclient struct {
	t       *testing.T
	name    string
	conn    *wire.Conn
	next    uint32
	globals map[string][2]uint32 // interface -> name, version
	queue   []event
	eof     bool
	err     error

	registry uint32
	hold     bool // queue requests until flush (one write for a batch)
}

// fdArg marks an int request argument as a file descriptor; the caller
// keeps it (the wire encoder sends a dup).
type fdArg int

// newIDArg is an untyped new_id (wl_registry.bind).
type newIDArg struct {
	iface   string
	version uint32
	id      uint32
}

// dial connects a test client to the harness's socket and reads the
// registry.
func (h *harness) dial(name string) *tclient {
	t := h.t
	t.Helper()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: h.srv.SocketPath()}); err != nil {
		t.Fatal(err)
	}
	conn, err := wire.NewConn(fd, 8<<20)
	if err != nil {
		t.Fatal(err)
	}
	c := &tclient{t: t, name: name, conn: conn, next: 2, globals: map[string][2]uint32{}}
	t.Cleanup(c.close)
	reg := c.newID()
	c.send(1, wayland.DisplayRequestGetRegistry, reg)
	c.roundtrip()
	for _, ev := range c.take(func(e event) bool { return e.sender == reg && e.opcode == wayland.RegistryEventGlobal }) {
		c.globals[ev.str(1)] = [2]uint32{ev.uint(0), ev.uint(2 + (len(ev.str(1))+1+3)/4)}
	}
	c.registry = reg
	return c
}

func (c *tclient) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
	for _, e := range c.queue {
		for _, fd := range e.fds {
			unix.Close(fd)
		}
	}
	c.queue = nil
}

func (c *tclient) newID() uint32 {
	c.next++
	return c.next - 1
}

// send encodes one request and flushes it.
func (c *tclient) send(obj uint32, opcode uint16, args ...any) {
	c.t.Helper()
	e := c.conn.Out()
	e.Begin(obj, opcode)
	for _, a := range args {
		switch v := a.(type) {
		case uint32:
			e.PutUint(v)
		case int32:
			e.PutInt(v)
		case int:
			e.PutInt(int32(v))
		case string:
			e.PutString(v)
		case []byte:
			e.PutArray(v)
		case fdArg:
			e.PutFD(int(v)) // the encoder sends a dup

		case newIDArg:
			e.PutString(v.iface)
			e.PutUint(v.version)
			e.PutUint(v.id)
		default:
			c.t.Fatalf("send: unsupported argument %T", a)
		}
	}
	if err := e.End(); err != nil {
		c.t.Fatal(err)
	}
	if !c.hold {
		c.flush()
	}
}

// flush writes queued requests, waiting for the socket when full.
func (c *tclient) flush() {
	c.t.Helper()
	for {
		pending, err := c.conn.Flush()
		if err != nil {
			c.err = err
			return
		}
		if !pending {
			return
		}
		unix.Poll([]unix.PollFd{{Fd: int32(c.conn.Fd()), Events: unix.POLLOUT}}, 1000)
	}
}

// read waits up to timeout for data and queues the events received. It
// reports false at end of stream.
func (c *tclient) read(timeout time.Duration) bool {
	c.t.Helper()
	if c.eof {
		return false
	}
	pfd := []unix.PollFd{{Fd: int32(c.conn.Fd()), Events: unix.POLLIN}}
	if n, _ := unix.Poll(pfd, int(timeout/time.Millisecond)); n == 0 {
		return true
	}
	for {
		_, err := c.conn.Read()
		if errors.Is(err, unix.EAGAIN) {
			break
		}
		if errors.Is(err, io.EOF) || errors.Is(err, unix.ECONNRESET) {
			c.eof = true
			break
		}
		if err != nil {
			c.t.Fatalf("%s: read: %v", c.name, err)
		}
		for {
			h, args, ok, err := c.conn.Next()
			if err != nil {
				c.t.Fatalf("%s: bad event from server: %v", c.name, err)
			}
			if !ok {
				break
			}
			ev := event{sender: h.Sender, opcode: h.Opcode, args: bytes.Clone(args)}
			if h.Sender == 1 && h.Opcode == wayland.DisplayEventError {
				c.t.Logf("%s: wl_display.error(%d, %d, %q)", c.name, ev.uint(0), ev.uint(1), ev.str(2))
			}
			c.queue = append(c.queue, ev)
		}
	}
	// fds travel beside the bytes; hand them to events in order is not
	// needed by these tests: close them.
	for {
		fd, ok := c.conn.PopFD()
		if !ok {
			break
		}
		unix.Close(fd)
	}
	return !c.eof
}

// waitFor reads until an event matches and consumes it; the events queued
// before it stay queued and are returned too, in order.
func (c *tclient) waitFor(what string, match func(event) bool) (event, []event) {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for i, e := range c.queue {
			if match(e) {
				before := slices.Clone(c.queue[:i])
				c.queue = slices.Delete(c.queue, i, i+1)
				return e, before
			}
		}
		if c.eof {
			c.t.Fatalf("%s: connection closed while waiting for %s", c.name, what)
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: no %s within 10 s", c.name, what)
		}
		c.read(100 * time.Millisecond)
	}
}

// take removes and returns every queued event that matches.
func (c *tclient) take(match func(event) bool) []event {
	var got, kept []event
	for _, e := range c.queue {
		if match(e) {
			got = append(got, e)
		} else {
			kept = append(kept, e)
		}
	}
	c.queue = kept
	return got
}

// roundtrip sends wl_display.sync and waits for its done; every event the
// server sent before it is then queued.
func (c *tclient) roundtrip() {
	c.t.Helper()
	cb := c.newID()
	c.send(1, wayland.DisplayRequestSync, cb)
	c.waitFor("sync done", func(e event) bool { return e.sender == cb && e.opcode == wayland.CallbackEventDone })
}

// bind binds the named global at version and returns the new object id.
func (c *tclient) bind(iface string, version uint32) uint32 {
	c.t.Helper()
	g, ok := c.globals[iface]
	if !ok {
		c.t.Fatalf("%s: no global %s (have %v)", c.name, iface, c.globals)
	}
	id := c.newID()
	c.send(c.registry, wayland.RegistryRequestBind, g[0], newIDArg{iface, version, id})
	return id
}

// expectError waits for wl_display.error and the disconnect after it.
func (c *tclient) expectError() (object, code uint32, message string) {
	c.t.Helper()
	ev, _ := c.waitFor("wl_display.error", func(e event) bool { return e.sender == 1 && e.opcode == wayland.DisplayEventError })
	deadline := time.Now().Add(10 * time.Second)
	for c.read(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: still connected 10 s after the protocol error", c.name)
		}
	}
	return ev.uint(0), ev.uint(1), ev.str(2)
}

// memfd returns a memfd of size bytes and its shared mapping for writing;
// both are released at cleanup.
func memfd(t *testing.T, size int) (int, []byte) {
	t.Helper()
	fd, err := unix.MemfdCreate("gocomp-test", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		t.Fatal(err)
	}
	mem, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Munmap(mem); unix.Close(fd) })
	return fd, mem
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// fdTargets lists what this process's fds point at, for leak reports.
func fdTargets() string {
	ents, _ := os.ReadDir("/proc/self/fd")
	var out []string
	for _, e := range ents {
		target, _ := os.Readlink("/proc/self/fd/" + e.Name())
		out = append(out, e.Name()+"->"+target)
	}
	return strings.Join(out, " ")
}

// warmRuntime starts what the Go runtime keeps for good once used (the
// poller's fds, os/signal's watcher goroutine), so leak checks can take
// their baseline after it.
func warmRuntime() {
	if r, w, err := os.Pipe(); err == nil {
		r.Close()
		w.Close()
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR2)
	signal.Stop(sigs)
}
