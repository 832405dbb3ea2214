// Command devcheck exercises the parts of evdev.Device that debug-events
// does not reach, against a real kernel in the test guest: LED writes read
// back through the kernel's state, and EVIOCREVOKE with a key held. It
// prints one line per fact; the guest test compares them.
//
//	devcheck "QEMU Virtio Keyboard"
//
// After printing "holding?" it waits for a key to be pressed on the device
// (the test holds one through QMP), then revokes its own fd.
package main

import (
	"fmt"
	"os"
	"time"

	"gocomp/evdev"

	"golang.org/x/sys/unix"
)

// frames prints every delivered event.
type frames struct{}

func (frames) HandleFrame(f *evdev.Frame) {
	for _, e := range f.Events {
		if e.Type != evdev.EvKey {
			continue
		}
		name, _ := evdev.CodeName(e.Type, e.Code)
		fmt.Printf("frame %s %s %d\n", f.Kind, name, e.Value)
	}
}

func main() {
	if err := run(os.Args[1]); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}

func run(name string) error {
	nodes, err := evdev.Scan(evdev.DefaultSysfs)
	if err != nil {
		return err
	}
	var dev *evdev.Device
	for _, n := range nodes {
		d, err := evdev.Open(n.Path, evdev.Options{Sink: frames{}, Writable: true})
		if err != nil {
			return err
		}
		if d.Name == name {
			dev = d
			break
		}
		d.Close()
	}
	if dev == nil {
		return fmt.Errorf("no device named %q", name)
	}
	const ledCapsL = 1
	for _, on := range []bool{true, false} {
		if err := dev.SetLED(ledCapsL, on); err != nil {
			return err
		}
		var s evdev.State
		if err := dev.QueryState(&s); err != nil {
			return err
		}
		fmt.Printf("LED_CAPSL set %v: kernel says %v\n", on, s.LEDs[0]&(1<<ledCapsL) != 0)
	}
	fmt.Println("holding?")
	deadline := time.Now().Add(30 * time.Second)
	for !dev.KeyDown(35) { // KEY_H
		if time.Now().After(deadline) {
			return fmt.Errorf("KEY_H never pressed")
		}
		fds := []unix.PollFd{{Fd: int32(dev.Fd()), Events: unix.POLLIN}}
		unix.Poll(fds, 100)
		if err := dev.Dispatch(); err != nil {
			return err
		}
	}
	if err := dev.Revoke(); err != nil {
		return err
	}
	fmt.Printf("revoked: Dispatch says %v\n", dev.Dispatch())
	return dev.Close()
}
