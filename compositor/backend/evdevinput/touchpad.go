package evdevinput

import (
	"math"
	"time"

	"gocomp/compositor/backend"
	"gocomp/evdev"
)

// Touchpad behaviour, in millimetres where the device says its resolution
// (and in device units otherwise).
const (
	// mouseUnitsPerMM turns finger travel into the motion of a 1000 dpi
	// mouse, which the seat's acceleration expects.
	mouseUnitsPerMM = 1000 / 25.4
	// scrollPerMM is scrolling per millimetre of two-finger travel, in
	// wl_pointer axis units (a wheel detent is 15).
	scrollPerMM = 2.5
	// tapMaxTime and tapMaxMove bound a tap: fingers down and up again
	// quickly, without travelling.
	tapMaxTime = 180 * time.Millisecond
	tapMaxMove = 3.0
	// defaultUnitsPerMM stands in for a device that does not report its
	// resolution.
	defaultUnitsPerMM = 10
)

// touchpad drives a touchpad as a pointer: one finger moves it, two
// fingers scroll (source finger, with axis_stop when they lift), and,
// when tapping is on, a quick tap clicks (one finger left, two right,
// three middle).
type touchpad struct {
	p          backend.Pointer
	fingers    fingers
	usable     bool
	unitsPerMM float64
	tapToClick func() bool

	last       [2]float64 // position of the tracked finger, or the two fingers' centre
	lastN      int        // fingers down after the previous frame
	scrolling  bool
	tapStart   time.Duration
	tapFingers int
	tapMoved   float64 // travel since the tap started, mm
	tapping    bool
}

// newTouchpad sets up a touchpad.
func newTouchpad(dev *evdev.Device, p backend.Pointer, tapToClick func() bool) *touchpad {
	f, ok := newFingers(dev)
	tp := &touchpad{p: p, fingers: f, usable: ok, unitsPerMM: defaultUnitsPerMM, tapToClick: tapToClick}
	code := evdev.AbsX
	if f.mt {
		code = evdev.AbsMTPositionX
	}
	if ai, err := dev.AbsInfo(code); err == nil && ai.Resolution > 0 {
		tp.unitsPerMM = float64(ai.Resolution)
	}
	return tp
}

// centre returns the mean position of the fingers down, in mm.
func (tp *touchpad) centre() [2]float64 {
	var c [2]float64
	n := 0
	for i := range tp.fingers.slots {
		s := &tp.fingers.slots[i]
		if s.id >= 0 {
			c[0] += float64(s.x)
			c[1] += float64(s.y)
			n++
		}
	}
	if n > 0 {
		c[0], c[1] = c[0]/float64(n)/tp.unitsPerMM, c[1]/float64(n)/tp.unitsPerMM
	}
	return c
}

// frame turns one evdev frame into pointer events.
func (tp *touchpad) frame(fr *evdev.Frame) {
	if !tp.usable {
		return
	}
	tp.fingers.update(fr)
	t := fr.Time
	n := tp.fingers.count()
	c := tp.centre()
	any := buttons(tp.p, fr)
	// A change in the number of fingers moves the centre without the
	// fingers moving: start afresh from the new centre.
	if n == tp.lastN && n > 0 {
		dx, dy := c[0]-tp.last[0], c[1]-tp.last[1]
		tp.tapMoved += math.Hypot(dx, dy)
		switch {
		case n == 1 && (dx != 0 || dy != 0):
			tp.p.Motion(t, dx*mouseUnitsPerMM, dy*mouseUnitsPerMM)
			any = true
		case n == 2 && (dx != 0 || dy != 0):
			if dy != 0 {
				tp.p.Axis(t, backend.AxisVertical, backend.AxisSourceFinger, dy*scrollPerMM, 0)
			}
			if dx != 0 {
				tp.p.Axis(t, backend.AxisHorizontal, backend.AxisSourceFinger, dx*scrollPerMM, 0)
			}
			tp.scrolling, any = true, true
		}
	}
	if tp.scrolling && n != 2 {
		tp.p.AxisStop(t, backend.AxisVertical)
		tp.p.AxisStop(t, backend.AxisHorizontal)
		tp.scrolling, any = false, true
	}
	if tp.tap(t, n) {
		any = true
	}
	tp.last, tp.lastN = c, n
	if any {
		tp.p.Frame()
	}
}

// tap follows the tap gesture and clicks when one ends; it reports
// whether it sent anything.
func (tp *touchpad) tap(t time.Duration, n int) bool {
	switch {
	case n > 0 && tp.lastN == 0:
		tp.tapping, tp.tapStart, tp.tapFingers, tp.tapMoved = true, t, n, 0
	case n > 0:
		tp.tapFingers = max(tp.tapFingers, n)
	case tp.lastN > 0 && tp.tapping:
		tp.tapping = false
		if !tp.tapToClick() || t-tp.tapStart > tapMaxTime || tp.tapMoved > tapMaxMove {
			return false
		}
		btn := evdev.BtnLeft
		switch tp.tapFingers {
		case 2:
			btn = evdev.BtnRight
		case 3:
			btn = evdev.BtnMiddle
		}
		tp.p.Button(t, btn, true)
		tp.p.Button(t, btn, false)
		return true
	}
	return false
}
