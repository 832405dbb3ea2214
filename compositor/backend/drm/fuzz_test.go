package drm

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// printableASCII reports whether s is printable ASCII only.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// FuzzParseEDID: any bytes a connector's EDID blob may hold give either
// no answer or a make of three capital letters and a model and serial
// that are printable ASCII (they go out in wl_output strings). Seeds in
// testdata/fuzz/FuzzParseEDID.
func FuzzParseEDID(f *testing.F) {
	f.Add(testEDID(byte(0xfc), "QEMU Monitor", byte(0xff), "SN123"))
	f.Add(testEDID())
	f.Fuzz(func(t *testing.T, b []byte) {
		info, ok := parseEDID(b)
		if !ok {
			if info != (edidInfo{}) {
				t.Fatalf("parseEDID refused %x but returned %+v", b, info)
			}
			return
		}
		if len(info.make) != 3 || strings.Trim(info.make, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			t.Errorf("make %q; want three capital letters", info.make)
		}
		if !printableASCII(info.model) || !printableASCII(info.serial) {
			t.Errorf("model %q, serial %q: not printable ASCII", info.model, info.serial)
		}
	})
}

// FuzzDRMHotplug: any datagram on the uevent socket is either not a DRM
// hotplug or a change event of the drm subsystem that says HOTPLUG=1.
// Seeds in testdata/fuzz/FuzzDRMHotplug.
func FuzzDRMHotplug(f *testing.F) {
	f.Add([]byte("change@/devices/pci0000:00/0000:00:02.0/drm/card0\x00ACTION=change\x00SUBSYSTEM=drm\x00HOTPLUG=1\x00MAJOR=226\x00MINOR=0\x00"))
	f.Add([]byte("libudev\x00\xfe\xed\xca\xfe"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		if _, ok := drmHotplug(msg); !ok {
			return
		}
		fields := bytes.Split(msg, []byte{0})
		if !bytes.HasPrefix(msg, []byte("change@")) || !containsField(fields, "SUBSYSTEM=drm") || !containsField(fields, "HOTPLUG=1") {
			t.Errorf("%q taken for a DRM hotplug", msg)
		}
	})
}

func containsField(fields [][]byte, f string) bool {
	for _, x := range fields {
		if string(x) == f {
			return true
		}
	}
	return false
}

// FuzzParseEvents: any read of the card splits into events without
// reading past the bytes read; each flip handed on is one whole 32-byte
// flip event that the bytes hold. Seeds in testdata/fuzz/FuzzParseEvents.
func FuzzParseEvents(f *testing.F) {
	flip := func(userData uint64, sec, usec, seq, crtc uint32) []byte {
		b := binary.NativeEndian.AppendUint32(nil, eventFlipComplete)
		b = binary.NativeEndian.AppendUint32(b, flipEventSize)
		b = binary.NativeEndian.AppendUint64(b, userData)
		for _, v := range []uint32{sec, usec, seq, crtc} {
			b = binary.NativeEndian.AppendUint32(b, v)
		}
		return b
	}
	f.Add(flip(7, 12, 345, 0, 31))
	f.Add(append(flip(1, 0, 0, 0, 31), flip(2, 0, 16000, 1, 32)...))
	f.Add([]byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		n := 0
		parseEvents(b, func(e flipEvent) {
			n++
			if n*flipEventSize > len(b) {
				t.Fatalf("%d flips from %d bytes", n, len(b))
			}
		})
	})
}
