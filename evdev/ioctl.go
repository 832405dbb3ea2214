package evdev

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// evdev ioctl requests (x86/arm64 encoding: dir<<30 | size<<16 | 'E'<<8 | nr;
// golang.org/x/sys has no EVIOC* constants).
const (
	iocRead  = 2
	iocWrite = 1

	eviocGVersion = 0x80044501
	eviocGID      = 0x80084502
	eviocGRab     = 0x40044590
	eviocRevoke   = 0x40044591
	eviocSClockID = 0x400445a0

	nrGName    = 0x06
	nrGPhys    = 0x07
	nrGUniq    = 0x08
	nrGProp    = 0x09
	nrGMTSlots = 0x0a
	nrGKey     = 0x18
	nrGLED     = 0x19
	nrGSW      = 0x1b
	nrGBit     = 0x20 // + event type
	nrGAbs     = 0x40 // + axis
)

// eviocRead returns the request number of a variable-length read ioctl.
func eviocRead(nr, size uintptr) uintptr {
	return iocRead<<30 | size<<16 | 'E'<<8 | nr
}

// ioctlPtr issues a pointer-argument ioctl, retrying on EINTR.
func ioctlPtr(fd int, req uintptr, p unsafe.Pointer) error {
	for {
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, uintptr(p))
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return errno
		}
		return nil
	}
}

// ioctlVal issues an ioctl that takes its argument by value.
func ioctlVal(fd int, req, v uintptr) error {
	for {
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, v)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return errno
		}
		return nil
	}
}

// ioctlBytes fills b with a variable-length read ioctl nr.
func ioctlBytes(fd int, nr uintptr, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return ioctlPtr(fd, eviocRead(nr, uintptr(len(b))), unsafe.Pointer(&b[0]))
}

// ioctlString reads a NUL-terminated string ioctl (name, phys, uniq).
func ioctlString(fd int, nr uintptr) (string, error) {
	var b [256]byte
	if err := ioctlBytes(fd, nr, b[:]); err != nil {
		return "", err
	}
	n := 0
	for n < len(b) && b[n] != 0 {
		n++
	}
	return string(b[:n]), nil
}

// AbsInfo is struct input_absinfo: the range and current value of an axis.
type AbsInfo struct {
	Value, Minimum, Maximum, Fuzz, Flat, Resolution int32
}

// ioctlMTSlots reads the values of multitouch axis code in every slot
// (EVIOCGMTSLOTS): buf[0] is the code on the way in, buf[1:] the slots'
// values on the way out.
func ioctlMTSlots(fd int, code uint16, buf []int32) error {
	buf[0] = int32(code)
	return ioctlPtr(fd, eviocRead(nrGMTSlots, uintptr(4*len(buf))), unsafe.Pointer(&buf[0]))
}

func ioctlAbs(fd int, axis uint16, ai *AbsInfo) error {
	return ioctlPtr(fd, eviocRead(nrGAbs+uintptr(axis), unsafe.Sizeof(*ai)), unsafe.Pointer(ai))
}
