// Package session gives the compositor the devices of its seat (DRM
// cards, input devices) and tells it when the seat is taken away and given
// back: when the user switches to another virtual terminal and back. Three
// kinds behind one interface:
//
//   - direct: gocomp itself, as root, owns a virtual terminal (the console
//     in graphics mode, its keyboard off, switches acknowledged by
//     signal), opens device nodes and hands the DRM master role over on
//     switches. Its terminal is restored by a supervising parent process
//     however gocomp ends (Supervise).
//   - seatd: the seatd daemon's protocol (libseat's), for unprivileged
//     users.
//   - logind: systemd-logind over D-Bus (TakeControl, TakeDevice).
//
// Everything runs on the event loop goroutine.
package session

import (
	"fmt"
	"log/slog"
	"os"

	"gocomp/compositor/loop"
)

// Session kinds, as --session spells them.
const (
	Auto   = "auto"
	Direct = "direct"
	Seatd  = "seatd"
	Logind = "logind"
)

// Kinds lists the kinds --session accepts.
func Kinds() []string { return []string{Auto, Direct, Seatd, Logind} }

// Handler is told when the seat goes and comes back. Both run on the loop
// goroutine.
type Handler interface {
	// Disable runs when the seat is being taken away: stop drawing and
	// close the input devices (held keys are released). When it returns
	// the session gives the devices up (the DRM master role, the
	// terminal).
	Disable()
	// Enable runs when the seat is back: the DRM devices may be used
	// again (restore the picture) and input devices reopened.
	Enable()
}

// Session is the compositor's hold on its seat.
type Session interface {
	// Name is the kind, e.g. "direct".
	Name() string
	// SetHandler sets who hears about the seat going and coming; until
	// then nothing is told.
	SetHandler(h Handler)
	// Active reports whether the seat is the compositor's now.
	Active() bool
	// OpenDevice opens a device node (read-write, non-blocking,
	// close-on-exec). The caller owns fd and closes it; id names the
	// device for CloseDevice.
	OpenDevice(path string) (fd, id int, err error)
	// CloseDevice tells the session the device is no longer used (the
	// caller closes the fd itself). Unknown ids are ignored.
	CloseDevice(id int) error
	// SwitchVT asks to switch to virtual terminal n; Disable follows when
	// the switch happens.
	SwitchVT(n int) error
	// Close gives the seat up and restores what the session changed (the
	// terminal). Idempotent.
	Close() error
}

// Config configures New.
type Config struct {
	// Loop runs everything; New must be called on its goroutine.
	Loop *loop.Loop
	// Kind is a name from Kinds; "" means Auto.
	Kind string
	// VT is the virtual terminal the direct session takes; 0 means the
	// current one (CurrentVT).
	VT int
	// Getenv reads SEATD_SOCK, XDG_SESSION_ID and the D-Bus address
	// (os.Getenv).
	Getenv func(string) string
	// Log receives the records; nil means slog.Default().
	Log *slog.Logger
}

// seatdSocket returns the seatd socket path: $SEATD_SOCK or the default.
func seatdSocket(getenv func(string) string) string {
	if p := getenv("SEATD_SOCK"); p != "" {
		return p
	}
	return "/run/seatd.sock"
}

// systemBusSocket is where the D-Bus system bus listens by default.
const systemBusSocket = "/run/dbus/system_bus_socket"

// Choose returns the session kind cfg selects, and why: seatd when its
// socket exists, logind inside a logind session with a system bus, else
// direct.
func Choose(cfg Config) (kind, why string) {
	if cfg.Kind != "" && cfg.Kind != Auto {
		return cfg.Kind, "--session " + cfg.Kind
	}
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if sock := seatdSocket(getenv); exists(sock) {
		return Seatd, sock + " exists"
	}
	if getenv("XDG_SESSION_ID") != "" && (getenv("DBUS_SYSTEM_BUS_ADDRESS") != "" || exists(systemBusSocket)) {
		return Logind, "in logind session " + getenv("XDG_SESSION_ID")
	}
	return Direct, "no seatd socket and no logind session"
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// New opens the session cfg selects.
func New(cfg Config) (Session, error) {
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	kind, why := Choose(cfg)
	cfg.Log.Info("session chosen", "session", kind, "why", why)
	switch kind {
	case Direct:
		return newDirect(cfg)
	case Seatd:
		return newSeatd(cfg, seatdSocket(cfg.Getenv))
	case Logind:
		return newLogind(cfg)
	}
	return nil, fmt.Errorf("session: unknown kind %q (want one of auto, direct, seatd, logind)", kind)
}
