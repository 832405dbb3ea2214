package testclient

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/client/xdgclient"
	"gocomp/protocols/wayland"
	"gocomp/protocols/xdgshell"

	"golang.org/x/sys/unix"
)

// defaultSize is a window's size when neither the caller nor the
// compositor chooses one.
const defaultSize = 100

// Configure is one xdg_toplevel configure, with the serial of the
// xdg_surface.configure that completed it.
type Configure struct {
	Width, Height int32
	States        []xdgshell.ToplevelState
	Serial        uint32
}

// Window is an xdg toplevel showing shm buffers of one colour. Its fields
// are updated as events arrive; read them between waits. Every configure
// is acked and recorded; the buffers keep the size chosen at creation.
type Window struct {
	c          *Client
	Surface    *wlclient.Surface
	XdgSurface *xdgclient.Surface
	Toplevel   *xdgclient.Toplevel

	// Width and Height are the size of the buffers.
	Width, Height int
	// Configures lists the configures received, each already acked.
	Configures []Configure
	// Closed is set by xdg_toplevel.close.
	Closed bool
	// Frames counts frame callbacks done; Released counts wl_buffer.release.
	Frames, Released int

	pending Configure // toplevel configure awaiting its xdg_surface.configure
	mem     []byte    // the pool's shared mapping: two buffers
	buffers [2]buffer
}

// buffer is one of a window's two shm buffers.
type buffer struct {
	proxy *wlclient.Buffer
	busy  bool // attached and not yet released
}

// NewWindow creates an xdg toplevel titled title, waits for its first
// configure and acks it, then attaches a buffer filled with color (XRGB,
// 0xRRGGBB) and commits. With width and height 0 the window takes the
// configured size (or 100x100 if the compositor leaves it to the client).
// The requests are flushed: the window is on its way when NewWindow
// returns.
func (c *Client) NewWindow(ctx context.Context, title string, width, height int, color uint32) (*Window, error) {
	w := &Window{c: c, Width: width, Height: height}
	fixed := width > 0 && height > 0 // the caller chose the size
	var err error
	if w.Surface, err = c.Compositor.CreateSurface(); err != nil {
		return nil, err
	}
	if w.XdgSurface, err = c.WmBase.GetXdgSurface(w.Surface); err != nil {
		return nil, err
	}
	w.XdgSurface.SetListener(xdgSurfaceListener{w})
	if w.Toplevel, err = w.XdgSurface.GetToplevel(); err != nil {
		return nil, err
	}
	w.Toplevel.SetListener(toplevelListener{w: w})
	if err := w.Toplevel.SetTitle(title); err != nil {
		return nil, err
	}
	if err := w.Surface.Commit(); err != nil { // the initial commit asks for a configure
		return nil, err
	}
	if err := c.WaitFor(ctx, func() bool { return len(w.Configures) > 0 }); err != nil {
		return nil, fmt.Errorf("testclient: waiting for the first configure: %w", err)
	}
	if !fixed {
		w.Width, w.Height = int(w.Configures[0].Width), int(w.Configures[0].Height)
		if w.Width <= 0 || w.Height <= 0 {
			w.Width, w.Height = defaultSize, defaultSize
		}
	}
	if err := w.makeBuffers(); err != nil {
		return nil, err
	}
	c.windows = append(c.windows, w)
	if err := w.show(color); err != nil {
		return nil, err
	}
	return w, c.Conn.Flush()
}

// makeBuffers creates a memfd pool holding two XRGB8888 buffers.
func (w *Window) makeBuffers() error {
	stride := 4 * w.Width
	size := stride * w.Height
	fd, err := unix.MemfdCreate("testclient-shm", unix.MFD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("testclient: memfd_create: %w", err)
	}
	defer unix.Close(fd) // the pool holds its own duplicate
	if err := unix.Ftruncate(fd, int64(2*size)); err != nil {
		return fmt.Errorf("testclient: size the pool: %w", err)
	}
	if w.mem, err = unix.Mmap(fd, 0, 2*size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
		return fmt.Errorf("testclient: map the pool: %w", err)
	}
	pool, err := w.c.Shm.CreatePool(fd, int32(2*size))
	if err != nil {
		return err
	}
	for i := range w.buffers {
		b, err := pool.CreateBuffer(int32(i*size), int32(w.Width), int32(w.Height), int32(stride), wayland.ShmFormatXrgb8888)
		if err != nil {
			return err
		}
		b.SetListener(bufferListener{w: w, i: i})
		w.buffers[i].proxy = b
	}
	return pool.Destroy() // the buffers keep the memory alive
}

