package seat_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neurlang/wayland/wl"
	"github.com/neurlang/wayland/xdg"
	"golang.org/x/sys/unix"
)

// wlClient is a Wayland client built on github.com/neurlang/wayland that
// records every wl_keyboard event. The library reads with one blocking
// read per Run, so a reader goroutine runs it; handlers run there and
// append to the log under mu. Setup happens before the goroutine starts,
// with synchronous round trips.
type wlClient struct {
	t       *testing.T
	name    string
	display *wl.Display
	ctx     *wl.Context

	registry   *wl.Registry
	compositor *wl.Compositor
	shm        *wl.Shm
	wmBase     *xdg.WmBase
	seat       *wl.Seat
	keyboard   *wl.Keyboard

	// The window, when mapped.
	surface  *wl.Surface
	xsurface *xdg.Surface
	toplevel *xdg.Toplevel
	pool     *wl.ShmPool
	buffer   *wl.Buffer
	poolFD   int

	mu      sync.Mutex
	events  []string // "keymap", "enter 16 30", "leave", "key 30 1", "mods 1 0 0 0", "repeat 25 600"
	keymaps []string // keymap texts, in order
	errs    []string // contract violations seen as events arrived
	focused bool
	pressed map[uint32]bool
	done    chan error
}

// dialClient connects to socket (in XDG_RUNTIME_DIR), binds the globals
// and gets a wl_keyboard, then starts the reader goroutine.
func dialClient(t *testing.T, socket, name string) *wlClient {
	t.Helper()
	display, err := wl.Connect(socket)
	if err != nil {
		t.Fatalf("%s: connect: %v", name, err)
	}
	c := &wlClient{t: t, name: name, display: display, ctx: display.Context(), pressed: map[uint32]bool{}, poolFD: -1, done: make(chan error, 1)}
	c.registry, err = display.GetRegistry()
	if err != nil {
		t.Fatal(err)
	}
	c.registry.AddGlobalHandler(c)
	c.roundtrip()
	if c.compositor == nil || c.shm == nil || c.wmBase == nil || c.seat == nil {
		t.Fatalf("%s: missing globals", name)
	}
	c.roundtrip() // seat capabilities
	c.keyboard, err = c.seat.GetKeyboard()
	if err != nil {
		t.Fatal(err)
	}
	c.keyboard.AddKeymapHandler(c)
	c.keyboard.AddEnterHandler(c)
	c.keyboard.AddLeaveHandler(c)
	c.keyboard.AddKeyHandler(c)
	c.keyboard.AddModifiersHandler(c)
	c.keyboard.AddRepeatInfoHandler(c)
	c.roundtrip()
	go c.read()
	return c
}

// roundtrip dispatches events until the server answered a wl_display.sync.
func (c *wlClient) roundtrip() {
	c.t.Helper()
	cb, err := c.display.Sync()
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.ctx.RunTill(cb); err != nil {
		c.t.Fatalf("%s: round trip: %v", c.name, err)
	}
}

// read runs the library's dispatch until the connection ends.
func (c *wlClient) read() {
	for {
		err := c.ctx.Run()
		if err != nil && !errors.Is(err, wl.ErrContextRunProxyNil) {
			c.done <- err
			return
		}
	}
}

func (c *wlClient) HandleRegistryGlobal(ev wl.RegistryGlobalEvent) {
	bind := func(p wl.Proxy, version uint32) {
		if err := c.registry.Bind(ev.Name, ev.Interface, min(version, ev.Version), p); err != nil {
			c.t.Errorf("%s: bind %s: %v", c.name, ev.Interface, err)
		}
	}
	switch ev.Interface {
	case "wl_compositor":
		c.compositor = wl.NewCompositor(c.ctx)
		bind(c.compositor, 4)
	case "wl_shm":
		c.shm = wl.NewShm(c.ctx)
		bind(c.shm, 1)
	case "xdg_wm_base":
		c.wmBase = xdg.NewWmBase(c.ctx)
		c.wmBase.AddPingHandler(c)
		bind(c.wmBase, 1)
	case "wl_seat":
		c.seat = wl.NewSeat(c.ctx)
		bind(c.seat, 9)
	}
}

func (c *wlClient) HandleWmBasePing(ev xdg.WmBasePingEvent) { c.wmBase.Pong(ev.Serial) }

// The wl_keyboard handlers check the contract as events arrive.

func (c *wlClient) record(format string, args ...any) {
	c.events = append(c.events, fmt.Sprintf(format, args...))
}

