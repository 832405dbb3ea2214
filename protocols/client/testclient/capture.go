package testclient

import (
	"context"
	"fmt"
	"image"
	"time"

	"gocomp/protocols/client/screencopyclient"
	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/screencopy"
	"gocomp/protocols/wayland"

	"golang.org/x/sys/unix"
)

// Output is a wl_output the client bound, with what it announced.
type Output struct {
	Proxy         *wlclient.Output
	Name          string
	Width, Height int32 // the current mode
	X, Y          int32 // geometry's position
}

// Outputs binds every wl_output the registry lists (once) and waits for
// their descriptions.
func (c *Client) Outputs(ctx context.Context) ([]*Output, error) {
	if c.outputs != nil {
		return c.outputs, nil
	}
	for _, g := range c.Registry.Globals() {
		if g.Interface != "wl_output" {
			continue
		}
		o := &Output{Proxy: &wlclient.Output{}}
		if err := c.Registry.Bind(g.Name, o.Proxy, wlclient.OutputInterface, min(g.Version, wayland.OutputVersion)); err != nil {
			return nil, err
		}
		o.Proxy.SetListener(outputListener{o: o})
		c.outputs = append(c.outputs, o)
	}
	if err := c.Roundtrip(ctx); err != nil {
		return nil, err
	}
	return c.outputs, nil
}

// outputListener records an Output's events.
type outputListener struct {
	wlclient.NopOutputListener
	o *Output
}

// Geometry runs on wl_output.geometry.
func (l outputListener) Geometry(_ *wlclient.Output, x, y, _, _ int32, _ wayland.OutputSubpixel, _, _ string, _ wayland.OutputTransform) {
	l.o.X, l.o.Y = x, y
}

// Mode runs on wl_output.mode.
func (l outputListener) Mode(_ *wlclient.Output, flags wayland.OutputMode, w, h, _ int32) {
	if flags&wayland.OutputModeCurrent != 0 {
		l.o.Width, l.o.Height = w, h
	}
}

// Name runs on wl_output.name.
func (l outputListener) Name(_ *wlclient.Output, name string) { l.o.Name = name }

// Done runs on wl_output.done.
func (l outputListener) Done(*wlclient.Output) {}

// Frame is a screencopy frame's events, as a Capture saw them.
type Frame struct {
	Proxy *screencopyclient.ScreencopyFrameV1
	// Format, Width, Height and Stride come from the buffer event.
	Format                uint32
	Width, Height, Stride uint32
	BufferDone            bool // buffer_done (version 3)
	Flags                 screencopy.ScreencopyFrameV1Flags
	Damage                []image.Rectangle
	// Ready is set by ready, with the presentation time it carries
	// (CLOCK_MONOTONIC); Failed by failed.
	Ready  bool
	Time   time.Duration
	Failed bool
}

// screencopyListener records a Frame's events.
type screencopyListener struct {
	screencopyclient.NopScreencopyFrameV1Listener
	f *Frame
}

// Buffer runs on buffer: the geometry to copy into.
func (l screencopyListener) Buffer(_ *screencopyclient.ScreencopyFrameV1, format, w, h, stride uint32) {
	l.f.Format, l.f.Width, l.f.Height, l.f.Stride = format, w, h, stride
}

// BufferDone runs on buffer_done (version 3).
func (l screencopyListener) BufferDone(*screencopyclient.ScreencopyFrameV1) { l.f.BufferDone = true }

// Flags runs on flags.
func (l screencopyListener) Flags(_ *screencopyclient.ScreencopyFrameV1, flags screencopy.ScreencopyFrameV1Flags) {
	l.f.Flags = flags
}

// Damage runs on damage (copy_with_damage).
func (l screencopyListener) Damage(_ *screencopyclient.ScreencopyFrameV1, x, y, w, h uint32) {
	l.f.Damage = append(l.f.Damage, image.Rect(int(x), int(y), int(x+w), int(y+h)))
}

// Ready runs on ready, with the presentation time.
func (l screencopyListener) Ready(_ *screencopyclient.ScreencopyFrameV1, hi, lo, nsec uint32) {
	l.f.Ready = true
	l.f.Time = time.Duration(uint64(hi)<<32|uint64(lo))*time.Second + time.Duration(nsec)
}

// Failed runs on failed.
func (l screencopyListener) Failed(*screencopyclient.ScreencopyFrameV1) { l.f.Failed = true }

// CaptureRequest says what Capture captures.
type CaptureRequest struct {
	Output *Output
	// Region, when not empty, is the rectangle of the output to capture
	// (capture_output_region), in the output's logical coordinates.
	Region image.Rectangle
	// Cursor asks for the cursor in the picture (overlay_cursor).
	Cursor bool
}

