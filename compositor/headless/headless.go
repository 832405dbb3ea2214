// Package headless is a backend without a display: one virtual output whose
// CPU framebuffer (XRGB8888) is composited from the surfaces' committed
// contents at every refresh. A loop timer paces the refreshes; it is armed
// only while something changed or a frame callback waits, so an idle
// output costs nothing.
package headless

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"slices"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"

	"golang.org/x/sys/unix"
)

// DefaultMode returns the output mode used when none is configured:
// 1280x720 at 60 Hz.
func DefaultMode() backend.Mode {
	return backend.Mode{Width: 1280, Height: 720, RefreshMHz: 60000}
}

// Background is the XRGB8888 colour of output pixels no surface covers.
const Background uint32 = 0x00202020

// maxDimension bounds the output size (a 16384x16384 framebuffer is 1 GiB).
const maxDimension = 16384

// Output is the headless backend's one output. It implements
// backend.Output.
type Output struct {
	l      *loop.Loop
	mode   backend.Mode
	period int64 // nanoseconds per refresh
	start  int64 // CLOCK_MONOTONIC of refresh 0

	fb       []byte // XRGB8888, stride 4*width
	bgRow    []byte // one full row of Background
	surfaces []*Surface
	damage   image.Rectangle // what changed since the last composite
	timer    *loop.Timer
	firing   []func(uint32)

	refreshes uint64
	closed    bool
}

var _ backend.Output = (*Output)(nil)

// New creates the output with the given mode on l.
func New(l *loop.Loop, mode backend.Mode) (*Output, error) {
	if mode.Width <= 0 || mode.Height <= 0 || mode.Width > maxDimension || mode.Height > maxDimension {
		return nil, fmt.Errorf("headless: mode %dx%d: size must be 1..%d", mode.Width, mode.Height, maxDimension)
	}
	if mode.RefreshMHz < 1000 || mode.RefreshMHz > 1000000 {
		return nil, fmt.Errorf("headless: refresh %.3f Hz: must be 1..1000 Hz", float64(mode.RefreshMHz)/1000)
	}
	o := &Output{
		l:      l,
		mode:   mode,
		period: int64(1e12) / int64(mode.RefreshMHz),
		start:  monotonic(),
		fb:     make([]byte, 4*mode.Width*mode.Height),
		bgRow:  make([]byte, 4*mode.Width),
	}
	for x := 0; x < len(o.bgRow); x += 4 {
		putPixel(o.bgRow[x:], Background)
	}
	o.timer = l.AddTimer(o.handleRefresh)
	o.clear(o.bounds())
	return o, nil
}

// Close stops the refresh timer and drops every surface.
func (o *Output) Close() {
	if o == nil || o.closed {
		return
	}
	o.closed = true
	o.timer.Remove()
	for _, s := range o.surfaces {
		s.destroyed = true
		s.frames = nil
	}
	o.surfaces = nil
}

// Name implements backend.Output.
func (o *Output) Name() string { return "HEADLESS-1" }

// Description implements backend.Output.
func (o *Output) Description() string { return "gocomp headless output " + o.mode.String() }

// Make implements backend.Output.
func (o *Output) Make() string { return "gocomp" }

// Model implements backend.Output.
func (o *Output) Model() string { return "headless" }

// PhysicalSize implements backend.Output; a virtual output has none.
func (o *Output) PhysicalSize() (int, int) { return 0, 0 }

// Mode implements backend.Output.
func (o *Output) Mode() backend.Mode { return o.mode }

// Refreshes reports how many refreshes have run.
func (o *Output) Refreshes() uint64 { return o.refreshes }

// NewSurface implements backend.Output.
func (o *Output) NewSurface() backend.Surface {
	s := &Surface{o: o}
	if !o.closed {
		o.surfaces = append(o.surfaces, s)
	}
	return s
}

// Restack implements backend.Output.
func (o *Output) Restack(order []backend.Surface) {
	listed := make(map[*Surface]bool, len(order))
	next := make([]*Surface, 0, len(o.surfaces))
	for _, bs := range order {
		if s, ok := bs.(*Surface); ok && s.o == o && !s.destroyed && !listed[s] {
			listed[s] = true
			next = append(next, s)
		}
	}
	var missing []*Surface
	for _, s := range o.surfaces {
		if !listed[s] {
			missing = append(missing, s)
		}
	}
	next = append(missing, next...)
	if slices.Equal(next, o.surfaces) {
		return
	}
	o.surfaces = next
	for _, s := range o.surfaces {
		if s.mapped {
			o.addDamage(s.rect())
		}
	}
	o.schedule()
}

// schedule arms the refresh timer for the next refresh boundary unless it
// is already armed.
func (o *Output) schedule() {
	if o.closed || o.timer.Armed() {
		return
	}
	now := monotonic()
	next := o.start + ((now-o.start)/o.period+1)*o.period
	o.timer.Arm(time.Duration(next - now))
}

// handleRefresh runs at each refresh boundary while work is pending: it
// composites the committed contents if they changed, then answers the
// frame callbacks of every surface.
func (o *Output) handleRefresh() {
	o.refreshes++
	if !o.damage.Empty() {
		o.composite()
	}
	msec := uint32(monotonic() / int64(time.Millisecond))
	// Collect first: callbacks may destroy surfaces or ask for more
	// frames, which wait for the next refresh.
	for _, s := range o.surfaces {
		o.firing = append(o.firing, s.frames...)
		clear(s.frames)
		s.frames = s.frames[:0]
	}
	for i, done := range o.firing {
		o.firing[i] = nil
		done(msec)
	}
	o.firing = o.firing[:0]
	for _, s := range o.surfaces {
		if len(s.frames) > 0 {
			o.schedule()
			break
		}
	}
}

