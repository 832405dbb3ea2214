package seat

import (
	"math"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/render"
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"
)

// wheelStep is the wl_pointer.axis value of one wheel detent, and
// value120Step its axis_value120.
const (
	wheelStep    = 15
	value120Step = 120
)

// pointerState is the pointer half of the seat: the devices, the position,
// the buttons held seat-wide, the focus with its implicit grab, and every
// wl_pointer.
type pointerState struct {
	devices []*Pointer
	x, y    float64 // layout position
	placed  bool    // x, y were set (the first device puts the pointer mid-output)

	count [maxKey + 1]uint16 // how many devices hold each button
	held  int                // buttons held seat-wide
	// grabbed: the first button went down over a surface, which keeps
	// the pointer until the last button is released (the implicit grab).
	grabbed bool

	focus       *wayland.Surface // surface the pointer is on (or grabbed by)
	focusCancel func()
	sx, sy      float64 // position in focus's coordinates, as last sent
	curX, curY  float64 // position in focus's coordinates now

	resources []*pointerResource // every wl_pointer
	focused   []*pointerResource // the focused client's wl_pointers, entered
	dirty     []*pointerResource // got events since the last frame

	cursor cursorState
}

// pointerResource is one wl_pointer and what its client was told.
type pointerResource struct {
	r           *wayland.Pointer
	seat        *Seat
	entered     bool
	enterSerial uint32 // serial of the last enter: set_cursor must name it
	pressed     keySet // buttons sent as pressed and not yet released
	dirty       bool   // in pointerState.dirty
}

// Pointer is one pointer device on the seat; it implements
// backend.Pointer.
type Pointer struct {
	seat    *Seat
	info    backend.PointerInfo
	held    keySet
	accel   accelFilter
	removed bool
}

var _ backend.Pointer = (*Pointer)(nil)

// AddPointer implements backend.InputSink. The seat gains the pointer
// capability with its first pointer device, and the cursor appears.
func (s *Seat) AddPointer(info backend.PointerInfo) backend.Pointer {
	p := &Pointer{seat: s, info: info}
	p.accel.configure(s.settings.PointerAccel, s.settings.PointerSpeed)
	ps := &s.ptr
	ps.devices = append(ps.devices, p)
	if !ps.placed && s.scene != nil {
		if r, ok := s.scene.OutputBounds(""); ok {
			ps.placed = true
			ps.x, ps.y = float64(r.Min.X+r.Dx()/2), float64(r.Min.Y+r.Dy()/2)
		}
	}
	s.updateCapabilities()
	s.updatePointerFocus(0)
	s.showCursor()
	s.log.Debug("seat: pointer added", "name", info.Name)
	return p
}

// Motion implements backend.Pointer.
func (p *Pointer) Motion(t time.Duration, dx, dy float64) {
	if p.removed {
		return
	}
	if p.info.Accelerate {
		dx, dy = p.accel.apply(t, dx, dy)
	}
	s := p.seat
	s.movePointer(t, s.ptr.x+dx, s.ptr.y+dy)
}

// MotionAbsolute implements backend.Pointer.
func (p *Pointer) MotionAbsolute(t time.Duration, output string, x, y float64) {
	if p.removed || p.seat.scene == nil {
		return
	}
	s := p.seat
	lx, ly, ok := s.mapAbsolute(output, x, y)
	if !ok {
		return
	}
	s.movePointer(t, lx, ly)
}

// Button implements backend.Pointer.
func (p *Pointer) Button(t time.Duration, code uint16, pressed bool) {
	if p.removed || code > maxKey || pressed == p.held.has(code) {
		return
	}
	if pressed {
		p.held.add(code)
	} else {
		p.held.remove(code)
	}
	p.seat.handleButton(t, p.seat.mapButton(code), pressed)
}

// Axis implements backend.Pointer.
func (p *Pointer) Axis(t time.Duration, axis backend.Axis, source backend.AxisSource, value float64, value120 int32) {
	if !p.removed {
		p.seat.notifyAxis(t, axis, source, value, value120)
	}
}

// AxisStop implements backend.Pointer.
func (p *Pointer) AxisStop(t time.Duration, axis backend.Axis) {
	if !p.removed {
		p.seat.notifyAxisStop(t, axis)
	}
}

// Frame implements backend.Pointer.
func (p *Pointer) Frame() { p.seat.pointerFrame() }