// StartCapture asks for a frame and waits for the buffer the compositor
// announces (or failed), without copying yet: tests that send a wrong
// buffer start here.
func (c *Client) StartCapture(ctx context.Context, req CaptureRequest) (*Frame, error) {
	if c.screencopy == nil {
		m, err := screencopyclient.BindScreencopyManagerV1(c.Registry, screencopy.ScreencopyManagerV1Version)
		if err != nil {
			return nil, err
		}
		c.screencopy = m
	}
	cursor := int32(0)
	if req.Cursor {
		cursor = 1
	}
	var p *screencopyclient.ScreencopyFrameV1
	var err error
	if req.Region.Empty() {
		p, err = c.screencopy.CaptureOutput(cursor, req.Output.Proxy)
	} else {
		r := req.Region
		p, err = c.screencopy.CaptureOutputRegion(cursor, req.Output.Proxy, int32(r.Min.X), int32(r.Min.Y), int32(r.Dx()), int32(r.Dy()))
	}
	if err != nil {
		return nil, err
	}
	f := &Frame{Proxy: p}
	p.SetListener(screencopyListener{f: f})
	announced := func() bool {
		return f.Failed || (f.Width > 0 && (f.BufferDone || p.Version() < 3))
	}
	if err := c.WaitFor(ctx, announced); err != nil {
		return nil, fmt.Errorf("testclient: screencopy buffer: %w", err)
	}
	return f, nil
}

// ShmBuffer is a wl_buffer in a memfd pool the test can read.
type ShmBuffer struct {
	Proxy *wlclient.Buffer
	Mem   []byte // the pool's mapping
}

// NewShmBuffer creates a wl_buffer of the given geometry in a pool of
// exactly the size it needs.
func (c *Client) NewShmBuffer(width, height, stride int, format wayland.ShmFormat) (*ShmBuffer, error) {
	size := stride * height
	fd, err := unix.MemfdCreate("testclient-capture", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("testclient: memfd_create: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		return nil, fmt.Errorf("testclient: size the pool: %w", err)
	}
	mem, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("testclient: map the pool: %w", err)
	}
	pool, err := c.Shm.CreatePool(fd, int32(size))
	if err != nil {
		unix.Munmap(mem)
		return nil, err
	}
	p, err := pool.CreateBuffer(0, int32(width), int32(height), int32(stride), format)
	if err != nil {
		unix.Munmap(mem)
		return nil, err
	}
	if err := pool.Destroy(); err != nil {
		unix.Munmap(mem)
		return nil, err
	}
	return &ShmBuffer{Proxy: p, Mem: mem}, nil
}

// Close destroys the buffer and unmaps its memory.
func (b *ShmBuffer) Close() error {
	err := b.Proxy.Destroy()
	if b.Mem != nil {
		unix.Munmap(b.Mem)
		b.Mem = nil
	}
	return err
}

// Capture takes a screenshot: it asks for a frame, copies it into a
// buffer of the announced geometry and waits for ready or failed. The
// image holds the pixels (opaque) when the frame is ready.
func (c *Client) Capture(ctx context.Context, req CaptureRequest) (*image.RGBA, *Frame, error) {
	f, err := c.StartCapture(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	defer f.Proxy.Destroy()
	if f.Failed {
		return nil, f, nil
	}
	b, err := c.NewShmBuffer(int(f.Width), int(f.Height), int(f.Stride), wayland.ShmFormat(f.Format))
	if err != nil {
		return nil, f, err
	}
	defer b.Close()
	if err := f.Proxy.Copy(b.Proxy); err != nil {
		return nil, f, err
	}
	if err := c.WaitFor(ctx, func() bool { return f.Ready || f.Failed }); err != nil {
		return nil, f, fmt.Errorf("testclient: screencopy copy: %w", err)
	}
	if f.Failed {
		return nil, f, nil
	}
	return pixelsToRGBA(b.Mem, int(f.Width), int(f.Height), int(f.Stride), f.Flags&screencopy.ScreencopyFrameV1FlagsYInvert != 0), f, nil
}

// pixelsToRGBA converts XRGB8888/ARGB8888 little-endian rows (B, G, R, X
// bytes) into an opaque image, flipping them when yInvert.
func pixelsToRGBA(mem []byte, w, h, stride int, yInvert bool) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		sy := y
		if yInvert {
			sy = h - 1 - y
		}
		src := mem[sy*stride:]
		dst := img.Pix[y*img.Stride:]
		for x := 0; x < w; x++ {
			dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = src[4*x+2], src[4*x+1], src[4*x], 0xff
		}
	}
	return img
}
