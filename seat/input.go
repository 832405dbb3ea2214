package seat

import (
	"log/slog"
	"os"
	"syscall"

	"gocomp/compositor/loop"
	"gocomp/protocols/server"
)

// InputConfig configures PrepareInput.
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
	// SwitchVT runs when Ctrl+Alt+F1..F12 (XF86Switch_VT_n) is pressed;
	// nil disables those keys.
	SwitchVT func(vt int)
	// Log receives the records; nil means slog.Default().
	Log *slog.Logger
}

// Input is the seat's life in an event loop: its settings loaded before
// the compositor listens, the seat created with the compositor, and SIGHUP
// re-reading the settings. Devices come from the backend's input sources,
// which the compositor starts with the seat as their sink.
type Input struct {
	// Seat is the seat, once Start has created it.
	Seat *Seat

	cfg         InputConfig
	seatConfig  Config
	stopSignals func()
	closed      bool
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
	if km, ok := sc.Keymap.(*XKBKeymap); ok {
		logKeymapWarnings(cfg.Log, km)
	}
	sc.Log, sc.Version = cfg.Log, cfg.Options.SeatVersion()
	if !cfg.Options.NoTerminate {
		sc.Terminate = cfg.Terminate
	}
	sc.SwitchVT = cfg.SwitchVT
	if sc.Cursor, err = LoadCursor(cfg.Getenv); err != nil {
		cfg.Log.Warn("seat: no cursor theme: drawing a plain arrow", "err", err)
	}
	return &Input{cfg: cfg, seatConfig: sc}, nil
}

// Start creates the seat on display d (its serial counter), looking at
// scene for pointer and touch focus, and makes SIGHUP re-read the
// settings. Loop goroutine.
func (in *Input) Start(d *server.Display, scene Scene) (*Seat, error) {
	sc := in.seatConfig
	sc.Serial, sc.Scene = d.NextSerial, scene
	s, err := New(sc)
	if err != nil {
		return nil, err
	}
	in.Seat = s
	cfg := &in.cfg
	in.stopSignals = cfg.Loop.HandleSignals(func(os.Signal) { s.Reload(cfg.Options, cfg.Getenv) }, syscall.SIGHUP)
	cfg.Log.Info("seat: keyboard ready", "keymap", s.settings.describe(),
		"repeat_rate", s.settings.RepeatRate, "repeat_delay", s.settings.RepeatDelay)
	return s, nil
}

// Close stops SIGHUP handling. The seat itself is closed by its owner (the
// compositor). Loop goroutine; nil-safe, idempotent.
func (in *Input) Close() error {
	if in == nil || in.closed {
		return nil
	}
	in.closed = true
	if in.stopSignals != nil {
		in.stopSignals()
		in.stopSignals = nil
	}
	return nil
}
