// Command uinputtouch creates a multitouch (protocol B) touchscreen with
// /dev/uinput and plays gestures on it, for the guest tests: QEMU 7.2 has
// no touch device.
//
//	uinputtouch NAME GESTURE1 GESTURE2
//
// It prints "ready" once the device exists. SIGUSR1 plays GESTURE1 and
// prints "played 1", SIGUSR2 plays GESTURE2 ("played 2"), SIGTERM
// destroys the device (fingers still down are gone with it) and exits. A
// gesture is a list of steps separated by ';':
//
//	d SLOT ID X Y   finger ID goes down in SLOT at X Y
//	m SLOT X Y      the finger in SLOT moves
//	u SLOT          it lifts
//	s               end of frame (SYN_REPORT)
//
// Positions run 0..4095 on both axes; slots 0..9.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"gocomp/evdev"

	"golang.org/x/sys/unix"
)

// uinput ioctls (linux/uinput.h; 'U' encoding as evdev's).
const (
	uiDevCreate  = 0x5501
	uiDevDestroy = 0x5502
	uiDevSetup   = 0x405c5503 // struct uinput_setup, 92 bytes
	uiAbsSetup   = 0x401c5504 // struct uinput_abs_setup, 28 bytes
	uiSetEvBit   = 0x40045564
	uiSetKeyBit  = 0x40045565
	uiSetAbsBit  = 0x40045567
	uiSetPropBit = 0x4004556e
)

const (
	maxPos   = 4095
	numSlots = 10
)

// uinputSetup is struct uinput_setup.
type uinputSetup struct {
	id           [4]uint16 // bustype, vendor, product, version
	name         [80]byte
	ffEffectsMax uint32
}

// uinputAbsSetup is struct uinput_abs_setup.
type uinputAbsSetup struct {
	code uint16
	_    uint16
	info evdev.AbsInfo
}

func ioctl(fd int, req uintptr, arg uintptr) error {
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, arg); e != 0 {
		return e
	}
	return nil
}

func create(name string) (int, error) {
	fd, err := unix.Open("/dev/uinput", unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open /dev/uinput: %w", err)
	}
	steps := []struct {
		req, arg uintptr
	}{
		{uiSetEvBit, uintptr(evdev.EvKey)}, {uiSetEvBit, uintptr(evdev.EvAbs)}, {uiSetEvBit, uintptr(evdev.EvSyn)},
		{uiSetKeyBit, uintptr(evdev.BtnTouch)}, {uiSetPropBit, uintptr(evdev.PropDirect)},
	}
	for _, code := range []uint16{evdev.AbsX, evdev.AbsY, evdev.AbsMTSlot, evdev.AbsMTTrackingID, evdev.AbsMTPositionX, evdev.AbsMTPositionY} {
		steps = append(steps, struct{ req, arg uintptr }{uiSetAbsBit, uintptr(code)})
	}
	for _, s := range steps {
		if err := ioctl(fd, s.req, s.arg); err != nil {
			return -1, fmt.Errorf("uinput setup %#x %d: %w", s.req, s.arg, err)
		}
	}
	for code, max := range map[uint16]int32{evdev.AbsX: maxPos, evdev.AbsY: maxPos, evdev.AbsMTSlot: numSlots - 1,
		evdev.AbsMTTrackingID: 65535, evdev.AbsMTPositionX: maxPos, evdev.AbsMTPositionY: maxPos} {
		a := uinputAbsSetup{code: code, info: evdev.AbsInfo{Maximum: max}}
		if err := ioctl(fd, uiAbsSetup, uintptr(unsafe.Pointer(&a))); err != nil {
			return -1, fmt.Errorf("uinput abs setup %d: %w", code, err)
		}
	}
	setup := uinputSetup{id: [4]uint16{0x06, 0x1234, 0x5678, 1}}
	copy(setup.name[:], name)
	if err := ioctl(fd, uiDevSetup, uintptr(unsafe.Pointer(&setup))); err != nil {
		return -1, fmt.Errorf("uinput dev setup: %w", err)
	}
	if err := ioctl(fd, uiDevCreate, 0); err != nil {
		return -1, fmt.Errorf("uinput create: %w", err)
	}
	return fd, nil
}

// play writes a gesture to the device.
func play(fd int, gesture string) error {
	var buf []byte
	put := func(t evdev.Type, code uint16, v int32) {
		var b [evdev.EventSize]byte
		evdev.PutEvent(b[:], evdev.Event{Type: t, Code: code, Value: v})
		buf = append(buf, b[:]...)
	}
	touching := 0
	for _, step := range strings.Split(gesture, ";") {
		f := strings.Fields(step)
		if len(f) == 0 {
			continue
		}
		n := make([]int32, len(f)-1)
		for i, s := range f[1:] {
			v, err := strconv.Atoi(s)
			if err != nil {
				return fmt.Errorf("step %q: %w", step, err)
			}
			n[i] = int32(v)
		}
		switch {
		case f[0] == "d" && len(n) == 4:
			put(evdev.EvAbs, evdev.AbsMTSlot, n[0])
			put(evdev.EvAbs, evdev.AbsMTTrackingID, n[1])
			put(evdev.EvAbs, evdev.AbsMTPositionX, n[2])
			put(evdev.EvAbs, evdev.AbsMTPositionY, n[3])
			if touching == 0 {
				put(evdev.EvKey, evdev.BtnTouch, 1)
			}
			touching++
		case f[0] == "m" && len(n) == 3:
			put(evdev.EvAbs, evdev.AbsMTSlot, n[0])
			put(evdev.EvAbs, evdev.AbsMTPositionX, n[1])
			put(evdev.EvAbs, evdev.AbsMTPositionY, n[2])
		case f[0] == "u" && len(n) == 1:
			put(evdev.EvAbs, evdev.AbsMTSlot, n[0])
			put(evdev.EvAbs, evdev.AbsMTTrackingID, -1)
			if touching--; touching == 0 {
				put(evdev.EvKey, evdev.BtnTouch, 0)
			}
		case f[0] == "s" && len(n) == 0:
			put(evdev.EvSyn, evdev.SynReport, 0)
		default:
			return fmt.Errorf("bad step %q", step)
		}
	}
	_, err := unix.Write(fd, buf)
	return err
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: uinputtouch NAME GESTURE1 GESTURE2")
		os.Exit(2)
	}
	fd, err := create(os.Args[1])
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGTERM)
	fmt.Println("ready")
	for sig := range sigs {
		switch sig {
		case syscall.SIGUSR1, syscall.SIGUSR2:
			n := 1
			if sig == syscall.SIGUSR2 {
				n = 2
			}
			if err := play(fd, os.Args[1+n]); err != nil {
				fmt.Println("error:", err)
				os.Exit(1)
			}
			fmt.Println("played", n)
		default:
			ioctl(fd, uiDevDestroy, 0)
			unix.Close(fd)
			fmt.Println("destroyed")
			return
		}
	}
}
