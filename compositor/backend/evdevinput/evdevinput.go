// Package evdevinput is the input source of the machine's own devices: it
// follows udev discovery and hotplug (package evdev), reads every
// /dev/input/event* device in the event loop, and hands the keyboards to
// the seat. The headless and DRM backends bring it.
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
	// Log receives the records; nil means slog.Default().
	Log *slog.Logger
}

// Source is the evdev input source. It implements backend.InputSource.
type Source struct {
	cfg       Config
	sink      backend.InputSink
	manager   *evdev.Manager
	keyboards map[*evdev.Device]keyboard
	closed    bool
}

// keyboard is a keyboard device on the seat.
type keyboard struct {
	kb   backend.Keyboard
	name string // for the trace
}

var _ backend.InputSource = (*Source)(nil)

// New returns a source that starts discovery when started.
func New(cfg Config) *Source {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Source{cfg: cfg, keyboards: map[*evdev.Device]keyboard{}}
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
	src.cfg.Log.Info("evdev: input ready", "keyboards", len(src.keyboards))
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

// handleAdded runs when the manager has opened a device: keyboards join
// the seat.
func (src *Source) handleAdded(dev *evdev.Device) {
	if dev.Class&evdev.ClassKeyboard == 0 {
		return
	}
	if _, ok := src.keyboards[dev]; ok {
		return
	}
	name := dev.Name + " (" + dev.Path + ")"
	var leds backend.LEDSetter
	if dev.Caps.HasType(evdev.EvLed) {
		leds = dev
	}
	src.keyboards[dev] = keyboard{kb: src.sink.AddKeyboard(name, leds), name: name}
}

// handleRemoved runs after the manager closed a device (its last frame,
// the release of its held keys, has been handled already).
func (src *Source) handleRemoved(dev *evdev.Device) {
	kb, ok := src.keyboards[dev]
	if !ok {
		return
	}
	delete(src.keyboards, dev)
	kb.kb.Remove(evdev.Now())
}

// handleFrame feeds a device's key events to its keyboard on the seat.
func (src *Source) handleFrame(f *evdev.Frame) {
	kb, ok := src.keyboards[f.Device]
	if !ok {
		return
	}
	traced := false
	for i := range f.Events {
		ev := &f.Events[i]
		if ev.Type != evdev.EvKey || (ev.Value != evdev.KeyPressed && ev.Value != evdev.KeyReleased) {
			continue
		}
		if src.cfg.Trace != nil && !traced {
			traced = true
			src.cfg.Trace.FrameDecoded(kb.name, f.Time)
		}
		kb.kb.Key(ev.Time, ev.Code, ev.Value == evdev.KeyPressed)
	}
	if traced {
		src.cfg.Trace.FrameHandled()
	}
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
