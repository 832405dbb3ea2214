package render

import (
	"fmt"
	"image"
	"strings"
	"unsafe"

	"gocomp/compositor/backend"
)

// Transform is how an output's picture is turned to fit its screen,
// numbered and named as wl_output.transform: a rotation counter-clockwise
// by a multiple of 90°, optionally after a flip around the vertical axis.
// The picture the compositor lays out (the logical picture) is turned by
// the transform into the buffer the screen scans out; a screen mounted
// turned 90° clockwise shows the logical picture upright with Rotate90.
type Transform uint8

// The eight transforms.
const (
	Normal Transform = iota
	Rotate90
	Rotate180
	Rotate270
	Flipped
	Flipped90
	Flipped180
	Flipped270
)

// transformNames are the names ParseTransform accepts, by value.
var transformNames = [...]string{"normal", "90", "180", "270", "flipped", "flipped-90", "flipped-180", "flipped-270"}

// String returns the name ParseTransform accepts, e.g. "flipped-90".
func (t Transform) String() string {
	if int(t) < len(transformNames) {
		return transformNames[t]
	}
	return fmt.Sprintf("Transform(%d)", uint8(t))
}

// ParseTransform parses a transform name: normal, 90, 180, 270, flipped,
// flipped-90, flipped-180 or flipped-270.
func ParseTransform(s string) (Transform, error) {
	for i, n := range transformNames {
		if s == n {
			return Transform(i), nil
		}
	}
	return 0, fmt.Errorf("render: unknown transform %q (want %s)", s, strings.Join(transformNames[:], ", "))
}

// rotation is the number of quarter turns counter-clockwise.
func (t Transform) rotation() int { return int(t & 3) }

// flipped reports whether the picture is first mirrored left to right.
func (t Transform) flipped() bool { return t&4 != 0 }

// Invert returns the transform that undoes t: for example, it maps a
// point of an output's buffer (where a touchscreen glued to the panel
// reports it) back into the output's logical picture.
func (t Transform) Invert() Transform {
	if t.flipped() {
		return t // a mirror image turned is a mirror image: its own inverse
	}
	return Transform((4 - t.rotation()) & 3)
}

// Size returns the size of the picture t makes of a w x h picture.
func (t Transform) Size(w, h int) (int, int) {
	if t.rotation()%2 == 1 {
		return h, w
	}
	return w, h
}

// Point maps the point (x, y) of a w x h picture to the picture t makes
// of it. Coordinates are continuous: (0, 0) is the top-left corner of the
// top-left pixel and (w, h) the bottom-right corner of the last.
func (t Transform) Point(x, y, w, h float64) (float64, float64) {
	if t.flipped() {
		x = w - x
	}
	for range t.rotation() {
		// A quarter turn counter-clockwise: the right edge becomes the
		// top edge.
		x, y = y, w-x
		w, h = h, w
	}
	return x, y
}

// Rect maps r, a rectangle of a w x h picture, to the picture t makes of
// it.
func (t Transform) Rect(r image.Rectangle, w, h int) image.Rectangle {
	fw, fh := float64(w), float64(h)
	x0, y0 := t.Point(float64(r.Min.X), float64(r.Min.Y), fw, fh)
	x1, y1 := t.Point(float64(r.Max.X), float64(r.Max.Y), fw, fh)
	return image.Rect(int(x0), int(y0), int(x1), int(y1)) // image.Rect sorts the corners
}

// pixelMap says where the pixels of a w x h picture land in the picture
// t makes of it: pixel (x, y) goes to (ox + x*xx + y*yx, oy + x*xy + y*yy).
type pixelMap struct {
	ox, oy, xx, xy, yx, yy int
}

// pixels returns the pixel map of t for a w x h picture.
func (t Transform) pixels(w, h int) pixelMap {
	// The images of the pixel centres (0.5, 0.5), (1.5, 0.5) and
	// (0.5, 1.5) give the origin and the two steps.
	fw, fh := float64(w), float64(h)
	x0, y0 := t.Point(0.5, 0.5, fw, fh)
	x1, y1 := t.Point(1.5, 0.5, fw, fh)
	x2, y2 := t.Point(0.5, 1.5, fw, fh)
	return pixelMap{ox: int(x0), oy: int(y0), xx: int(x1 - x0), xy: int(y1 - y0), yx: int(x2 - x0), yy: int(y2 - y0)}
}

// copyTile is the side of the square blocks CopyTransformed copies in
// turn, so that the rows of a turned picture stay in the cache.
const copyTile = 32

// CopyTransformed copies the rectangle r of src to where t puts it in dst,
// the picture t makes of src (dst is t.Size(src.Width, src.Height) or
// larger). r is clipped to src. Both are 32-bit pixels starting 4-byte
// aligned (Go allocations and mappings are); the format is not looked at.
func CopyTransformed(dst, src backend.Pixels, t Transform, r image.Rectangle) {
	r = r.Intersect(image.Rect(0, 0, src.Width, src.Height))
	if r.Empty() {
		return
	}
	if t == Normal {
		w := 4 * r.Dx()
		for y := r.Min.Y; y < r.Max.Y; y++ {
			copy(dst.Data[y*dst.Stride+4*r.Min.X:][:w], src.Data[y*src.Stride+4*r.Min.X:][:w])
		}
		return
	}
	m := t.pixels(src.Width, src.Height)
	// The pixels as 32-bit words (the buffers hold whole, aligned
	// pixels), so the scatter below moves one word per pixel.
	sw, dw := words(src.Data), words(dst.Data)
	sStride, dStride := src.Stride/4, dst.Stride/4
	// The word offset in dst of one step right in src.
	stepX := m.xx + dStride*m.xy
	for ty := r.Min.Y; ty < r.Max.Y; ty += copyTile {
		ey := min(ty+copyTile, r.Max.Y)
		for tx := r.Min.X; tx < r.Max.X; tx += copyTile {
			ex := min(tx+copyTile, r.Max.X)
			for y := ty; y < ey; y++ {
				row := sw[y*sStride+tx : y*sStride+ex]
				bx, by := m.ox+tx*m.xx+y*m.yx, m.oy+tx*m.xy+y*m.yy
				off := by*dStride + bx
				for _, p := range row {
					dw[off] = p
					off += stepX
				}
			}
		}
	}
}

// words views 32-bit pixel data as words. Pixel buffers (Go allocations,
// shm and dumb-buffer mappings) start 4-byte aligned.
func words(b []byte) []uint32 {
	if len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*uint32)(unsafe.Pointer(&b[0])), len(b)/4)
}

// DrawTransformed redraws the parts of dst inside clip as Draw does, for
// an output whose logical picture (the layout rectangle view) is turned by
// t into dst. scratch holds the logical picture (view's size): the clipped
// parts are drawn there, then copied into dst turned. scratch must show
// the whole current picture outside clip, so the same scratch must see
// every frame's clip.
func DrawTransformed(dst, scratch backend.Pixels, view image.Rectangle, t Transform, clip []image.Rectangle, layers []Layer) {
	if t == Normal {
		Draw(dst, view, clip, layers)
		return
	}
	Draw(scratch, view, clip, layers)
	for _, c := range clip {
		CopyTransformed(dst, scratch, t, c.Sub(view.Min))
	}
}
