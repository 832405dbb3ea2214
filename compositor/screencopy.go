package compositor

import (
	"errors"
	"image"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/internal/shmem"
	"gocomp/compositor/render"
	"gocomp/protocols/screencopy"
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
)

// screencopyVersion is the zwlr_screencopy_manager_v1 version served.
const screencopyVersion = 3

// screencopyFormat is the one buffer format captures are offered in: the
// outputs' own (rows top to bottom, so no y_invert flag).
const screencopyFormat = wayland.ShmFormatXrgb8888

// screencopyFrame is one zwlr_screencopy_frame_v1: a capture of region
// (layout coordinates, inside the output) that waits, once the client
// asked for a copy, for the output's next presented picture. As the
// protocol has it, the frame holds the region as the output's buffer
// shows it: turned by the output's transform (clients such as grim turn
// it back with the wl_output transform).
type screencopyFrame struct {
	s      *Server
	res    *screencopy.ScreencopyFrameV1
	o      *output // nil: the output was gone at capture time
	region image.Rectangle
	cursor bool // overlay_cursor: draw the cursor even where an output shows it itself

	used       bool       // copy or copy_with_damage was requested
	buf        *shmBuffer // the buffer to fill, while waiting
	withDamage bool       // copy_with_damage: wait for damage in region
	cancelBuf  func()     // removes the buffer's destroy hook
	done       bool       // ready or failed was sent
}

// bindScreencopyManager runs when a client binds zwlr_screencopy_manager_v1.
func (s *Server) bindScreencopyManager(r *screencopy.ScreencopyManagerV1) error {
	r.SetHandler(screencopyManager{s})
	return nil
}

// screencopyManager serves one zwlr_screencopy_manager_v1.
type screencopyManager struct{ s *Server }

// CaptureOutput runs on capture_output: a frame of the whole output.
func (m screencopyManager) CaptureOutput(r *screencopy.ScreencopyManagerV1, frame *screencopy.ScreencopyFrameV1, overlayCursor int32, wl *wayland.Output) error {
	o, err := outputArg(wl)
	if err != nil {
		return err
	}
	var region image.Rectangle
	if o != nil {
		region = o.rect()
	}
	m.s.newScreencopyFrame(frame, o, region, overlayCursor != 0)
	return nil
}

// CaptureOutputRegion runs on capture_output_region: a frame of the
// rectangle (x, y, width, height) of the output, in its logical
// coordinates, clipped to the output. A rectangle with no pixels on the
// output fails.
func (m screencopyManager) CaptureOutputRegion(r *screencopy.ScreencopyManagerV1, frame *screencopy.ScreencopyFrameV1, overlayCursor int32, wl *wayland.Output, x, y, width, height int32) error {
	o, err := outputArg(wl)
	if err != nil {
		return err
	}
	var region image.Rectangle
	if o != nil && width > 0 && height > 0 {
		region = clipRegion(o.rect(), int64(x), int64(y), int64(width), int64(height))
	}
	m.s.newScreencopyFrame(frame, o, region, overlayCursor != 0)
	return nil
}

// clipRegion returns the rectangle (x, y, w, h), relative to out's
// top-left corner, in layout coordinates and clipped to out; the
// arithmetic is 64-bit so that no client value overflows on 32-bit
// machines.
func clipRegion(out image.Rectangle, x, y, w, h int64) image.Rectangle {
	clamp := func(v, lo, hi int64) int {
		return int(min(max(v, lo), hi))
	}
	ox, oy := int64(out.Min.X), int64(out.Min.Y)
	r := image.Rect(
		clamp(ox+x, ox, int64(out.Max.X)), clamp(oy+y, oy, int64(out.Max.Y)),
		clamp(ox+x+w, ox, int64(out.Max.X)), clamp(oy+y+h, oy, int64(out.Max.Y)))
	if r.Empty() {
		return image.Rectangle{}
	}
	return r
}

// Destroy runs on zwlr_screencopy_manager_v1.destroy; frames stay.
func (screencopyManager) Destroy(*screencopy.ScreencopyManagerV1) error { return nil }

