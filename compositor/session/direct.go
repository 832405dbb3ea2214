package session

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The signals the kernel sends the direct session when its terminal is to
// be released and when it is back.
const (
	releaseSignal = syscall.SIGUSR1
	acquireSignal = syscall.SIGUSR2
)

// direct is the session of a root compositor owning a virtual terminal.
type direct struct {
	log    *slog.Logger
	tty    int // the virtual terminal, open for its ioctls
	state  TerminalState
	thread *lockedThread

	stopSignals func()
	h           Handler
	active      bool

	devices map[int]directDevice
	nextID  int
	closed  bool
}

// directDevice is a device the direct session opened.
type directDevice struct {
	path string
	drm  int // a second fd of a DRM device, for the master role; -1 for others
}

// newDirect takes over the virtual terminal: activated if it is not, its
// keyboard off, graphics mode, and switching acknowledged by this process
// on signals handled in the loop.
func newDirect(cfg Config) (_ Session, err error) {
	n := cfg.VT
	if n == 0 {
		if n, err = CurrentVT(); err != nil {
			return nil, err
		}
	}
	fd, st, err := SaveTerminal(n)
	if err != nil {
		return nil, err
	}
	d := &direct{log: cfg.Log, tty: fd, state: st, active: true, devices: map[int]directDevice{}}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	var vs vtStat
	if err := ioctlPtr(fd, vtGetState, unsafe.Pointer(&vs)); err != nil {
		return nil, fmt.Errorf("session: read the active virtual terminal: %w", err)
	}
	if int(vs.Active) != n {
		if err := ioctlVal(fd, vtActivate, uintptr(n)); err != nil {
			return nil, fmt.Errorf("session: activate virtual terminal %d: %w", n, err)
		}
		if err := ioctlVal(fd, vtWaitActive, uintptr(n)); err != nil {
			return nil, fmt.Errorf("session: wait for virtual terminal %d: %w", n, err)
		}
	}
	// From here on the terminal is changed: Close restores it.
	d.stopSignals = cfg.Loop.HandleSignals(d.handleSignal, releaseSignal, acquireSignal)
	if err := ioctlVal(fd, kdSetKbMode, kbOff); err != nil {
		return nil, fmt.Errorf("session: switch the keyboard of virtual terminal %d off: %w", n, err)
	}
	if err := ioctlVal(fd, kdSetMode, kdGraphic); err != nil {
		return nil, fmt.Errorf("session: put virtual terminal %d in graphics mode: %w", n, err)
	}
	d.thread = startLockedThread()
	mode := vtMode{Mode: vtProcess, Relsig: int16(releaseSignal), Acqsig: int16(acquireSignal)}
	if err := d.thread.do(func() error { return ioctlPtr(fd, vtSetMode, unsafe.Pointer(&mode)) }); err != nil {
		return nil, fmt.Errorf("session: take switching of virtual terminal %d over: %w", n, err)
	}
	d.log.Info("session: virtual terminal taken", "vt", n, "keyboard_mode", st.KbMode)
	return d, nil
}

// Name implements Session.
func (d *direct) Name() string { return Direct }

// SetHandler implements Session.
func (d *direct) SetHandler(h Handler) { d.h = h }

// Active implements Session.
func (d *direct) Active() bool { return d.active }

// OpenDevice implements Session: the node is opened directly.
func (d *direct) OpenDevice(path string) (int, int, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		return -1, 0, &os.PathError{Op: "open", Path: path, Err: err}
	}
	dev := directDevice{path: path, drm: -1}
	var st unix.Stat_t
	if unix.Fstat(fd, &st) == nil && unix.Major(uint64(st.Rdev)) == drmMajor {
		// The caller may close its fd at any time; the master role
		// belongs to the open file, which this second fd keeps.
		if dev.drm, err = unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0); err != nil {
			unix.Close(fd)
			return -1, 0, fmt.Errorf("session: dup %s: %w", path, err)
		}
		// The card is handed over as master, as seatd and logind do; when
		// another master holds it this fails and the caller, finding the
		// fd is not master, says so.
		if d.active {
			if err := ioctlVal(dev.drm, drmSetMaster, 0); err != nil {
				d.log.Debug("session: set DRM master", "device", path, "err", err)
			}
		}
	}
	d.nextID++
	d.devices[d.nextID] = dev
	return fd, d.nextID, nil
}

