package render

import (
	"image"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gocomp/compositor/backend"
)

// letters returns a w x h picture whose pixels are the letters of rows,
// one byte per pixel value, so a turned picture reads as text.
func letters(rows ...string) backend.Pixels {
	w, h := len(rows[0]), len(rows)
	p := backend.Pixels{Width: w, Height: h, Stride: 4 * w, Format: backend.XRGB8888, Data: make([]byte, 4*w*h)}
	for y, r := range rows {
		for x := range w {
			p.Data[y*p.Stride+4*x] = r[x]
		}
	}
	return p
}

// text reads a picture made by letters back as rows of letters.
func text(p backend.Pixels) []string {
	var rows []string
	for y := range p.Height {
		var b strings.Builder
		for x := range p.Width {
			b.WriteByte(p.Data[y*p.Stride+4*x])
		}
		rows = append(rows, b.String())
	}
	return rows
}

// TestCopyTransformedTurnsAsWlOutputSays pins the meaning of each
// transform with a 3x2 picture turned by hand following wl_output's
// definition: a flip around the vertical axis first, then a rotation
// counter-clockwise.
func TestCopyTransformedTurnsAsWlOutputSays(t *testing.T) {
	src := letters("abc", "def")
	for _, tc := range []struct {
		t    Transform
		want []string
	}{
		{Normal, []string{"abc", "def"}},
		{Rotate90, []string{"cf", "be", "ad"}},
		{Rotate180, []string{"fed", "cba"}},
		{Rotate270, []string{"da", "eb", "fc"}},
		{Flipped, []string{"cba", "fed"}},
		{Flipped90, []string{"ad", "be", "cf"}},
		{Flipped180, []string{"def", "abc"}},
		{Flipped270, []string{"fc", "eb", "da"}},
	} {
		w, h := tc.t.Size(src.Width, src.Height)
		dst := solid(w, h, backend.XRGB8888, '.')
		CopyTransformed(dst, src, tc.t, image.Rect(0, 0, 3, 2))
		if got := text(dst); !slices.Equal(got, tc.want) {
			t.Errorf("CopyTransformed(%v) = %q; want %q", tc.t, got, tc.want)
		}
		// Invert brings every pixel back.
		back := solid(3, 2, backend.XRGB8888, '.')
		CopyTransformed(back, dst, tc.t.Invert(), image.Rect(0, 0, w, h))
		if got := text(back); !slices.Equal(got, text(src)) {
			t.Errorf("%v then its inverse %v = %q; want %q", tc.t, tc.t.Invert(), got, text(src))
		}
	}
}

func TestParseTransform(t *testing.T) {
	for i, name := range []string{"normal", "90", "180", "270", "flipped", "flipped-90", "flipped-180", "flipped-270"} {
		got, err := ParseTransform(name)
		if err != nil || got != Transform(i) || got.String() != name {
			t.Errorf("ParseTransform(%q) = %v, %v; want %d", name, got, err, i)
		}
	}
	if _, err := ParseTransform("45"); err == nil || !strings.Contains(err.Error(), `unknown transform "45"`) {
		t.Errorf("ParseTransform(45) error %v", err)
	}
}

// TestRectAndPointAgreeWithPixels checks that Rect maps a rectangle onto
// exactly the pixels CopyTransformed moves out of it, and that Point then
// the inverse's Point is the identity.
func TestRectAndPointAgreeWithPixels(t *testing.T) {
	const w, h = 7, 5
	r := image.Rect(1, 2, 4, 5)
	for tr := Normal; tr <= Flipped270; tr++ {
		src := solid(w, h, backend.XRGB8888, 0)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				src.Data[y*src.Stride+4*x] = 1
			}
		}
		bw, bh := tr.Size(w, h)
		dst := solid(bw, bh, backend.XRGB8888, 0)
		CopyTransformed(dst, src, tr, image.Rect(0, 0, w, h))
		got := tr.Rect(r, w, h)
		for y := range bh {
			for x := range bw {
				if in := image.Pt(x, y).In(got); in != (dst.Data[y*dst.Stride+4*x] == 1) {
					t.Fatalf("%v: Rect(%v) = %v, but pixel (%d,%d) marked %v", tr, r, got, x, y, !in)
				}
			}
		}
		for _, p := range [][2]float64{{0, 0}, {1.5, 2.25}, {w, h}, {7, 0}} {
			bx, by := tr.Point(p[0], p[1], w, h)
			fbw, fbh := float64(bw), float64(bh)
			if x, y := tr.Invert().Point(bx, by, fbw, fbh); x != p[0] || y != p[1] {
				t.Errorf("%v: Point(%v) = (%v,%v), inverse gives (%v,%v)", tr, p, bx, by, x, y)
			}
		}
	}
}

