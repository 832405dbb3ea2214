package evdevinput

import (
	"gocomp/compositor/backend"
	"gocomp/evdev"
)

// slotState is one finger slot of a touch device as the seat was told it.
type slotState struct {
	id     int32 // tracking id now; -1 when no finger
	x, y   int32
	down   bool // the seat was told the finger is down
	moved  bool // x or y changed in this frame
	lifted bool // the finger lifted in this frame
}

// fingers tracks the fingers of a multitouch (protocol B) or single-touch
// device through its frames: which slots hold a finger, where, and what
// changed in the current frame.
type fingers struct {
	mt     bool
	slots  []slotState
	cur    int32
	rx, ry axisRange
	// Single-touch devices: the one finger follows BTN_TOUCH.
	touching bool
}

// newFingers sets up finger tracking for dev; ok is false when the device
// reports no usable position axes.
func newFingers(dev *evdev.Device) (fingers, bool) {
	var f fingers
	xCode, yCode := evdev.AbsX, evdev.AbsY
	if dev.Caps.Has(evdev.EvAbs, evdev.AbsMTSlot) && dev.Caps.Has(evdev.EvAbs, evdev.AbsMTPositionX) {
		f.mt = true
		xCode, yCode = evdev.AbsMTPositionX, evdev.AbsMTPositionY
		n := evdev.MaxSlots
		if ai, err := dev.AbsInfo(evdev.AbsMTSlot); err == nil && ai.Maximum >= 0 {
			n = min(int(ai.Maximum)+1, evdev.MaxSlots)
		}
		f.slots = make([]slotState, n)
	} else {
		f.slots = make([]slotState, 1)
	}
	for i := range f.slots {
		f.slots[i].id = -1
	}
	var okx, oky bool
	f.rx, okx = readRange(dev, xCode)
	f.ry, oky = readRange(dev, yCode)
	return f, okx && oky
}

// update applies one frame's events to the slots and marks what changed.
func (f *fingers) update(fr *evdev.Frame) {
	for i := range f.slots {
		f.slots[i].moved, f.slots[i].lifted = false, false
	}
	for i := range fr.Events {
		ev := &fr.Events[i]
		switch {
		case ev.Type == evdev.EvKey && ev.Code == evdev.BtnTouch && !f.mt:
			s := &f.slots[0]
			if ev.Value == evdev.KeyPressed {
				s.id = 0
			} else if ev.Value == evdev.KeyReleased && s.id >= 0 {
				s.id, s.lifted = -1, true
			}
		case ev.Type != evdev.EvAbs:
		case f.mt:
			f.mtEvent(ev)
		case ev.Code == evdev.AbsX:
			f.slots[0].x, f.slots[0].moved = ev.Value, true
		case ev.Code == evdev.AbsY:
			f.slots[0].y, f.slots[0].moved = ev.Value, true
		}
	}
}

// mtEvent applies one multitouch axis event to the current slot.
func (f *fingers) mtEvent(ev *evdev.Event) {
	if ev.Code == evdev.AbsMTSlot {
		f.cur = ev.Value
		return
	}
	if f.cur < 0 || int(f.cur) >= len(f.slots) {
		return
	}
	s := &f.slots[f.cur]
	switch ev.Code {
	case evdev.AbsMTTrackingID:
		if ev.Value < 0 {
			if s.id >= 0 {
				s.lifted = true
			}
			s.id = -1
		} else {
			if s.id >= 0 && s.id != ev.Value {
				s.lifted = true // a new finger in the slot: the old one left
			}
			s.id = ev.Value
		}
	case evdev.AbsMTPositionX:
		s.x, s.moved = ev.Value, true
	case evdev.AbsMTPositionY:
		s.y, s.moved = ev.Value, true
	}
}

// count returns the number of fingers down.
func (f *fingers) count() int {
	n := 0
	for i := range f.slots {
		if f.slots[i].id >= 0 {
			n++
		}
	}
	return n
}

// touchscreen drives a touchscreen: each slot's finger is a touch point.
type touchscreen struct {
	t       backend.Touch
	fingers fingers
	usable  bool
}

// newTouchscreen sets up a touchscreen.
func newTouchscreen(dev *evdev.Device, t backend.Touch) *touchscreen {
	f, ok := newFingers(dev)
	return &touchscreen{t: t, fingers: f, usable: ok}
}

// frame turns one evdev frame into touch events: lifts, then downs and
// motions, then the frame's end. Points are numbered by slot.
func (ts *touchscreen) frame(fr *evdev.Frame) {
	if !ts.usable {
		return
	}
	f := &ts.fingers
	f.update(fr)
	any := false
	t := fr.Time
	for i := range f.slots {
		s := &f.slots[i]
		if s.lifted && s.down {
			ts.t.Up(t, int32(i))
			s.down, any = false, true
		}
	}
	for i := range f.slots {
		s := &f.slots[i]
		switch {
		case s.id >= 0 && !s.down:
			ts.t.Down(t, int32(i), f.rx.norm(s.x), f.ry.norm(s.y))
			s.down, any = true, true
		case s.id >= 0 && s.moved:
			ts.t.Motion(t, int32(i), f.rx.norm(s.x), f.ry.norm(s.y))
			any = true
		}
	}
	if any {
		ts.t.Frame()
	}
}
