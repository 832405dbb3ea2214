package seat

import (
	"slices"
	"time"

	"gocomp/compositor/backend"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"
)

// touchState is the touch half of the seat: the devices, the touch points
// down now and every wl_touch.
type touchState struct {
	devices   []*Touch
	points    []*touchPoint
	resources []*touchResource
	dirty     []*touchResource
}

// touchPoint is one finger down: the surface it went down on keeps it
// until it lifts.
type touchPoint struct {
	dev     *Touch
	devID   int32            // the device's id of the finger
	id      int32            // the seat's id, unique among the points down
	surface *wayland.Surface // nil: it went down where no surface was
	sentTo  []*touchResource // the wl_touch objects that got its down
}

// touchResource is one wl_touch.
type touchResource struct {
	r     *wayland.Touch
	seat  *Seat
	dirty bool
}

// Touch is one touch device on the seat; it implements backend.Touch.
type Touch struct {
	seat    *Seat
	info    backend.TouchInfo
	removed bool
}

var _ backend.Touch = (*Touch)(nil)

// AddTouch implements backend.InputSink. The seat gains the touch
// capability with its first touch device.
func (s *Seat) AddTouch(info backend.TouchInfo) backend.Touch {
	d := &Touch{seat: s, info: info}
	s.tch.devices = append(s.tch.devices, d)
	s.updateCapabilities()
	s.log.Debug("seat: touch device added", "name", info.Name)
	return d
}

// point returns the point down for the device's finger id, or nil.
func (d *Touch) point(id int32) *touchPoint {
	for _, p := range d.seat.tch.points {
		if p.dev == d && p.devID == id {
			return p
		}
	}
	return nil
}

// Down implements backend.Touch: the point goes to the surface under it,
// whose toplevel is raised and focused.
func (d *Touch) Down(t time.Duration, id int32, x, y float64) {
	s := d.seat
	if d.removed || d.point(id) != nil {
		return
	}
	s.touchHidesCursor()
	p := &touchPoint{dev: d, devID: id, id: s.freeTouchID()}
	s.tch.points = append(s.tch.points, p)
	lx, ly, ok := d.toLayout(x, y)
	if !ok {
		return
	}
	surface, sx, sy, ok := s.scene.SurfaceAt(lx, ly)
	if !ok {
		return
	}
	p.surface = surface
	if surface != s.foc.current {
		s.scene.Activate(surface)
	}
	serial, ms := s.serial(), msec(t)
	for _, tr := range s.tch.resources {
		if tr.r.Client() == surface.Client() && !tr.r.Destroyed() {
			tr.r.SendDown(serial, ms, surface, p.id, wire.FixedFromFloat(sx), wire.FixedFromFloat(sy))
			p.sentTo = append(p.sentTo, tr)
			s.markTouchDirty(tr)
		}
	}
}

// Motion implements backend.Touch: the point moves, in the coordinates of
// the surface it went down on.
func (d *Touch) Motion(t time.Duration, id int32, x, y float64) {
	s := d.seat
	p := d.point(id)
	if d.removed || p == nil || len(p.sentTo) == 0 {
		return
	}
	lx, ly, ok := d.toLayout(x, y)
	if !ok {
		return
	}
	ox, oy, ok := s.scene.SurfaceOrigin(p.surface)
	if !ok {
		return
	}
	sx, sy := wire.FixedFromFloat(lx-float64(ox)), wire.FixedFromFloat(ly-float64(oy))
	for _, tr := range p.sentTo {
		tr.r.SendMotion(msec(t), p.id, sx, sy)
		s.markTouchDirty(tr)
	}
}

// Up implements backend.Touch.
func (d *Touch) Up(t time.Duration, id int32) {
	s := d.seat
	p := d.point(id)
	if d.removed || p == nil {
		return
	}
	if len(p.sentTo) > 0 {
		serial := s.serial()
		for _, tr := range p.sentTo {
			tr.r.SendUp(serial, msec(t), p.id)
			s.markTouchDirty(tr)
		}
	}
	s.tch.points = removeItem(s.tch.points, p)
}

