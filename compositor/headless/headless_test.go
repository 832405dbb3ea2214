package headless

import (
	"bytes"
	"image/color"
	"image/png"
	"testing"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
)

// newOutput returns a loop and an output in mode on it, both closed at
// cleanup.
func newOutput(t testing.TB, mode backend.Mode) (*loop.Loop, *Output) {
	t.Helper()
	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	o, err := New(l, mode)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(); l.Close() })
	return l, o
}

// solid returns a w x h buffer filled with one 32-bit pixel value.
func solid(w, h int, f backend.Format, v uint32) backend.Pixels {
	p := backend.Pixels{Width: w, Height: h, Stride: 4 * w, Format: f, Data: make([]byte, 4*w*h)}
	for i := 0; i < len(p.Data); i += 4 {
		putPixel(p.Data[i:], v)
	}
	return p
}

func TestNewRejectsBadModes(t *testing.T) {
	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, m := range []backend.Mode{
		{Width: 0, Height: 720, RefreshMHz: 60000},
		{Width: 1280, Height: -1, RefreshMHz: 60000},
		{Width: 20000, Height: 720, RefreshMHz: 60000},
		{Width: 1280, Height: 720, RefreshMHz: 0},
	} {
		if _, err := New(l, m); err == nil {
			t.Errorf("New(%v) succeeded; want an error", m)
		}
	}
}

func TestCompositeClipsAndBlends(t *testing.T) {
	l, o := newOutput(t, backend.Mode{Width: 8, Height: 4, RefreshMHz: 1000000})
	// An opaque red XRGB surface hanging off the top-left corner, then a
	// half-transparent (premultiplied) green ARGB one over its right part.
	red := o.NewSurface()
	red.Present(solid(4, 4, backend.XRGB8888, 0xff_ff0000), -1, -1)
	green := o.NewSurface()
	green.Present(solid(2, 2, backend.ARGB8888, 0x80_008000), 2, 0)
	hidden := o.NewSurface()
	hidden.Present(solid(8, 4, backend.XRGB8888, 0x0000ff), 0, 0)
	hidden.Unmap()
	done := false
	red.Frame(func(uint32) { done = true })
	for !done {
		if err := l.Dispatch(time.Second); err != nil {
			t.Fatal(err)
		}
	}
	img := o.Image()
	bg := color.RGBA{0x20, 0x20, 0x20, 0xff}
	// Premultiplied green (a=128, g=128) over red (255,0,0): each channel
	// is src + dst*127/255, rounded: (127, 128, 0). Over the background
	// (32,32,32): (16, 144, 16).
	for _, tc := range []struct {
		x, y int
		want color.RGBA
	}{
		{0, 0, color.RGBA{255, 0, 0, 255}},
		{2, 2, color.RGBA{255, 0, 0, 255}},
		{3, 2, bg}, // red (4x4 at -1,-1) covers columns 0..2, green rows 0..1
		{2, 0, color.RGBA{127, 128, 0, 255}},
		{3, 1, color.RGBA{16, 144, 16, 255}},
		{7, 3, bg},
		{0, 3, bg},
	} {
		if got := img.RGBAAt(tc.x, tc.y); got != tc.want {
			t.Errorf("pixel (%d,%d) = %v; want %v", tc.x, tc.y, got, tc.want)
		}
	}
}

