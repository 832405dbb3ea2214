package main

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"

	"gocomp/compositor/backend"
)

func TestParseRunFlags(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		mode    backend.Mode
		program []string
		level   slog.Level
	}{
		{nil, backend.Mode{Width: 1280, Height: 720, RefreshMHz: 60000}, nil, slog.LevelInfo},
		{[]string{"--width", "640", "--height=480", "--refresh", "59.94"}, backend.Mode{Width: 640, Height: 480, RefreshMHz: 59940}, nil, slog.LevelInfo},
		{[]string{"--mode", "1920x1080@144", "--log-level", "debug", "--", "wev", "-f", "wl_seat"}, backend.Mode{Width: 1920, Height: 1080, RefreshMHz: 144000}, []string{"wev", "-f", "wl_seat"}, slog.LevelDebug},
		{[]string{"--log-level=error", "weston-simple-shm"}, backend.Mode{Width: 1280, Height: 720, RefreshMHz: 60000}, []string{"weston-simple-shm"}, slog.LevelError},
	} {
		opts, err := parseRunFlags(tc.args, io.Discard)
		if err != nil {
			t.Errorf("parseRunFlags(%q): %v", tc.args, err)
			continue
		}
		if opts.backend.Mode != tc.mode || !equal(opts.program, tc.program) || opts.logLevel != tc.level {
			t.Errorf("parseRunFlags(%q) = mode %v program %q level %v; want %v %q %v", tc.args, opts.backend.Mode, opts.program, opts.logLevel, tc.mode, tc.program, tc.level)
		}
	}
}

func equal(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

func TestParseRunFlagsErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "flag provided but not defined"},
		{[]string{"--backend", "x11"}, `unknown backend "x11"`},
		{[]string{"--session", "x11"}, `unknown session "x11"`},
		{[]string{"--outputs", "some"}, "invalid -outputs some"},
		{[]string{"--transform", "45"}, `invalid -transform "45"`},
		{[]string{"--transform", "HDMI-A-1=upside-down"}, `invalid -transform`},
		{[]string{"--idle-timeout", "soon"}, `invalid -idle-timeout "soon"`},
		{[]string{"--vt", "64"}, "invalid -vt 64"},
		{[]string{"--nested-keymap", "guest"}, "invalid -nested-keymap"},
		{[]string{"--mode", "1280x720"}, "invalid -mode"},
		{[]string{"--mode", "axb@60"}, "invalid -mode"},
		{[]string{"--refresh", "0"}, "invalid refresh rate"},
		{[]string{"--width", "0"}, "invalid output mode"},
		{[]string{"--input", "mouse"}, `unknown input "mouse"`},
		{[]string{"--outputs", "0"}, "invalid -outputs 0"},
		{[]string{"--outputs", "17"}, "invalid -outputs 17"},
		{[]string{"--program-grace", "0s"}, "invalid -program-grace 0s"},
		{[]string{"--program-grace", "soon"}, "invalid value"},
		{[]string{"--log-level", "loud"}, "invalid -log-level"},
		{[]string{"--max-client-buffer", "100"}, "invalid -max-client-buffer"},
		{[]string{"--virtual-keyboard", "maybe"}, `invalid -virtual-keyboard "maybe"`},
		{[]string{"--screencopy", "yes"}, `invalid -screencopy "yes"`},
	} {
		_, err := parseRunFlags(tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseRunFlags(%q) err = %v; want it to contain %q", tc.args, err, tc.want)
		}
	}
	var sb strings.Builder
	if _, err := parseRunFlags([]string{"--help"}, &sb); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: err = %v; want flag.ErrHelp", err)
	}
	for _, name := range []string{"backend", "input", "outputs", "program-grace", "socket", "width", "height", "refresh", "mode", "screenshot-on-exit", "log-level", "max-client-buffer",
		"nested-keymap", "virtual-keyboard", "screencopy",
		"output", "transform", "session", "vt", "no-vt-switch", "idle-timeout", "drm-device", "drm-single-buffer"} {
		if !strings.Contains(sb.String(), "-"+name+" ") && !strings.Contains(sb.String(), "-"+name+"\n") {
			t.Errorf("--help does not document -%s:\n%s", name, sb.String())
		}
	}
}

func TestOptionalFlagValues(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // the seat's hide-cursor after parsing
		prog []string
	}{
		{[]string{"--hide-cursor"}, "always", nil},
		{[]string{"--hide-cursor", "touch", "--", "foot"}, "touch", []string{"foot"}},
		{[]string{"-hide-cursor", "no"}, "no", nil},
		{[]string{"--hide-cursor", "weston-simple-shm"}, "always", []string{"weston-simple-shm"}},
		{[]string{"--", "--hide-cursor", "touch"}, "no", []string{"--hide-cursor", "touch"}},
	} {
		opts, err := parseRunFlags(tc.args, io.Discard)
		if err != nil {
			t.Errorf("parseRunFlags(%q): %v", tc.args, err)
			continue
		}
		st, err := opts.seat.Load(func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		if st.HideCursor.String() != tc.want || !equal(opts.program, tc.prog) {
			t.Errorf("parseRunFlags(%q): hide-cursor %s, program %q; want %s, %q", tc.args, st.HideCursor, opts.program, tc.want, tc.prog)
		}
	}
}
