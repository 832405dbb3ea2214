// Package render draws the compositor's pictures on the CPU: it composites
// layers of 32-bit pixels (client surfaces, the cursor) into an output
// buffer, redrawing only damaged rectangles. Every backend presents what
// it draws; none draws on its own.
package render

import (
	"encoding/binary"
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

// blendRow composites premultiplied ARGB src over dst: dst = src +
// dst*(255-alpha)/255, rounded to nearest, per channel. It works on two
// pixels at a time in a 64-bit word: each channel pair (blue with red,
// green with alpha) of both pixels is scaled in 16-bit lanes.
func blendRow(dst, src []byte) {
	const lanes = 0x00ff00ff00ff00ff
	for len(src) >= 8 && len(dst) >= 8 {
		s := binary.LittleEndian.Uint64(src)
		if a0, a1 := s>>24&0xff, s>>56; a0 == a1 && (a0 == 0 || a0 == 255) {
			if a0 == 255 {
				binary.LittleEndian.PutUint64(dst, s)
			}
			// Premultiplied: fully transparent pixels add nothing.
			src, dst = src[8:], dst[8:]
			continue
		}
		d := binary.LittleEndian.Uint64(dst)
		inv0, inv1 := 255-(s>>24&0xff), 255-s>>56
		rb := (d&0xff00ff)*inv0 | (d>>32&0xff00ff)*inv1<<32 + 0x0080008000800080
		ag := (d>>8&0xff00ff)*inv0 | (d>>40&0xff00ff)*inv1<<32 + 0x0080008000800080
		rb = (rb + rb>>8&lanes) >> 8 & lanes
		ag = (ag + ag>>8&lanes) >> 8 & lanes
		binary.LittleEndian.PutUint64(dst, s+(rb|ag<<8))
		src, dst = src[8:], dst[8:]
	}
	if len(src) >= 4 && len(dst) >= 4 { // an odd last pixel
		s := uint64(binary.LittleEndian.Uint32(src))
		d := uint64(binary.LittleEndian.Uint32(dst))
		inv := 255 - s>>24
		rb := (d&0xff00ff)*inv + 0x00800080
		ag := (d>>8&0xff00ff)*inv + 0x00800080
		rb = (rb + rb>>8&lanes) >> 8 & lanes
		ag = (ag + ag>>8&lanes) >> 8 & lanes
		binary.LittleEndian.PutUint32(dst, uint32(s+(rb|ag<<8)))
	}
}
