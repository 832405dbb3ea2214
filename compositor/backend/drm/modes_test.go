package drm

import (
	"slices"
	"testing"

	"gocomp/compositor/backend"
)

// mode builds a kernel mode from its CVT/CEA timings.
func mode(w, h, htotal, vtotal uint16, clockKHz uint32, preferred bool) modeInfo {
	m := modeInfo{Clock: clockKHz, HDisplay: w, HTotal: htotal, VDisplay: h, VTotal: vtotal}
	if preferred {
		m.Type = modeTypePreferred
	}
	return m
}

var (
	// CEA-861 1920x1080 at 60 Hz: 148.5 MHz over 2200x1125.
	cea1080p60 = mode(1920, 1080, 2200, 1125, 148500, false)
	// CEA-861 1920x1080 at 50 Hz: 148.5 MHz over 2640x1125.
	cea1080p50 = mode(1920, 1080, 2640, 1125, 148500, false)
	// 1280x720 at 59.94 Hz: 74.176 MHz over 1650x750.
	hd720p5994 = mode(1280, 720, 1650, 750, 74176, true)
)

func TestRefreshMHz(t *testing.T) {
	interlaced := cea1080p60
	interlaced.Flags = modeFlagInterlace
	for _, tc := range []struct {
		name string
		m    modeInfo
		want int
	}{
		{"1080p60", cea1080p60, 60000},
		{"1080p50", cea1080p50, 50000},
		{"720p59.94", hd720p5994, 59940},
		{"interlaced fields count twice", interlaced, 120000},
		{"no totals: vrefresh", modeInfo{VRefresh: 75}, 75000},
	} {
		if got := refreshMHz(&tc.m); got != tc.want {
			t.Errorf("refreshMHz(%s) = %d; want %d", tc.name, got, tc.want)
		}
	}
}

func TestChooseMode(t *testing.T) {
	modes := []modeInfo{cea1080p60, cea1080p50, hd720p5994}
	for _, tc := range []struct {
		want   backend.Mode
		got    modeInfo
		exists bool
	}{
		{backend.Mode{}, hd720p5994, true}, // the preferred one
		{backend.Mode{Width: 1920, Height: 1080, RefreshMHz: 50000}, cea1080p50, true},
		{backend.Mode{Width: 1920, Height: 1080}, cea1080p60, true},                     // highest refresh
		{backend.Mode{Width: 1280, Height: 720, RefreshMHz: 60000}, hd720p5994, true},   // "@60" finds 59.94
		{backend.Mode{Width: 1920, Height: 1080, RefreshMHz: 75000}, modeInfo{}, false}, // no such refresh
		{backend.Mode{Width: 1234, Height: 567, RefreshMHz: 60000}, modeInfo{}, false},  // no such size
	} {
		got, ok := chooseMode(modes, tc.want)
		if got != tc.got || ok != tc.exists {
			t.Errorf("chooseMode(%v) = %v, %v; want %v, %v", tc.want, toMode(&got), ok, toMode(&tc.got), tc.exists)
		}
	}
	if m, ok := chooseMode([]modeInfo{cea1080p50, cea1080p60}, backend.Mode{}); !ok || m != cea1080p50 {
		t.Errorf("no preferred mode: chose %v; want the first", toMode(&m))
	}
	if got, want := describeModes(modes), "1920x1080@60, 1920x1080@50, 1280x720@59.940"; got != want {
		t.Errorf("describeModes = %q; want %q", got, want)
	}
}

func TestPickCRTC(t *testing.T) {
	crtcs := []uint32{31, 32, 33}
	encoders := map[uint32]getEncoder{
		40: {EncoderID: 40, CRTCID: 32, PossibleCRTCs: 0b011},
		41: {EncoderID: 41, PossibleCRTCs: 0b110},
	}
	for _, tc := range []struct {
		name string
		cn   connector
		used []uint32
		want uint32
		ok   bool
	}{
		{"the CRTC driving it now", connector{encoderID: 40, encoders: []uint32{40}}, nil, 32, true},
		{"taken: the first free its encoder can drive", connector{encoderID: 40, encoders: []uint32{40}}, []uint32{32}, 31, true},
		{"second encoder", connector{encoders: []uint32{40, 41}}, []uint32{31, 32}, 33, true},
		{"none left", connector{encoders: []uint32{40}}, []uint32{31, 32}, 0, false},
	} {
		used := func(c uint32) bool { return slices.Contains(tc.used, c) }
		if got, ok := pickCRTC(&tc.cn, encoders, crtcs, used); got != tc.want || ok != tc.ok {
			t.Errorf("%s: pickCRTC = %d, %v; want %d, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