// turnReference turns a whole picture by t the slow, obvious way: mirror
// it if t is flipped, then turn it a quarter counter-clockwise as many
// times as t says, one whole picture at a time.
func turnReference(p backend.Pixels, t Transform) backend.Pixels {
	get := func(p backend.Pixels, x, y int) uint32 {
		b := p.Data[y*p.Stride+4*x:]
		return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
	}
	if t&4 != 0 {
		m := solid(p.Width, p.Height, p.Format, 0)
		for y := range p.Height {
			for x := range p.Width {
				v := get(p, p.Width-1-x, y)
				m.Data[y*m.Stride+4*x], m.Data[y*m.Stride+4*x+1], m.Data[y*m.Stride+4*x+2], m.Data[y*m.Stride+4*x+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
			}
		}
		p = m
	}
	for range int(t & 3) {
		// Counter-clockwise: the last column becomes the first row.
		q := solid(p.Height, p.Width, p.Format, 0)
		for y := range q.Height {
			for x := range q.Width {
				v := get(p, p.Width-1-y, x)
				q.Data[y*q.Stride+4*x], q.Data[y*q.Stride+4*x+1], q.Data[y*q.Stride+4*x+2], q.Data[y*q.Stride+4*x+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
			}
		}
		p = q
	}
	return p
}

// TestDrawTransformedMatchesReference redraws random damage of a moving
// scene on outputs with every transform, double-buffered as the DRM
// backend lends buffers, and compares each picture with the whole
// logical picture turned by turnReference.
func TestDrawTransformedMatchesReference(t *testing.T) {
	const w, h = 45, 33 // odd sizes catch off-by-one turns
	view := image.Rect(100, 10, 100+w, 10+h)
	for tr := Normal; tr <= Flipped270; tr++ {
		rng := rand.New(rand.NewPCG(uint64(tr), 7))
		layers := make([]Layer, 3)
		for i := range layers {
			layers[i] = Layer{Pix: solid(5+i*7, 4+i*5, backend.Format(i%2), rng.Uint32()), X: view.Min.X + rng.IntN(w), Y: view.Min.Y + rng.IntN(h)}
		}
		bw, bh := tr.Size(w, h)
		scratch := solid(w, h, backend.XRGB8888, 0x00ff00ff)
		bufs := []backend.Pixels{solid(bw, bh, backend.XRGB8888, 0x0000ffff), solid(bw, bh, backend.XRGB8888, 0x00ffff00)}
		ages := []int{0, 0}
		var hist History
		var cur, redraw Damage
		for frame := range 60 {
			l := &layers[rng.IntN(len(layers))]
			cur.Add(l.Rect())
			l.X, l.Y = view.Min.X+rng.IntN(w+8)-8, view.Min.Y+rng.IntN(h+8)-8
			l.Pix = solid(l.Pix.Width, l.Pix.Height, l.Pix.Format, rng.Uint32())
			cur.Add(l.Rect())
			cur.Clip(view)
			b := frame % 2
			age := 0
			if ages[b] > 0 {
				age = frame - ages[b] + 1
			}
			if !hist.ForAge(age, &cur, &redraw) {
				redraw.Clear()
				redraw.Add(view)
			}
			DrawTransformed(bufs[b], scratch, view, tr, redraw.Rects(), layers)
			hist.Push(&cur)
			cur.Clear()
			ages[b] = frame + 1
			whole := solid(w, h, backend.XRGB8888, 0)
			Draw(whole, view, []image.Rectangle{view}, layers)
			if want := turnReference(whole, tr); !slices.Equal(bufs[b].Data, want.Data) {
				t.Fatalf("%v, frame %d (buffer age %d): the turned picture differs from the reference", tr, frame, age)
			}
		}
	}
}

// BenchmarkDrawTransformedFull90 redraws a whole 1920x1080 output turned
// 90° (a full-screen opaque surface and a translucent one, as in
// BenchmarkComposite, drawn then turned).
func BenchmarkDrawTransformedFull90(b *testing.B) {
	benchDrawTransformed(b, Rotate90, image.Rect(0, 0, 1080, 1920))
}

// BenchmarkDrawTransformedDamage64x90 redraws a 64x64 square of it.
func BenchmarkDrawTransformedDamage64x90(b *testing.B) {
	benchDrawTransformed(b, Rotate90, image.Rect(100, 100, 164, 164))
}

func benchDrawTransformed(b *testing.B, t Transform, clip image.Rectangle) {
	view := image.Rect(0, 0, 1080, 1920) // the logical picture of a 1920x1080 mode turned
	dst := solid(1920, 1080, backend.XRGB8888, 0)
	scratch := solid(1080, 1920, backend.XRGB8888, 0)
	layers := []Layer{
		{Pix: solid(1080, 1920, backend.XRGB8888, 0x336699)},
		{Pix: solid(250, 250, backend.ARGB8888, 0x80402010), X: 100, Y: 100},
	}
	rects := []image.Rectangle{clip}
	b.SetBytes(int64(4 * clip.Dx() * clip.Dy()))
	b.ReportAllocs()
	for b.Loop() {
		DrawTransformed(dst, scratch, view, t, rects, layers)
	}
}
