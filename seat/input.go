package seat

import (
	"log/slog"
	"os"
	"syscall"

	"gocomp/compositor/loop"
	"gocomp/evdev"
	"gocomp/protocols/server"
)

// InputConfig configures StartInput.
type InputConfig struct {
	// Loop runs everything; Start must be called on its goroutine.
	Loop *loop.Loop
	// Options are the parsed keyboard flags; Load and SIGHUP re-read them.
	Options *Options
	// Getenv reads XKB_DEFAULT_* and the XKB include path (os.Getenv).
	Getenv func(string) string
	// Terminate runs when Ctrl+Alt+BackSpace is pressed (unless
	// Options.NoTerminate).
	Terminate func()
	// NoDevices skips evdev discovery: the seat gets keyboards only from
	// AddKeyboard (tests).
	NoDevices bool
	// Sysfs overrides the sysfs mount point for discovery.
	Sysfs string
	// Log receives the records; nil means slog.Default().
	Log *slog.Logger
}

// Input is the seat at work in an event loop: the evdev devices of the
// machine feeding it and SIGHUP re-reading its settings.
type Input struct {
	// Seat is the seat, once Start has created it.
	Seat *Seat

	cfg         InputConfig
	seatConfig  Config
	closed      bool
	devices     *Devices
	manager     *evdev.Manager
	stopSignals func()
	log         *slog.Logger
}

// PrepareInput loads the settings and compiles the keymap: the slow part,
// done before the compositor listens so that clients never wait for it.
// Start then creates the seat.
func PrepareInput(cfg InputConfig) (*Input, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	st, err := cfg.Options.Load(cfg.Getenv)
	if err != nil {
		return nil, err
	}
	sc, err := st.SeatConfig(cfg.Getenv)
	if err != nil {
		return nil, err
	}
	sc.Log, sc.Version = cfg.Log, cfg.Options.SeatVersion()
	if !cfg.Options.NoTerminate {
		sc.Terminate = cfg.Terminate
	}
	return &Input{cfg: cfg, seatConfig: sc, log: cfg.Log}, nil
}

// Start creates the seat on display d (its serial counter) and arranges,
// on the loop's next iteration, for the evdev keyboards to be opened
// (read-write, for the LEDs) and followed through hotplug, and for SIGHUP
// to re-read the settings. Loop goroutine.
func (in *Input) Start(d *server.Display) (*Seat, error) {
	sc := in.seatConfig
	sc.Serial = d.NextSerial
	s, err := New(sc)
	if err != nil {
		return nil, err
	}
	in.Seat = s
	in.devices = NewDevices(s)
	in.cfg.Loop.Post(in.startDevices)
	return s, nil
}

// startDevices runs on the loop once it runs: device discovery and SIGHUP.
func (in *Input) startDevices() {
	if in.closed {
		return
	}
	cfg, s := &in.cfg, in.Seat
	in.stopSignals = cfg.Loop.HandleSignals(func(os.Signal) { s.Reload(cfg.Options, cfg.Getenv) }, syscall.SIGHUP)
	if !cfg.NoDevices {
		var err error
		in.manager, err = evdev.NewManager(evdev.ManagerConfig{
			Post:     cfg.Loop.Post,
			Poller:   loopPoller{cfg.Loop},
			Sink:     in.devices,
			Writable: true,
			Added:    in.devices.Added,
			Removed:  in.devices.Removed,
			Failed: func(path string, err error) {
				in.log.Warn("seat: cannot open input device", "path", path, "err", err)
			},
			Logger: in.log,
			Sysfs:  cfg.Sysfs,
		})
		if err != nil {
			in.log.Error("seat: no input devices: discovery failed", "err", err)
		}
	}
	in.log.Info("seat: keyboard ready", "keymap", s.settings.describe(), "keyboards", len(s.kbd.devices),
		"repeat_rate", s.settings.RepeatRate, "repeat_delay", s.settings.RepeatDelay)
}

// Close stops SIGHUP handling and discovery, closes the devices (releasing
// held keys) and the seat's keymap. Loop goroutine; nil-safe, idempotent.
func (in *Input) Close() error {
	if in == nil || in.closed {
		return nil
	}
	in.closed = true
	if in.stopSignals != nil {
		in.stopSignals()
		in.stopSignals = nil
	}
	var err error
	if in.manager != nil {
		err = in.manager.Close()
		in.manager = nil
	}
	if in.Seat != nil {
		in.Seat.Close()
	}
	return err
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
