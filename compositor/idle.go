package compositor

import (
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
)

// idle blanks the outputs after Config.IdleTimeout without input: outputs
// that can switch their screen off (backend.PowerSaver) do, the others
// show black. The first input afterwards brings the picture back.
type idle struct {
	s       *Server
	timeout time.Duration
	blanked bool
	timer   *loop.Timer
	last    time.Duration // loop.Now of the latest input
}

// startIdle arms the idle timer when an idle timeout is configured.
func (s *Server) startIdle() {
	s.idle = idle{s: s, timeout: s.cfg.IdleTimeout}
	if s.idle.timeout <= 0 {
		return
	}
	s.idle.timer = s.loop.AddTimer(s.idle.handleTimeout)
	s.idle.last = loop.Now()
	s.idle.timer.Arm(s.idle.timeout)
}

// stop removes the idle timer. Idempotent.
func (id *idle) stop() { id.timer.Remove() }

// inputSink is the sink input sources report to: the seat, seen through
// activity tracking when outputs blank on idle.
func (s *Server) inputSink() backend.InputSink {
	if s.idle.timeout <= 0 {
		return s.seat
	}
	return activitySink{InputSink: s.seat, idle: &s.idle}
}

// handleTimeout runs when the timer armed for the idle timeout after some
// input fires: if input came since, the timer is armed for the rest of the
// timeout after it (so input events never touch the timer), else every
// output is blanked.
func (id *idle) handleTimeout() {
	if rest := id.last + id.timeout - loop.Now(); rest > 0 {
		id.timer.Arm(rest)
		return
	}
	if id.blanked {
		return
	}
	id.blanked = true
	id.s.log.Info("idle: blanking outputs", "after", id.timeout)
	for _, o := range id.s.outputs {
		id.blank(o)
	}
}

// blank switches o's screen off, or has it draw black.
func (id *idle) blank(o *output) {
	if ps, ok := o.bo.(backend.PowerSaver); ok {
		err := ps.SetPower(false)
		if err == nil {
			o.poweredOff = true
			return
		}
		id.s.log.Info("idle: screen cannot switch off; drawing black", "output", o.info.Name, "err", err)
	}
	o.blackened = true
	o.addDamage(o.rect())
}

// activity runs on every input event: it notes the time (the idle time
// starts again) and brings blanked outputs back.
func (id *idle) activity() {
	id.last = loop.Now()
	if !id.blanked {
		return
	}
	id.blanked = false
	id.timer.Arm(id.timeout)
	id.s.log.Info("idle: input; outputs back on")
	for _, o := range id.s.outputs {
		id.unblank(o)
	}
}

// unblank switches o's screen back on, or has it draw its picture again.
func (id *idle) unblank(o *output) {
	if o.poweredOff {
		o.poweredOff = false
		if err := o.bo.(backend.PowerSaver).SetPower(true); err != nil {
			id.s.log.Warn("idle: cannot switch screen back on", "output", o.info.Name, "err", err)
		}
	}
	if o.blackened {
		o.blackened = false
		o.addDamage(o.rect())
	}
}

// outputAdded blanks an output that comes while the others are blank.
func (id *idle) outputAdded(o *output) {
	if id.blanked {
		id.blank(o)
	}
}

// activitySink passes devices on to the seat, reporting their input
// (keys, pointer motion, buttons and scrolling, touches) as activity
// first.
type activitySink struct {
	backend.InputSink
	idle *idle
}

// AddKeyboard implements backend.InputSink.
func (a activitySink) AddKeyboard(name string, leds backend.LEDSetter) backend.Keyboard {
	return activityKeyboard{Keyboard: a.InputSink.AddKeyboard(name, leds), idle: a.idle}
}

// AddPointer implements backend.InputSink.
func (a activitySink) AddPointer(info backend.PointerInfo) backend.Pointer {
	return activityPointer{Pointer: a.InputSink.AddPointer(info), idle: a.idle}
}

// AddTouch implements backend.InputSink.
func (a activitySink) AddTouch(info backend.TouchInfo) backend.Touch {
	return activityTouch{Touch: a.InputSink.AddTouch(info), idle: a.idle}
}

// activityKeyboard is a keyboard whose keys count as activity.
type activityKeyboard struct {
	backend.Keyboard
	idle *idle
}

// Key implements backend.Keyboard.
func (k activityKeyboard) Key(t time.Duration, code uint16, pressed bool) {
	k.idle.activity()
	k.Keyboard.Key(t, code, pressed)
}

// activityPointer is a pointer whose motion, buttons and scrolling count
// as activity.
type activityPointer struct {
	backend.Pointer
	idle *idle
}

// Motion implements backend.Pointer.
func (p activityPointer) Motion(t time.Duration, dx, dy float64) {
	p.idle.activity()
	p.Pointer.Motion(t, dx, dy)
}

// MotionAbsolute implements backend.Pointer.
func (p activityPointer) MotionAbsolute(t time.Duration, output string, x, y float64) {
	p.idle.activity()
	p.Pointer.MotionAbsolute(t, output, x, y)
}

// Button implements backend.Pointer.
func (p activityPointer) Button(t time.Duration, code uint16, pressed bool) {
	p.idle.activity()
	p.Pointer.Button(t, code, pressed)
}

// Axis implements backend.Pointer.
func (p activityPointer) Axis(t time.Duration, axis backend.Axis, source backend.AxisSource, value float64, value120 int32) {
	p.idle.activity()
	p.Pointer.Axis(t, axis, source, value, value120)
}

// activityTouch is a touch device whose fingers count as activity.
type activityTouch struct {
	backend.Touch
	idle *idle
}

// Down implements backend.Touch.
func (d activityTouch) Down(t time.Duration, id int32, x, y float64) {
	d.idle.activity()
	d.Touch.Down(t, id, x, y)
}

// Motion implements backend.Touch.
func (d activityTouch) Motion(t time.Duration, id int32, x, y float64) {
	d.idle.activity()
	d.Touch.Motion(t, id, x, y)
}