// newScreencopyFrame sets up a new frame: it announces the buffer it can
// fill (buffer, then buffer_done from version 3), or fails at once when
// there is nothing to capture (the output is gone, the region empty).
func (s *Server) newScreencopyFrame(res *screencopy.ScreencopyFrameV1, o *output, region image.Rectangle, cursor bool) {
	f := &screencopyFrame{s: s, res: res, o: o, region: region, cursor: cursor}
	res.SetHandler(f)
	res.OnDestroy(f.forget)
	if o == nil || region.Empty() {
		f.fail()
		return
	}
	w, h := f.size()
	res.SendBuffer(uint32(screencopyFormat), uint32(w), uint32(h), uint32(4*w))
	res.SendBufferDone()
}

// size is the frame's buffer size: the region's, turned.
func (f *screencopyFrame) size() (w, h int) {
	return f.o.transform.Size(f.region.Dx(), f.region.Dy())
}

// Copy runs on zwlr_screencopy_frame_v1.copy: the frame is filled with
// the output's next presented picture.
func (f *screencopyFrame) Copy(r *screencopy.ScreencopyFrameV1, buffer *wayland.Buffer) error {
	return f.copy(r, buffer, false)
}

// CopyWithDamage runs on copy_with_damage: as copy, but the frame waits
// for a picture that changed inside its region, and says where.
func (f *screencopyFrame) CopyWithDamage(r *screencopy.ScreencopyFrameV1, buffer *wayland.Buffer) error {
	return f.copy(r, buffer, true)
}

// copy checks the buffer against what the buffer event announced (the
// invalid_buffer protocol error otherwise; a second copy is
// already_used) and queues the frame on its output.
func (f *screencopyFrame) copy(r *screencopy.ScreencopyFrameV1, buffer *wayland.Buffer, withDamage bool) error {
	if f.used {
		return server.Errorf(r, uint32(screencopy.ScreencopyFrameV1ErrorAlreadyUsed), "copy requested twice on one frame")
	}
	f.used = true
	if f.done {
		return nil // failed already; the client has been told
	}
	b, err := bufferOf(buffer)
	if err != nil {
		return err
	}
	if b == nil {
		return server.Errorf(r, uint32(screencopy.ScreencopyFrameV1ErrorInvalidBuffer), "no buffer to copy into")
	}
	w, h := f.size()
	if b.format != backend.XRGB8888 || b.width != w || b.height != h || b.stride != 4*w {
		return server.Errorf(r, uint32(screencopy.ScreencopyFrameV1ErrorInvalidBuffer),
			"buffer %dx%d, stride %d, format %v does not match the announced %dx%d, stride %d, format %v",
			b.width, b.height, b.stride, formatName(b.format), w, h, 4*w, screencopyFormat)
	}
	if f.o.removed {
		f.fail()
		return nil
	}
	f.buf, f.withDamage = b, withDamage
	f.cancelBuf = buffer.OnDestroy(func() {
		f.cancelBuf = nil
		f.fail() // the buffer to fill is gone
	})
	f.o.captures = append(f.o.captures, f)
	f.o.bo.ScheduleFrame()
	return nil
}

// Destroy runs on zwlr_screencopy_frame_v1.destroy; the destroy hook
// forgets the frame.
func (f *screencopyFrame) Destroy(*screencopy.ScreencopyFrameV1) error { return nil }

// forget runs when the frame object is destroyed: it stops waiting.
func (f *screencopyFrame) forget() {
	f.done = true
	f.release()
}

// release stops waiting for a picture.
func (f *screencopyFrame) release() {
	if f.cancelBuf != nil {
		f.cancelBuf()
		f.cancelBuf = nil
	}
	if f.buf != nil && f.o != nil {
		f.o.captures = removeItem(f.o.captures, f)
	}
	f.buf = nil
}

// fail sends failed, once.
func (f *screencopyFrame) fail() {
	if f.done {
		return
	}
	f.done = true
	f.release()
	f.res.SendFailed()
}

