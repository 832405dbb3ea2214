package seat

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"

	"gocomp/xkb/compile"
	"gocomp/xkb/includepath"
	"gocomp/xkb/rules"
	"gocomp/xkb/state"
)

// Default keyboard repeat: 25 keys per second after 600 ms.
const (
	DefaultRepeatRate  = 25
	DefaultRepeatDelay = 600
)

// Settings are the settings of the seat: keyboard, pointer, touch and
// cursor.
type Settings struct {
	// Names are the RMLVO names of the keymap; empty fields take the
	// XKB_DEFAULT_* variables, then evdev/pc105/us.
	Names rules.Names
	// RepeatRate is in keys per second (0: clients do not repeat);
	// RepeatDelay in milliseconds.
	RepeatRate, RepeatDelay int32
	// CapsLock says when Caps Lock unlocks: on release (classic XKB) or on
	// press.
	CapsLock state.CapsLockPolicy

	// PointerAccel and PointerSpeed ([-1, 1]) shape relative pointer
	// motion.
	PointerAccel AccelProfile
	PointerSpeed float64
	// NaturalScroll inverts scrolling; LeftHanded swaps the left and right
	// buttons; TapToClick makes a touchpad tap a click.
	NaturalScroll, LeftHanded, TapToClick bool
	// TouchOutput names the output absolute devices (touchscreens,
	// tablets) map to; "" is the first output.
	TouchOutput string
	// TouchCalibration, when set, is the calibration matrix of every
	// touch device, overriding the devices' own.
	TouchCalibration *[6]float64
	// HideCursor says when the cursor is hidden.
	HideCursor HideCursor
}

// settingNames are the keys of a config file, the same as the flag names.
var settingNames = []string{"xkb-rules", "xkb-model", "xkb-layout", "xkb-variant", "xkb-options",
	"repeat-rate", "repeat-delay", "caps-lock",
	"pointer-accel", "pointer-speed", "natural-scroll", "left-handed", "tap-to-click",
	"touch-output", "touch-calibration", "hide-cursor"}

// set applies one setting given as text.
func (s *Settings) set(name, value string) error {
	switch name {
	case "xkb-rules":
		s.Names.Rules = value
	case "xkb-model":
		s.Names.Model = value
	case "xkb-layout":
		s.Names.Layout = value
	case "xkb-variant":
		s.Names.Variant = value
	case "xkb-options":
		s.Names.Options = value
	case "repeat-rate", "repeat-delay":
		n, err := strconv.ParseInt(value, 10, 32)
		if err != nil || n < 0 || n > 10000 {
			return fmt.Errorf("invalid %s %q (want 0..10000)", name, value)
		}
		if name == "repeat-rate" {
			s.RepeatRate = int32(n)
		} else {
			s.RepeatDelay = int32(n)
		}
	case "caps-lock":
		p, err := state.ParseCapsLock(value)
		if err != nil {
			return fmt.Errorf("invalid caps-lock %q (want press or release)", value)
		}
		s.CapsLock = p
	case "pointer-accel":
		p, err := parseAccelProfile(value)
		if err != nil {
			return err
		}
		s.PointerAccel = p
	case "pointer-speed":
		v, err := strconv.ParseFloat(value, 64)
		if err != nil || v < -1 || v > 1 {
			return fmt.Errorf("invalid pointer-speed %q (want -1..1)", value)
		}
		s.PointerSpeed = v
	case "natural-scroll", "left-handed", "tap-to-click":
		v, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("invalid %s %q (want true or false)", name, value)
		}
		switch name {
		case "natural-scroll":
			s.NaturalScroll = v
		case "left-handed":
			s.LeftHanded = v
		default:
			s.TapToClick = v
		}
	case "touch-output":
		s.TouchOutput = value
	case "touch-calibration":
		m, err := parseCalibration(value)
		if err != nil {
			return err
		}
		s.TouchCalibration = m
	case "hide-cursor":
		h, err := parseHideCursor(value)
		if err != nil {
			return err
		}
		s.HideCursor = h
	default:
		return fmt.Errorf("unknown setting %q (known: %s)", name, strings.Join(settingNames, ", "))
	}
	return nil
}

// parseCalibration parses six numbers separated by spaces or commas (a
// calibration matrix); "" or "none" means none.
func parseCalibration(value string) (*[6]float64, error) {
	fields := strings.FieldsFunc(value, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	if len(fields) == 0 || (len(fields) == 1 && fields[0] == "none") {
		return nil, nil
	}
	if len(fields) != 6 {
		return nil, fmt.Errorf("invalid touch-calibration %q (want 6 numbers: a b c d e f)", value)
	}
	var m [6]float64
	for i, f := range fields {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, fmt.Errorf("invalid touch-calibration %q (want 6 numbers: a b c d e f)", value)
		}
		m[i] = v
	}
	return &m, nil
}

