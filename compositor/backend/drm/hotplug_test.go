package drm

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestDRMHotplug(t *testing.T) {
	msg := func(fields ...string) []byte { return []byte(strings.Join(fields, "\x00") + "\x00") }
	for _, tc := range []struct {
		name   string
		msg    []byte
		devnum uint64
		ok     bool
	}{
		{"a connector changed", msg("change@/devices/pci0000:00/0000:00:05.0/drm/card0", "ACTION=change",
			"DEVPATH=/devices/pci0000:00/0000:00:05.0/drm/card0", "SUBSYSTEM=drm", "HOTPLUG=1", "DEVNAME=dri/card0",
			"DEVTYPE=drm_minor", "SEQNUM=2201", "MAJOR=226", "MINOR=0"), unix.Mkdev(226, 0), true},
		{"added, not changed", msg("add@/devices/x/drm/card1", "ACTION=add", "SUBSYSTEM=drm", "HOTPLUG=1", "MAJOR=226", "MINOR=1"), 0, false},
		{"not a hotplug", msg("change@/devices/x/drm/card0", "ACTION=change", "SUBSYSTEM=drm", "MAJOR=226", "MINOR=0"), 0, false},
		{"another subsystem", msg("change@/devices/x/input/input3", "ACTION=change", "SUBSYSTEM=input", "HOTPLUG=1", "MAJOR=13", "MINOR=64"), 0, false},
		{"udev's format", []byte("libudev\x00\xfe\xed\xca\xfe"), 0, false},
	} {
		devnum, ok := drmHotplug(tc.msg)
		if devnum != tc.devnum || ok != tc.ok {
			t.Errorf("%s: drmHotplug = %d, %v; want %d, %v", tc.name, devnum, ok, tc.devnum, tc.ok)
		}
	}
}