// formatName names a backend format in messages.
func formatName(f backend.Format) string {
	switch f {
	case backend.XRGB8888:
		return wayland.ShmFormatXrgb8888.String()
	case backend.ARGB8888:
		return wayland.ShmFormatArgb8888.String()
	}
	return "unknown"
}

// finishCaptures runs when o's picture was presented at t
// (CLOCK_MONOTONIC): the frames waiting on o get what it shows now, in
// their region; those waiting for damage only when the picture changed
// there (damage: what changed, layout coordinates).
func (s *Server) finishCaptures(o *output, t time.Duration, damage image.Rectangle) {
	if len(o.captures) == 0 {
		return
	}
	waiting := o.captures[:0]
	var finish []*screencopyFrame
	for _, f := range o.captures {
		if f.withDamage && !damage.Overlaps(f.region) {
			waiting = append(waiting, f)
			continue
		}
		finish = append(finish, f)
	}
	clear(o.captures[len(waiting):])
	o.captures = waiting
	for _, f := range finish {
		f.fill(t, damage.Intersect(f.region))
	}
}

// fill draws the frame's region into its buffer and sends flags, damage
// (copy_with_damage) and ready; failed when the buffer cannot be written.
func (f *screencopyFrame) fill(t time.Duration, damage image.Rectangle) {
	s, b, r := f.s, f.buf, f.region
	if f.cancelBuf != nil {
		f.cancelBuf()
		f.cancelBuf = nil
	}
	f.buf = nil
	pix := s.captures.picture(f, r)
	err := b.pool.mem.WriteRows(pix.Data, pix.Stride, b.offset, b.stride, pix.Stride, pix.Height)
	if err != nil {
		if !errors.Is(err, shmem.ErrNotWritable) && !errors.Is(err, shmem.ErrFault) {
			s.log.Warn("screencopy: cannot fill buffer", "err", err)
		}
		f.fail()
		return
	}
	f.done = true
	f.res.SendFlags(0)
	if f.withDamage {
		d := damage.Sub(r.Min)
		f.res.SendDamage(uint32(d.Min.X), uint32(d.Min.Y), uint32(d.Dx()), uint32(d.Dy()))
	}
	sec := uint64(t / time.Second)
	f.res.SendReady(uint32(sec>>32), uint32(sec), uint32(t%time.Second))
}

// failCaptures fails every frame waiting on o (it is going away).
func (o *output) failCaptures() {
	for len(o.captures) > 0 {
		o.captures[0].fail()
	}
}

// captureScratch is the memory captures draw in, kept between captures
// (a recorder asks for one every frame): the region's picture, its turned
// copy and the layer list.
type captureScratch struct {
	logical, turned []byte
	layers          []render.Layer
}

// picture draws f's region r (layout coordinates) as the output's buffer
// shows it. The pixels are valid until the next call.
func (c *captureScratch) picture(f *screencopyFrame, r image.Rectangle) backend.Pixels {
	s := f.s
	pix := backend.Pixels{Width: r.Dx(), Height: r.Dy(), Stride: 4 * r.Dx(), Format: backend.XRGB8888}
	c.logical = grow(c.logical, 4*r.Dx()*r.Dy())
	pix.Data = c.logical
	c.layers = s.appendSurfaceLayers(c.layers[:0], r)
	if cur := s.cursor.overlay(f.cursor); cur.Rect().Overlaps(r) {
		c.layers = append(c.layers, cur)
	}
	render.Draw(pix, r, []image.Rectangle{r}, c.layers)
	clear(c.layers) // no surface kept alive by the scratch
	t := f.o.transform
	if t == render.Normal {
		return pix
	}
	w, h := t.Size(pix.Width, pix.Height)
	c.turned = grow(c.turned, 4*w*h)
	turned := backend.Pixels{Width: w, Height: h, Stride: 4 * w, Format: backend.XRGB8888, Data: c.turned}
	render.CopyTransformed(turned, pix, t, image.Rect(0, 0, pix.Width, pix.Height))
	return turned
}

// grow returns b resized to n bytes, reallocated only when it is too
// small.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}
