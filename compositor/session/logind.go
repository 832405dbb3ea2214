package session

import (
	"errors"
	"fmt"
	"log/slog"
	"os"

	"gocomp/compositor/loop"

	"github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"
)

// logind's D-Bus names (org.freedesktop.login1).
const (
	login1         = "org.freedesktop.login1"
	login1Path     = "/org/freedesktop/login1"
	login1Manager  = "org.freedesktop.login1.Manager"
	login1Session  = "org.freedesktop.login1.Session"
	login1Seat     = "org.freedesktop.login1.Seat"
	dbusProperties = "org.freedesktop.DBus.Properties"
)

// logindClient is the session through systemd-logind: the compositor
// takes control of its logind session and asks logind for every device.
// logind owns the terminal (graphics mode, keyboard off, switching) and
// pauses and resumes the devices on switches.
type logindClient struct {
	log     *slog.Logger
	l       *loop.Loop
	conn    *dbus.Conn
	session dbus.BusObject
	seat    dbus.BusObject
	signals chan *dbus.Signal
	done    chan struct{}

	h       Handler
	active  bool
	devices map[int]uint64 // id -> device number
	nextID  int
	control bool // TakeControl succeeded
	closed  bool
}

// newLogind connects to the system bus, finds the caller's logind session
// and takes control of it.
func newLogind(cfg Config) (_ Session, err error) {
	addr := cfg.Getenv("DBUS_SYSTEM_BUS_ADDRESS")
	if addr == "" {
		addr = "unix:path=" + systemBusSocket
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return nil, fmt.Errorf("session: logind: connect to the system bus %s: %w", addr, err)
	}
	lc := &logindClient{log: cfg.Log, l: cfg.Loop, conn: conn, devices: map[int]uint64{}, done: make(chan struct{})}
	defer func() {
		if err != nil {
			lc.Close()
		}
	}()
	manager := conn.Object(login1, login1Path)
	var path dbus.ObjectPath
	if id := cfg.Getenv("XDG_SESSION_ID"); id != "" {
		err = manager.Call(login1Manager+".GetSession", 0, id).Store(&path)
	} else {
		err = manager.Call(login1Manager+".GetSessionByPID", 0, uint32(os.Getpid())).Store(&path)
	}
	if err != nil {
		return nil, fmt.Errorf("session: logind: find the session: %w", err)
	}
	lc.session = conn.Object(login1, path)
	var seat struct {
		ID   string
		Path dbus.ObjectPath
	}
	if err := lc.property("Seat", &seat); err != nil {
		return nil, err
	}
	lc.seat = conn.Object(login1, seat.Path)
	if err := lc.property("Active", &lc.active); err != nil {
		return nil, err
	}
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(path), dbus.WithMatchInterface(login1Session)); err != nil {
		return nil, fmt.Errorf("session: logind: subscribe to the session's signals: %w", err)
	}
	lc.signals = make(chan *dbus.Signal, 16)
	conn.Signal(lc.signals)
	go lc.forwardSignals()
	if err := lc.session.Call(login1Session+".TakeControl", 0, false).Err; err != nil {
		return nil, fmt.Errorf("session: logind: take control of session %s: %w", path, err)
	}
	lc.control = true
	lc.log.Info("session: logind session taken", "session", path, "seat", seat.ID, "active", lc.active)
	return lc, nil
}

// property reads a property of the session into v.
func (lc *logindClient) property(name string, v any) error {
	var variant dbus.Variant
	if err := lc.session.Call(dbusProperties+".Get", 0, login1Session, name).Store(&variant); err != nil {
		return fmt.Errorf("session: logind: read the session's %s: %w", name, err)
	}
	if err := dbus.Store([]any{variant.Value()}, v); err != nil {
		return fmt.Errorf("session: logind: the session's %s: %w", name, err)
	}
	return nil
}

// forwardSignals hands the bus's signals to the loop until the connection
// closes (which closes the channel).
func (lc *logindClient) forwardSignals() {
	defer close(lc.done)
	for sig := range lc.signals {
		lc.l.Post(func() { lc.handleSignal(sig) })
	}
}

// Name implements Session.
func (lc *logindClient) Name() string { return Logind }

// SetHandler implements Session.
func (lc *logindClient) SetHandler(h Handler) { lc.h = h }