// Options gathers the keyboard settings from the command line, a config
// file and the environment. Explicit flags win over the file, the file
// over XKB_DEFAULT_* and the built-in defaults. Load may be called again
// (on SIGHUP) to re-read the file.
type Options struct {
	// ConfigPath is the config file; "" means none.
	ConfigPath string
	// NoTerminate disables the Ctrl+Alt+BackSpace binding.
	NoTerminate bool
	// V10 advertises wl_seat version 10 instead of 9.
	V10 bool

	flags flagValues
}

// flagValues are the settings given on the command line.
type flagValues struct {
	values map[string]string // only the flags that were set
}

type settingFlag struct {
	name string
	fv   *flagValues
}

func (f settingFlag) String() string {
	if f.fv == nil {
		return ""
	}
	return f.fv.values[f.name]
}

// IsBoolFlag lets the switches stand alone: --natural-scroll means
// --natural-scroll=true, --hide-cursor means --hide-cursor=always.
func (f settingFlag) IsBoolFlag() bool {
	switch f.name {
	case "hide-cursor", "natural-scroll", "left-handed", "tap-to-click":
		return true
	}
	return false
}

func (f settingFlag) Set(v string) error {
	if err := new(Settings).set(f.name, v); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "invalid "+f.name+" "))
	}
	f.fv.values[f.name] = v
	return nil
}

// RegisterFlags adds the seat's flags to fs.
func (o *Options) RegisterFlags(fs *flag.FlagSet) {
	o.flags.values = map[string]string{}
	usage := map[string]string{
		"xkb-rules":    "XKB rules `NAME` (default $XKB_DEFAULT_RULES or evdev)",
		"xkb-model":    "XKB keyboard `MODEL` (default $XKB_DEFAULT_MODEL or pc105)",
		"xkb-layout":   "XKB `LAYOUTS`, comma-separated (default $XKB_DEFAULT_LAYOUT or us)",
		"xkb-variant":  "XKB `VARIANTS`, comma-separated (default $XKB_DEFAULT_VARIANT with the default layout)",
		"xkb-options":  "XKB `OPTIONS`, comma-separated (default $XKB_DEFAULT_OPTIONS)",
		"repeat-rate":  fmt.Sprintf("key repeat rate in `keys/s`, 0 for none (default %d)", DefaultRepeatRate),
		"repeat-delay": fmt.Sprintf("key repeat delay in `ms` (default %d)", DefaultRepeatDelay),
		"caps-lock":    "when Caps Lock unlocks: `press` or release (default release, as XKB)",

		"pointer-accel":     "pointer acceleration `PROFILE`: adaptive (default) or flat",
		"pointer-speed":     "pointer speed in `[-1,1]` (default 0)",
		"natural-scroll":    "invert scrolling: content follows the fingers (a switch; =false to turn off a config file's)",
		"left-handed":       "swap the left and right mouse buttons (a switch)",
		"tap-to-click":      "make a touchpad tap a click (a switch; off by default, as libinput)",
		"touch-output":      "output `NAME` touchscreens and tablets map to (default the first)",
		"touch-calibration": "touch calibration matrix, 6 numbers `\"a b c d e f\"` on normalized coordinates (default: the device's LIBINPUT_CALIBRATION_MATRIX)",
		"hide-cursor":       "hide the cursor: `always` (also --hide-cursor alone), touch (after touch input until the pointer moves) or no",
	}
	for _, name := range settingNames {
		fs.Var(settingFlag{name, &o.flags}, name, usage[name])
	}
	fs.StringVar(&o.ConfigPath, "config", "", "keyboard settings `FILE` (lines `name = value` with the flag names above); re-read on SIGHUP")
	fs.BoolVar(&o.NoTerminate, "no-terminate-binding", false, "do not end gocomp on Ctrl+Alt+BackSpace")
	fs.BoolVar(&o.V10, "seat-v10", false, "advertise wl_seat and wl_keyboard version 10 (default 9: some clients mishandle 10)")
}

// SeatVersion returns the wl_seat version to advertise.
func (o *Options) SeatVersion() uint32 {
	if o.V10 {
		return MaxVersion
	}
	return DefaultVersion
}