func (c *wlClient) violation(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

func (c *wlClient) HandleKeyboardKeymap(ev wl.KeyboardKeymapEvent) {
	// The fd is ours: read the text and close it, whatever happens.
	fd := int(ev.Fd)
	text := ""
	if ev.FdError != nil {
		c.mu.Lock()
		c.violation("keymap without fd: %v", ev.FdError)
		c.mu.Unlock()
	} else {
		buf := make([]byte, ev.Size)
		n, err := unix.Pread(fd, buf, 0)
		unix.Close(fd)
		if err != nil || n != int(ev.Size) || ev.Size == 0 || buf[ev.Size-1] != 0 {
			c.mu.Lock()
			c.violation("keymap read %d of %d bytes: %v", n, ev.Size, err)
			c.mu.Unlock()
		} else {
			text = string(buf[:ev.Size-1])
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("keymap")
	c.keymaps = append(c.keymaps, text)
}

func (c *wlClient) HandleKeyboardEnter(ev wl.KeyboardEnterEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.focused {
		c.violation("enter while focused")
	}
	if ev.Surface == nil || ev.Surface != c.surface {
		c.violation("enter for surface %v; ours is %v", ev.Surface, c.surface)
	}
	c.focused = true
	clear(c.pressed)
	var keys []string
	for _, k := range ev.Keys {
		c.pressed[uint32(k)] = true
		keys = append(keys, fmt.Sprint(k))
	}
	c.record("enter%s", strings.Join(append([]string{""}, keys...), " "))
}

func (c *wlClient) HandleKeyboardLeave(ev wl.KeyboardLeaveEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.focused {
		c.violation("leave without focus")
	}
	c.focused = false
	clear(c.pressed)
	c.record("leave")
}

func (c *wlClient) HandleKeyboardKey(ev wl.KeyboardKeyEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.focused:
		c.violation("key %d without focus", ev.Key)
	case ev.State == 1 && c.pressed[ev.Key]:
		c.violation("press of key %d already down", ev.Key)
	case ev.State == 0 && !c.pressed[ev.Key]:
		c.violation("release of key %d not down", ev.Key)
	}
	c.pressed[ev.Key] = ev.State == 1
	if ev.State == 0 {
		delete(c.pressed, ev.Key)
	}
	c.record("key %d %d", ev.Key, ev.State)
}

func (c *wlClient) HandleKeyboardModifiers(ev wl.KeyboardModifiersEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("mods %d %d %d %d", ev.ModsDepressed, ev.ModsLatched, ev.ModsLocked, ev.Group)
}

func (c *wlClient) HandleKeyboardRepeatInfo(ev wl.KeyboardRepeatInfoEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("repeat %d %d", ev.Rate, ev.Delay)
}

func (c *wlClient) HandleSurfaceConfigure(ev xdg.SurfaceConfigureEvent) {
	// Runs on the reader goroutine: ack, attach the buffer, commit (maps).
	c.xsurface.AckConfigure(ev.Serial)
	c.surface.Attach(c.buffer, 0, 0)
	c.surface.Damage(0, 0, 16, 16)
	c.surface.Commit()
}

// mapWindow creates an xdg toplevel with a 16x16 shm buffer; the
// compositor maps it after the first configure is acked.
func (c *wlClient) mapWindow() {
	c.t.Helper()
	const w, h = 16, 16
	fd, err := unix.MemfdCreate(c.name+"-buffer", unix.MFD_CLOEXEC)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := unix.Ftruncate(fd, w*h*4); err != nil {
		c.t.Fatal(err)
	}
	if c.poolFD >= 0 {
		unix.Close(c.poolFD) // the previous window's pool
	}
	c.poolFD = fd
	must := func(err error) {
		if err != nil {
			c.t.Fatalf("%s: %v", c.name, err)
		}
	}
	c.pool, err = c.shm.CreatePool(uintptr(fd), w*h*4)
	must(err)
	c.buffer, err = c.pool.CreateBuffer(0, w, h, w*4, wl.ShmFormatXrgb8888)
	must(err)
	c.mu.Lock()
	c.surface, err = c.compositor.CreateSurface()
	c.mu.Unlock()
	must(err)
	c.xsurface, err = c.wmBase.GetSurface(c.surface)
	must(err)
	c.xsurface.AddConfigureHandler(c)
	c.toplevel, err = c.xsurface.GetToplevel()
	must(err)
	must(c.toplevel.SetTitle(c.name))
	must(c.surface.Commit())
}

// unmapWindow destroys the toplevel (the compositor unmaps it).
func (c *wlClient) unmapWindow() {
	c.t.Helper()
	if err := c.toplevel.Destroy(); err != nil {
		c.t.Fatal(err)
	}
}

// log returns a copy of the events so far.
func (c *wlClient) log() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// waitFor waits until the events since index from satisfy ok, and returns
// them.
func (c *wlClient) waitFor(from int, what string, ok func(evs []string) bool) []string {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		evs := c.log()
		if len(evs) >= from && ok(evs[from:]) {
			return evs[from:]
		}
		select {
		case err := <-c.done:
			c.t.Fatalf("%s: connection ended while waiting for %s: %v; events %q", c.name, what, err, evs)
		default:
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: timed out waiting for %s; events since %d: %q", c.name, what, from, evs[min(from, len(evs)):])
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// ends returns a predicate: the events end with want.
func endsWith(want ...string) func([]string) bool {
	return func(evs []string) bool {
		return len(evs) >= len(want) && slices.Equal(evs[len(evs)-len(want):], want)
	}
}

// close disconnects and reports the violations recorded.
func (c *wlClient) close() {
	c.t.Helper()
	c.ctx.Close()
	if c.poolFD >= 0 {
		unix.Close(c.poolFD)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range c.errs {
		c.t.Errorf("%s: %s", c.name, v)
	}
}
