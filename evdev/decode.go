package evdev

import (
	"time"
)

// maxFrameEvents bounds one frame. A frame that grows past it is treated as
// a buffer overrun (as if SYN_DROPPED had arrived), so a broken or hostile
// stream cannot make the decoder grow without limit.
const maxFrameEvents = 1024

// MaxSlots bounds the multitouch slots the decoder tracks; touches in
// higher slots pass through untracked.
const MaxSlots = 32

// Slot is one multitouch slot (protocol B): its tracking id (-1 when no
// finger is in it) and position.
type Slot struct {
	ID, X, Y int32
}

// mtCodes are the multitouch axes the decoder tracks per slot.
var mtCodes = [...]uint16{AbsMTTrackingID, AbsMTPositionX, AbsMTPositionY}

// get returns the slot's value of tracked axis code.
func (s *Slot) get(code uint16) int32 {
	switch code {
	case AbsMTTrackingID:
		return s.ID
	case AbsMTPositionX:
		return s.X
	}
	return s.Y
}

// set stores the slot's value of tracked axis code.
func (s *Slot) set(code uint16, v int32) {
	switch code {
	case AbsMTTrackingID:
		s.ID = v
	case AbsMTPositionX:
		s.X = v
	case AbsMTPositionY:
		s.Y = v
	}
}

// State is the part of a device's state the decoder tracks and restores
// after SYN_DROPPED: keys and buttons held, LEDs lit, switches on (kernel
// bitmaps), the values of the single-touch absolute axes, and for a
// multitouch device the current slot and every slot's tracking id and
// position.
type State struct {
	Keys     [keyBytes]byte
	LEDs     [smallBits]byte
	Switches [smallBits]byte
	// Axes marks the absolute axes whose value Abs holds. Multitouch axes
	// (ABS_MT_SLOT and above) are tracked in Slots instead.
	Axes [smallBits]byte
	Abs  [AbsMax + 1]int32
	// MT says the device has multitouch slots: MTSlot is the current one
	// and Slots their contents (the first NumSlots of them).
	MT       bool
	MTSlot   int32
	NumSlots int
	Slots    [MaxSlots]Slot
}

// trackedAxis reports whether the decoder keeps the value of axis code.
func trackedAxis(code uint16) bool { return code < AbsMTSlot }

// KeyDown reports whether key (or button) code is held in s.
func (s *State) KeyDown(code uint16) bool { return bitSet(s.Keys[:], code) }

// StateQuerier reads a device's current state from the kernel. The
// decoder calls it after SYN_DROPPED. Reading the state with EVIOCGKEY,
// EVIOCGLED and EVIOCGSW also makes the kernel drop the events of those
// types still queued on the fd, which the decoder relies on. (EVIOCGABS
// does not: axis events still queued are delivered after the resync and
// move the axis from older values back to the current one.)
type StateQuerier interface {
	// QueryState fills s with the device's current keys, LEDs, switches
	// and axes.
	QueryState(s *State) error
}

// Decoder turns the bytes read from an evdev fd into frames. It drops kernel
// autorepeat (value 2), a release of a key it never reported pressed and a
// press of a key already held; after SYN_DROPPED it discards everything up
// to and including the next SYN_REPORT, asks its StateQuerier for the
// current state and emits the difference as a FrameResync.
//
// A Decoder is used from one goroutine. Decoding allocates nothing once its
// frame buffer has grown to the longest frame seen.
type Decoder struct {
	querier StateQuerier
	frame   Frame

	carry  [EventSize]byte // a partial event left by the previous Decode
	ncarry int

	pending  []Event // the frame being read, before filtering
	dropping bool    // between SYN_DROPPED and the next SYN_REPORT
	// stale is set after a resync for the rest of the bytes of one Decode
	// call: their key, LED and switch events were read from the kernel
	// before the state query and are already part of the queried state.
	stale bool

	state State // what has been reported
	query State // scratch for the querier
}

// NewDecoder returns a decoder that calls q after SYN_DROPPED. With a nil q
// (or when q fails) a resync releases every held key and keeps LEDs and
// switches as they were.
func NewDecoder(q StateQuerier) *Decoder {
	return &Decoder{querier: q, pending: make([]Event, 0, 64)}
}

