// Package evdevinput is the input source of the machine's own devices: it
// follows udev discovery and hotplug (package evdev), reads every
// /dev/input/event* device in the event loop, and drives the seat's
// devices from them: keyboards, mice and absolute pointers, touchpads
// (as a pointer, with two-finger scrolling and optional tapping) and
// touchscreens. The headless and DRM backends bring it.
package evdevinput

import (
	"errors"
	"log/slog"

	"gocomp/compositor/backend"
	"gocomp/compositor/inputtrace"
	"gocomp/compositor/loop"
	"gocomp/evdev"
)

// Config configures a Source.
type Config struct {
	// Loop watches the device fds and runs everything.
	Loop *loop.Loop
	// Grab opens every device exclusively (EVIOCGRAB): nothing else on the
	// machine sees its events.
	Grab bool
	// Sysfs overrides the sysfs mount point for discovery (tests).
	Sysfs string
	// NoDiscovery opens none of the machine's devices: the source only
	// feeds devices given to Adopt (tests, benchmarks).
	NoDiscovery bool
	// Trace, when not nil, is told about every keyboard frame (see
	// package inputtrace).
	Trace *inputtrace.Tracer
	// TapToClick reports whether a touchpad tap is a click now (the
	// seat's setting, which SIGHUP may change); nil means never.
	TapToClick func() bool
	// Log receives the records; nil means slog.Default().
	Log *slog.Logger
}

// Source is the evdev input source. It implements backend.InputSource.
type Source struct {
	cfg     Config
	sink    backend.InputSink
	manager *evdev.Manager
	devices map[*evdev.Device]*device
	closed  bool
}

var _ backend.InputSource = (*Source)(nil)

// New returns a source that starts discovery when started.
func New(cfg Config) *Source {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.TapToClick == nil {
		cfg.TapToClick = func() bool { return false }
	}
	return &Source{cfg: cfg, devices: map[*evdev.Device]*device{}}
}

// Name implements backend.InputSource.
func (src *Source) Name() string { return "evdev" }

// Start implements backend.InputSource: discovery starts, and the devices
// present are opened (read-write, for the keyboard LEDs) before it
// returns. A discovery failure is logged, not returned: the session goes
// on without devices.
func (src *Source) Start(sink backend.InputSink) error {
	if src.sink != nil {
		return errors.New("evdevinput: started twice")
	}
	src.sink = sink
	var err error
	src.manager, err = evdev.NewManager(evdev.ManagerConfig{
		Post:     src.cfg.Loop.Post,
		Poller:   loopPoller{src.cfg.Loop},
		Sink:     evdev.SinkFunc(src.handleFrame),
		Grab:     src.cfg.Grab,
		Writable: true,
		Added:    src.handleAdded,
		Removed:  src.handleRemoved,
		Failed: func(path string, err error) {
			src.cfg.Log.Warn("evdev: cannot open input device", "path", path, "err", err)
		},
		Logger:      src.cfg.Log,
		Sysfs:       src.cfg.Sysfs,
		NoDiscovery: src.cfg.NoDiscovery,
	})
	if err != nil {
		src.cfg.Log.Error("evdev: no input devices: discovery failed", "err", err)
		return nil
	}
	src.cfg.Log.Info("evdev: input ready", "devices", len(src.devices))
	return nil
}

// Adopt adds an open device (an evdev.NewStream, say) to the source: it
// is read and handed to the seat exactly as discovered devices are. The
// source owns dev from now on. After Start, loop goroutine.
func (src *Source) Adopt(dev *evdev.Device) error {
	if src.manager == nil {
		dev.Close()
		return errors.New("evdevinput: adopt: source not started")
	}
	return src.manager.Adopt(dev)
}

// Close implements backend.InputSource: discovery stops and every device
// is closed, its held keys released.
func (src *Source) Close() error {
	if src == nil || src.closed {
		return nil
	}
	src.closed = true
	if src.manager == nil {
		return nil
	}
	return src.manager.Close()
}

// Roles counts the devices on the seat by role: keyboards, pointers (mice,
// touchpads, tablets) and touchscreens. Loop goroutine.
func (src *Source) Roles() (keyboards, pointers, touchscreens int) {
	for _, d := range src.devices {
		if d.keyboard != nil {
			keyboards++
		}
		if d.pointer != nil || d.touchpad != nil {
			pointers++
		}
		if d.touch != nil {
			touchscreens++
		}
	}
	return keyboards, pointers, touchscreens
}

