package render

import (
	"image"
	"math/rand/v2"
	"slices"
	"testing"

	"gocomp/compositor/backend"
)

// solid returns a w x h block filled with one 32-bit pixel value.
func solid(w, h int, f backend.Format, v uint32) backend.Pixels {
	p := backend.Pixels{Width: w, Height: h, Stride: 4 * w, Format: f, Data: make([]byte, 4*w*h)}
	for i := 0; i < len(p.Data); i += 4 {
		p.Data[i], p.Data[i+1], p.Data[i+2], p.Data[i+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	return p
}

// at returns the XRGB8888 pixel (x, y) of p as 0xRRGGBB.
func at(p backend.Pixels, x, y int) uint32 {
	b := p.Data[y*p.Stride+4*x:]
	return uint32(b[2])<<16 | uint32(b[1])<<8 | uint32(b[0])
}

func TestDrawClipsAndBlends(t *testing.T) {
	dst := solid(8, 4, backend.XRGB8888, 0x00abcdef)
	view := image.Rect(100, 50, 108, 54) // dst shows this part of the layout
	layers := []Layer{
		// An opaque red XRGB layer hanging off the view's top-left corner,
		// a half-transparent (premultiplied) green ARGB one over its right
		// part.
		{Pix: solid(4, 4, backend.XRGB8888, 0xff_ff0000), X: 99, Y: 49},
		{Pix: solid(2, 2, backend.ARGB8888, 0x80_008000), X: 102, Y: 50},
		{Pix: backend.Pixels{Width: 4}, X: 100, Y: 50}, // invalid: skipped
	}
	// Redraw everything but the last column.
	Draw(dst, view, []image.Rectangle{image.Rect(0, 0, 107, 1000)}, layers)
	for _, tc := range []struct {
		x, y int
		want uint32
	}{
		{0, 0, 0xff0000},
		{2, 2, 0xff0000},
		{3, 2, Background}, // red covers columns 0..2
		// Premultiplied green (a=128, g=128) over red (255,0,0): each
		// channel is src + dst*127/255, rounded: (127, 128, 0).
		{2, 0, 0x7f8000},
		// Over the black background: (0, 128, 0).
		{3, 1, 0x008000},
		{6, 3, Background},
		{7, 0, 0xabcdef}, // outside the clip: untouched
		{7, 3, 0xabcdef},
	} {
		if got := at(dst, tc.x, tc.y); got != tc.want {
			t.Errorf("pixel (%d,%d) = %06x; want %06x", tc.x, tc.y, got, tc.want)
		}
	}
}

func TestDamageMergesOverlaps(t *testing.T) {
	var d Damage
	d.Add(image.Rect(0, 0, 10, 10))
	d.Add(image.Rect(20, 0, 30, 10))
	d.Add(image.Rectangle{}) // empty: ignored
	if got := len(d.Rects()); got != 2 {
		t.Fatalf("two disjoint rectangles: %v", d.Rects())
	}
	d.Add(image.Rect(5, 5, 25, 8)) // bridges both
	if got := d.Rects(); len(got) != 1 || got[0] != image.Rect(0, 0, 30, 10) {
		t.Fatalf("after a bridging rectangle: %v; want [(0,0)-(30,10)]", got)
	}
	d.Clear()
	for i := range maxRects + 1 {
		d.Add(image.Rect(i*10, 0, i*10+5, 5))
	}
	if got := d.Rects(); len(got) != 1 || got[0] != image.Rect(0, 0, maxRects*10+5, 5) {
		t.Fatalf("past %d rectangles: %v; want their bounding box", maxRects, got)
	}
	d.Clip(image.Rect(0, 0, 12, 3))
	d.Translate(image.Pt(1, 2))
	if got := d.Rects(); len(got) != 1 || got[0] != image.Rect(1, 2, 13, 5) {
		t.Fatalf("clipped and translated: %v", got)
	}
}

// TestDamageRedrawMatchesFullDraw checks the contract that makes damage
// tracking safe: a buffer brought up to date through History and the
// damage of each frame equals a buffer drawn whole, whatever the buffer's
// age. Random layers move and change over random frames; three buffers
// are used round robin, as a triple-buffered output would.
func TestDamageRedrawMatchesFullDraw(t *testing.T) {
	const w, h = 64, 48
	view := image.Rect(0, 0, w, h)
	rng := rand.New(rand.NewPCG(1, 2))
	layers := make([]Layer, 4)
	for i := range layers {
		layers[i] = Layer{Pix: solid(8+i*4, 6+i*3, backend.Format(i%2), rng.Uint32()), X: rng.IntN(w), Y: rng.IntN(h)}
	}
	bufs := make([]backend.Pixels, 3)
	ages := make([]int, 3) // 0: never drawn
	for i := range bufs {
		bufs[i] = solid(w, h, backend.XRGB8888, 0x00ff00ff) // garbage
	}
	var hist History
	var cur, redraw Damage
	frame := 0
	for step := range 300 {
		// Change something: move a layer or repaint it.
		i := rng.IntN(len(layers))
		l := &layers[i]
		cur.Add(l.Rect())
		if rng.IntN(2) == 0 {
			l.X, l.Y = rng.IntN(w+10)-10, rng.IntN(h+10)-10
		} else {
			l.Pix = solid(l.Pix.Width, l.Pix.Height, l.Pix.Format, rng.Uint32())
		}
		cur.Add(l.Rect())
		if rng.IntN(3) != 0 {
			continue // several changes per frame
		}
		b := frame % len(bufs)
		age := 0
		if ages[b] > 0 {
			age = frame - ages[b] + 1
		}
		if !hist.ForAge(age, &cur, &redraw) {
			redraw.Clear()
			redraw.Add(view)
		}
		Draw(bufs[b], view, redraw.Rects(), layers)
		hist.Push(&cur)
		cur.Clear()
		ages[b] = frame + 1
		frame++
		want := solid(w, h, backend.XRGB8888, 0)
		Draw(want, view, []image.Rectangle{view}, layers)
		if !slices.Equal(bufs[b].Data, want.Data) {
			t.Fatalf("step %d, frame %d, buffer %d of age %d differs from a full draw", step, frame, b, age)
		}
	}
}

// TestBlendRowMatchesTheFormula checks the word-wise blend against the
// per-channel definition, src + dst*(255-alpha)/255 rounded, on random
// premultiplied pixels and rows of every length up to 9.
func TestBlendRowMatchesTheFormula(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 9; n++ {
		for range 500 {
			src, dst := make([]byte, 4*n), make([]byte, 4*n)
			for i := 0; i < 4*n; i += 4 {
				a := byte(rng.IntN(256))
				switch rng.IntN(4) { // plenty of the special alphas
				case 0:
					a = 0
				case 1:
					a = 255
				}
				for c := range 3 {
					src[i+c] = byte(rng.IntN(int(a) + 1))
				}
				src[i+3] = a
				for c := range 4 {
					dst[i+c] = byte(rng.IntN(256))
				}
			}
			want := slices.Clone(dst)
			for i := 0; i < 4*n; i += 4 {
				inv := 255 - int(src[i+3])
				for c := range 4 {
					want[i+c] = byte(int(src[i+c]) + (int(dst[i+c])*inv+127)/255)
				}
			}
			blendRow(dst, src)
			if !slices.Equal(dst, want) {
				t.Fatalf("%d pixels: blendRow gave % x; want % x (src % x)", n, dst, want, src)
			}
		}
	}
}