// Remove implements backend.Pointer: the buttons it holds are released and
// the seat loses the pointer capability with its last pointer.
func (p *Pointer) Remove(t time.Duration) {
	if p == nil || p.removed {
		return
	}
	p.held.each(func(code uint16) { p.Button(t, code, false) })
	p.seat.pointerFrame()
	p.removed = true
	s := p.seat
	s.ptr.devices = removeItem(s.ptr.devices, p)
	if len(s.ptr.devices) == 0 {
		// Without a pointer nothing is under it: the focus goes.
		s.setPointerFocus(nil, 0, 0)
	}
	s.updateCapabilities()
	s.log.Debug("seat: pointer removed", "name", p.info.Name)
}

// mapButton applies the left-handed setting.
func (s *Seat) mapButton(code uint16) uint16 {
	if !s.settings.LeftHanded {
		return code
	}
	switch code {
	case btnLeft:
		return btnRight
	case btnRight:
		return btnLeft
	}
	return code
}

// Mouse buttons the seat treats specially.
const (
	btnLeft  = 0x110
	btnRight = 0x111
)

// mapAbsolute maps normalized coordinates across output (the absolute
// devices' output for "") to the layout. The device reports points of the
// screen it covers, which shows the output's picture turned by the
// output's transform: the point is turned back into the picture.
func (s *Seat) mapAbsolute(output string, x, y float64) (float64, float64, bool) {
	if output == "" {
		output = s.settings.TouchOutput
	}
	r, ok := s.scene.OutputBounds(output)
	if !ok {
		output = ""
		if r, ok = s.scene.OutputBounds(output); !ok {
			return 0, 0, false
		}
	}
	if t, ok := s.scene.OutputTransform(output); ok && t != render.Normal && !r.Empty() {
		sw, sh := t.Size(r.Dx(), r.Dy())
		px, py := t.Invert().Point(x*float64(sw), y*float64(sh), float64(sw), float64(sh))
		x, y = px/float64(r.Dx()), py/float64(r.Dy())
	}
	// The far edges are just inside the output: it ends before Max.
	const inside = 1e-3
	lx := math.Max(float64(r.Min.X), math.Min(float64(r.Max.X)-inside, float64(r.Min.X)+x*float64(r.Dx())))
	ly := math.Max(float64(r.Min.Y), math.Min(float64(r.Max.Y)-inside, float64(r.Min.Y)+y*float64(r.Dy())))
	return lx, ly, true
}

// movePointer puts the pointer at (x, y), clamped to the layout, and sends
// motion (or enter/leave) at time t.
func (s *Seat) movePointer(t time.Duration, x, y float64) {
	ps := &s.ptr
	if s.scene != nil {
		b := s.scene.LayoutBounds()
		if !b.Empty() {
			x = math.Max(float64(b.Min.X), math.Min(float64(b.Max.X)-1e-3, x))
			y = math.Max(float64(b.Min.Y), math.Min(float64(b.Max.Y)-1e-3, y))
		}
		s.scene.MoveCursor(x, y)
	}
	ps.x, ps.y, ps.placed = x, y, true
	if ps.cursor.hiddenByTouch {
		ps.cursor.hiddenByTouch = false
		s.showCursor()
	}
	s.updatePointerFocus(t)
	if ps.focus == nil {
		return
	}
	sx, sy := ps.surfacePoint()
	if sx == ps.sx && sy == ps.sy {
		return
	}
	ps.sx, ps.sy = sx, sy
	ms := msec(t)
	for _, pr := range ps.focused {
		pr.r.SendMotion(ms, wire.FixedFromFloat(sx), wire.FixedFromFloat(sy))
		s.markDirty(pr)
	}
}

// surfacePoint is the pointer position in the focus surface's coordinates.
func (ps *pointerState) surfacePoint() (float64, float64) { return ps.curX, ps.curY }

// updatePointerFocus finds the surface under the pointer and moves the
// focus there, unless buttons are held: the surface that got the press
// keeps the pointer (the implicit grab) and gets coordinates relative to
// itself wherever the pointer goes.
func (s *Seat) updatePointerFocus(t time.Duration) {
	ps := &s.ptr
	if s.scene == nil || len(ps.devices) == 0 {
		return
	}
	if ps.grabbed && ps.focus != nil {
		if ox, oy, ok := s.scene.SurfaceOrigin(ps.focus); ok {
			ps.setSurfacePoint(ps.x-float64(ox), ps.y-float64(oy))
		}
		return
	}
	surface, sx, sy, ok := s.scene.SurfaceAt(ps.x, ps.y)
	if !ok {
		surface = nil
	}
	if surface == ps.focus {
		ps.setSurfacePoint(sx, sy)
		return
	}
	s.setPointerFocus(surface, sx, sy)
}

