package drm

import (
	"errors"
	"log/slog"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/backend/evdevinput"
	"gocomp/compositor/inputtrace"
	"gocomp/compositor/loop"
	"gocomp/compositor/session"
	"gocomp/evdev"
)

// InputConfig configures the input the DRM backend brings: the machine's
// evdev devices, opened through the session.
type InputConfig struct {
	// Grab opens every device exclusively (EVIOCGRAB).
	Grab bool
	// Trace, when not nil, times every keyboard frame.
	Trace *inputtrace.Tracer
	// TapToClick reports whether a touchpad tap clicks (the seat's
	// setting); nil means never.
	TapToClick func() bool
	// Sysfs overrides the sysfs mount point for discovery (tests).
	Sysfs string
}

// input is the DRM backend's input source: evdev devices discovered as
// the evdevinput source discovers them, but opened through the session
// (seatd or logind open them for an unprivileged compositor), and all
// closed while the session is away, so keys typed on another virtual
// terminal never reach the compositor and held keys are released. It
// implements backend.InputSource.
type input struct {
	l    *loop.Loop
	sess session.Session
	cfg  InputConfig
	log  *slog.Logger

	sink   backend.InputSink
	src    *evdevinput.Source // nil while paused
	disc   *evdev.Discovery
	opened map[uint64]int // device number -> session device id
	// stand-ins keep the seat's capabilities while the session is away
	// (clients would otherwise see the keyboard go and come back, and
	// take a second wl_keyboard): one device per role the seat had.
	standIns []interface{ Remove(time.Duration) }
	closed   bool
}

var _ backend.InputSource = (*input)(nil)

// Name implements backend.InputSource.
func (in *input) Name() string { return "evdev (" + in.sess.Name() + " session)" }

// Start implements backend.InputSource: the devices are opened now if the
// session is active, else when it becomes so.
func (in *input) Start(sink backend.InputSink) error {
	if in.sink != nil {
		return errors.New("drm: input started twice")
	}
	in.sink = sink
	if in.sess.Active() {
		in.resume()
	}
	return nil
}

// resume opens every input device through the session and follows
// hotplug.
func (in *input) resume() {
	if in.sink == nil || in.src != nil || in.closed {
		return
	}
	in.src = evdevinput.New(evdevinput.Config{Loop: in.l, Grab: in.cfg.Grab, Trace: in.cfg.Trace,
		TapToClick: in.cfg.TapToClick, Log: in.log, NoDiscovery: true})
	if err := in.src.Start(in.sink); err != nil {
		in.log.Error("drm: input: cannot start", "err", err)
		return
	}
	in.opened = map[uint64]int{}
	disc, err := evdev.Discover(evdev.DiscoveryConfig{
		Post: in.l.Post, Added: in.handleAdded, Removed: in.handleRemoved, Logger: in.log, Sysfs: in.cfg.Sysfs,
	})
	if err != nil {
		in.log.Error("drm: no input devices: discovery failed", "err", err)
		return
	}
	in.disc = disc
	// The devices present are on the seat again: the stand-ins go.
	now := evdev.Now()
	for _, d := range in.standIns {
		d.Remove(now)
	}
	in.standIns = nil
}

// pause closes every device (held keys are released) and stops
// discovery.
func (in *input) pause() {
	if in.src == nil {
		return
	}
	if !in.closed {
		keyboards, pointers, touchscreens := in.src.Roles()
		if keyboards > 0 {
			in.standIns = append(in.standIns, in.sink.AddKeyboard("(session away)", nil))
		}
		if pointers > 0 {
			in.standIns = append(in.standIns, in.sink.AddPointer(backend.PointerInfo{Name: "(session away)"}))
		}
		if touchscreens > 0 {
			in.standIns = append(in.standIns, in.sink.AddTouch(backend.TouchInfo{Name: "(session away)"}))
		}
	}
	if in.disc != nil {
		if err := in.disc.Close(); err != nil {
			in.log.Warn("drm: input: stop discovery", "err", err)
		}
	}
	if err := in.src.Close(); err != nil {
		in.log.Warn("drm: input: close devices", "err", err)
	}
	for devnum, id := range in.opened {
		in.sess.CloseDevice(id)
		delete(in.opened, devnum)
	}
	in.src, in.disc = nil, nil
}

// handleAdded runs when discovery reports a node: the session opens it
// and the evdev source reads it.
func (in *input) handleAdded(n evdev.Node) {
	if in.src == nil {
		return
	}
	fd, id, err := in.sess.OpenDevice(n.Path)
	if err != nil {
		in.log.Warn("drm: input: cannot open device", "path", n.Path, "err", err)
		return
	}
	dev, err := evdev.FromFD(fd, n.Path, evdev.Options{Grab: in.cfg.Grab})
	if err != nil {
		in.sess.CloseDevice(id)
		in.log.Warn("drm: input: not an input device", "path", n.Path, "err", err)
		return
	}
	if err := in.src.Adopt(dev); err != nil {
		in.sess.CloseDevice(id)
		in.log.Warn("drm: input: cannot watch device", "path", n.Path, "err", err)
		return
	}
	in.opened[n.Devnum] = id
}

// handleRemoved runs when a node went: the evdev source drops the device
// when its fd reports the unplug; the session forgets it.
func (in *input) handleRemoved(n evdev.Node) {
	if id, ok := in.opened[n.Devnum]; ok {
		delete(in.opened, n.Devnum)
		in.sess.CloseDevice(id)
	}
}

// Close implements backend.InputSource.
func (in *input) Close() error {
	if in == nil || in.closed {
		return nil
	}
	in.closed = true
	in.pause()
	now := evdev.Now()
	for _, d := range in.standIns {
		d.Remove(now)
	}
	in.standIns = nil
	return nil
}