// Load returns the settings: built-in defaults, then the config file (if
// any), then the flags given, then XKB_DEFAULT_* for RMLVO fields still
// empty. getenv is os.Getenv outside tests.
func (o *Options) Load(getenv func(string) string) (Settings, error) {
	s := Settings{RepeatRate: DefaultRepeatRate, RepeatDelay: DefaultRepeatDelay, CapsLock: state.CapsLockRelease,
		PointerAccel: AccelAdaptive}
	if o.ConfigPath != "" {
		data, err := os.ReadFile(o.ConfigPath)
		if err != nil {
			return Settings{}, fmt.Errorf("seat: read config: %w", err)
		}
		if err := parseConfig(&s, o.ConfigPath, data); err != nil {
			return Settings{}, err
		}
	}
	for _, name := range settingNames {
		if v, ok := o.flags.values[name]; ok {
			if err := s.set(name, v); err != nil {
				return Settings{}, fmt.Errorf("seat: -%s: %w", name, err)
			}
		}
	}
	s.Names = includepath.FillDefaults(s.Names, getenv)
	return s, nil
}

// parseConfig applies a config file: one `name = value` per line, blank
// lines and lines starting with # ignored. Any error rejects the file.
func parseConfig(s *Settings, path string, data []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		name, value, ok := strings.Cut(text, "=")
		if !ok {
			return fmt.Errorf("seat: %s:%d: expected name = value, found %q", path, line, text)
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		if err := s.set(name, value); err != nil {
			return fmt.Errorf("seat: %s:%d: %w", path, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("seat: read %s: %w", path, err)
	}
	return nil
}

// CompileKeymap compiles the settings' keymap from the include path of
// getenv (includepath.Dirs).
func (s Settings) CompileKeymap(getenv func(string) string) (*XKBKeymap, error) {
	km, err := compile.FromNames(includepath.Dirs(getenv), s.Names, rules.EnvFrom(getenv))
	if err != nil {
		return nil, fmt.Errorf("seat: compile keymap %s: %w", s.describe(), err)
	}
	return NewXKBKeymap(km, s.CapsLock), nil
}

// logKeymapWarnings logs what the compiler carried on from in the keymap
// names (an empty layout, a group index out of range).
func logKeymapWarnings(log *slog.Logger, km *XKBKeymap) {
	for _, w := range km.Keymap().Warnings {
		log.Warn("seat: keymap warning", "warning", w)
	}
}

// describe names the keymap in messages.
func (s Settings) describe() string {
	n := s.Names
	return fmt.Sprintf("rules=%q model=%q layout=%q variant=%q options=%q", n.Rules, n.Model, n.Layout, n.Variant, n.Options)
}

// SeatConfig compiles the keymap and returns a Config holding it and the
// repeat values; the caller adds Serial, Terminate and Log.
func (s Settings) SeatConfig(getenv func(string) string) (Config, error) {
	km, err := s.CompileKeymap(getenv)
	if err != nil {
		return Config{}, err
	}
	return Config{Keymap: km, RepeatRate: s.RepeatRate, RepeatDelay: s.RepeatDelay, Settings: s,
		KeymapDirs: includepath.Dirs(getenv)}, nil
}

// Settings returns the settings in effect.
func (s *Seat) Settings() Settings { return s.settings }

// ApplySettings makes st the seat's settings: a keymap compiled anew when
// the names or the caps-lock policy changed (every wl_keyboard gets it,
// then modifiers), repeat_info when the repeat values changed. When the
// keymap does not compile, nothing changes and the error says why.
func (s *Seat) ApplySettings(st Settings, getenv func(string) string) error {
	if st.Names != s.settings.Names || st.CapsLock != s.settings.CapsLock {
		km, err := st.CompileKeymap(getenv)
		if err != nil {
			return err
		}
		logKeymapWarnings(s.log, km)
		if err := s.SetKeymap(km); err != nil {
			return err
		}
	}
	s.SetRepeat(st.RepeatRate, st.RepeatDelay)
	s.settings = st
	for _, p := range s.ptr.devices {
		p.accel.configure(st.PointerAccel, st.PointerSpeed)
	}
	if st.HideCursor != CursorHiddenAfterTouch {
		s.ptr.cursor.hiddenByTouch = false
	}
	s.showCursor()
	return nil
}

// Reload re-reads the options (the config file on SIGHUP) and applies
// them. A broken file or keymap is logged and ignored: the old settings
// stay.
func (s *Seat) Reload(o *Options, getenv func(string) string) error {
	st, err := o.Load(getenv)
	if err == nil {
		err = s.ApplySettings(st, getenv)
	}
	if err != nil {
		s.log.Error("seat: keyboard settings not reloaded; keeping the old ones", "err", err)
		return err
	}
	s.log.Info("seat: keyboard settings reloaded", "keymap", st.describe(), "repeat_rate", st.RepeatRate, "repeat_delay", st.RepeatDelay)
	return nil
}
