package seat_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

// soakClient is a raw client that binds every global the compositor
// advertises, asks the seat for a keyboard and a pointer, makes a surface,
// and then leaves: politely after a round trip, or abruptly in the middle
// of a request.
type soakClient struct {
	conn   *wire.Conn
	nextID uint32
}

func dialSoak(path string) (*soakClient, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		unix.Close(fd)
		return nil, err
	}
	conn, err := wire.NewConn(fd, 1<<20)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &soakClient{conn: conn, nextID: 2}, nil
}

func (c *soakClient) id() uint32 { c.nextID++; return c.nextID - 1 }

// send queues one request; args are uint32 or string.
func (c *soakClient) send(obj uint32, op uint16, args ...any) error {
	e := c.conn.Out()
	e.Begin(obj, op)
	for _, a := range args {
		switch v := a.(type) {
		case uint32:
			e.PutUint(v)
		case string:
			e.PutString(v)
		}
	}
	return e.End()
}

// flush writes what is queued, waiting for the socket when it is full.
func (c *soakClient) flush() error {
	for {
		pending, err := c.conn.Flush()
		if err != nil || !pending {
			return err
		}
		pfd := []unix.PollFd{{Fd: int32(c.conn.Fd()), Events: unix.POLLOUT}}
		if _, err := unix.Poll(pfd, 1000); err != nil && !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// until reads events until done reports true for one, closing any fd
// that comes with them (keymaps).
func (c *soakClient) until(done func(h wire.Header, args []byte) bool) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		for {
			h, args, ok, err := c.conn.Next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			for c.conn.QueuedFDs() > 0 {
				fd, _ := c.conn.PopFD()
				unix.Close(fd)
			}
			if done(h, args) {
				return nil
			}
		}
		pfd := []unix.PollFd{{Fd: int32(c.conn.Fd()), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, 100); err != nil && !errors.Is(err, unix.EINTR) {
			return err
		}
		if _, err := c.conn.Read(); err != nil && !errors.Is(err, unix.EAGAIN) {
			return err
		}
		if time.Now().After(deadline) {
			return errors.New("soak client: timed out")
		}
	}
}

// session runs one client's life; abrupt ones end mid-request.
func (c *soakClient) session(abrupt bool, rng *rand.Rand) error {
	reg := c.id()
	if err := c.send(1, wayland.DisplayRequestGetRegistry, reg); err != nil {
		return err
	}
	sync := c.id()
	c.send(1, wayland.DisplayRequestSync, sync)
	if err := c.flush(); err != nil {
		return err
	}
	type global struct {
		name    uint32
		iface   string
		version uint32
	}
	var globals []global
	err := c.until(func(h wire.Header, args []byte) bool {
		if h.Sender == reg && h.Opcode == wayland.RegistryEventGlobal {
			var d wire.Decoder
			d.Reset(args, nil)
			globals = append(globals, global{d.Uint(), d.Str(), d.Uint()})
		}
		return h.Sender == sync
	})
	if err != nil {
		return err
	}
	ids := map[string]uint32{}
	for _, g := range globals {
		id := c.id()
		ids[g.iface] = id
		c.send(reg, wayland.RegistryRequestBind, g.name, g.iface, g.version, id)
	}
	if seat, ok := ids["wl_seat"]; ok {
		c.send(seat, wayland.SeatRequestGetKeyboard, c.id())
	}
	if comp, ok := ids["wl_compositor"]; ok {
		surf := c.id()
		c.send(comp, wayland.CompositorRequestCreateSurface, surf)
		if wm, ok := ids["xdg_wm_base"]; ok {
			xs := c.id()
			c.send(wm, 2 /* get_xdg_surface */, xs, surf)
			c.send(xs, 1 /* get_toplevel */, c.id())
			c.send(surf, wayland.SurfaceRequestCommit)
		}
	}
	if abrupt {
		// Half of a request, then gone.
		b := c.conn.Out().Bytes()
		part := make([]byte, len(b)+6)
		copy(part, b)
		copy(part[len(b):], []byte{1, 0, 0, 0, 0, 0})
		unix.Write(c.conn.Fd(), part[:len(b)+1+rng.IntN(5)])
		return nil
	}
	done := c.id()
	c.send(1, wayland.DisplayRequestSync, done)
	if err := c.flush(); err != nil {
		return err
	}
	return c.until(func(h wire.Header, _ []byte) bool {
		if h.Sender == 1 && h.Opcode == wayland.DisplayEventError {
			return true
		}
		return h.Sender == done
	})
}

// rssKB returns this process's resident set size.
func rssKB(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestSoakThousandClients connects 1000 clients, 8 at a time, each binding
// every global, getting a keyboard and a toplevel, then leaving — one in
// four abruptly, in the middle of a request — while keys are typed on the
// seat all along. The compositor must serve them all, then hold no more
// fds and goroutines than before, with a bounded resident set.
func TestSoakThousandClients(t *testing.T) {
	checkLeaks(t)
	g := startGocomp(t)
	path := filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), g.socket)
	runtime.GC()
	rss0, fds0, gor0 := rssKB(t), openFDs(t), runtime.NumGoroutine()

	stopKeys := make(chan struct{})
	var keys sync.WaitGroup
	typed := 0
	keys.Add(1)
	go func() {
		defer keys.Done()
		for i := 0; ; i++ {
			select {
			case <-stopKeys:
				return
			default:
			}
			g.key(30+uint16(i%10), true)
			g.key(30+uint16(i%10), false)
			typed += 2
		}
	}()

	const total, parallel = 1000, 8
	var wg sync.WaitGroup
	errs := make(chan error, total)
	abrupt, typedBetween := 0, 0
	for batch := 0; batch < total; batch += parallel {
		for i := batch; i < batch+parallel; i++ {
			rough := i%4 == 3
			if rough {
				abrupt++
			}
			wg.Add(1)
			go func(i int, rough bool) {
				defer wg.Done()
				c, err := dialSoak(path)
				if err != nil {
					errs <- fmt.Errorf("client %d: %w", i, err)
					return
				}
				defer c.conn.Close()
				if err := c.session(rough, rand.New(rand.NewPCG(uint64(i), 1))); err != nil {
					errs <- fmt.Errorf("client %d: %w", i, err)
				}
			}(i, rough)
		}
		// A tap between batches too, so keys flow through the whole soak
		// however fast the clients come and go.
		g.key(44, true)
		g.key(44, false)
		typedBetween += 2
		wg.Wait()
	}
	close(stopKeys)
	keys.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Every client is gone from the compositor: back to the baseline.
	deadline := time.Now().Add(10 * time.Second)
	for {
		fds, gor := openFDs(t), runtime.NumGoroutine()
		if fds <= fds0 && gor <= gor0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("after the soak: %d fds (%d before), %d goroutines (%d before)", fds, fds0, gor, gor0)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	var clients int
	g.do(func() { clients = len(g.srv.Display().Clients()) })
	runtime.GC()
	rss := rssKB(t)
	t.Logf("%d clients (%d abrupt), %d key events typed meanwhile (and %d between batches); fds %d -> %d, goroutines %d -> %d, RSS %d -> %d kB, %d clients left",
		total, abrupt, typed, typedBetween, fds0, openFDs(t), gor0, runtime.NumGoroutine(), rss0, rss, clients)
	if clients != 0 {
		t.Errorf("%d clients still connected", clients)
	}
	if rss > rss0+64<<10 {
		t.Errorf("RSS grew from %d to %d kB over the soak; want it bounded (+64 MB)", rss0, rss)
	}
	// The typing goroutine must have run beside the clients (the taps
	// between batches alone do not show that).
	if typed == 0 {
		t.Errorf("no key events typed while the clients came and went (%d between batches)", typedBetween)
	}
}
