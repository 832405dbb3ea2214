// Command guesttool runs inside the qemu guest of the DRM tests: small
// probes and helpers busybox does not have.
//
//	guesttool vtstate N             print the mode and keyboard mode of /dev/ttyN and the active VT
//	guesttool runas UID GID CMD...  run CMD as that user and group (no supplementary groups)
//	guesttool holdmaster CARD       open CARD, become its DRM master, print "master" and wait
//	guesttool kdmode N M            set the mode of /dev/ttyN: 0 text, 1 graphics
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Console and DRM ioctls (linux/kd.h, linux/vt.h, drm.h).
const (
	kdSetMode   = 0x4b3a
	kdGetMode   = 0x4b3b
	kdGetKbMode = 0x4b44
	vtGetState  = 0x5603
	drmSetMast  = 0x641e
)

func main() {
	if len(os.Args) < 3 {
		fail("usage: guesttool vtstate N | runas UID GID CMD... | holdmaster CARD")
	}
	switch os.Args[1] {
	case "vtstate":
		vtState(os.Args[2])
	case "runas":
		runAs(os.Args[2:])
	case "holdmaster":
		holdMaster(os.Args[2])
	case "kdmode":
		if len(os.Args) != 4 {
			fail("kdmode N M")
		}
		kdMode(os.Args[2], os.Args[3])
	default:
		fail("unknown command " + os.Args[1])
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "guesttool:", msg)
	os.Exit(2)
}

// vtState prints "mode=M kbmode=K active=A" for /dev/ttyN.
func vtState(n string) {
	fd, err := unix.Open("/dev/tty"+n, unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		fail(err.Error())
	}
	var mode, kb int32
	var st [3]uint16
	for _, q := range []struct {
		req uintptr
		p   unsafe.Pointer
	}{{kdGetMode, unsafe.Pointer(&mode)}, {kdGetKbMode, unsafe.Pointer(&kb)}, {vtGetState, unsafe.Pointer(&st)}} {
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), q.req, uintptr(q.p)); e != 0 {
			fail(e.Error())
		}
	}
	fmt.Printf("mode=%d kbmode=%d active=%d\n", mode, kb, st[0])
}

// kdMode sets the console mode of /dev/ttyN.
func kdMode(n, m string) {
	mode, err := strconv.Atoi(m)
	if err != nil {
		fail("bad mode " + m)
	}
	fd, err := unix.Open("/dev/tty"+n, unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		fail(err.Error())
	}
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), kdSetMode, uintptr(mode)); e != 0 {
		fail(e.Error())
	}
}

// runAs drops to uid:gid and executes the command.
func runAs(args []string) {
	if len(args) < 3 {
		fail("runas UID GID CMD...")
	}
	uid, err1 := strconv.Atoi(args[0])
	gid, err2 := strconv.Atoi(args[1])
	if err1 != nil || err2 != nil {
		fail("bad uid or gid")
	}
	path, err := exec.LookPath(args[2])
	if err != nil {
		fail(err.Error())
	}
	if err := syscall.Setgroups(nil); err != nil {
		fail(err.Error())
	}
	if err := syscall.Setgid(gid); err != nil {
		fail(err.Error())
	}
	if err := syscall.Setuid(uid); err != nil {
		fail(err.Error())
	}
	fail(syscall.Exec(path, args[2:], os.Environ()).Error())
}

// holdMaster keeps a DRM card's master role until it is killed.
func holdMaster(card string) {
	fd, err := unix.Open(card, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		fail(err.Error())
	}
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), drmSetMast, 0); e != 0 {
		fail("set master: " + e.Error())
	}
	fmt.Println("master")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
}