// show fills a free buffer with color, attaches it with full damage and a
// frame callback, and commits.
func (w *Window) show(color uint32) error {
	i := slices.IndexFunc(w.buffers[:], func(b buffer) bool { return !b.busy })
	if i < 0 {
		return fmt.Errorf("testclient: both buffers are busy")
	}
	size := 4 * w.Width * w.Height
	px := w.mem[i*size : (i+1)*size]
	for o := 0; o < len(px); o += 4 {
		binary.LittleEndian.PutUint32(px[o:], color)
	}
	b := &w.buffers[i]
	cb, err := w.Surface.Frame()
	if err != nil {
		return err
	}
	cb.SetListener(frameListener{w})
	if err := w.Surface.Attach(b.proxy, 0, 0); err != nil {
		return err
	}
	damage := w.Surface.DamageBuffer
	if w.Surface.Version() < wayland.SurfaceRequestDamageBufferSince {
		damage = w.Surface.Damage // same rectangle: the buffer has scale 1
	}
	if err := damage(0, 0, int32(w.Width), int32(w.Height)); err != nil {
		return err
	}
	if err := w.Surface.Commit(); err != nil {
		return err
	}
	b.busy = true
	return nil
}

// Draw shows the next frame in color and waits for its frame callback.
// When both buffers are still held by the compositor, it first waits for
// one to be released.
func (w *Window) Draw(ctx context.Context, color uint32) error {
	if err := w.c.WaitFor(ctx, func() bool { return !w.buffers[0].busy || !w.buffers[1].busy }); err != nil {
		return fmt.Errorf("testclient: waiting for a free buffer: %w", err)
	}
	frames := w.Frames
	if err := w.show(color); err != nil {
		return err
	}
	if err := w.c.WaitFor(ctx, func() bool { return w.Frames > frames }); err != nil {
		return fmt.Errorf("testclient: waiting for the frame callback: %w", err)
	}
	return nil
}

// Resize gives the window a new size, as a client does after a configure
// of that size: the old buffers are destroyed, and new ones of width x
// height are made and the first, filled with color, is shown.
func (w *Window) Resize(width, height int, color uint32) error {
	if width <= 0 || height <= 0 {
		return fmt.Errorf("testclient: resize to %dx%d", width, height)
	}
	for i := range w.buffers {
		if err := w.buffers[i].proxy.Destroy(); err != nil {
			return err
		}
		w.buffers[i] = buffer{}
	}
	w.unmap()
	w.Width, w.Height = width, height
	if err := w.makeBuffers(); err != nil {
		return err
	}
	if err := w.show(color); err != nil {
		return err
	}
	return w.c.Conn.Flush()
}

// Destroy destroys the toplevel, its surfaces and buffers.
func (w *Window) Destroy() error {
	err := errors.Join(w.Toplevel.Destroy(), w.XdgSurface.Destroy(), w.Surface.Destroy(),
		w.buffers[0].proxy.Destroy(), w.buffers[1].proxy.Destroy())
	w.unmap()
	w.c.windows = slices.DeleteFunc(w.c.windows, func(x *Window) bool { return x == w })
	return err
}

// unmap releases the pool's mapping.
func (w *Window) unmap() {
	if w.mem != nil {
		unix.Munmap(w.mem)
		w.mem = nil
	}
}

// xdgSurfaceListener acks each configure.
type xdgSurfaceListener struct{ w *Window }

// Configure runs on xdg_surface.configure: the toplevel's pending
// configure is complete.
func (l xdgSurfaceListener) Configure(p *xdgclient.Surface, serial uint32) {
	c := l.w.pending
	c.Serial = serial
	l.w.Configures = append(l.w.Configures, c)
	p.AckConfigure(serial)
}

// toplevelListener records configures and close.
type toplevelListener struct {
	xdgclient.NopToplevelListener
	w *Window
}

// Configure runs on xdg_toplevel.configure.
func (l toplevelListener) Configure(_ *xdgclient.Toplevel, width, height int32, states []byte) {
	c := Configure{Width: width, Height: height}
	for i := 0; i+4 <= len(states); i += 4 {
		c.States = append(c.States, xdgshell.ToplevelState(binary.NativeEndian.Uint32(states[i:])))
	}
	l.w.pending = c
}

// Close runs on xdg_toplevel.close.
func (l toplevelListener) Close(*xdgclient.Toplevel) { l.w.Closed = true }

// bufferListener marks a buffer free again.
type bufferListener struct {
	w *Window
	i int
}

// Release runs on wl_buffer.release.
func (l bufferListener) Release(*wlclient.Buffer) {
	l.w.buffers[l.i].busy = false
	l.w.Released++
}

// frameListener counts frame callbacks.
type frameListener struct{ w *Window }

// Done runs on wl_callback.done.
func (l frameListener) Done(*wlclient.Callback, uint32) { l.w.Frames++ }
