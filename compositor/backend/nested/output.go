package nested

import (
	"errors"
	"fmt"
	"image"
	"slices"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
	"gocomp/protocols/client/decorclient"
	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/client/xdgclient"
	"gocomp/protocols/wayland"

	"golang.org/x/sys/unix"
)

// maxBuffers bounds the buffers of a window: the host holds one on screen
// and may hold a second until it is replaced; a third is drawn meanwhile.
const maxBuffers = 3

// Output is one host window; it implements backend.Output.
type Output struct {
	b    *Backend
	name string
	mode backend.Mode

	surface    *wlclient.Surface
	xdgSurface *xdgclient.Surface
	toplevel   *xdgclient.Toplevel
	decoration *decorclient.ToplevelDecorationV1

	pendingW, pendingH int32 // size of the last toplevel configure
	configured         bool  // the first configure was acked: reported added
	closed             bool

	bufs     []*shmBuffer
	pictures int // pictures presented, numbering Age
	shown    int // host frame callbacks: pictures the host has shown

	wanted     bool               // ScheduleFrame since the last Frame
	frameIdle  *loop.Idle         // Frame is about to run
	inFlight   *wlclient.Callback // the host's frame callback for the last commit
	nilTimer   *loop.Timer        // Presented for a frame with no new picture
	scaleNoted bool
}

var _ backend.Output = (*Output)(nil)

// shmBuffer is one host wl_buffer over a memfd of our own.
type shmBuffer struct {
	backend.Buffer
	proxy *wlclient.Buffer
	busy  bool // attached and not yet released by the host
	drawn int  // the picture it holds (Output.pictures then); 0: none
	stale bool // of an older size: destroyed when the host releases it
}

// newOutput opens a host window for an output called name.
func (b *Backend) newOutput(name string) (*Output, error) {
	o := &Output{b: b, name: name, mode: b.cfg.Mode}
	var err error
	if o.surface, err = b.compositor.CreateSurface(); err != nil {
		return nil, fmt.Errorf("nested: %w", err)
	}
	o.surface.SetListener(surfaceListener{o: o})
	if o.xdgSurface, err = b.wmBase.GetXdgSurface(o.surface); err != nil {
		return nil, fmt.Errorf("nested: %w", err)
	}
	o.xdgSurface.SetListener(xdgSurfaceListener{o})
	if o.toplevel, err = o.xdgSurface.GetToplevel(); err != nil {
		return nil, fmt.Errorf("nested: %w", err)
	}
	o.toplevel.SetListener(toplevelListener{o: o})
	o.toplevel.SetTitle("gocomp")
	o.toplevel.SetAppID("gocomp")
	if b.decor != nil {
		if o.decoration, err = b.decor.GetToplevelDecoration(o.toplevel); err == nil {
			err = o.decoration.SetMode(decorclient.ToplevelDecorationV1ModeServerSide)
		}
		if err != nil {
			return nil, fmt.Errorf("nested: ask for decorations: %w", err)
		}
	}
	o.nilTimer = b.l.AddTimer(o.presented)
	if err := o.surface.Commit(); err != nil { // asks for the first configure
		return nil, fmt.Errorf("nested: %w", err)
	}
	return o, nil
}

// surfaceListener hears the host about the window's surface.
type surfaceListener struct {
	o *Output
	wlclient.NopSurfaceListener
}

// PreferredBufferScale runs when the host asks for another scale: gocomp
// draws at scale 1, and says so once.
func (l surfaceListener) PreferredBufferScale(_ *wlclient.Surface, factor int32) {
	if factor != 1 && !l.o.scaleNoted {
		l.o.scaleNoted = true
		l.o.b.log.Info("nested: the host prefers another buffer scale; gocomp draws at scale 1 and the host scales it",
			"output", l.o.name, "scale", factor)
	}
}

// toplevelListener hears the host about the window.
type toplevelListener struct {
	o *Output
	xdgclient.NopToplevelListener
}

// Configure runs when the host proposes a size (0 x 0: ours to choose).
func (l toplevelListener) Configure(_ *xdgclient.Toplevel, width, height int32, _ []byte) {
	l.o.pendingW, l.o.pendingH = width, height
}

