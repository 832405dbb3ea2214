package compositor

import (
	"encoding/binary"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
	"gocomp/protocols/wayland"
	"gocomp/protocols/xdgshell"

	"golang.org/x/sys/unix"
)

var testMode = backend.Mode{Width: 320, Height: 240, RefreshMHz: 120000}

// window is a test client's xdg toplevel.
type window struct {
	c                             *tclient
	compositor, wmBase, shm       uint32
	surface, xdgSurface, topLevel uint32
	configureW, configureH        uint32
}

// newWindow creates a toplevel, makes the initial commit and acks the
// first configure.
func newWindow(c *tclient) *window {
	c.t.Helper()
	w := &window{c: c}
	w.compositor = c.bind("wl_compositor", 6)
	w.wmBase = c.bind("xdg_wm_base", 6)
	w.shm = c.bind("wl_shm", 1)
	w.surface = c.newID()
	c.send(w.compositor, wayland.CompositorRequestCreateSurface, w.surface)
	w.xdgSurface = c.newID()
	c.send(w.wmBase, xdgshell.WmBaseRequestGetXdgSurface, w.xdgSurface, w.surface)
	w.topLevel = c.newID()
	c.send(w.xdgSurface, xdgshell.SurfaceRequestGetToplevel, w.topLevel)
	c.send(w.surface, wayland.SurfaceRequestCommit)
	tl, _ := c.waitFor("toplevel configure", func(e event) bool {
		return e.sender == w.topLevel && e.opcode == xdgshell.ToplevelEventConfigure
	})
	w.configureW, w.configureH = tl.uint(0), tl.uint(1)
	cfg, _ := c.waitFor("xdg_surface configure", func(e event) bool {
		return e.sender == w.xdgSurface && e.opcode == xdgshell.SurfaceEventConfigure
	})
	c.send(w.xdgSurface, xdgshell.SurfaceRequestAckConfigure, cfg.uint(0))
	return w
}

// buffer makes a wl_buffer of w x h XRGB8888 pixels of one colour in a
// fresh pool; it returns the buffer id and the pool's memfd.
func (w *window) buffer(width, height int, pixel uint32) (uint32, int) {
	w.c.t.Helper()
	return w.bufferOf(width, height, func(int, int) uint32 { return pixel })
}

// bufferOf is buffer with the XRGB8888 value of each pixel (x, y) given
// by pixel.
func (w *window) bufferOf(width, height int, pixel func(x, y int) uint32) (uint32, int) {
	c := w.c
	c.t.Helper()
	size := width * height * 4
	fd, mem := memfd(c.t, size)
	for i := 0; i < size; i += 4 {
		binary.NativeEndian.PutUint32(mem[i:], pixel(i/4%width, i/4/width))
	}
	pool := c.newID()
	c.send(w.shm, wayland.ShmRequestCreatePool, pool, fdArg(fd), int32(size))
	buf := c.newID()
	c.send(pool, wayland.ShmPoolRequestCreateBuffer, buf, int32(0), int32(width), int32(height), int32(4*width), uint32(wayland.ShmFormatXrgb8888))
	c.send(pool, wayland.ShmPoolRequestDestroy)
	return buf, fd
}