// setSurfacePoint records the position in the focus's coordinates; the
// next motion compares it with what was sent.
func (ps *pointerState) setSurfacePoint(sx, sy float64) { ps.curX, ps.curY = sx, sy }

// setPointerFocus sends leave to the old surface's client and enter (at
// sx, sy) to the new one's, each followed by a frame.
func (s *Seat) setPointerFocus(surface *wayland.Surface, sx, sy float64) {
	ps := &s.ptr
	old := ps.focus
	if old != nil {
		if len(ps.focused) > 0 {
			serial := s.serial()
			for _, pr := range ps.focused {
				pr.r.SendLeave(serial, old)
				pr.entered = false
				pr.pressed.clear()
				s.markDirty(pr)
			}
		}
		clear(ps.focused)
		ps.focused = ps.focused[:0]
		if ps.focusCancel != nil {
			ps.focusCancel()
			ps.focusCancel = nil
		}
	}
	ps.focus = surface
	ps.sx, ps.sy, ps.curX, ps.curY = sx, sy, sx, sy
	if surface == nil {
		ps.cursor.client = nil
		s.showCursor()
		s.pointerFrame()
		return
	}
	ps.focusCancel = surface.OnDestroy(func() {
		// The surface is gone (its client knows): no leave. Buttons still
		// held go on grabbing for the surface now under the pointer.
		ps.focusCancel = nil
		ps.focus = nil
		clear(ps.focused)
		ps.focused = ps.focused[:0]
		wasGrabbed := ps.grabbed
		ps.grabbed = false
		s.updatePointerFocus(0)
		ps.grabbed = wasGrabbed && ps.held > 0 && ps.focus != nil
		s.pointerFrame()
	})
	c := surface.Client()
	var serial uint32
	for _, pr := range ps.resources {
		if pr.r.Client() != c || pr.r.Destroyed() {
			continue
		}
		if serial == 0 {
			serial = s.serial()
		}
		s.enterPointer(pr, surface, serial)
	}
	s.pointerFrame()
}

// enterPointer sends enter to one wl_pointer and makes it a focused one.
func (s *Seat) enterPointer(pr *pointerResource, surface *wayland.Surface, serial uint32) {
	ps := &s.ptr
	pr.r.SendEnter(serial, surface, wire.FixedFromFloat(ps.sx), wire.FixedFromFloat(ps.sy))
	pr.entered, pr.enterSerial = true, serial
	pr.pressed.clear()
	ps.focused = append(ps.focused, pr)
	s.markDirty(pr)
}

// handleButton counts a button seat-wide; the first press and the last
// release go to the focused client. A press on a surface of another
// toplevel raises and focuses it.
func (s *Seat) handleButton(t time.Duration, code uint16, pressed bool) {
	ps := &s.ptr
	if pressed {
		ps.count[code]++
		if ps.count[code] != 1 {
			return
		}
		ps.held++
		if ps.held == 1 && ps.focus != nil {
			ps.grabbed = true
			if s.scene != nil && ps.focus != s.foc.current {
				s.scene.Activate(ps.focus)
			}
		}
	} else {
		if ps.count[code] == 0 {
			return
		}
		ps.count[code]--
		if ps.count[code] != 0 {
			return
		}
		ps.held--
	}
	s.sendButton(t, code, pressed)
	if !pressed && ps.held == 0 {
		ps.grabbed = false
		s.updatePointerFocus(t) // the implicit grab ends
	}
}

// sendButton sends a button event to every focused wl_pointer whose record
// allows it.
func (s *Seat) sendButton(t time.Duration, code uint16, pressed bool) {
	ps := &s.ptr
	if len(ps.focused) == 0 {
		return
	}
	serial, ms := s.serial(), msec(t)
	for _, pr := range ps.focused {
		if pressed == pr.pressed.has(code) {
			continue
		}
		state := wayland.PointerButtonStateReleased
		if pressed {
			pr.pressed.add(code)
			state = wayland.PointerButtonStatePressed
		} else {
			pr.pressed.remove(code)
		}
		pr.r.SendButton(serial, ms, uint32(code), state)
		s.markDirty(pr)
	}
}