// Close runs when the user closes the window: the session ends as on
// SIGTERM.
func (l toplevelListener) Close(*xdgclient.Toplevel) {
	o := l.o
	o.b.log.Info("nested: the host window was closed", "output", o.name)
	if o.b.h != nil {
		o.b.h.Quit(nil)
	}
}

// xdgSurfaceListener acks configures and applies their size.
type xdgSurfaceListener struct{ o *Output }

// Configure runs at the end of a configure sequence: the size becomes the
// output's mode (reported as a new output the first time, a mode change
// later).
func (l xdgSurfaceListener) Configure(_ *xdgclient.Surface, serial uint32) {
	o := l.o
	o.xdgSurface.AckConfigure(serial)
	w, h := int(o.pendingW), int(o.pendingH)
	if w <= 0 || h <= 0 {
		w, h = o.mode.Width, o.mode.Height
	}
	changed := w != o.mode.Width || h != o.mode.Height
	o.mode.Width, o.mode.Height = w, h
	switch {
	case !o.configured:
		o.configured = true
		o.b.h.OutputAdded(o)
	case changed:
		for _, buf := range o.bufs {
			buf.stale = true
		}
		o.dropStale()
		o.b.log.Info("nested: the host window was resized", "output", o.name, "mode", o.mode.String())
		o.b.h.OutputChanged(o)
	default:
		// The same size: nothing to redraw, but the ack takes effect with
		// a commit (a frame with no damage presents nothing).
		o.surface.Commit()
	}
}

// Info implements backend.Output.
func (o *Output) Info() backend.OutputInfo {
	return backend.OutputInfo{Name: o.name, Description: "gocomp window " + o.name + " in the host compositor",
		Make: "gocomp", Model: "nested"}
}

// Mode implements backend.Output.
func (o *Output) Mode() backend.Mode { return o.mode }

// ScheduleFrame implements backend.Output: Frame comes once the host has
// shown the previous picture (its frame callback), right away otherwise.
func (o *Output) ScheduleFrame() {
	o.wanted = true
	o.startFrame()
}

// startFrame runs Frame soon if one is wanted and nothing is in flight.
func (o *Output) startFrame() {
	if o.closed || !o.configured || !o.wanted || o.inFlight != nil || o.frameIdle != nil || o.nilTimer.Armed() {
		return
	}
	o.frameIdle = o.b.l.AddIdle(func() {
		o.frameIdle = nil
		if o.closed {
			return
		}
		o.wanted = false
		o.b.h.Frame(o)
	})
}

// NextBuffer implements backend.Output: a buffer the host does not hold,
// of the current size; a new one while there are fewer than maxBuffers.
func (o *Output) NextBuffer() (*backend.Buffer, error) {
	for _, buf := range o.bufs {
		if !buf.busy && !buf.stale {
			buf.Age = 0
			if buf.drawn > 0 {
				buf.Age = o.pictures - buf.drawn + 1
			}
			return &buf.Buffer, nil
		}
	}
	if len(o.bufs) >= maxBuffers {
		return nil, errors.New("nested: the host holds every buffer")
	}
	buf, err := o.newBuffer()
	if err != nil {
		return nil, err
	}
	o.bufs = append(o.bufs, buf)
	return &buf.Buffer, nil
}

// newBuffer creates a buffer of the current size in a memfd of its own.
func (o *Output) newBuffer() (*shmBuffer, error) {
	w, h := o.mode.Width, o.mode.Height
	proxy, mem, err := newShmBuffer(o.b.shm, w, h, wayland.ShmFormatXrgb8888)
	if err != nil {
		return nil, err
	}
	buf := &shmBuffer{proxy: proxy, Buffer: backend.Buffer{Pixels: backend.Pixels{Width: w, Height: h, Stride: 4 * w,
		Format: backend.XRGB8888, Data: mem}}}
	proxy.SetListener(releaseListener{o: o, buf: buf})
	return buf, nil
}

