package compositor

import (
	"fmt"
	"image"
	"math"

	"gocomp/compositor/backend"
	"gocomp/compositor/render"
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
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
	// surface is the client surface the image comes from (its commits
	// update it), nil for an image the seat set.
	surface                  *surface
	surfaceHotX, surfaceHotY int
}

// layer is the cursor as drawn by the compositor; an empty layer when an
// output's own cursor shows it or it is hidden.
func (c *cursor) layer() render.Layer { return c.overlay(c.software) }

// overlay is the cursor as a screencopy frame shows it: with
// overlay_cursor set (want), wherever it is visible (also where an output
// shows it itself); without, nowhere.
func (c *cursor) overlay(want bool) render.Layer {
	if !want || c.img.Width == 0 {
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
	c.surface = nil
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
		c.showOn(o)
	}
	c.damage()
}

// showOn gives output o the cursor image and position, or notes that the
// compositor must draw it (software) when o has no cursor of its own.
func (c *cursor) showOn(o *output) {
	var shown *backend.Pixels
	if c.img.Width > 0 {
		shown = &c.img
	}
	if !o.bo.SetCursor(shown, c.hotX, c.hotY) {
		c.software = true
		return
	}
	p := image.Pt(c.x, c.y).Sub(o.pos)
	o.bo.MoveCursor(p.X, p.Y)
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

// cursorRole is the role of a surface a client made its cursor
// (wl_pointer.set_cursor).
type cursorRole struct {
	s *Server
}

func (cursorRole) roleName() string                        { return "wl_pointer-cursor" }
func (cursorRole) precommit(*surface, *surfaceState) error { return nil }
func (r cursorRole) committed(sf *surface)                 { r.s.cursorSurfaceCommitted(sf) }

// SetCursorSurface implements Scene.
func (s *Server) SetCursorSurface(res *wayland.Surface, hotX, hotY int) error {
	sf, ok := server.Impl[*surface](res)
	if !ok {
		s.cursor.surface = nil
		s.SetCursorImage(nil, 0, 0)
		return nil
	}
	if sf.role == nil {
		if !sf.setRole(cursorRole{s}) {
			return fmt.Errorf("%s already has the role %s", res, sf.roleName)
		}
	} else if _, isCursor := sf.role.(cursorRole); !isCursor {
		return fmt.Errorf("%s already has the role %s", res, sf.roleName)
	}
	s.cursor.surface = sf
	s.cursor.surfaceHotX, s.cursor.surfaceHotY = hotX, hotY
	s.showCursorSurface(sf)
	return nil
}

// cursorSurfaceCommitted runs when a surface with the cursor role
// commits: a buffer offset moves the hotspot, the new contents become the
// cursor's if it is the current cursor.
func (s *Server) cursorSurfaceCommitted(sf *surface) {
	if s.cursor.surface != sf {
		return
	}
	s.cursor.surfaceHotX -= sf.attachOffset.X
	s.cursor.surfaceHotY -= sf.attachOffset.Y
	s.showCursorSurface(sf)
}

// showCursorSurface makes sf's contents the cursor image.
func (s *Server) showCursorSurface(sf *surface) {
	if !sf.hasContent() {
		s.SetCursorImage(nil, 0, 0)
		return
	}
	keep := sf
	s.SetCursorImage(&sf.pix, s.cursor.surfaceHotX, s.cursor.surfaceHotY)
	s.cursor.surface = keep
}

// cursorSurfaceGone runs when a surface is destroyed: the cursor it was
// disappears.
func (s *Server) cursorSurfaceGone(sf *surface) {
	if s.cursor.surface == sf {
		s.cursor.surface = nil
		s.SetCursorImage(nil, 0, 0)
	}
}
