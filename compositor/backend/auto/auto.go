// Package auto chooses and creates the backend gocomp runs on, and the
// input sources that backend brings: the one place that knows every
// backend.
package auto

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"gocomp/compositor/backend"
	"gocomp/compositor/backend/drm"
	"gocomp/compositor/backend/evdevinput"
	"gocomp/compositor/backend/nested"
	"gocomp/compositor/headless"
	"gocomp/compositor/inputtrace"
	"gocomp/compositor/loop"
	"gocomp/compositor/session"
)

// Backend names, as --backend spells them.
const (
	Auto     = "auto"
	Headless = "headless"
	Wayland  = "wayland"
	DRM      = "drm"
)

// Input source names, as --input spells them.
const (
	InputDefault = ""
	InputEvdev   = "evdev"
	InputNone    = "none"
)

// Names lists the backends --backend accepts.
func Names() []string { return []string{Auto, Headless, Wayland, DRM} }

// InputNames lists the sources --input accepts.
func InputNames() []string { return []string{InputEvdev, InputNone} }

// Config says which backend to create and how.
type Config struct {
	// Backend is a name from Names; "" means Auto.
	Backend string
	// Input is an input source name from InputNames, or InputDefault: the
	// machine's evdev devices for the headless and DRM backends, none for
	// the wayland backend (its host seat brings input).
	Input string
	// Mode is the output mode of backends that choose it (headless).
	Mode backend.Mode
	// Outputs is the number of outputs of backends that choose it
	// (headless outputs, wayland windows); 0 means 1.
	Outputs int
	// HostKeymap, for the wayland backend, receives the host keyboard's
	// keymap fd and size to use instead of gocomp's own (nested.Config);
	// nil keeps gocomp's.
	HostKeymap func(fd int, size uint32)
	// Grab opens evdev devices exclusively.
	Grab bool
	// NoDiscovery opens none of the machine's evdev devices: the evdev
	// source feeds only devices adopted later (benchmarks of the
	// production path on a machine without /dev/input).
	NoDiscovery bool
	// DRM configures the DRM backend: the card, the connectors used, the
	// mode and the buffering (its Loop, Session, Input and Log are filled
	// in by New).
	DRM drm.Config
	// Session is the session kind of the DRM backend (session.Kinds);
	// "" means session.Auto.
	Session string
	// VT is the virtual terminal the direct session takes; 0 means the
	// current one (or the one a supervising parent names).
	VT int
	// Cards lists the DRM devices the automatic choice looks for; nil
	// means drm.Cards.
	Cards func() []string
	// Trace, when not nil, times every evdev keyboard frame.
	Trace *inputtrace.Tracer
	// TapToClick reports whether a touchpad tap clicks (the seat's
	// current setting); nil means never.
	TapToClick func() bool
	// Getenv reads the environment the choice and the session depend on
	// (os.Getenv); nil means an empty environment.
	Getenv func(string) string
	// Log receives the records, among them why a backend was chosen.
	Log *slog.Logger
}

// Check reports whether cfg's names are known, for flag validation.
func Check(cfg Config) error {
	if cfg.Backend != "" && !slices.Contains(Names(), cfg.Backend) {
		return fmt.Errorf("unknown backend %q (available: %s)", cfg.Backend, strings.Join(Names(), ", "))
	}
	if cfg.Input != InputDefault && !slices.Contains(InputNames(), cfg.Input) {
		return fmt.Errorf("unknown input %q (available: %s)", cfg.Input, strings.Join(InputNames(), ", "))
	}
	if cfg.Session != "" && !slices.Contains(session.Kinds(), cfg.Session) {
		return fmt.Errorf("unknown session %q (available: %s)", cfg.Session, strings.Join(session.Kinds(), ", "))
	}
	return nil
}

