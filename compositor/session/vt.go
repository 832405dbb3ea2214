package session

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Console ioctls and values of linux/kd.h and linux/vt.h (x/sys/unix has
// none of them).
const (
	kdSetMode = 0x4b3a
	kdGetMode = 0x4b3b
	kdText    = 0
	kdGraphic = 1

	kdGetKbMode = 0x4b44
	kdSetKbMode = 0x4b45
	kbOff       = 4

	vtGetMode    = 0x5601
	vtSetMode    = 0x5602
	vtGetState   = 0x5603
	vtRelDisp    = 0x5605
	vtActivate   = 0x5606
	vtWaitActive = 0x5607

	vtAuto    = 0
	vtProcess = 1
	vtAckAcq  = 2

	// ttyMajor is the major number of /dev/tty0../dev/tty63.
	ttyMajor = 4
	// maxVT is the highest virtual terminal number.
	maxVT = 63
)

// vtMode is struct vt_mode.
type vtMode struct {
	Mode   uint8
	Waitv  uint8
	Relsig int16
	Acqsig int16
	Frsig  int16
}

// vtStat is struct vt_stat.
type vtStat struct {
	Active, Signal, State uint16
}

// DRM master ioctls (_IO('d', 0x1e) and _IO('d', 0x1f)): the direct
// session hands the master role of the DRM devices it opened over on VT
// switches.
const (
	drmSetMaster  = 0x641e
	drmDropMaster = 0x641f
	drmMajor      = 226
)

// ioctlPtr runs an ioctl whose argument is a pointer to a struct.
func ioctlPtr(fd int, req uintptr, arg unsafe.Pointer) error {
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, uintptr(arg))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return e
		}
		return nil
	}
}

// ioctlVal runs an ioctl whose argument is a value.
func ioctlVal(fd int, req, v uintptr) error {
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, v)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return e
		}
		return nil
	}
}

// ioctlInt runs an ioctl that writes an int.
func ioctlInt(fd int, req uintptr) (int, error) {
	var v int32
	err := ioctlPtr(fd, req, unsafe.Pointer(&v))
	return int(v), err
}

// CurrentVT returns the number of the virtual terminal on standard input
// if it is one, else the active virtual terminal.
func CurrentVT() (int, error) {
	var st unix.Stat_t
	if unix.Fstat(0, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFCHR &&
		unix.Major(uint64(st.Rdev)) == ttyMajor {
		if n := int(unix.Minor(uint64(st.Rdev))); n >= 1 && n <= maxVT {
			return n, nil
		}
	}
	fd, err := unix.Open("/dev/tty0", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("session: no virtual terminal: open /dev/tty0: %w", err)
	}
	defer unix.Close(fd)
	var vs vtStat
	if err := ioctlPtr(fd, vtGetState, unsafe.Pointer(&vs)); err != nil {
		return 0, fmt.Errorf("session: read the active virtual terminal: %w", err)
	}
	return int(vs.Active), nil
}

// openVT opens /dev/ttyN for the console ioctls.
func openVT(n int) (int, error) {
	if n < 1 || n > maxVT {
		return -1, fmt.Errorf("session: virtual terminal %d: want 1..%d", n, maxVT)
	}
	fd, err := unix.Open(fmt.Sprintf("/dev/tty%d", n), unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("session: open virtual terminal %d: %w", n, err)
	}
	return fd, nil
}

// TerminalState is what a virtual terminal is put back to when the
// compositor leaves it: text mode, the keyboard mode it had, automatic
// switching.
type TerminalState struct {
	VT     int
	KbMode int
}

// SaveTerminal opens virtual terminal n and reads the state to restore;
// it fails when the terminal is not in text mode (another display server
// runs there). The fd stays open for RestoreTerminal.
func SaveTerminal(n int) (fd int, st TerminalState, err error) {
	fd, err = openVT(n)
	if err != nil {
		return -1, TerminalState{}, err
	}
	mode, err := ioctlInt(fd, kdGetMode)
	if err != nil {
		unix.Close(fd)
		return -1, TerminalState{}, fmt.Errorf("session: read the mode of virtual terminal %d: %w", n, err)
	}
	if mode != kdText {
		unix.Close(fd)
		return -1, TerminalState{}, fmt.Errorf("session: virtual terminal %d is in graphics mode, not text mode: another display server runs there", n)
	}
	kb, err := ioctlInt(fd, kdGetKbMode)
	if err != nil {
		unix.Close(fd)
		return -1, TerminalState{}, fmt.Errorf("session: read the keyboard mode of virtual terminal %d: %w", n, err)
	}
	if kb == kbOff {
		// A compositor that crashed without a supervisor left it so;
		// give the user a working keyboard back at least.
		kb = 3 // K_UNICODE
	}
	return fd, TerminalState{VT: n, KbMode: kb}, nil
}

// RestoreTerminal puts the virtual terminal open on fd back: the saved
// keyboard mode, text mode, automatic switching. Every step is tried; the
// first error is returned.
func RestoreTerminal(fd int, st TerminalState) error {
	var first error
	note := func(what string, err error) {
		if err != nil && first == nil {
			first = fmt.Errorf("session: restore virtual terminal %d: %s: %w", st.VT, what, err)
		}
	}
	note("keyboard mode", ioctlVal(fd, kdSetKbMode, uintptr(st.KbMode)))
	note("text mode", ioctlVal(fd, kdSetMode, kdText))
	mode := vtMode{Mode: vtAuto}
	note("automatic switching", ioctlPtr(fd, vtSetMode, unsafe.Pointer(&mode)))
	return first
}

// lockedThread runs functions on one OS thread that stays alive until
// stop. The kernel remembers the thread that called VT_SETMODE and sends
// the switch signals to its process only while that thread lives; when it
// exits, the terminal falls back to text mode at the next switch. Go
// threads are otherwise anonymous and may exit with a locked goroutine.
type lockedThread struct {
	work chan func()
	done chan struct{}
}

// startLockedThread starts the thread.
func startLockedThread() *lockedThread {
	t := &lockedThread{work: make(chan func()), done: make(chan struct{})}
	go t.run()
	return t
}

// run serves work until stop, locked to its thread all along; after stop
// the thread ends with the goroutine (VT_AUTO is set by then).
func (t *lockedThread) run() {
	runtime.LockOSThread()
	defer close(t.done)
	for fn := range t.work {
		fn()
	}
}

// do runs fn on the thread and returns its error.
func (t *lockedThread) do(fn func() error) error {
	ch := make(chan error, 1)
	t.work <- func() { ch <- fn() }
	return <-ch
}

// stop ends the thread. Idempotent.
func (t *lockedThread) stop() {
	if t == nil || t.work == nil {
		return
	}
	close(t.work)
	<-t.done
	t.work = nil
}