// device is one evdev device on the seat, in the roles its classes give
// it (a keyboard with a touchpad is both).
type device struct {
	name     string // for logs and the trace
	keyboard backend.Keyboard
	pointer  *pointer
	touchpad *touchpad
	touch    *touchscreen
}

// handleAdded runs when the manager has opened a device: keyboards,
// pointers, touchpads and touchscreens join the seat.
func (src *Source) handleAdded(dev *evdev.Device) {
	if _, ok := src.devices[dev]; ok {
		return
	}
	d := &device{name: dev.Name + " (" + dev.Path + ")"}
	if dev.Class&evdev.ClassKeyboard != 0 {
		var leds backend.LEDSetter
		if dev.Caps.HasType(evdev.EvLed) {
			leds = dev
		}
		d.keyboard = src.sink.AddKeyboard(d.name, leds)
	}
	switch {
	case dev.Class&evdev.ClassTouchscreen != 0:
		d.touch = newTouchscreen(dev, src.sink.AddTouch(backend.TouchInfo{Name: d.name, Calibration: calibration(dev, src.cfg.Log)}))
	case dev.Class&evdev.ClassTouchpad != 0:
		d.touchpad = newTouchpad(dev, src.sink.AddPointer(backend.PointerInfo{Name: d.name, Accelerate: true}), src.cfg.TapToClick)
	case dev.Class&evdev.ClassPointer != 0:
		d.pointer = newPointer(dev, src.sink.AddPointer(backend.PointerInfo{Name: d.name, Accelerate: true}))
	}
	if d.keyboard == nil && d.pointer == nil && d.touchpad == nil && d.touch == nil {
		return // a switch, a joystick, a tablet pen: not used
	}
	src.devices[dev] = d
}

// handleRemoved runs after the manager closed a device (its last frame,
// the release of its held keys and buttons, has been handled already):
// it leaves the seat, which releases what it still held and cancels its
// touches.
func (src *Source) handleRemoved(dev *evdev.Device) {
	d, ok := src.devices[dev]
	if !ok {
		return
	}
	delete(src.devices, dev)
	now := evdev.Now()
	if d.keyboard != nil {
		d.keyboard.Remove(now)
	}
	if d.pointer != nil {
		d.pointer.p.Remove(now)
	}
	if d.touchpad != nil {
		d.touchpad.p.Remove(now)
	}
	if d.touch != nil {
		d.touch.t.Remove(now)
	}
}

// handleFrame hands a device's frame to each of its roles.
func (src *Source) handleFrame(f *evdev.Frame) {
	d, ok := src.devices[f.Device]
	if !ok {
		return
	}
	if f.Kind == evdev.FrameResync {
		src.cfg.Log.Info("evdev: events were lost; the device's state was read again", "device", d.name, "changes", len(f.Events))
	}
	if d.keyboard != nil {
		src.keyboardFrame(d, f)
	}
	if d.pointer != nil {
		d.pointer.frame(f)
	}
	if d.touchpad != nil {
		d.touchpad.frame(f)
	}
	if d.touch != nil {
		d.touch.frame(f)
	}
}

// keyboardFrame feeds a frame's key events to the keyboard on the seat.
// Buttons (BTN_*) are the pointer's.
func (src *Source) keyboardFrame(d *device, f *evdev.Frame) {
	traced := false
	for i := range f.Events {
		ev := &f.Events[i]
		if ev.Type != evdev.EvKey || (ev.Value != evdev.KeyPressed && ev.Value != evdev.KeyReleased) || isButton(ev.Code) {
			continue
		}
		if src.cfg.Trace != nil && !traced {
			traced = true
			src.cfg.Trace.FrameDecoded(d.name, f.Time)
		}
		d.keyboard.Key(ev.Time, ev.Code, ev.Value == evdev.KeyPressed)
	}
	if traced {
		src.cfg.Trace.FrameHandled()
	}
}

// isButton reports whether code is a button (BTN_MISC..BTN_GEAR_UP and
// BTN_TRIGGER_HAPPY*), not a key.
func isButton(code uint16) bool {
	return (code >= evdev.BtnMisc && code < 0x160) || code >= 0x2c0
}

// loopPoller watches fds in the loop for the evdev manager.
type loopPoller struct{ l *loop.Loop }

func (p loopPoller) Watch(fd int, ready func()) (stop func(), err error) {
	src, err := p.l.AddFD(fd, loop.Readable, func(loop.Events) { ready() })
	if err != nil {
		return nil, err
	}
	return src.Remove, nil
}
