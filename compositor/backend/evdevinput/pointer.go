package evdevinput

import (
	"gocomp/compositor/backend"
	"gocomp/evdev"
)

// Wheel scrolling: one detent is 15 wl_pointer axis units and 120
// high-resolution units, and evdev's wheel points the other way (positive
// is away from the user, which scrolls up).
const (
	wheelStep    = 15
	value120Step = 120
)

// axisRange is an absolute axis's range, for normalizing.
type axisRange struct{ min, max int32 }

// norm maps v into [0, 1].
func (r axisRange) norm(v int32) float64 {
	if r.max <= r.min {
		return 0
	}
	return float64(v-r.min) / float64(r.max-r.min)
}

// readRange returns the range of axis code, or ok false when the device
// cannot say (a stream without a kernel behind it).
func readRange(dev *evdev.Device, code uint16) (axisRange, bool) {
	ai, err := dev.AbsInfo(code)
	if err != nil || ai.Maximum <= ai.Minimum {
		return axisRange{}, false
	}
	return axisRange{ai.Minimum, ai.Maximum}, true
}

// pointer drives a mouse (relative motion) or an absolute pointer (a
// tablet used as a mouse, like QEMU's usb-tablet).
type pointer struct {
	p        backend.Pointer
	absolute bool
	rx, ry   axisRange
	x, y     int32 // last absolute position
	hiRes    bool  // the wheels report high-resolution values: use only those
}

// newPointer sets up a pointer device.
func newPointer(dev *evdev.Device, p backend.Pointer) *pointer {
	ptr := &pointer{p: p, hiRes: dev.Caps.Has(evdev.EvRel, evdev.RelWheelHiRes) || dev.Caps.Has(evdev.EvRel, evdev.RelHWheelHiRes)}
	if dev.Caps.Has(evdev.EvAbs, evdev.AbsX) && dev.Caps.Has(evdev.EvAbs, evdev.AbsY) {
		rx, okx := readRange(dev, evdev.AbsX)
		ry, oky := readRange(dev, evdev.AbsY)
		if okx && oky {
			ptr.absolute, ptr.rx, ptr.ry = true, rx, ry
			ptr.x, ptr.y = rx.min, ry.min
		}
	}
	return ptr
}

// frame turns one evdev frame into pointer events: motion, then buttons,
// then scrolling, then the frame's end.
func (ptr *pointer) frame(f *evdev.Frame) {
	var dx, dy float64
	var wheel, hwheel int32
	moved, absMoved, any := false, false, false
	for i := range f.Events {
		ev := &f.Events[i]
		switch ev.Type {
		case evdev.EvRel:
			switch ev.Code {
			case evdev.RelX:
				dx += float64(ev.Value)
				moved = true
			case evdev.RelY:
				dy += float64(ev.Value)
				moved = true
			case evdev.RelWheel:
				if !ptr.hiRes {
					wheel += ev.Value * value120Step
				}
			case evdev.RelHWheel:
				if !ptr.hiRes {
					hwheel += ev.Value * value120Step
				}
			case evdev.RelWheelHiRes:
				wheel += ev.Value
			case evdev.RelHWheelHiRes:
				hwheel += ev.Value
			}
		case evdev.EvAbs:
			if !ptr.absolute {
				continue
			}
			switch ev.Code {
			case evdev.AbsX:
				ptr.x, absMoved = ev.Value, true
			case evdev.AbsY:
				ptr.y, absMoved = ev.Value, true
			}
		}
	}
	t := f.Time
	if moved && (dx != 0 || dy != 0) {
		ptr.p.Motion(t, dx, dy)
		any = true
	}
	if absMoved {
		ptr.p.MotionAbsolute(t, "", ptr.rx.norm(ptr.x), ptr.ry.norm(ptr.y))
		any = true
	}
	if buttons(ptr.p, f) {
		any = true
	}
	if wheel != 0 {
		// Wheel away from the user (positive) scrolls up: negative axis.
		ptr.p.Axis(t, backend.AxisVertical, backend.AxisSourceWheel, -float64(wheel)*wheelStep/value120Step, -wheel)
		any = true
	}
	if hwheel != 0 {
		ptr.p.Axis(t, backend.AxisHorizontal, backend.AxisSourceWheel, float64(hwheel)*wheelStep/value120Step, hwheel)
		any = true
	}
	if any {
		ptr.p.Frame()
	}
}

// buttons reports the frame's mouse button transitions to p and whether
// there were any.
func buttons(p backend.Pointer, f *evdev.Frame) bool {
	any := false
	for i := range f.Events {
		ev := &f.Events[i]
		if ev.Type == evdev.EvKey && isMouseButton(ev.Code) && (ev.Value == evdev.KeyPressed || ev.Value == evdev.KeyReleased) {
			p.Button(ev.Time, ev.Code, ev.Value == evdev.KeyPressed)
			any = true
		}
	}
	return any
}

// isMouseButton reports whether code is a mouse button (BTN_LEFT through
// BTN_TASK).
func isMouseButton(code uint16) bool { return code >= evdev.BtnLeft && code < evdev.BtnJoystick }