// KeyDown reports whether the decoder has reported key code pressed and not
// yet released.
func (d *Decoder) KeyDown(code uint16) bool { return d.state.KeyDown(code) }

// State returns the state reported so far.
func (d *Decoder) State() State { return d.state }

// Decode decodes p, the bytes of one read() from the device, and hands every
// complete frame to sink. A trailing partial event is kept for the next
// call.
func (d *Decoder) Decode(p []byte, sink Sink) {
	d.stale = false
	if d.ncarry > 0 {
		n := copy(d.carry[d.ncarry:], p)
		d.ncarry += n
		p = p[n:]
		if d.ncarry < EventSize {
			return
		}
		d.ncarry = 0
		d.event(d.carry[:], sink)
	}
	for len(p) >= EventSize {
		d.event(p[:EventSize], sink)
		p = p[EventSize:]
	}
	d.ncarry = copy(d.carry[:], p)
	d.stale = false
}

// event decodes one input_event.
func (d *Decoder) event(b []byte, sink Sink) {
	ev := readEvent(b)
	if ev.Type == EvSyn {
		switch ev.Code {
		case SynDropped:
			d.pending = d.pending[:0]
			d.dropping = true
			return
		case SynReport:
			if d.dropping {
				d.dropping = false
				d.resync(ev.Time, sink)
				return
			}
			d.commit(ev.Time, sink)
			return
		case SynConfig:
			return
		}
	}
	if d.dropping {
		return
	}
	if len(d.pending) >= maxFrameEvents {
		d.pending = d.pending[:0]
		d.dropping = true
		return
	}
	d.pending = append(d.pending, ev)
}

// commit filters the pending frame, updates the reported state and hands
// the frame to sink unless nothing is left of it.
func (d *Decoder) commit(t time.Duration, sink Sink) {
	out := d.pending[:0]
	for _, ev := range d.pending {
		switch ev.Type {
		case EvKey:
			if d.stale {
				continue
			}
			held := bitSet(d.state.Keys[:], ev.Code)
			switch {
			case ev.Value == KeyPressed && !held:
				setBit(d.state.Keys[:], ev.Code, true)
			case ev.Value == KeyReleased && held:
				setBit(d.state.Keys[:], ev.Code, false)
			default: // autorepeat, a duplicate press, a release without press
				continue
			}
		case EvLed:
			if d.stale {
				continue
			}
			setBit(d.state.LEDs[:], ev.Code, ev.Value != 0)
		case EvSw:
			if d.stale {
				continue
			}
			setBit(d.state.Switches[:], ev.Code, ev.Value != 0)
		case EvAbs:
			if d.state.MT && ev.Code >= AbsMTSlot {
				if d.stale {
					continue
				}
				d.trackSlot(ev)
				break
			}
			if !trackedAxis(ev.Code) || !bitSet(d.state.Axes[:], ev.Code) {
				break
			}
			if d.stale {
				continue
			}
			d.state.Abs[ev.Code] = ev.Value
		}
		out = append(out, ev)
	}
	d.pending = d.pending[:0]
	if len(out) == 0 {
		return
	}
	d.emit(FrameReport, t, out, sink)
}

// trackSlot records a multitouch axis event in the slot state.
func (d *Decoder) trackSlot(ev Event) {
	s := &d.state
	if ev.Code == AbsMTSlot {
		s.MTSlot = ev.Value
		return
	}
	if s.MTSlot >= 0 && int(s.MTSlot) < s.NumSlots {
		s.Slots[s.MTSlot].set(ev.Code, ev.Value)
	}
}

