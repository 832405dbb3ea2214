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
	// AddPointer adds a pointer device.
	AddPointer(info PointerInfo) Pointer
	// AddTouch adds a touch device.
	AddTouch(info TouchInfo) Touch
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

// Axis is a scroll axis, numbered as wl_pointer numbers them.
type Axis uint8

// The scroll axes.
const (
	AxisVertical   Axis = 0
	AxisHorizontal Axis = 1
)

// AxisSource says what made a scroll, numbered as wl_pointer numbers it.
type AxisSource uint8

// The scroll sources.
const (
	AxisSourceWheel      AxisSource = 0 // a wheel with detents
	AxisSourceFinger     AxisSource = 1 // fingers on a touchpad
	AxisSourceContinuous AxisSource = 2 // continuous motion (a trackball)
	AxisSourceWheelTilt  AxisSource = 3 // a tilting wheel
)

// PointerInfo describes a pointer device to the seat.
type PointerInfo struct {
	// Name names the device in logs.
	Name string
	// Accelerate says the device's relative motion is raw device motion
	// the seat's acceleration profile applies to (a mouse, a touchpad), as
	// opposed to motion already in screen pixels.
	Accelerate bool
}

// Pointer is the seat's side of one pointer device (a mouse, a touchpad
// driven as a mouse, a tablet used as an absolute mouse, a host pointer).
// Its source reports a frame's events and then Frame.
type Pointer interface {
	// Motion moves the pointer by (dx, dy): device units when the device
	// is accelerated, layout pixels otherwise.
	Motion(t time.Duration, dx, dy float64)
	// MotionAbsolute moves the pointer to (x, y) in [0, 1] across the
	// output called output (a nested backend's host window), or for "" the
	// output the seat maps absolute devices to (the first one unless
	// configured otherwise, with its calibration and transform).
	MotionAbsolute(t time.Duration, output string, x, y float64)
	// Button reports a transition of button code (evdev BTN_*). A second
	// press of a button the device holds and a release of one it does not
	// hold are ignored.
	Button(t time.Duration, code uint16, pressed bool)
	// Axis scrolls by value (in wl_pointer axis units, 15 per wheel
	// detent) along axis; value120 is the high-resolution wheel value
	// (120 per detent, 0 when the source is not a wheel).
	Axis(t time.Duration, axis Axis, source AxisSource, value float64, value120 int32)
	// AxisStop says a finger or continuous scroll on axis stopped.
	AxisStop(t time.Duration, axis Axis)
	// Frame ends the events that belong together (one evdev frame).
	Frame()
	// Remove takes the device off the seat at t: every button it still
	// holds is released. Idempotent.
	Remove(t time.Duration)
}

// TouchInfo describes a touch device to the seat.
type TouchInfo struct {
	// Name names the device in logs.
	Name string
	// Calibration, when set, is the device's calibration matrix
	// [a b c; d e f] on normalized coordinates (the udev property
	// LIBINPUT_CALIBRATION_MATRIX); the seat's own setting overrides it.
	Calibration *[6]float64
}

// Touch is the seat's side of one touch device. Coordinates are in [0, 1]
// across the device's surface; the seat maps them to an output.
type Touch interface {
	// Down puts finger id down at (x, y).
	Down(t time.Duration, id int32, x, y float64)
	// Motion moves finger id to (x, y).
	Motion(t time.Duration, id int32, x, y float64)
	// Up lifts finger id.
	Up(t time.Duration, id int32)
	// Frame ends the events that belong together.
	Frame()
	// Cancel says the device's current touches are no longer to be
	// trusted (a resync lost them): they are cancelled, not lifted.
	Cancel()
	// Remove takes the device off the seat: touches still down are
	// cancelled. Idempotent.
	Remove(t time.Duration)
}
