package seat

import (
	"time"

	"gocomp/compositor/backend"
)

// Keyboard is one physical keyboard on the seat. It records the keys it
// holds, so that a release it never pressed is ignored and its removal
// releases exactly the keys only it held.
type Keyboard struct {
	seat    *Seat
	name    string
	leds    backend.LEDSetter
	held    keySet
	removed bool
}

// AddKeyboard implements backend.InputSink: it adds a keyboard called name
// (for logs). leds, when not nil, receives the seat's indicator state now
// and on every change. The seat gains the keyboard capability if it had
// none.
func (s *Seat) AddKeyboard(name string, leds backend.LEDSetter) backend.Keyboard {
	kb := &Keyboard{seat: s, name: name, leds: leds}
	s.kbd.devices = append(s.kbd.devices, kb)
	kb.writeLEDs(s.kbd.leds, LEDNumLock|LEDCapsLock|LEDScrollLock)
	s.updateCapabilities()
	s.log.Debug("seat: keyboard added", "name", name)
	return kb
}

// Key reports a key transition of this keyboard at time t (CLOCK_MONOTONIC)
// for evdev code. A second press of a key the keyboard holds and a release
// of one it does not hold are ignored, as are codes that are not keyboard
// keys.
func (kb *Keyboard) Key(t time.Duration, code uint16, pressed bool) {
	if kb.removed || !validKey(code) {
		return
	}
	if pressed == kb.held.has(code) {
		return
	}
	if pressed {
		kb.held.add(code)
	} else {
		kb.held.remove(code)
	}
	kb.seat.handleKey(uint32(t/time.Millisecond), code, pressed)
}

// Remove takes the keyboard off the seat at time t: every key it still
// holds is released (seat-wide only where no other keyboard holds it) and
// the seat loses the keyboard capability with its last keyboard.
// Idempotent and nil-safe.
func (kb *Keyboard) Remove(t time.Duration) {
	if kb == nil || kb.removed {
		return
	}
	kb.held.each(func(code uint16) { kb.Key(t, code, false) })
	kb.removed = true
	s := kb.seat
	s.kbd.devices = removeItem(s.kbd.devices, kb)
	s.updateCapabilities()
	s.log.Debug("seat: keyboard removed", "name", kb.name)
}

// writeLEDs writes the indicators in mask to the device.
func (kb *Keyboard) writeLEDs(leds, mask LEDs) {
	if kb.leds == nil {
		return
	}
	for _, code := range ledCodes {
		bit := LEDs(1) << code
		if mask&bit == 0 {
			continue
		}
		if err := kb.leds.SetLED(code, leds&bit != 0); err != nil {
			kb.seat.log.Warn("seat: cannot set keyboard LED", "keyboard", kb.name, "err", err)
		}
	}
}