// Choose returns the backend name cfg selects, and why: the one asked
// for; headless inside another Wayland session (WAYLAND_DISPLAY set);
// DRM when the machine has a DRM device; headless otherwise.
func Choose(cfg Config) (name, why string) {
	if cfg.Backend != "" && cfg.Backend != Auto {
		return cfg.Backend, "--backend " + cfg.Backend
	}
	cfg = cfg.withDefaults()
	getenv, cards := cfg.Getenv, cfg.Cards
	if v := getenv("WAYLAND_SOCKET"); v != "" {
		return Wayland, "WAYLAND_SOCKET is set: a window in that compositor"
	}
	if v := getenv("WAYLAND_DISPLAY"); v != "" {
		return Wayland, "WAYLAND_DISPLAY=" + v + ": a window in that compositor"
	}
	if c := cards(); len(c) > 0 {
		return DRM, c[0] + " exists"
	}
	return Headless, "neither a host compositor (WAYLAND_DISPLAY) nor a DRM device (/dev/dri/card*)"
}

// SessionKind returns the session kind the DRM backend would take with
// cfg, and why.
func SessionKind(cfg Config) (kind, why string) {
	return session.Choose(session.Config{Kind: cfg.Session, Getenv: cfg.withDefaults().Getenv})
}

// withDefaults fills in the nil functions of cfg: no environment, the
// machine's DRM devices.
func (cfg Config) withDefaults() Config {
	if cfg.Getenv == nil {
		cfg.Getenv = func(string) string { return "" }
	}
	if cfg.Cards == nil {
		cfg.Cards = drm.Cards
	}
	return cfg
}

// New creates the backend cfg selects on l, with its input sources.
func New(l *loop.Loop, cfg Config) (backend.Backend, error) {
	if err := Check(cfg); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg = cfg.withDefaults()
	name, why := Choose(cfg)
	cfg.Log.Info("backend chosen", "backend", name, "why", why)
	var inputs []backend.InputSource
	// The DRM backend opens evdev devices itself, through its session.
	if cfg.Input == InputEvdev && name != DRM || cfg.Input == InputDefault && name == Headless {
		inputs = append(inputs, evdevinput.New(evdevinput.Config{Loop: l, Grab: cfg.Grab, Trace: cfg.Trace,
			TapToClick: cfg.TapToClick, NoDiscovery: cfg.NoDiscovery, Log: cfg.Log}))
	}
	switch name {
	case Headless:
		return headless.New(l, headless.Config{Mode: cfg.Mode, Outputs: cfg.Outputs, Inputs: inputs})
	case Wayland:
		return nested.New(l, nested.Config{Mode: cfg.Mode, Outputs: cfg.Outputs, Inputs: inputs,
			HostKeymap: cfg.HostKeymap, Log: cfg.Log})
	case DRM:
		return newDRM(l, cfg)
	}
	return nil, fmt.Errorf("backend %q is not built in", name)
}

// newDRM opens the session and the DRM backend on it, with the machine's
// evdev devices opened through the session.
func newDRM(l *loop.Loop, cfg Config) (backend.Backend, error) {
	getenv := cfg.Getenv
	if cfg.DRM.Card == "" && len(cfg.Cards()) == 0 {
		// Said before the session takes the terminal.
		return nil, errors.New("drm: no DRM device: /dev/dri/card* does not exist (no graphics driver loaded?)")
	}
	vt := cfg.VT
	if v := session.SupervisedVT(getenv); v != 0 {
		vt = v
	}
	sess, err := session.New(session.Config{Loop: l, Kind: cfg.Session, VT: vt, Getenv: getenv, Log: cfg.Log})
	if err != nil {
		return nil, err
	}
	dc := cfg.DRM
	dc.Loop, dc.Session, dc.Log = l, sess, cfg.Log
	if cfg.Input != InputNone {
		dc.Input = &drm.InputConfig{Grab: cfg.Grab, Trace: cfg.Trace, TapToClick: cfg.TapToClick}
	}
	return drm.New(dc)
}