func TestFrameCallbacksPacedByRefresh(t *testing.T) {
	l, o := newOutput(t, backend.Mode{Width: 64, Height: 64, RefreshMHz: 200000})
	s := o.NewSurface()
	gone := o.NewSurface()
	gone.Frame(func(uint32) { t.Error("frame callback of a destroyed surface ran") })
	gone.Destroy()
	gone.Destroy()

	// A client's frame loop: commit, ask for a frame, and commit again
	// from the callback. Each refresh answers exactly one frame.
	var times []uint32
	var refreshAt []uint64
	var next func(uint32)
	next = func(ms uint32) {
		times = append(times, ms)
		refreshAt = append(refreshAt, o.Refreshes())
		if len(times) < 10 {
			s.Present(solid(8, 8, backend.XRGB8888, uint32(len(times))*0x010101), 0, 0)
			s.Frame(next)
		}
	}
	s.Present(solid(8, 8, backend.XRGB8888, 0), 0, 0)
	s.Frame(next)
	for len(times) < 10 {
		if err := l.Dispatch(time.Second); err != nil {
			t.Fatal(err)
		}
	}
	for i := range refreshAt {
		if refreshAt[i] != uint64(i+1) {
			t.Fatalf("callback %d ran at refresh %d; want %d (one per refresh)", i, refreshAt[i], i+1)
		}
		if i > 0 && times[i] < times[i-1] {
			t.Fatalf("frame times go backwards: %v", times)
		}
	}
	if got := o.Image().RGBAAt(0, 0); got != (color.RGBA{9, 9, 9, 255}) {
		t.Errorf("presented pixel = %v; want the last commit (9,9,9)", got)
	}

	// Nothing pending: the refresh timer is disarmed and the loop sleeps.
	w := l.Wakeups()
	if err := l.Dispatch(50 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if r := o.Refreshes(); r != 10 {
		t.Errorf("%d refreshes with nothing to do; want it to stay at 10", r)
	}
	if l.Wakeups() != w+1 {
		t.Errorf("wakeups %d -> %d; want one timed-out wait", w, l.Wakeups())
	}
}

func TestWritePNG(t *testing.T) {
	_, o := newOutput(t, backend.Mode{Width: 16, Height: 16, RefreshMHz: 60000})
	s := o.NewSurface()
	p := solid(4, 4, backend.XRGB8888, 0x123456)
	s.Present(p, 5, 6)
	var buf bytes.Buffer
	if err := o.WritePNG(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 16 || b.Dy() != 16 {
		t.Fatalf("png is %v; want 16x16", b)
	}
	if got := color.RGBAModel.Convert(img.At(5, 6)).(color.RGBA); got != (color.RGBA{0x12, 0x34, 0x56, 0xff}) {
		t.Errorf("png pixel (5,6) = %v; want {0x12 0x34 0x56 0xff}", got)
	}
	if got := color.RGBAModel.Convert(img.At(4, 6)).(color.RGBA); got != (color.RGBA{0x20, 0x20, 0x20, 0xff}) {
		t.Errorf("png pixel (4,6) = %v; want the background", got)
	}
}

func TestCompositeRedrawsOnlyDamage(t *testing.T) {
	_, o := newOutput(t, backend.Mode{Width: 64, Height: 32, RefreshMHz: 60000})
	s := o.NewSurface()
	s.Present(solid(8, 8, backend.XRGB8888, 0xff0000), 0, 0)
	o.composite()
	// A marker far from the surface: a full redraw would paint it over.
	putPixel(o.fb[(20*64+60)*4:], 0x00abcdef)
	s.Present(solid(8, 8, backend.XRGB8888, 0x00ff00), 10, 0) // moved
	img := o.Image()
	bg := color.RGBA{0x20, 0x20, 0x20, 0xff}
	for _, tc := range []struct {
		x, y int
		want color.RGBA
	}{
		{0, 0, bg},                                   // the old place is cleared
		{12, 2, color.RGBA{0, 255, 0, 255}},          // the new place is drawn
		{60, 20, color.RGBA{0xab, 0xcd, 0xef, 0xff}}, // untouched outside the damage
	} {
		if got := img.RGBAAt(tc.x, tc.y); got != tc.want {
			t.Errorf("pixel (%d,%d) = %v; want %v", tc.x, tc.y, got, tc.want)
		}
	}
	s.Destroy()
	if got := o.Image().RGBAAt(12, 2); got != bg {
		t.Errorf("after Destroy: pixel (12,2) = %v; want the background", got)
	}
}

func TestRestack(t *testing.T) {
	_, o := newOutput(t, backend.Mode{Width: 8, Height: 8, RefreshMHz: 60000})
	a, b, c := o.NewSurface(), o.NewSurface(), o.NewSurface()
	a.Present(solid(4, 4, backend.XRGB8888, 0xff0000), 0, 0)
	b.Present(solid(4, 4, backend.XRGB8888, 0x00ff00), 0, 0)
	c.Present(solid(2, 2, backend.XRGB8888, 0x0000ff), 6, 6)
	if got := o.Image().RGBAAt(1, 1); got != (color.RGBA{0, 255, 0, 255}) {
		t.Fatalf("creation order: pixel %v; want b (green) on top", got)
	}
	o.Restack([]backend.Surface{b, a}) // c unlisted: stays, below
	if got := o.Image().RGBAAt(1, 1); got != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("after Restack(b, a): pixel %v; want a (red) on top", got)
	}
	if got := []*Surface{o.surfaces[0], o.surfaces[1], o.surfaces[2]}; got[0] != c || got[1] != b || got[2] != a {
		t.Errorf("stacking %v; want c, b, a", got)
	}
}
