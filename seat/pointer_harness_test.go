package seat

import (
	"fmt"
	"image"
	"slices"

	"gocomp/compositor/backend"
	"gocomp/compositor/render"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"
)

// ptrRecord is what a client knows of one of its wl_pointers, rebuilt from
// its events, with the contract checks: motion, buttons and axes only
// while entered, no press of a button down and no release of one up, enter
// only when not entered and leave only of the entered surface, and (v5+)
// a frame closing every group.
type ptrRecord struct {
	id, version uint32
	focus       uint32 // entered surface, 0 when none
	enterSerial uint32
	x, y        float64 // surface coordinates
	pressed     map[uint32]bool
	open        bool // events since the last frame
	// Totals, to show a test exercised something.
	enters, buttons, axes, frames int
	value120                      []int32
	sources                       []uint32
	lastAxis                      float64
}

// touchRecord is what a client knows of one of its wl_touches: the points
// down, each on the surface it went down on.
type touchRecord struct {
	id, version                          uint32
	points                               map[int32]uint32 // id -> surface
	pos                                  map[int32][2]float64
	open                                 bool
	downs, ups, motions, cancels, frames int
}

// getPointer creates a wl_pointer (of the seat's bound version).
func (tc *testClient) getPointer() uint32 {
	id := tc.newID()
	tc.ptrs[id] = &ptrRecord{id: id, version: tc.seatVersion, pressed: map[uint32]bool{}}
	tc.send(tc.seatID, wayland.SeatRequestGetPointer, func(e *wire.Encoder) { e.PutUint(id) })
	return id
}

// getTouch creates a wl_touch.
func (tc *testClient) getTouch() uint32 {
	id := tc.newID()
	tc.touches[id] = &touchRecord{id: id, version: tc.seatVersion, points: map[int32]uint32{}, pos: map[int32][2]float64{}}
	tc.send(tc.seatID, wayland.SeatRequestGetTouch, func(e *wire.Encoder) { e.PutUint(id) })
	return id
}

// releasePointer sends wl_pointer.release.
func (tc *testClient) releasePointer(id uint32) {
	tc.send(id, wayland.PointerRequestRelease, nil)
	delete(tc.ptrs, id)
}

// setCursor sends wl_pointer.set_cursor.
func (tc *testClient) setCursor(ptr, serial, surface uint32, hx, hy int32) {
	tc.send(ptr, wayland.PointerRequestSetCursor, func(e *wire.Encoder) {
		e.PutUint(serial)
		e.PutUint(surface)
		e.PutInt(hx)
		e.PutInt(hy)
	})
}

