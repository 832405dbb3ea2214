package seat

import "gocomp/evdev"

// Devices connects evdev devices to a seat: it is the evdev.Sink of an
// evdev.Manager, and its Added and Removed methods are the manager's
// hooks. Only devices classified as keyboards join the seat.
type Devices struct {
	seat      *Seat
	keyboards map[*evdev.Device]*Keyboard
}

// NewDevices returns the evdev glue for s.
func NewDevices(s *Seat) *Devices {
	return &Devices{seat: s, keyboards: map[*evdev.Device]*Keyboard{}}
}

// Added runs when the manager has opened a device.
func (d *Devices) Added(dev *evdev.Device) {
	if dev.Class&evdev.ClassKeyboard == 0 {
		return
	}
	if _, ok := d.keyboards[dev]; ok {
		return
	}
	d.keyboards[dev] = d.seat.AddKeyboard(dev.Name+" ("+dev.Path+")", dev)
}

// Removed runs after the manager has closed a device (its last frame, the
// release of its held keys, has been handled already).
func (d *Devices) Removed(dev *evdev.Device) {
	kb, ok := d.keyboards[dev]
	if !ok {
		return
	}
	delete(d.keyboards, dev)
	kb.Remove(evdev.Now())
}

// HandleFrame feeds a device's key events to its keyboard on the seat.
func (d *Devices) HandleFrame(f *evdev.Frame) {
	kb, ok := d.keyboards[f.Device]
	if !ok {
		return
	}
	for i := range f.Events {
		ev := &f.Events[i]
		if ev.Type != evdev.EvKey {
			continue
		}
		switch ev.Value {
		case evdev.KeyPressed:
			kb.Key(ev.Time, ev.Code, true)
		case evdev.KeyReleased:
			kb.Key(ev.Time, ev.Code, false)
		}
	}
}