// CloseDevice implements Session.
func (d *direct) CloseDevice(id int) error {
	dev, ok := d.devices[id]
	if !ok {
		return nil
	}
	delete(d.devices, id)
	if dev.drm >= 0 {
		return unix.Close(dev.drm)
	}
	return nil
}

// SwitchVT implements Session.
func (d *direct) SwitchVT(n int) error {
	if n < 1 || n > maxVT {
		return fmt.Errorf("session: virtual terminal %d: want 1..%d", n, maxVT)
	}
	if n == d.state.VT || !d.active {
		return nil
	}
	if err := ioctlVal(d.tty, vtActivate, uintptr(n)); err != nil {
		return fmt.Errorf("session: switch to virtual terminal %d: %w", n, err)
	}
	return nil
}

// handleSignal runs on the loop when the kernel asks for the terminal
// (release) or gives it back (acquire).
func (d *direct) handleSignal(sig os.Signal) {
	if d.closed {
		return
	}
	switch sig {
	case releaseSignal:
		d.release()
	case acquireSignal:
		d.acquire()
	}
}

// release runs when the user switches away: the compositor stops, the
// DRM devices lose their master role, and the kernel is told it may
// switch.
func (d *direct) release() {
	if d.active {
		d.active = false
		d.log.Info("session: virtual terminal released", "vt", d.state.VT)
		if d.h != nil {
			d.h.Disable()
		}
		d.eachDRM(drmDropMaster, "drop DRM master")
	}
	if err := ioctlVal(d.tty, vtRelDisp, 1); err != nil {
		d.log.Error("session: cannot release the virtual terminal", "vt", d.state.VT, "err", err)
	}
}

// acquire runs when the user switches back: the switch is acknowledged,
// the DRM devices are master again and the compositor resumes.
func (d *direct) acquire() {
	if err := ioctlVal(d.tty, vtRelDisp, vtAckAcq); err != nil {
		d.log.Error("session: cannot acknowledge the virtual terminal", "vt", d.state.VT, "err", err)
	}
	if d.active {
		return
	}
	d.eachDRM(drmSetMaster, "set DRM master")
	d.active = true
	d.log.Info("session: virtual terminal acquired", "vt", d.state.VT)
	if d.h != nil {
		d.h.Enable()
	}
}

// eachDRM runs a master ioctl on every DRM device, logging failures.
func (d *direct) eachDRM(req uintptr, what string) {
	for _, dev := range d.devices {
		if dev.drm < 0 {
			continue
		}
		if err := ioctlVal(dev.drm, req, 0); err != nil {
			d.log.Warn("session: "+what, "device", dev.path, "err", err)
		}
	}
}

// Close implements Session: the terminal is restored.
func (d *direct) Close() error {
	if d == nil || d.closed {
		return nil
	}
	d.closed = true
	var errs []error
	for id := range d.devices {
		errs = append(errs, d.CloseDevice(id))
	}
	errs = append(errs, RestoreTerminal(d.tty, d.state))
	// VT_AUTO is set: the thread that set VT_PROCESS may end now.
	d.thread.stop()
	if d.stopSignals != nil {
		d.stopSignals()
	}
	errs = append(errs, unix.Close(d.tty))
	if err := errors.Join(errs...); err != nil {
		return err
	}
	d.log.Info("session: virtual terminal restored", "vt", d.state.VT)
	return nil
}

var _ Session = (*direct)(nil)
