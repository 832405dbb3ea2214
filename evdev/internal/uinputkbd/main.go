// Command uinputkbd creates keyboards with /dev/uinput and types on them
// as told, for the guest torture test: several keyboards whose keys the
// test controls exactly (QEMU sends every key to one keyboard).
//
//	uinputkbd FIFO
//
// It reads commands, one per line, from the named pipe FIFO (any number of
// writers, one after the other) and prints "ok LINE" once a command is
// done:
//
//	create K          a keyboard "torture kbd K" appears
//	destroy K         it is unplugged (keys it holds are released by the kernel)
//	down K CODE       evdev key CODE goes down on keyboard K (one frame)
//	up K CODE         it goes up
//	burst K N SEED    N random taps, some with Shift or Ctrl held around
//	                  them, from a seeded sequence, a millisecond apart (a
//	                  fast typist); every key is up after it
//	flood K N SEED    the same without pauses: the kernel's buffer
//	                  overflows unless the reader keeps up
//
// Codes of bursts: letters, digits, space, Shift_L, Ctrl_L.
package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"gocomp/evdev"

	"golang.org/x/sys/unix"
)

// uinput ioctls (linux/uinput.h).
const (
	uiDevCreate  = 0x5501
	uiDevDestroy = 0x5502
	uiDevSetup   = 0x405c5503 // struct uinput_setup, 92 bytes
	uiSetEvBit   = 0x40045564
	uiSetKeyBit  = 0x40045565
)

type uinputSetup struct {
	id           [4]uint16
	name         [80]byte
	ffEffectsMax uint32
}

func ioctl(fd int, req, arg uintptr) error {
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, arg); e != 0 {
		return e
	}
	return nil
}

// create makes a keyboard with every key of the first 256 codes.
func create(k int) (int, error) {
	fd, err := unix.Open("/dev/uinput", unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open /dev/uinput: %w", err)
	}
	if err := ioctl(fd, uiSetEvBit, uintptr(evdev.EvKey)); err != nil {
		return -1, err
	}
	for code := uintptr(1); code < 256; code++ {
		if err := ioctl(fd, uiSetKeyBit, code); err != nil {
			return -1, err
		}
	}
	setup := uinputSetup{id: [4]uint16{0x06, 0x1234, 0x1000 + uint16(k), 1}}
	copy(setup.name[:], fmt.Sprintf("torture kbd %d", k))
	if err := ioctl(fd, uiDevSetup, uintptr(unsafe.Pointer(&setup))); err != nil {
		return -1, err
	}
	if err := ioctl(fd, uiDevCreate, 0); err != nil {
		return -1, err
	}
	return fd, nil
}

// key writes one frame: code going down or up.
func key(fd int, code uint16, down bool) error {
	var b [2 * evdev.EventSize]byte
	v := int32(0)
	if down {
		v = 1
	}
	evdev.PutEvent(b[:], evdev.Event{Type: evdev.EvKey, Code: code, Value: v})
	evdev.PutEvent(b[evdev.EventSize:], evdev.Event{Type: evdev.EvSyn, Code: evdev.SynReport})
	_, err := unix.Write(fd, b[:])
	return err
}

// burstKeys are the keys random taps use: a..z, 1..0, space.
var burstKeys = []uint16{
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 30, 31, 32, 33, 34, 35, 36, 37, 38, 44, 45, 46, 47, 48, 49, 50,
	2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 57,
}

const (
	keyLeftShift = 42
	keyLeftCtrl  = 29
)

// burst types n random taps on fd, pause apart; some come with Shift or
// Ctrl held.
func burst(fd int, n int, seed uint64, pause time.Duration) error {
	rng := rand.New(rand.NewPCG(seed, 0x70))
	for i := 0; i < n; i++ {
		var mod uint16
		switch rng.IntN(6) {
		case 0:
			mod = keyLeftShift
		case 1:
			mod = keyLeftCtrl
		}
		if mod != 0 {
			if err := key(fd, mod, true); err != nil {
				return err
			}
		}
		k := burstKeys[rng.IntN(len(burstKeys))]
		if err := key(fd, k, true); err != nil {
			return err
		}
		if err := key(fd, k, false); err != nil {
			return err
		}
		if mod != 0 {
			if err := key(fd, mod, false); err != nil {
				return err
			}
		}
		if pause > 0 {
			time.Sleep(pause)
		}
	}
	return nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: uinputkbd FIFO")
		os.Exit(2)
	}
	kbds := map[int]int{}
	fmt.Println("ready")
	// Opened for reading and writing, the FIFO never reaches end of file:
	// reopening it after each writer would lose a line written between the
	// end of file and the close.
	f, err := os.OpenFile(os.Args[1], os.O_RDWR, 0)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if err := run(kbds, strings.Fields(line)); err != nil {
			fmt.Printf("error %s: %v\n", line, err)
			continue
		}
		fmt.Println("ok", line)
	}
	fmt.Println("error:", sc.Err())
	os.Exit(1)
}

// run carries out one command.
func run(kbds map[int]int, f []string) error {
	n := make([]int, len(f)-1)
	for i, s := range f[1:] {
		v, err := strconv.Atoi(s)
		if err != nil {
			return err
		}
		n[i] = v
	}
	if len(n) == 0 {
		return fmt.Errorf("no keyboard named")
	}
	fd, exists := kbds[n[0]]
	switch {
	case f[0] == "create" && len(n) == 1:
		if exists {
			return fmt.Errorf("keyboard %d exists", n[0])
		}
		fd, err := create(n[0])
		if err != nil {
			return err
		}
		kbds[n[0]] = fd
		return nil
	case !exists:
		return fmt.Errorf("no keyboard %d", n[0])
	case f[0] == "destroy" && len(n) == 1:
		delete(kbds, n[0])
		ioctl(fd, uiDevDestroy, 0)
		return unix.Close(fd)
	case f[0] == "down" && len(n) == 2, f[0] == "up" && len(n) == 2:
		return key(fd, uint16(n[1]), f[0] == "down")
	case f[0] == "burst" && len(n) == 3:
		return burst(fd, n[1], uint64(n[2]), time.Millisecond)
	case f[0] == "flood" && len(n) == 3:
		return burst(fd, n[1], uint64(n[2]), 0)
	}
	return fmt.Errorf("bad command %q", strings.Join(f, " "))
}