// notifyAxis sends a scroll to the focused client: axis_source, then
// axis_value120 (v8+, or axis_discrete before) for wheels, the relative
// direction (v9), and axis.
func (s *Seat) notifyAxis(t time.Duration, axis backend.Axis, source backend.AxisSource, value float64, value120 int32) {
	ps := &s.ptr
	if len(ps.focused) == 0 {
		return
	}
	dir := wayland.PointerAxisRelativeDirectionIdentical
	if s.settings.NaturalScroll {
		value, value120 = -value, -value120
		dir = wayland.PointerAxisRelativeDirectionInverted
	}
	ms, wa := msec(t), wayland.PointerAxis(axis)
	for _, pr := range ps.focused {
		v := pr.r.Version()
		if v >= wayland.PointerEventAxisSourceSince {
			pr.r.SendAxisSource(wayland.PointerAxisSource(source))
		}
		if value120 != 0 {
			if v >= wayland.PointerEventAxisValue120Since {
				pr.r.SendAxisValue120(wa, value120)
			} else if value120%value120Step == 0 && v >= wayland.PointerEventAxisDiscreteSince {
				pr.r.SendAxisDiscrete(wa, value120/value120Step)
			}
		}
		pr.r.SendAxisRelativeDirection(wa, dir)
		pr.r.SendAxis(ms, wa, wire.FixedFromFloat(value))
		s.markDirty(pr)
	}
}

// notifyAxisStop sends axis_stop to the focused client.
func (s *Seat) notifyAxisStop(t time.Duration, axis backend.Axis) {
	for _, pr := range s.ptr.focused {
		pr.r.SendAxisStop(msec(t), wayland.PointerAxis(axis))
		s.markDirty(pr)
	}
}

// markDirty notes that pr needs a frame event.
func (s *Seat) markDirty(pr *pointerResource) {
	if !pr.dirty {
		pr.dirty = true
		s.ptr.dirty = append(s.ptr.dirty, pr)
	}
}

// pointerFrame ends a group of pointer events: every wl_pointer that got
// events gets wl_pointer.frame (v5+).
func (s *Seat) pointerFrame() {
	ps := &s.ptr
	for i, pr := range ps.dirty {
		pr.dirty = false
		pr.r.SendFrame()
		ps.dirty[i] = nil
	}
	ps.dirty = ps.dirty[:0]
}

// GetPointer runs on wl_seat.get_pointer: the new wl_pointer gets enter
// when its client has the pointer focus.
func (s *Seat) GetPointer(r *wayland.Seat, id *wayland.Pointer) error {
	if s.everHad&wayland.SeatCapabilityPointer == 0 {
		return s.missingCapability(r, "pointer")
	}
	ps := &s.ptr
	pr := &pointerResource{r: id, seat: s}
	id.SetHandler(pr)
	ps.resources = append(ps.resources, pr)
	id.OnDestroy(func() {
		ps.resources = removeItem(ps.resources, pr)
		if pr.entered {
			ps.focused = removeItem(ps.focused, pr)
			pr.entered = false
		}
		if pr.dirty {
			ps.dirty = removeItem(ps.dirty, pr)
			pr.dirty = false
		}
	})
	if ps.focus != nil && ps.focus.Client() == id.Client() {
		s.enterPointer(pr, ps.focus, s.serial())
		s.pointerFrame()
	}
	return nil
}

// SetCursor runs on wl_pointer.set_cursor: the client with the pointer
// focus sets the cursor's surface (nil hides the cursor), with the serial
// of its latest enter; other calls are ignored.
func (pr *pointerResource) SetCursor(r *wayland.Pointer, serial uint32, surface *wayland.Surface, hotX, hotY int32) error {
	s := pr.seat
	ps := &s.ptr
	if !pr.entered || serial != pr.enterSerial || s.scene == nil {
		return nil
	}
	ps.cursor.client = &clientCursor{surface: surface, hotX: int(hotX), hotY: int(hotY)}
	if surface == nil {
		s.showCursor()
		return nil
	}
	if !s.cursorVisible() {
		return nil
	}
	if err := s.scene.SetCursorSurface(surface, int(hotX), int(hotY)); err != nil {
		return server.Errorf(r, uint32(wayland.PointerErrorRole), "%v", err)
	}
	return nil
}

// Release runs on wl_pointer.release; the resource is destroyed after it
// returns.
func (pr *pointerResource) Release(*wayland.Pointer) error { return nil }

// PointerPosition returns the pointer's layout position.
func (s *Seat) PointerPosition() (x, y float64) { return s.ptr.x, s.ptr.y }

// PointerFocus returns the surface the pointer is on, or nil.
func (s *Seat) PointerFocus() *wayland.Surface { return s.ptr.focus }

// msec converts an event time to wl_pointer/wl_touch milliseconds.
func msec(t time.Duration) uint32 { return uint32(t / time.Millisecond) }
