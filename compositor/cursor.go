package compositor

import (
	"image"
	"math"

	"gocomp/compositor/backend"
	"gocomp/compositor/render"
)

// cursor is the pointer's picture. Outputs that have a cursor of their
// own (a host cursor, a cursor plane) show it; on the others the
// compositor draws it on top of everything.
type cursor struct {
	s          *Server
	img        backend.Pixels // a copy; Width 0 when hidden
	hotX, hotY int
	x, y       int  // hotspot position, layout coordinates
	software   bool // some output cannot show it itself: draw it
}

// layer is the cursor as drawn by the compositor; an empty layer when an
// output's own cursor shows it or it is hidden.
func (c *cursor) layer() render.Layer {
	if !c.software || c.img.Width == 0 {
		return render.Layer{}
	}
	return render.Layer{Pix: c.img, X: c.x - c.hotX, Y: c.y - c.hotY}
}

// damage marks the cursor's drawn rectangle for redrawing.
func (c *cursor) damage() {
	if l := c.layer(); l.Pix.Width > 0 {
		c.s.damageLayout(l.Rect())
	}
}

// SetCursorImage implements Scene. img is copied.
func (s *Server) SetCursorImage(img *backend.Pixels, hotX, hotY int) {
	c := &s.cursor
	c.damage()
	c.img = backend.Pixels{}
	if img != nil && img.Valid() {
		c.img = backend.Pixels{Width: img.Width, Height: img.Height, Stride: 4 * img.Width, Format: img.Format,
			Data: make([]byte, 4*img.Width*img.Height)}
		for y := range img.Height {
			copy(c.img.Data[y*c.img.Stride:][:4*img.Width], img.Data[y*img.Stride:])
		}
	}
	c.hotX, c.hotY = hotX, hotY
	c.software = false
	for _, o := range s.outputs {
		var shown *backend.Pixels
		if c.img.Width > 0 {
			shown = &c.img
		}
		if !o.bo.SetCursor(shown, hotX, hotY) {
			c.software = true
		}
	}
	c.damage()
}

// MoveCursor implements Scene.
func (s *Server) MoveCursor(x, y float64) {
	c := &s.cursor
	px, py := int(math.Floor(x)), int(math.Floor(y))
	if px == c.x && py == c.y {
		return
	}
	c.damage()
	c.x, c.y = px, py
	c.damage()
	for _, o := range s.outputs {
		p := image.Pt(px, py).Sub(o.pos)
		o.bo.MoveCursor(p.X, p.Y)
	}
}
