package backend

import "time"

// InputSource brings input devices to the seat: the machine's evdev
// devices, a nested backend's host seat, a client's virtual keyboard. The
// seat consumes every source the same way and never knows which one a
// device came from.
type InputSource interface {
	// Name names the source in logs, e.g. "evdev".
	Name() string
	// Start begins reporting devices to sink, now and as they come and go.
	// Loop goroutine.
	Start(sink InputSink) error
	// Close stops the source. Every device it added is removed first (held
	// keys released). Idempotent.
	Close() error
}

// InputSink receives input devices. The seat implements it.
type InputSink interface {
	// AddKeyboard adds a keyboard called name (for logs). leds, when not
	// nil, receives the seat's indicator state now and whenever it
	// changes.
	AddKeyboard(name string, leds LEDSetter) Keyboard
}

// LEDSetter drives the indicators of a physical keyboard (an evdev device
// opened read-write is one).
type LEDSetter interface {
	// SetLED switches evdev LED code on or off.
	SetLED(code uint16, on bool) error
}

// Keyboard is the seat's side of one keyboard device: its source reports
// the device's key transitions through it.
type Keyboard interface {
	// Key reports a transition of evdev key code at t (CLOCK_MONOTONIC,
	// the kernel's event time where there is one). A second press of a key
	// the device holds and a release of a key it does not hold are
	// ignored.
	Key(t time.Duration, code uint16, pressed bool)
	// Remove takes the device off the seat at t: every key it still holds
	// is released. Idempotent.
	Remove(t time.Duration)
}