func (tc *testClient) handlePointer(p *ptrRecord, h wire.Header, d *wire.Decoder) {
	entered := func(what string) {
		if p.focus == 0 {
			tc.errorf("wl_pointer@%d: %s without focus", p.id, what)
		}
		p.open = true
	}
	switch h.Opcode {
	case wayland.PointerEventEnter:
		serial, surface, x, y := d.Uint(), d.Object(), wire.Fixed(d.Uint()), wire.Fixed(d.Uint())
		tc.note(fmt.Sprintf("ptr%d enter %d %.1f,%.1f", p.id, surface, x.Float(), y.Float()))
		if p.focus != 0 {
			tc.errorf("wl_pointer@%d: enter %d while entered on %d", p.id, surface, p.focus)
		}
		p.focus, p.enterSerial, p.x, p.y = surface, serial, x.Float(), y.Float()
		p.pressed = map[uint32]bool{}
		p.open = true
		p.enters++
	case wayland.PointerEventLeave:
		_, surface := d.Uint(), d.Object()
		tc.note(fmt.Sprintf("ptr%d leave %d", p.id, surface))
		if p.focus == 0 && tc.destroyed[surface] {
			p.open = true
			break // the leave of a surface the client destroyed meanwhile
		}
		if p.focus == 0 || surface != p.focus {
			tc.errorf("wl_pointer@%d: leave %d while entered on %d", p.id, surface, p.focus)
		}
		p.focus = 0
		p.pressed = map[uint32]bool{}
		p.open = true
	case wayland.PointerEventMotion:
		_, x, y := d.Uint(), wire.Fixed(d.Uint()), wire.Fixed(d.Uint())
		entered("motion")
		p.x, p.y = x.Float(), y.Float()
	case wayland.PointerEventButton:
		_, _, button, state := d.Uint(), d.Uint(), d.Uint(), d.Uint()
		tc.note(fmt.Sprintf("ptr%d button %#x %d", p.id, button, state))
		entered("button")
		p.buttons++
		switch {
		case state == 1 && p.pressed[button]:
			tc.errorf("wl_pointer@%d: press of button %#x already down", p.id, button)
		case state == 0 && !p.pressed[button]:
			tc.errorf("wl_pointer@%d: release of button %#x not down", p.id, button)
		}
		if state == 1 {
			p.pressed[button] = true
		} else {
			delete(p.pressed, button)
		}
	case wayland.PointerEventAxis:
		_, _, v := d.Uint(), d.Uint(), wire.Fixed(d.Uint())
		entered("axis")
		p.axes++
		p.lastAxis = v.Float()
	case wayland.PointerEventAxisSource:
		p.sources = append(p.sources, d.Uint())
		entered("axis_source")
	case wayland.PointerEventAxisValue120:
		_, v := d.Uint(), d.Int()
		if p.version < 8 {
			tc.errorf("wl_pointer@%d (v%d): axis_value120", p.id, p.version)
		}
		p.value120 = append(p.value120, v)
		entered("axis_value120")
	case wayland.PointerEventAxisDiscrete:
		_, v := d.Uint(), d.Int()
		if p.version >= 8 {
			tc.errorf("wl_pointer@%d (v%d): axis_discrete", p.id, p.version)
		}
		p.value120 = append(p.value120, 120*v)
		entered("axis_discrete")
	case wayland.PointerEventAxisStop:
		d.Uint()
		d.Uint()
		entered("axis_stop")
	case wayland.PointerEventAxisRelativeDirection:
		d.Uint()
		d.Uint()
		if p.version < 9 {
			tc.errorf("wl_pointer@%d (v%d): axis_relative_direction", p.id, p.version)
		}
	case wayland.PointerEventFrame:
		if p.version < 5 {
			tc.errorf("wl_pointer@%d (v%d): frame", p.id, p.version)
		}
		if !p.open {
			tc.errorf("wl_pointer@%d: frame without events", p.id)
		}
		p.open = false
		p.frames++
	}
	if err := d.Finish(); err != nil {
		tc.errorf("event %d of wl_pointer@%d: %v", h.Opcode, p.id, err)
	}
}

func (tc *testClient) handleTouch(r *touchRecord, h wire.Header, d *wire.Decoder) {
	switch h.Opcode {
	case wayland.TouchEventDown:
		_, _, surface, id, x, y := d.Uint(), d.Uint(), d.Object(), d.Int(), wire.Fixed(d.Uint()), wire.Fixed(d.Uint())
		tc.note(fmt.Sprintf("touch%d down %d on %d at %.1f,%.1f", r.id, id, surface, x.Float(), y.Float()))
		if _, ok := r.points[id]; ok {
			tc.errorf("wl_touch@%d: down of point %d already down", r.id, id)
		}
		r.points[id], r.pos[id] = surface, [2]float64{x.Float(), y.Float()}
		r.downs++
	case wayland.TouchEventUp:
		_, _, id := d.Uint(), d.Uint(), d.Int()
		tc.note(fmt.Sprintf("touch%d up %d", r.id, id))
		if _, ok := r.points[id]; !ok {
			tc.errorf("wl_touch@%d: up of point %d not down", r.id, id)
		}
		delete(r.points, id)
		delete(r.pos, id)
		r.ups++
	case wayland.TouchEventMotion:
		_, id, x, y := d.Uint(), d.Int(), wire.Fixed(d.Uint()), wire.Fixed(d.Uint())
		if _, ok := r.points[id]; !ok {
			tc.errorf("wl_touch@%d: motion of point %d not down", r.id, id)
		}
		r.pos[id] = [2]float64{x.Float(), y.Float()}
		r.motions++
	case wayland.TouchEventFrame:
		r.frames++
	case wayland.TouchEventCancel:
		tc.note(fmt.Sprintf("touch%d cancel", r.id))
		r.points, r.pos = map[int32]uint32{}, map[int32][2]float64{}
		r.cancels++
	}
	// A frame closes a group; a cancel ends every point with no frame.
	r.open = h.Opcode != wayland.TouchEventFrame && h.Opcode != wayland.TouchEventCancel
	if err := d.Finish(); err != nil {
		tc.errorf("event %d of wl_touch@%d: %v", h.Opcode, r.id, err)
	}
}