// resync queries the current state and emits the difference to what was
// reported: releases first, then presses, then LEDs, switches and axes,
// then the multitouch slots that changed (each announced by ABS_MT_SLOT;
// the current slot is restored last).
func (d *Decoder) resync(t time.Duration, sink Sink) {
	now := &d.query
	*now = State{}
	ok := d.querier != nil && d.querier.QueryState(now) == nil
	if !ok {
		// Without the kernel's state every finger is lifted.
		*now = State{LEDs: d.state.LEDs, Switches: d.state.Switches, Axes: d.state.Axes, Abs: d.state.Abs,
			MT: d.state.MT, MTSlot: d.state.MTSlot, NumSlots: d.state.NumSlots, Slots: d.state.Slots}
		for i := range now.Slots[:now.NumSlots] {
			now.Slots[i].ID = -1
		}
	}
	out := d.pending[:0]
	out = diffBits(out, t, EvKey, d.state.Keys[:], now.Keys[:], false)
	out = diffBits(out, t, EvKey, d.state.Keys[:], now.Keys[:], true)
	out = diffBits(out, t, EvLed, d.state.LEDs[:], now.LEDs[:], false)
	out = diffBits(out, t, EvLed, d.state.LEDs[:], now.LEDs[:], true)
	out = diffBits(out, t, EvSw, d.state.Switches[:], now.Switches[:], false)
	out = diffBits(out, t, EvSw, d.state.Switches[:], now.Switches[:], true)
	for code := uint16(0); code <= AbsMax; code++ {
		if trackedAxis(code) && bitSet(now.Axes[:], code) &&
			(!bitSet(d.state.Axes[:], code) || now.Abs[code] != d.state.Abs[code]) {
			out = append(out, Event{Time: t, Type: EvAbs, Code: code, Value: now.Abs[code]})
		}
	}
	out = d.diffSlots(out, t, now)
	d.state = *now
	d.pending = out[:0]
	d.stale = ok
	d.emit(FrameResync, t, out, sink)
}

// diffSlots appends the events that take the reported multitouch slots to
// now's: for every slot that changed, ABS_MT_SLOT then the axes that
// differ (a finger lifted says only its tracking id of -1); then the
// current slot.
func (d *Decoder) diffSlots(out []Event, t time.Duration, now *State) []Event {
	was := &d.state
	if !now.MT {
		return out
	}
	// Before the first query the consumer knows no slot: all are free.
	known, emitted := was.MT, false
	cur := was.MTSlot
	for i := range now.Slots[:now.NumSlots] {
		a, b := was.Slots[i], &now.Slots[i]
		if !known {
			a = Slot{ID: -1}
		}
		if a == *b || (a.ID < 0 && b.ID < 0) {
			continue
		}
		out = append(out, Event{Time: t, Type: EvAbs, Code: AbsMTSlot, Value: int32(i)})
		cur, emitted = int32(i), true
		if b.ID < 0 {
			out = append(out, Event{Time: t, Type: EvAbs, Code: AbsMTTrackingID, Value: -1})
			continue
		}
		for _, code := range mtCodes {
			if v := b.get(code); v != a.get(code) || a.ID < 0 {
				out = append(out, Event{Time: t, Type: EvAbs, Code: code, Value: v})
			}
		}
	}
	if (known || emitted) && cur != now.MTSlot {
		out = append(out, Event{Time: t, Type: EvAbs, Code: AbsMTSlot, Value: now.MTSlot})
	}
	return out
}

// diffBits appends an event for every code whose bit differs between was
// and now and is set (on) or clear (!on) in now.
func diffBits(out []Event, t time.Duration, typ Type, was, now []byte, on bool) []Event {
	for i := range now {
		x := was[i] ^ now[i]
		if on {
			x &= now[i]
		} else {
			x &^= now[i]
		}
		for b := uint16(0); x != 0; b++ {
			if x&1 != 0 {
				v := int32(0)
				if on {
					v = 1
				}
				out = append(out, Event{Time: t, Type: typ, Code: uint16(i)*8 + b, Value: v})
			}
			x >>= 1
		}
	}
	return out
}

// ReleaseAll forgets any partial frame and emits a FrameRemoved with the
// release of every key still held, time-stamped t. It emits nothing when no
// key is held. Call it when the device goes away.
func (d *Decoder) ReleaseAll(t time.Duration, sink Sink) {
	d.pending = d.pending[:0]
	d.dropping = false
	d.ncarry = 0
	var none [keyBytes]byte
	out := diffBits(d.pending, t, EvKey, d.state.Keys[:], none[:], false)
	d.state.Keys = none
	d.pending = out[:0]
	if len(out) > 0 {
		d.emit(FrameRemoved, t, out, sink)
	}
}

func (d *Decoder) emit(kind FrameKind, t time.Duration, evs []Event, sink Sink) {
	d.frame.Kind = kind
	d.frame.Time = t
	d.frame.Events = evs
	sink.HandleFrame(&d.frame)
	d.frame.Events = nil
}
