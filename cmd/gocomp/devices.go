package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"gocomp/evdev"
)

// runDevices lists every input device, one per line:
//
//	/dev/input/event3  "QEMU Virtio Keyboard"  0006:0627:0001  keyboard key
//
// path, name, bus:vendor:product and the udev-style classes, then the
// device's input properties if it has any (INPUT_PROP_DIRECT, ...).
func runDevices(args []string) int {
	fs := flag.NewFlagSet("gocomp devices", flag.ContinueOnError)
	sysfs := fs.String("sysfs", evdev.DefaultSysfs, "sysfs mount point")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := listDevices(os.Stdout, os.Stderr, *sysfs); err != nil {
		fmt.Fprintln(os.Stderr, "gocomp devices:", err)
		return 1
	}
	return 0
}

// listDevices writes one line per device to w and the devices it could not
// open to errw. It fails when no device could be listed.
func listDevices(w, errw io.Writer, sysfs string) error {
	nodes, err := evdev.Scan(sysfs)
	if err != nil {
		return err
	}
	if len(nodes) == 0 {
		return errNoInputDevices
	}
	listed := 0
	var openErr error
	for _, n := range nodes {
		dev, err := evdev.Open(n.Path, evdev.Options{})
		if err != nil {
			if errors.Is(err, evdev.ErrRemoved) {
				continue
			}
			fmt.Fprintln(errw, "gocomp devices:", err)
			openErr = firstErr(openErr, err)
			continue
		}
		fmt.Fprintf(w, "%s  %s  %s  %s%s\n", dev.Path, strconv.Quote(dev.Name), dev.ID, dev.Class, props(&dev.Caps))
		dev.Close()
		listed++
	}
	if listed == 0 {
		if openErr != nil {
			return openErr
		}
		return errNoInputDevices
	}
	return nil
}

// props lists the input properties of a device ("  INPUT_PROP_DIRECT"),
// or "" when it has none.
func props(c *evdev.Capabilities) string {
	var out string
	for p := uint16(0); p < 8*uint16(len(c.Props)); p++ {
		if c.HasProp(p) {
			out += "  " + evdev.PropName(p)
		}
	}
	return out
}

// errNoInputDevices names the usual causes when nothing is found.
var errNoInputDevices = errors.New("no input devices found in /sys/class/input (is the evdev module loaded? run as root or join the input group)")

// firstErr returns a if it is set, else b.
func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