// Active implements Session.
func (lc *logindClient) Active() bool { return lc.active }

// OpenDevice implements Session: logind opens the node (TakeDevice).
func (lc *logindClient) OpenDevice(path string) (int, int, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return -1, 0, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	rdev := uint64(st.Rdev)
	var fd dbus.UnixFD
	var inactive bool
	if err := lc.session.Call(login1Session+".TakeDevice", 0, unix.Major(rdev), unix.Minor(rdev)).Store(&fd, &inactive); err != nil {
		return -1, 0, fmt.Errorf("session: logind: take device %s: %w", path, err)
	}
	lc.nextID++
	lc.devices[lc.nextID] = rdev
	return int(fd), lc.nextID, nil
}

// CloseDevice implements Session.
func (lc *logindClient) CloseDevice(id int) error {
	rdev, ok := lc.devices[id]
	if !ok {
		return nil
	}
	delete(lc.devices, id)
	if err := lc.session.Call(login1Session+".ReleaseDevice", 0, unix.Major(rdev), unix.Minor(rdev)).Err; err != nil {
		return fmt.Errorf("session: logind: release device %d:%d: %w", unix.Major(rdev), unix.Minor(rdev), err)
	}
	return nil
}

// SwitchVT implements Session: the seat switches (Seat.SwitchTo).
func (lc *logindClient) SwitchVT(n int) error {
	if err := lc.seat.Call(login1Seat+".SwitchTo", 0, uint32(n)).Err; err != nil {
		return fmt.Errorf("session: logind: switch to virtual terminal %d: %w", n, err)
	}
	return nil
}

// holds reports whether the device major:minor is one the compositor took.
func (lc *logindClient) holds(major, minor uint32) bool {
	for _, rdev := range lc.devices {
		if unix.Major(rdev) == major && unix.Minor(rdev) == minor {
			return true
		}
	}
	return false
}

// handleSignal runs on the loop for a signal of the session: logind
// pausing a device (the session is going inactive) or resuming one.
func (lc *logindClient) handleSignal(sig *dbus.Signal) {
	if lc.closed {
		return
	}
	switch sig.Name {
	case login1Session + ".PauseDevice":
		var major, minor uint32
		var how string
		if dbus.Store(sig.Body, &major, &minor, &how) != nil {
			return
		}
		if lc.active && how != "gone" {
			lc.active = false
			lc.log.Info("session: logind paused the session", "device", fmt.Sprintf("%d:%d", major, minor), "how", how)
			if lc.h != nil {
				lc.h.Disable()
			}
		}
		// Only a "pause" waits for the acknowledgement ("force" and
		// "gone" have happened already).
		if how == "pause" && lc.holds(major, minor) {
			if err := lc.session.Call(login1Session+".PauseDeviceComplete", 0, major, minor).Err; err != nil {
				lc.log.Warn("session: logind: acknowledge pause", "device", fmt.Sprintf("%d:%d", major, minor), "err", err)
			}
		}
	case login1Session + ".ResumeDevice":
		var major, minor uint32
		var fd dbus.UnixFD
		if dbus.Store(sig.Body, &major, &minor, &fd) != nil {
			return
		}
		// The fd is a new one on the file the compositor already has
		// open (a DRM card keeps its file); the old one is kept.
		unix.Close(int(fd))
		if !lc.active {
			lc.active = true
			lc.log.Info("session: logind resumed the session", "device", fmt.Sprintf("%d:%d", major, minor))
			if lc.h != nil {
				lc.h.Enable()
			}
		}
	}
}

// Close implements Session: the devices and control are released.
func (lc *logindClient) Close() error {
	if lc == nil || lc.closed {
		return nil
	}
	var errs []error
	for id := range lc.devices {
		errs = append(errs, lc.CloseDevice(id))
	}
	if lc.control {
		if err := lc.session.Call(login1Session+".ReleaseControl", 0).Err; err != nil {
			errs = append(errs, fmt.Errorf("session: logind: release control: %w", err))
		}
	}
	lc.closed = true
	errs = append(errs, lc.conn.Close())
	if lc.signals != nil {
		<-lc.done
	}
	return errors.Join(errs...)
}

var _ Session = (*logindClient)(nil)