// Frame implements backend.Touch: every wl_touch that got events gets
// wl_touch.frame.
func (d *Touch) Frame() { d.seat.touchFrame() }

// Cancel implements backend.Touch: the clients holding this device's
// points get wl_touch.cancel, which ends every point they have.
func (d *Touch) Cancel() {
	s := d.seat
	var cancelled []*touchResource
	for _, p := range s.tch.points {
		if p.dev == d {
			cancelled = append(cancelled, p.sentTo...)
		}
	}
	if len(cancelled) == 0 {
		s.tch.points = slices.DeleteFunc(s.tch.points, func(p *touchPoint) bool { return p.dev == d })
		return
	}
	// wl_touch.cancel ends all of a client's points, whichever device
	// they came from.
	clients := map[any]bool{}
	for _, tr := range cancelled {
		clients[tr.r.Client()] = true
	}
	for _, tr := range s.tch.resources {
		if clients[tr.r.Client()] {
			tr.r.SendCancel()
		}
	}
	s.tch.points = slices.DeleteFunc(s.tch.points, func(p *touchPoint) bool {
		return p.dev == d || (p.surface != nil && clients[p.surface.Client()])
	})
}

// Remove implements backend.Touch: its points are cancelled and the seat
// loses the touch capability with its last touch device.
func (d *Touch) Remove(time.Duration) {
	if d == nil || d.removed {
		return
	}
	d.Cancel()
	d.removed = true
	s := d.seat
	s.tch.devices = removeItem(s.tch.devices, d)
	s.updateCapabilities()
	s.log.Debug("seat: touch device removed", "name", d.info.Name)
}

// toLayout maps normalized device coordinates to the layout: the
// calibration matrix (the seat's setting, else the device's), then the
// touch output's rectangle.
func (d *Touch) toLayout(x, y float64) (float64, float64, bool) {
	s := d.seat
	if s.scene == nil {
		return 0, 0, false
	}
	m := s.settings.TouchCalibration
	if m == nil {
		m = d.info.Calibration
	}
	if m != nil {
		x, y = m[0]*x+m[1]*y+m[2], m[3]*x+m[4]*y+m[5]
	}
	return s.mapAbsolute("", x, y)
}

// freeTouchID returns the lowest id no point down has.
func (s *Seat) freeTouchID() int32 {
	for id := int32(0); ; id++ {
		if !slices.ContainsFunc(s.tch.points, func(p *touchPoint) bool { return p.id == id }) {
			return id
		}
	}
}

// markTouchDirty notes that tr needs a frame event.
func (s *Seat) markTouchDirty(tr *touchResource) {
	if !tr.dirty {
		tr.dirty = true
		s.tch.dirty = append(s.tch.dirty, tr)
	}
}

// touchFrame sends wl_touch.frame to every wl_touch that got events.
func (s *Seat) touchFrame() {
	for i, tr := range s.tch.dirty {
		tr.dirty = false
		tr.r.SendFrame()
		s.tch.dirty[i] = nil
	}
	s.tch.dirty = s.tch.dirty[:0]
}

// GetTouch runs on wl_seat.get_touch. Points already down are not sent to
// the new object.
func (s *Seat) GetTouch(r *wayland.Seat, id *wayland.Touch) error {
	if s.everHad&wayland.SeatCapabilityTouch == 0 {
		return s.missingCapability(r, "touch")
	}
	tr := &touchResource{r: id, seat: s}
	id.SetHandler(tr)
	ts := &s.tch
	ts.resources = append(ts.resources, tr)
	id.OnDestroy(func() {
		ts.resources = removeItem(ts.resources, tr)
		if tr.dirty {
			ts.dirty = removeItem(ts.dirty, tr)
		}
		for _, p := range ts.points {
			p.sentTo = removeItem(p.sentTo, tr)
		}
	})
	return nil
}

// Release runs on wl_touch.release.
func (tr *touchResource) Release(*wayland.Touch) error { return nil }
