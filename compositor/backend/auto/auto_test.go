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
		{Config{Backend: "x11"}, `unknown backend "x11" (available: auto, headless, wayland)`},
		{Config{Input: "mouse"}, `unknown input "mouse" (available: evdev, none)`},
	} {
		err := Check(tc.cfg)
		if (err == nil) != (tc.want == "") || (err != nil && err.Error() != tc.want) {
			t.Errorf("Check(%+v) = %v; want %q", tc.cfg, err, tc.want)
		}
	}
}

func TestChooseFollowsTheEnvironment(t *testing.T) {
	for _, tc := range []struct {
		backend string
		env     map[string]string
		want    string
	}{
		{"", nil, Headless},
		{Auto, map[string]string{"WAYLAND_DISPLAY": "wayland-1"}, Wayland},
		{"", map[string]string{"WAYLAND_SOCKET": "3"}, Wayland},
		{Headless, map[string]string{"WAYLAND_DISPLAY": "wayland-1"}, Headless},
		{Wayland, nil, Wayland},
		{"", map[string]string{"WAYLAND_DISPLAY": ""}, Headless},
	} {
		got, why := Choose(Config{Backend: tc.backend, Getenv: func(k string) string { return tc.env[k] }})
		if got != tc.want || why == "" {
			t.Errorf("Choose(backend %q, env %v) = %q (%q); want %q with a reason", tc.backend, tc.env, got, why, tc.want)
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
		b, err := New(l, Config{Input: tc.input, Log: log})
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