// bounds is the output's rectangle.
func (o *Output) bounds() image.Rectangle { return image.Rect(0, 0, o.mode.Width, o.mode.Height) }

// addDamage marks r (output coordinates) for redrawing.
func (o *Output) addDamage(r image.Rectangle) {
	o.damage = o.damage.Union(r.Intersect(o.bounds()))
}

// composite redraws the damaged part of the framebuffer from the surfaces,
// bottom to top.
func (o *Output) composite() {
	clip := o.damage
	o.damage = image.Rectangle{}
	o.clear(clip)
	for _, s := range o.surfaces {
		if s.mapped {
			o.draw(s.pix, s.x, s.y, clip)
		}
	}
}

// clear fills r with the background.
func (o *Output) clear(r image.Rectangle) {
	stride := o.mode.Width * 4
	for y := r.Min.Y; y < r.Max.Y; y++ {
		copy(o.fb[y*stride+r.Min.X*4:y*stride+r.Max.X*4], o.bgRow[r.Min.X*4:r.Max.X*4])
	}
}

// draw puts pix at (x0, y0), clipped to clip; ARGB8888 is blended
// (premultiplied "over"), XRGB8888 copied.
func (o *Output) draw(pix backend.Pixels, x0, y0 int, clip image.Rectangle) {
	if !pix.Valid() {
		return
	}
	r := image.Rect(x0, y0, x0+pix.Width, y0+pix.Height).Intersect(clip)
	if r.Empty() {
		return
	}
	sx, sy := r.Min.X-x0, r.Min.Y-y0
	w := r.Dx()
	fbStride := o.mode.Width * 4
	for y := 0; y < r.Dy(); y++ {
		src := pix.Data[(sy+y)*pix.Stride+sx*4:][:w*4]
		dst := o.fb[(r.Min.Y+y)*fbStride+r.Min.X*4:][:w*4]
		if pix.Format != backend.ARGB8888 {
			copy(dst, src)
			continue
		}
		for i := 0; i < len(src); i += 4 {
			a := uint32(src[i+3])
			switch a {
			case 255:
				copy(dst[i:i+4], src[i:i+4])
			case 0:
				// Premultiplied: a fully transparent pixel adds nothing.
			default:
				inv := 255 - a
				for c := 0; c < 3; c++ {
					dst[i+c] = byte(uint32(src[i+c]) + (uint32(dst[i+c])*inv+127)/255)
				}
			}
		}
	}
}

// Image returns a copy of the framebuffer as presented by the last
// refresh, with any contents committed since composited in.
func (o *Output) Image() *image.RGBA {
	if !o.damage.Empty() {
		o.composite()
	}
	img := image.NewRGBA(image.Rect(0, 0, o.mode.Width, o.mode.Height))
	for i := 0; i < len(o.fb); i += 4 {
		// XRGB8888 little-endian: B, G, R, X.
		img.Pix[i+0] = o.fb[i+2]
		img.Pix[i+1] = o.fb[i+1]
		img.Pix[i+2] = o.fb[i+0]
		img.Pix[i+3] = 0xff
	}
	return img
}

// WritePNG encodes Image as PNG to w.
func (o *Output) WritePNG(w io.Writer) error {
	if err := png.Encode(w, o.Image()); err != nil {
		return fmt.Errorf("headless: encode png: %w", err)
	}
	return nil
}

// WritePNGFile writes Image as a PNG file at path.
func (o *Output) WritePNGFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("headless: screenshot: %w", err)
	}
	if err := o.WritePNG(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("headless: screenshot: %w", err)
	}
	return nil
}

// Surface is one surface on the headless output. It implements
// backend.Surface.
type Surface struct {
	o         *Output
	pix       backend.Pixels
	x, y      int
	mapped    bool
	destroyed bool
	frames    []func(uint32)
}

var _ backend.Surface = (*Surface)(nil)

// Present implements backend.Surface.
func (s *Surface) Present(pix backend.Pixels, x, y int) {
	if s.destroyed {
		return
	}
	if s.mapped {
		s.o.addDamage(s.rect())
	}
	s.pix, s.x, s.y, s.mapped = pix, x, y, true
	s.o.addDamage(s.rect())
	s.o.schedule()
}

// Unmap implements backend.Surface.
func (s *Surface) Unmap() {
	if s.destroyed || !s.mapped {
		return
	}
	s.o.addDamage(s.rect())
	s.mapped = false
	s.pix = backend.Pixels{}
	s.o.schedule()
}

// Frame implements backend.Surface.
func (s *Surface) Frame(done func(msec uint32)) {
	if s.destroyed {
		return
	}
	s.frames = append(s.frames, done)
	s.o.schedule()
}

// Destroy implements backend.Surface.
func (s *Surface) Destroy() {
	if s == nil || s.destroyed {
		return
	}
	s.destroyed = true
	s.frames = nil
	o := s.o
	if i := slices.Index(o.surfaces, s); i >= 0 {
		o.surfaces = slices.Delete(o.surfaces, i, i+1)
	}
	if s.mapped {
		o.addDamage(s.rect())
		s.mapped = false
		o.schedule()
	}
}

// rect is the surface's rectangle in output coordinates.
func (s *Surface) rect() image.Rectangle {
	return image.Rect(s.x, s.y, s.x+s.pix.Width, s.y+s.pix.Height)
}

func putPixel(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

// monotonic returns CLOCK_MONOTONIC in nanoseconds.
func monotonic() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		panic("headless: clock_gettime(CLOCK_MONOTONIC): " + err.Error())
	}
	return ts.Nano()
}