// fakeScene stands in for the compositor in the seat's unit and property
// tests: surfaces are rectangles stacked bottom to top, each taking input
// everywhere in it; one 1000x800 output at the origin. Real hit testing
// is tested through the compositor in compositor_test.go.
type fakeScene struct {
	seat      *Seat
	stack     []sceneSurface // bottom to top
	activated []*wayland.Surface
	cursor    string // what SetCursor* set last: "image WxH", "surface N", "hidden"
	cursorAt  [2]float64
	output    image.Rectangle
	transform render.Transform // the output's
}

type sceneSurface struct {
	s *wayland.Surface
	r image.Rectangle
}

func newFakeScene() *fakeScene { return &fakeScene{output: image.Rect(0, 0, 1000, 800)} }

// place puts s at r on top of the stack (or moves it there).
func (f *fakeScene) place(s *wayland.Surface, r image.Rectangle) {
	f.remove(s)
	f.stack = append(f.stack, sceneSurface{s, r})
}

// remove takes s out of the picture.
func (f *fakeScene) remove(s *wayland.Surface) {
	f.stack = slices.DeleteFunc(f.stack, func(x sceneSurface) bool { return x.s == s })
}

// at is the topmost surface at (x, y), as the compositor's hit test.
func (f *fakeScene) at(x, y float64) (sceneSurface, bool) {
	for i := len(f.stack) - 1; i >= 0; i-- {
		e := f.stack[i]
		if !e.s.Destroyed() && x >= float64(e.r.Min.X) && y >= float64(e.r.Min.Y) && x < float64(e.r.Max.X) && y < float64(e.r.Max.Y) {
			return e, true
		}
	}
	return sceneSurface{}, false
}

func (f *fakeScene) SurfaceAt(x, y float64) (*wayland.Surface, float64, float64, bool) {
	e, ok := f.at(x, y)
	if !ok {
		return nil, 0, 0, false
	}
	return e.s, x - float64(e.r.Min.X), y - float64(e.r.Min.Y), true
}

func (f *fakeScene) SurfaceOrigin(s *wayland.Surface) (int, int, bool) {
	for _, e := range f.stack {
		if e.s == s {
			return e.r.Min.X, e.r.Min.Y, true
		}
	}
	return 0, 0, false
}

func (f *fakeScene) LayoutBounds() image.Rectangle { return f.output }

func (f *fakeScene) OutputBounds(name string) (image.Rectangle, bool) {
	if name == "" || name == "OUT-1" {
		return f.output, true
	}
	return image.Rectangle{}, false
}

func (f *fakeScene) OutputTransform(name string) (render.Transform, bool) {
	if name == "" || name == "OUT-1" {
		return f.transform, true
	}
	return render.Normal, false
}

func (f *fakeScene) SetCursorImage(img *backend.Pixels, hotX, hotY int) {
	if img == nil {
		f.cursor = "hidden"
	} else {
		f.cursor = fmt.Sprintf("image %dx%d", img.Width, img.Height)
	}
}

func (f *fakeScene) SetCursorSurface(s *wayland.Surface, hotX, hotY int) error {
	f.cursor = fmt.Sprintf("surface %d hot %d,%d", s.ID(), hotX, hotY)
	return nil
}

func (f *fakeScene) MoveCursor(x, y float64) { f.cursorAt = [2]float64{x, y} }

func (f *fakeScene) Activate(s *wayland.Surface) {
	f.activated = append(f.activated, s)
	for _, e := range f.stack {
		if e.s == s {
			f.place(s, e.r)
			break
		}
	}
	// As the compositor does: the restack is a scene change, and the
	// raised toplevel gets the keyboard.
	f.seat.SceneChanged()
	f.seat.ToplevelMapped(s)
}