// windowPixel reads what the first output shows at (x, y) relative to the
// top-left corner of the surface with the given id (kiosk toplevels are
// centred on the output), on the loop goroutine.
func (h *harness) windowPixel(surfaceID uint32, x, y int) color.RGBA {
	// What was committed shows from the next refresh on: wait for the
	// output to have drawn every damage.
	var c color.RGBA
	deadline := time.Now().Add(5 * time.Second)
	for {
		drawn := false
		h.do(func() {
			o := h.srv.outputs[0]
			drawn = o.damage.Empty()
			px, py := x, y
			for _, sf := range h.srv.surfaces {
				if sf.res.ID() == surfaceID {
					px, py = x+sf.x, y+sf.y
					break
				}
			}
			fb := h.b.Outputs()[0].Framebuffer()
			p := fb.Data[py*fb.Stride+4*px:]
			c = color.RGBA{p[2], p[1], p[0], 0xff}
		})
		if drawn {
			return c
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("output damage not drawn within 5 s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestGlobalsAdvertised(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	c := h.dial("client")
	want := map[string]uint32{
		"wl_compositor": 6, "wl_subcompositor": 1, "wl_shm": 2, "wl_output": 4,
		"wl_seat": 9, "wl_data_device_manager": 3, "xdg_wm_base": 6, "wl_fixes": 1,
		// Without a seat that serves virtual keyboards there is no
		// zwp_virtual_keyboard_manager_v1.
		"zxdg_output_manager_v1": 3, "zwlr_screencopy_manager_v1": 3,
	}
	for iface, version := range want {
		if got := c.globals[iface][1]; got != version {
			t.Errorf("global %s version %d; want %d", iface, got, version)
		}
	}
	if len(c.globals) != len(want) {
		t.Errorf("globals %v; want exactly %v", c.globals, want)
	}
	// wl_shm lists both formats; wl_output describes the mode and ends
	// with done; wl_seat has no capabilities yet.
	shm := c.bind("wl_shm", 1)
	out := c.bind("wl_output", 4)
	seat := c.bind("wl_seat", 9)
	c.roundtrip()
	var formats []uint32
	for _, e := range c.take(func(e event) bool { return e.sender == shm }) {
		formats = append(formats, e.uint(0))
	}
	if fmt.Sprint(formats) != fmt.Sprint([]uint32{uint32(wayland.ShmFormatArgb8888), uint32(wayland.ShmFormatXrgb8888)}) {
		t.Errorf("wl_shm formats %v; want [0 1]", formats)
	}
	outEvents := c.take(func(e event) bool { return e.sender == out })
	var opcodes []uint16
	for _, e := range outEvents {
		opcodes = append(opcodes, e.opcode)
		if e.opcode == wayland.OutputEventMode && (e.uint(1) != 320 || e.uint(2) != 240 || e.uint(3) != 120000) {
			t.Errorf("wl_output.mode %dx%d@%d; want 320x240@120000", e.uint(1), e.uint(2), e.uint(3))
		}
	}
	wantOps := []uint16{wayland.OutputEventGeometry, wayland.OutputEventMode, wayland.OutputEventScale, wayland.OutputEventName, wayland.OutputEventDescription, wayland.OutputEventDone}
	if fmt.Sprint(opcodes) != fmt.Sprint(wantOps) {
		t.Errorf("wl_output events %v; want %v", opcodes, wantOps)
	}
	caps := c.take(func(e event) bool { return e.sender == seat && e.opcode == wayland.SeatEventCapabilities })
	if len(caps) != 1 || caps[0].uint(0) != 0 {
		t.Errorf("wl_seat capabilities events %v; want one with no capabilities", caps)
	}
}

func TestSurfaceCommitIsDoubleBuffered(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	c := h.dial("client")
	w := newWindow(c)
	if w.configureW != 320 || w.configureH != 240 {
		t.Errorf("toplevel configured %dx%d; want the output size 320x240", w.configureW, w.configureH)
	}
	bg := color.RGBA{0, 0, 0, 0xff}
	buf, fd := w.buffer(32, 16, 0x00ff8000)
	c.send(w.surface, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
	c.send(w.surface, wayland.SurfaceRequestDamageBuffer, int32(0), int32(0), int32(32), int32(16))
	frame := c.newID()
	c.send(w.surface, wayland.SurfaceRequestFrame, frame)
	c.roundtrip()
	if got := h.windowPixel(w.surface, 5, 5); got != bg {
		t.Errorf("before commit: pixel %v; want the background %v (state is pending)", got, bg)
	}
	if rel := c.take(func(e event) bool { return e.sender == buf }); len(rel) != 0 {
		t.Errorf("buffer released before commit: %v", rel)
	}
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.waitFor("wl_buffer.release", func(e event) bool { return e.sender == buf && e.opcode == wayland.BufferEventRelease })
	c.waitFor("frame done", func(e event) bool { return e.sender == frame && e.opcode == wayland.CallbackEventDone })
	if got, want := h.windowPixel(w.surface, 5, 5), (color.RGBA{0xff, 0x80, 0x00, 0xff}); got != want {
		t.Errorf("after commit: pixel (5,5) %v; want %v", got, want)
	}
	if got := h.windowPixel(w.surface, 40, 5); got != bg {
		t.Errorf("after commit: pixel (40,5) %v; want the background outside the 32x16 buffer", got)
	}
	// The buffer was copied: changing the client's memory without a new
	// commit changes nothing on screen.
	blue := make([]byte, 32*16*4)
	for i := 0; i < len(blue); i += 4 {
		binary.NativeEndian.PutUint32(blue[i:], 0x000000ff)
	}
	if _, err := unix.Pwrite(fd, blue, 0); err != nil {
		t.Fatal(err)
	}
	c.roundtrip()
	if got, want := h.windowPixel(w.surface, 5, 5), (color.RGBA{0xff, 0x80, 0x00, 0xff}); got != want {
		t.Errorf("after rewriting the released buffer's memory: pixel (5,5) %v; want %v still", got, want)
	}
	// Detaching (null buffer) unmaps the window.
	c.send(w.surface, wayland.SurfaceRequestAttach, uint32(0), int32(0), int32(0))
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.roundtrip()
	if got := h.windowPixel(w.surface, 5, 5); got != bg {
		t.Errorf("after null attach: pixel %v; want the background", got)
	}
}

func TestSubsurfaceSyncWaitsForParent(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	c := h.dial("client")
	w := newWindow(c)
	sub := c.bind("wl_subcompositor", 1)
	parentBuf, _ := w.buffer(64, 64, 0x000000ff)
	c.send(w.surface, wayland.SurfaceRequestAttach, parentBuf, int32(0), int32(0))
	c.send(w.surface, wayland.SurfaceRequestCommit)
	child := c.newID()
	c.send(w.compositor, wayland.CompositorRequestCreateSurface, child)
	subsurface := c.newID()
	c.send(sub, wayland.SubcompositorRequestGetSubsurface, subsurface, child, w.surface)
	c.send(subsurface, wayland.SubsurfaceRequestSetPosition, int32(10), int32(20))
	childBuf, _ := w.buffer(8, 8, 0x0000ff00)
	c.send(child, wayland.SurfaceRequestAttach, childBuf, int32(0), int32(0))
	c.send(child, wayland.SurfaceRequestCommit)
	c.roundtrip()
	green, blue := color.RGBA{0, 0xff, 0, 0xff}, color.RGBA{0, 0, 0xff, 0xff}
	if got := h.windowPixel(w.surface, 12, 22); got != blue {
		t.Errorf("synchronized child shown before the parent committed: pixel %v; want parent blue", got)
	}
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.roundtrip()
	if got := h.windowPixel(w.surface, 12, 22); got != green {
		t.Errorf("after parent commit: pixel (12,22) %v; want child green at offset 10,20", got)
	}
	// Desynchronized: the child's commits apply at once.
	c.send(subsurface, wayland.SubsurfaceRequestSetDesync)
	redBuf, _ := w.buffer(8, 8, 0x00ff0000)
	c.send(child, wayland.SurfaceRequestAttach, redBuf, int32(0), int32(0))
	c.send(child, wayland.SurfaceRequestCommit)
	c.roundtrip()
	if got, want := h.windowPixel(w.surface, 12, 22), (color.RGBA{0xff, 0, 0, 0xff}); got != want {
		t.Errorf("desynchronized child commit: pixel %v; want %v", got, want)
	}
}

// TestSlowClientIsDisconnected: client A floods requests whose replies it
// never reads; client B keeps getting its frame callbacks, in order, and A
// is dropped once its queued output passes the limit.
func TestSlowClientIsDisconnected(t *testing.T) {
	const limit = 64 << 10
	h := startServer(t, Config{MaxClientBuffer: limit}, testMode)
	b := h.dial("B")
	win := newWindow(b)
	buf, _ := win.buffer(16, 16, 0x00808080)
	b.send(win.surface, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
	b.send(win.surface, wayland.SurfaceRequestCommit)

	// frame runs one frame of B: request a callback, commit, wait for it.
	var stamps []uint32
	callbacks := map[uint32]bool{}
	frame := func() {
		t.Helper()
		cb := b.newID()
		callbacks[cb] = true
		b.send(win.surface, wayland.SurfaceRequestFrame, cb)
		b.send(win.surface, wayland.SurfaceRequestCommit)
		ev, skipped := b.waitFor("frame done", func(e event) bool { return e.sender == cb && e.opcode == wayland.CallbackEventDone })
		for _, e := range skipped {
			if callbacks[e.sender] {
				t.Fatalf("B got done for %d while waiting for %d: callbacks out of order", e.sender, cb)
			}
		}
		stamps = append(stamps, ev.uint(0))
	}
	for range 5 {
		frame()
	}

	a := h.dial("A")
	// A sends syncs (each answered by 24 bytes of events) and never reads.
	// Its socket buffers fill, then gocomp's queue for it, then gocomp
	// drops it. Between bursts B runs a frame.
	const burst = 500
	sent := 0
	firstSync := a.next
	for !strings.Contains(h.log.String(), "output buffer full") {
		for range burst {
			a.send(1, wayland.DisplayRequestSync, a.newID())
		}
		sent += burst
		if a.err != nil {
			break // gocomp closed A's connection: writes fail
		}
		frame()
		if sent > 200000 {
			t.Fatalf("A sent %d syncs and is still connected:\n%s", sent, h.log.String())
		}
	}
	for range 5 {
		frame()
	}
	if len(stamps) < 11 {
		t.Fatalf("B answered %d frames; want >= 11", len(stamps))
	}
	for i := 1; i < len(stamps); i++ {
		if stamps[i] < stamps[i-1] {
			t.Errorf("B's frame times go backwards at %d: %v", i, stamps)
		}
	}

	// The log names the reason and the limit, once.
	log := h.log.String()
	if n := strings.Count(log, "output buffer full"); n != 1 {
		t.Errorf("%d disconnect records for A; want 1:\n%s", n, log)
	}
	if !containsAll(log, "client is not reading", fmt.Sprintf("limit=%d", limit)) {
		t.Errorf("disconnect record lacks reason or limit:\n%s", log)
	}

	// A finally reads: the replies it got are complete sync answers in
	// order, fewer than it asked for, then the end of the stream.
	for a.read(time.Second) {
	}
	var answered int
	last := uint32(0)
	for _, e := range a.queue {
		if e.sender >= firstSync && e.opcode == wayland.CallbackEventDone {
			if e.sender <= last {
				t.Fatalf("A's sync answers out of order: %d after %d", e.sender, last)
			}
			last = e.sender
			answered++
		}
	}
	t.Logf("A sent %d syncs, %d answered before the disconnect; B ran %d frames", sent, answered, len(stamps))
	if answered == 0 || answered >= sent {
		t.Errorf("A got %d of %d sync answers; want some but not all", answered, sent)
	}
	var n int
	h.do(func() { n = h.srv.NumClients() })
	if n != 1 {
		t.Errorf("%d clients connected; want only B", n)
	}
}

func TestDestroyedSurfaceDropsItsFrameCallbacks(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	c := h.dial("client")
	w := newWindow(c)
	buf, _ := w.buffer(4, 4, 0)
	pending, committed := c.newID(), c.newID()
	// One write, so the refresh cannot run between the requests.
	c.hold = true
	c.send(w.surface, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
	c.send(w.surface, wayland.SurfaceRequestFrame, committed)
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.send(w.surface, wayland.SurfaceRequestFrame, pending)
	c.send(w.topLevel, xdgshell.ToplevelRequestDestroy)
	c.send(w.xdgSurface, xdgshell.SurfaceRequestDestroy)
	c.send(w.surface, wayland.SurfaceRequestDestroy)
	c.hold = false
	c.flush()
	c.roundtrip()
	deleted := map[uint32]bool{}
	for _, e := range c.take(func(e event) bool { return e.sender == 1 && e.opcode == wayland.DisplayEventDeleteID }) {
		deleted[e.uint(0)] = true
	}
	if !deleted[pending] || !deleted[committed] {
		t.Errorf("deleted ids %v; want both frame callbacks (%d, %d) deleted with the surface", deleted, pending, committed)
	}
	if done := c.take(func(e event) bool { return e.sender == pending || e.sender == committed }); len(done) != 0 {
		t.Errorf("callbacks of a destroyed surface got events: %v", done)
	}
}

func TestSurfaceEntersAndLeavesOutput(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	c := h.dial("client")
	out1 := c.bind("wl_output", 4)
	w := newWindow(c)
	buf, _ := w.buffer(4, 4, 0)
	commit := func(b uint32) {
		c.send(w.surface, wayland.SurfaceRequestAttach, b, int32(0), int32(0))
		c.send(w.surface, wayland.SurfaceRequestCommit)
		c.roundtrip()
	}
	surfaceEvents := func() []string {
		var out []string
		for _, e := range c.take(func(e event) bool { return e.sender == w.surface }) {
			out = append(out, fmt.Sprintf("%d:%d", e.opcode, e.uint(0)))
		}
		return out
	}
	commit(buf)
	enter, leave := int(wayland.SurfaceEventEnter), int(wayland.SurfaceEventLeave)
	if got, want := surfaceEvents(), []string{fmt.Sprintf("%d:%d", enter, out1)}; !slices.Equal(got, want) {
		t.Errorf("after mapping: surface events %v; want enter(output %d)", got, out1)
	}
	commit(0)
	if got, want := surfaceEvents(), []string{fmt.Sprintf("%d:%d", leave, out1)}; !slices.Equal(got, want) {
		t.Errorf("after unmapping: surface events %v; want leave(output %d)", got, out1)
	}
	c.send(w.surface, wayland.SurfaceRequestCommit)
	cfg, _ := c.waitFor("configure", func(e event) bool { return e.sender == w.xdgSurface && e.opcode == xdgshell.SurfaceEventConfigure })
	c.send(w.xdgSurface, xdgshell.SurfaceRequestAckConfigure, cfg.uint(0))
	commit(buf)
	out2 := c.bind("wl_output", 4)
	c.roundtrip()
	want := []string{fmt.Sprintf("%d:%d", enter, out1), fmt.Sprintf("%d:%d", enter, out2)}
	if got := surfaceEvents(); !slices.Equal(got, want) {
		t.Errorf("after remapping and binding a second wl_output: surface events %v; want %v", got, want)
	}
}

func TestCommitCopiesOnlyDamageOfTheSameBuffer(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	c := h.dial("client")
	w := newWindow(c)
	buf, fd := w.buffer(16, 16, 0x00ff0000)
	mem, err := unix.Mmap(fd, 0, 16*16*4, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	fill := func(pixel uint32) {
		for i := 0; i < len(mem); i += 4 {
			binary.NativeEndian.PutUint32(mem[i:], pixel)
		}
	}
	commit := func(b uint32, damage func()) {
		c.send(w.surface, wayland.SurfaceRequestAttach, b, int32(0), int32(0))
		damage()
		c.send(w.surface, wayland.SurfaceRequestCommit)
		c.roundtrip()
	}
	red, green, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 255, 255}
	commit(buf, func() {})
	// The client paints everything green but declares only a 2x2 square
	// at (4,4) (surface damage) and (10,0) (buffer damage) changed.
	fill(0x0000ff00)
	commit(buf, func() {
		c.send(w.surface, wayland.SurfaceRequestDamage, int32(4), int32(4), int32(2), int32(2))
		c.send(w.surface, wayland.SurfaceRequestDamageBuffer, int32(10), int32(0), int32(2), int32(2))
	})
	for _, p := range []struct {
		x, y int
		want color.RGBA
	}{{4, 4, green}, {5, 5, green}, {11, 1, green}, {3, 4, red}, {6, 6, red}, {12, 1, red}} {
		if got := h.windowPixel(w.surface, p.x, p.y); got != p.want {
			t.Errorf("after damaged commit: pixel (%d,%d) = %v; want %v", p.x, p.y, got, p.want)
		}
	}
	// Damage of "everything" (INT32_MAX sizes) copies the whole buffer.
	fill(0x000000ff)
	commit(buf, func() {
		c.send(w.surface, wayland.SurfaceRequestDamageBuffer, int32(0), int32(0), int32(math.MaxInt32), int32(math.MaxInt32))
	})
	if got := h.windowPixel(w.surface, 15, 15); got != blue {
		t.Errorf("after full damage: pixel (15,15) = %v; want %v", got, blue)
	}
	// Another buffer is copied whole, damage or not.
	other, _ := w.buffer(16, 16, 0x00ff0000)
	commit(other, func() {})
	if got := h.windowPixel(w.surface, 15, 15); got != red {
		t.Errorf("after a new buffer: pixel (15,15) = %v; want %v", got, red)
	}
}

func TestSubsurfaceStackingAppliesOnParentCommit(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	c := h.dial("client")
	w := newWindow(c)
	subc := c.bind("wl_subcompositor", 1)
	commit := func(surf, buf uint32) {
		if buf != 0 {
			c.send(surf, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
		}
		c.send(surf, wayland.SurfaceRequestCommit)
	}
	parentBuf, _ := w.buffer(64, 64, 0x000000ff)
	commit(w.surface, parentBuf)
	child := func(pixel uint32) (surf, sub uint32) {
		surf, sub = c.newID(), c.newID()
		c.send(w.compositor, wayland.CompositorRequestCreateSurface, surf)
		c.send(subc, wayland.SubcompositorRequestGetSubsurface, sub, surf, w.surface)
		c.send(sub, wayland.SubsurfaceRequestSetDesync)
		buf, _ := w.buffer(8, 8, pixel)
		commit(surf, buf)
		return surf, sub
	}
	_, subA := child(0x00ff0000) // red
	b, subB := child(0x0000ff00) // green, created last: on top
	commit(w.surface, 0)
	red, green, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 255, 255}
	check := func(when string, want color.RGBA) {
		t.Helper()
		c.roundtrip()
		if got := h.windowPixel(w.surface, 2, 2); got != want {
			t.Errorf("%s: pixel (2,2) = %v; want %v", when, got, want)
		}
	}
	check("creation order", green)
	c.send(subA, wayland.SubsurfaceRequestPlaceAbove, b)
	check("place_above before the parent commits", green)
	commit(w.surface, 0)
	check("after the parent commit", red)
	c.send(subA, wayland.SubsurfaceRequestPlaceBelow, w.surface)
	c.send(subB, wayland.SubsurfaceRequestPlaceBelow, w.surface)
	commit(w.surface, 0)
	check("both below the parent", blue)
	c.send(subB, wayland.SubsurfaceRequestPlaceAbove, w.surface)
	commit(w.surface, 0)
	check("green back above the parent", green)
	c.send(b, wayland.SurfaceRequestDestroy)
	c.send(subB, wayland.SubsurfaceRequestDestroy)
	check("green destroyed, red still below", blue)
}

// TestBackloggedClientIsFlushedWhenWritable: a client that reads late gets
// everything once it reads: output that did not fit the socket waits in
// gocomp's queue and goes out when the socket becomes writable again.
func TestBackloggedClientIsFlushedWhenWritable(t *testing.T) {
	h := startServer(t, Config{}, testMode) // 1 MiB limit
	c := h.dial("late reader")
	const syncs = 20000 // 480 KB of answers: more than the socket holds
	first := c.next
	c.hold = true
	for i := 0; i < syncs; i++ {
		c.send(1, wayland.DisplayRequestSync, c.newID())
		if i%1000 == 999 {
			c.flush()
		}
	}
	c.hold = false
	c.flush()
	// Wait until gocomp has a backlog (its socket to us is full), without
	// reading.
	var queued bool
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !queued; {
		h.do(func() {
			for _, cl := range h.srv.display.Clients() {
				if cc := h.srv.conns[cl]; cc != nil && cc.src.Mask()&loop.Writable != 0 {
					queued = true
				}
			}
		})
		time.Sleep(10 * time.Millisecond)
	}
	if !queued {
		t.Fatal("gocomp never watched the client's socket for writability; the test did not build a backlog")
	}
	// Now read: every answer arrives, in order.
	next, seen := first, 0
	for deadline := time.Now().Add(20 * time.Second); next < first+syncs; {
		if time.Now().After(deadline) {
			t.Fatalf("got answers up to %d of %d..%d", next, first, first+syncs-1)
		}
		c.read(100 * time.Millisecond)
		for _, e := range c.queue[seen:] {
			if e.opcode != wayland.CallbackEventDone || e.sender < first {
				continue
			}
			if e.sender != next {
				t.Fatalf("answer for %d; want %d (in order)", e.sender, next)
			}
			next++
		}
		seen = len(c.queue)
	}
	var mask loop.Events
	h.do(func() {
		for _, cc := range h.srv.conns {
			mask = cc.src.Mask()
		}
	})
	if mask != loop.Readable {
		t.Errorf("after the backlog drained the client's source watches %v; want readable only", mask)
	}
}