// newShmBuffer creates a host wl_buffer of w x h 32-bit pixels (rows of
// 4*w bytes) in a memfd of its own, and returns it with our mapping of it.
func newShmBuffer(shm *wlclient.Shm, w, h int, format wayland.ShmFormat) (*wlclient.Buffer, []byte, error) {
	size := 4 * w * h
	fd, err := unix.MemfdCreate("gocomp-nested", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, nil, fmt.Errorf("nested: memfd_create: %w", err)
	}
	defer unix.Close(fd) // the host's pool holds a duplicate; the mapping ours
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		return nil, nil, fmt.Errorf("nested: size a buffer: %w", err)
	}
	mem, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("nested: map a buffer: %w", err)
	}
	pool, err := shm.CreatePool(fd, int32(size))
	if err != nil {
		unix.Munmap(mem)
		return nil, nil, err
	}
	proxy, err := pool.CreateBuffer(0, int32(w), int32(h), int32(4*w), format)
	pool.Destroy() // the buffer keeps the memory
	if err != nil {
		unix.Munmap(mem)
		return nil, nil, err
	}
	return proxy, mem, nil
}

// releaseListener hears the host give a buffer back.
type releaseListener struct {
	o   *Output
	buf *shmBuffer
}

// Release runs when the host no longer reads the buffer.
func (l releaseListener) Release(*wlclient.Buffer) {
	l.buf.busy = false
	l.o.dropStale()
}

// dropStale destroys the buffers of an older size the host no longer
// holds.
func (o *Output) dropStale() {
	o.bufs = slices.DeleteFunc(o.bufs, func(buf *shmBuffer) bool {
		if buf.stale && !buf.busy {
			buf.destroy()
			return true
		}
		return false
	})
}

// destroy releases the buffer's host object and mapping.
func (buf *shmBuffer) destroy() {
	buf.proxy.Destroy()
	unix.Munmap(buf.Data)
	buf.Data = nil
}

// Present implements backend.Output: the buffer is attached with its
// damage and committed with a frame callback; when the host calls it back,
// the picture is on screen (Presented). With no new picture, Presented
// follows one refresh period later.
func (o *Output) Present(b *backend.Buffer, damage []image.Rectangle) {
	if o.closed {
		return
	}
	if b == nil {
		o.nilTimer.Arm(time.Duration(int64(time.Second) * 1000 / int64(max(1, o.mode.RefreshMHz))))
		return
	}
	i := slices.IndexFunc(o.bufs, func(buf *shmBuffer) bool { return &buf.Buffer == b })
	if i < 0 {
		return
	}
	buf := o.bufs[i]
	o.pictures++
	buf.drawn, buf.busy = o.pictures, true
	o.surface.Attach(buf.proxy, 0, 0)
	if damage == nil {
		o.surface.Damage(0, 0, int32(buf.Width), int32(buf.Height))
	}
	for _, r := range damage {
		o.surface.Damage(int32(r.Min.X), int32(r.Min.Y), int32(r.Dx()), int32(r.Dy()))
	}
	cb, err := o.surface.Frame()
	if err == nil {
		cb.SetListener(frameListener{o})
		o.inFlight = cb
	}
	o.surface.Commit()
}

// frameListener hears the host's frame callback.
type frameListener struct{ o *Output }

// Done runs when the host has shown the last picture and wants the next.
func (l frameListener) Done(*wlclient.Callback, uint32) {
	l.o.inFlight = nil
	l.o.shown++
	l.o.presented()
}

// presented reports the picture shown and starts the next frame if one is
// wanted.
func (o *Output) presented() {
	if o.closed {
		return
	}
	o.b.h.Presented(o, loop.Now())
	o.startFrame()
}

// SetCursor implements backend.Output: the host's pointer shows the cursor.
func (o *Output) SetCursor(img *backend.Pixels, hotX, hotY int) bool {
	o.b.input.setCursor(img, hotX, hotY)
	return true
}

// MoveCursor implements backend.Output; the host moves its pointer.
func (o *Output) MoveCursor(int, int) {}

// close destroys the window.
func (o *Output) close() {
	if o.closed {
		return
	}
	o.closed = true
	o.b.log.Info("nested: window closed", "output", o.name, "frames_shown", o.shown)
	o.nilTimer.Remove()
	o.frameIdle.Remove()
	for _, buf := range o.bufs {
		buf.destroy()
	}
	o.bufs = nil
	if o.decoration != nil {
		o.decoration.Destroy()
	}
	o.toplevel.Destroy()
	o.xdgSurface.Destroy()
	o.surface.Destroy()
}
