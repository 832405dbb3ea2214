package drm

import (
	"bytes"
	"fmt"
	"strconv"

	"gocomp/compositor/loop"

	"golang.org/x/sys/unix"
)

// uevents is the kernel's uevent netlink socket, read in the event loop:
// a DRM "change" uevent with HOTPLUG=1 says a connector of a card changed
// (a screen plugged in or out, a virtual head enabled) and its connectors
// should be probed again. Kernel uevents (group 1) arrive whether udevd
// runs or not, to unprivileged readers too.
type uevents struct {
	fd  int
	src *loop.FDSource
	buf [8192]byte
}

// listenUevents opens the socket and calls changed with the device number
// of every DRM device the kernel reports a hotplug of; when uevents were
// lost (the socket overflowed) it calls changed with 0.
func listenUevents(l *loop.Loop, changed func(devnum uint64)) (*uevents, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_KOBJECT_UEVENT)
	if err != nil {
		return nil, fmt.Errorf("uevent socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: 1}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind uevent socket: %w", err)
	}
	u := &uevents{fd: fd}
	u.src, err = l.AddFD(fd, loop.Readable, func(loop.Events) {
		for {
			n, _, err := unix.Recvfrom(fd, u.buf[:], 0)
			if err == unix.EAGAIN {
				return
			}
			if err == unix.ENOBUFS {
				changed(0)
				continue
			}
			if err != nil {
				return
			}
			if devnum, ok := drmHotplug(u.buf[:n]); ok {
				changed(devnum)
			}
		}
	})
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("watch uevent socket: %w", err)
	}
	return u, nil
}

// close stops listening. Nil-safe, idempotent.
func (u *uevents) close() {
	if u == nil || u.fd < 0 {
		return
	}
	u.src.Remove()
	unix.Close(u.fd)
	u.fd = -1
}

// drmHotplug reads a kernel uevent ("ACTION@DEVPATH", then KEY=VALUE
// fields, NUL-separated) and reports the device number of a DRM device's
// hotplug change event.
func drmHotplug(msg []byte) (devnum uint64, ok bool) {
	fields := bytes.Split(msg, []byte{0})
	if len(fields) == 0 || !bytes.HasPrefix(fields[0], []byte("change@")) {
		return 0, false
	}
	env := map[string]string{}
	for _, f := range fields[1:] {
		if k, v, found := bytes.Cut(f, []byte("=")); found {
			env[string(k)] = string(v)
		}
	}
	if env["SUBSYSTEM"] != "drm" || env["HOTPLUG"] != "1" {
		return 0, false
	}
	major, err1 := strconv.ParseUint(env["MAJOR"], 10, 32)
	minor, err2 := strconv.ParseUint(env["MINOR"], 10, 32)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return unix.Mkdev(uint32(major), uint32(minor)), true
}
