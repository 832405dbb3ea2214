package evdev

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// parseSysfsBitmap parses a bitmap as sysfs prints it: hex words of 64
// bits, most significant first, leading zero words left out.
func parseSysfsBitmap(s string, dst []byte) error {
	words := strings.Fields(s)
	for i, w := range words {
		v, err := strconv.ParseUint(w, 16, 64)
		if err != nil {
			return err
		}
		word := len(words) - 1 - i
		for b := 0; b < 64; b++ {
			if v&(1<<b) != 0 {
				setBit(dst, uint16(word*64+b), true)
			}
		}
	}
	return nil
}

// loadCaps reads a testdata/caps file (see evdev/internal/recordcaps).
func loadCaps(t *testing.T, path string) Capabilities {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var c Capabilities
	fields := map[string][]byte{
		"ev": c.Types[:], "key": c.Keys[:], "rel": c.Rel[:], "abs": c.Abs[:], "msc": c.Msc[:],
		"sw": c.Switches[:], "led": c.LEDs[:], "properties": c.Props[:],
	}
	seen := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ": ")
		if dst, known := fields[k]; ok && known {
			if err := parseSysfsBitmap(v, dst); err != nil {
				t.Fatalf("%s: %s: %v", path, k, err)
			}
			seen++
		}
	}
	if seen != len(fields) {
		t.Fatalf("%s: %d of %d bitmaps", path, seen, len(fields))
	}
	return c
}

// TestClassifyRecorded classifies capability sets recorded from real
// (qemu-emulated) devices in the guest, plus hand-written sets for device
// kinds qemu cannot emulate. Expected classes follow udev's input_id.
func TestClassifyRecorded(t *testing.T) {
	want := map[string]string{
		"at-translated-set-2-keyboard.txt":    "keyboard key",
		"qemu-virtio-keyboard.txt":            "keyboard key",
		"qemu-qemu-usb-keyboard.txt":          "keyboard key",
		"qemu-virtio-mouse.txt":               "pointer",
		"qemu-virtio-tablet.txt":              "pointer",
		"qemu-qemu-usb-mouse.txt":             "pointer",
		"qemu-qemu-usb-tablet.txt":            "pointer",
		"imexps-2-generic-explorer-mouse.txt": "pointer",
		"power-button.txt":                    "key",
		"pc-speaker.txt":                      "other",
		"handwritten-touchpad.txt":            "touchpad",
		"handwritten-touchscreen.txt":         "touchscreen",
		"handwritten-lid-switch.txt":          "switch",
		"handwritten-pen-tablet.txt":          "tablet",
	}
	files, _ := filepath.Glob("testdata/caps/*.txt")
	for _, f := range files {
		if _, ok := want[filepath.Base(f)]; !ok {
			t.Errorf("%s has no expected class in this table", f)
		}
	}
	for file, class := range want {
		c := loadCaps(t, filepath.Join("testdata/caps", file))
		if got := c.Classify().String(); got != class {
			t.Errorf("Classify(%s) = %q; want %q", file, got, class)
		}
	}
}

func TestClassifyKeyboardNeedsEscToD(t *testing.T) {
	var c Capabilities
	for code := KeyEsc; code <= KeyD; code++ {
		c.Set(EvKey, code)
	}
	if got := c.Classify(); got != ClassKeyboard|ClassKey {
		t.Errorf("Classify(KEY_ESC..KEY_D) = %v; want keyboard key", got)
	}
	c.Keys[2] &^= 1 << 1 // drop KEY_W (17)
	if got := c.Classify(); got != ClassKey {
		t.Errorf("Classify(without KEY_W) = %v; want key", got)
	}
}
