package evdevinput

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"gocomp/evdev"

	"golang.org/x/sys/unix"
)

// udevDataDir is where udevd keeps the properties of devices, one file per
// device node named c<major>:<minor>.
const udevDataDir = "/run/udev/data"

// calibrationProperty is the udev property holding a touch device's
// calibration matrix (set by hwdb or local rules).
const calibrationProperty = "LIBINPUT_CALIBRATION_MATRIX"

// calibration returns the calibration matrix udev recorded for the
// device at dev.Path, or nil when there is none (no udevd, no property);
// a malformed one is logged and ignored.
func calibration(dev *evdev.Device, log *slog.Logger) *[6]float64 {
	v := udevProperty(dev.Path, calibrationProperty)
	if v == "" {
		return nil
	}
	m, err := parseMatrix(v)
	if err != nil {
		log.Warn("evdev: ignoring the device's calibration", "path", dev.Path, "err", err)
		return nil
	}
	return m
}

// udevProperty returns the value of property key that udev recorded for
// the device node at path, or "".
func udevProperty(path, key string) string {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR {
		return ""
	}
	data, err := os.ReadFile(fmt.Sprintf("%s/c%d:%d", udevDataDir, unix.Major(uint64(st.Rdev)), unix.Minor(uint64(st.Rdev))))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "E:"+key+"="); ok {
			return v
		}
	}
	return ""
}

// parseMatrix parses six numbers separated by spaces.
func parseMatrix(s string) (*[6]float64, error) {
	f := strings.Fields(s)
	if len(f) != 6 {
		return nil, fmt.Errorf("calibration %q: want 6 numbers", s)
	}
	var m [6]float64
	for i, x := range f {
		v, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return nil, fmt.Errorf("calibration %q: %w", s, err)
		}
		m[i] = v
	}
	return &m, nil
}
