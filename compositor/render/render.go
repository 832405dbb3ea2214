// Package render draws the compositor's pictures on the CPU: it composites
// layers of 32-bit pixels (client surfaces, the cursor) into an output
// buffer, redrawing only damaged rectangles. Every backend presents what
// it draws; none draws on its own.
package render

import (
	"image"

	"gocomp/compositor/backend"
)

// Background is the XRGB8888 colour of output pixels no surface covers:
// black, the kiosk convention.
const Background uint32 = 0x00000000

// Layer is one picture to draw: Pix with its top-left corner at (X, Y) in
// layout coordinates.
type Layer struct {
	Pix  backend.Pixels
	X, Y int
}

// Rect is the layer's rectangle in layout coordinates.
func (l Layer) Rect() image.Rectangle {
	return image.Rect(l.X, l.Y, l.X+l.Pix.Width, l.Y+l.Pix.Height)
}

// Draw redraws the parts of dst inside clip: the background, then layers
// from bottom to top. dst shows the layout rectangle view (its top-left
// pixel is view.Min; dst is at least view's size); clip rectangles are in
// layout coordinates and may overlap. ARGB8888 layers are blended
// (premultiplied "over"), XRGB8888 ones copied. Invalid layers are
// skipped.
func Draw(dst backend.Pixels, view image.Rectangle, clip []image.Rectangle, layers []Layer) {
	bounds := view.Intersect(image.Rect(view.Min.X, view.Min.Y, view.Min.X+dst.Width, view.Min.Y+dst.Height))
	for _, c := range clip {
		c = c.Intersect(bounds)
		if c.Empty() {
			continue
		}
		fill(dst, c.Sub(view.Min), Background)
		for _, l := range layers {
			drawLayer(dst, view.Min, c, l)
		}
	}
}

// fill sets r (dst coordinates) to the XRGB8888 colour v.
func fill(dst backend.Pixels, r image.Rectangle, v uint32) {
	if r.Empty() {
		return
	}
	first := dst.Data[r.Min.Y*dst.Stride+r.Min.X*4:][:r.Dx()*4]
	for i := 0; i < len(first); i += 4 {
		first[i], first[i+1], first[i+2], first[i+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	for y := r.Min.Y + 1; y < r.Max.Y; y++ {
		copy(dst.Data[y*dst.Stride+r.Min.X*4:][:len(first)], first)
	}
}

// drawLayer draws the part of l inside clip (layout coordinates) into dst,
// whose top-left pixel is the layout point origin.
func drawLayer(dst backend.Pixels, origin image.Point, clip image.Rectangle, l Layer) {
	if !l.Pix.Valid() {
		return
	}
	r := l.Rect().Intersect(clip)
	if r.Empty() {
		return
	}
	pix := l.Pix
	sx, sy := r.Min.X-l.X, r.Min.Y-l.Y
	dx, dy := r.Min.X-origin.X, r.Min.Y-origin.Y
	w := r.Dx() * 4
	for y := 0; y < r.Dy(); y++ {
		src := pix.Data[(sy+y)*pix.Stride+sx*4:][:w]
		out := dst.Data[(dy+y)*dst.Stride+dx*4:][:w]
		if pix.Format != backend.ARGB8888 {
			copy(out, src)
			continue
		}
		blendRow(out, src)
	}
}

// blendRow composites premultiplied ARGB src over dst.
func blendRow(dst, src []byte) {
	for i := 0; i+3 < len(src); i += 4 {
		switch a := uint32(src[i+3]); a {
		case 255:
			copy(dst[i:i+4], src[i:i+4])
		case 0:
			// Premultiplied: a fully transparent pixel adds nothing.
		default:
			inv := 255 - a
			dst[i] = byte(uint32(src[i]) + (uint32(dst[i])*inv+127)/255)
			dst[i+1] = byte(uint32(src[i+1]) + (uint32(dst[i+1])*inv+127)/255)
			dst[i+2] = byte(uint32(src[i+2]) + (uint32(dst[i+2])*inv+127)/255)
		}
	}
}
