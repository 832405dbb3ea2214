package auto

import (
	"log/slog"
	"strings"
	"testing"

	"gocomp/compositor/backend/evdevinput"
	"gocomp/compositor/loop"
)

func TestCheckNamesTheChoices(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string // "" for no error
	}{
		{Config{}, ""},
		{Config{Backend: Auto, Input: InputNone}, ""},
		{Config{Backend: Headless, Input: InputEvdev}, ""},
		{Config{Backend: "x11"}, `unknown backend "x11" (available: auto, headless, wayland, drm)`},
		{Config{Backend: DRM, Session: "x11"}, `unknown session "x11" (available: auto, direct, seatd, logind)`},
		{Config{Input: "mouse"}, `unknown input "mouse" (available: evdev, none)`},
	} {
		err := Check(tc.cfg)
		if (err == nil) != (tc.want == "") || (err != nil && err.Error() != tc.want) {
			t.Errorf("Check(%+v) = %v; want %q", tc.cfg, err, tc.want)
		}
	}
}

func TestNewBringsTheInputAskedFor(t *testing.T) {
	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	log := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		input string
		evdev bool
	}{{InputDefault, true}, {InputEvdev, true}, {InputNone, false}} {
		b, err := New(l, Config{Input: tc.input, Log: log, Cards: noCards})
		if err != nil {
			t.Fatal(err)
		}
		srcs := b.InputSources()
		_, isEvdev := func() (any, bool) {
			if len(srcs) != 1 {
				return nil, false
			}
			s, ok := srcs[0].(*evdevinput.Source)
			return s, ok
		}()
		if b.Name() != Headless || isEvdev != tc.evdev || (!tc.evdev && len(srcs) != 0) {
			t.Errorf("--input %q: backend %s with sources %v; want headless with evdev %v", tc.input, b.Name(), srcs, tc.evdev)
		}
		b.Close() // never started: no device was opened
	}
	if _, err := New(l, Config{Backend: "x11", Log: log}); err == nil || !strings.Contains(err.Error(), "unknown backend") {
		t.Errorf("New with an unknown backend: %v", err)
	}
}

// noCards is a machine without DRM devices: tests never open the host's.
func noCards() []string { return nil }

func TestChoose(t *testing.T) {
	card := func() []string { return []string{"/dev/dri/card0"} }
	for _, tc := range []struct {
		cfg  Config
		env  map[string]string
		want string
	}{
		{Config{Backend: Headless, Cards: card}, nil, Headless},
		{Config{Backend: Headless, Cards: card}, map[string]string{"WAYLAND_DISPLAY": "wayland-1"}, Headless},
		{Config{Backend: DRM, Cards: noCards}, nil, DRM},
		{Config{Backend: Wayland, Cards: card}, nil, Wayland},
		{Config{Cards: card}, nil, DRM},
		{Config{Backend: Auto, Cards: card}, map[string]string{"WAYLAND_DISPLAY": "wayland-1"}, Wayland},
		{Config{Cards: card}, map[string]string{"WAYLAND_SOCKET": "3"}, Wayland},
		{Config{Cards: noCards}, map[string]string{"WAYLAND_DISPLAY": ""}, Headless},
		{Config{Cards: noCards}, nil, Headless},
	} {
		tc.cfg.Getenv = func(k string) string { return tc.env[k] }
		got, why := Choose(tc.cfg)
		if got != tc.want || why == "" {
			t.Errorf("Choose(backend %q, env %v) = %q (%s); want %q", tc.cfg.Backend, tc.env, got, why, tc.want)
		}
	}
}
