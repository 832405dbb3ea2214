package drm

import (
	"bytes"
	"slices"
	"strings"

	"gocomp/compositor/backend"
)

// refreshMHz returns a mode's refresh rate in millihertz, from its pixel
// clock and totals (the kernel's vrefresh field is rounded to whole Hz).
func refreshMHz(m *modeInfo) int {
	if m.HTotal == 0 || m.VTotal == 0 {
		return int(m.VRefresh) * 1000
	}
	num := int64(m.Clock) * 1_000_000 // kHz to mHz
	den := int64(m.HTotal) * int64(m.VTotal)
	if m.Flags&modeFlagInterlace != 0 {
		num *= 2
	}
	if m.Flags&modeFlagDblScan != 0 {
		den *= 2
	}
	if m.VScan > 1 {
		den *= int64(m.VScan)
	}
	return int((num + den/2) / den)
}

// toMode converts a kernel mode.
func toMode(m *modeInfo) backend.Mode {
	return backend.Mode{Width: int(m.HDisplay), Height: int(m.VDisplay), RefreshMHz: refreshMHz(m)}
}

// modeName is the kernel's name of a mode, e.g. "1920x1080".
func modeName(m *modeInfo) string {
	n := m.Name[:]
	if i := bytes.IndexByte(n, 0); i >= 0 {
		n = n[:i]
	}
	return string(n)
}

// refreshSlack is how far a mode's refresh may be from the one asked for:
// "@60" finds a 59.94 Hz mode.
const refreshSlack = 1000

// chooseMode returns the mode of modes that want names: the preferred
// mode (flagged preferred, else the first) for the zero Mode; otherwise
// the mode of want's size whose refresh is closest to want's, within
// refreshSlack, or the highest refresh when want has none.
func chooseMode(modes []modeInfo, want backend.Mode) (modeInfo, bool) {
	if len(modes) == 0 {
		return modeInfo{}, false
	}
	if want == (backend.Mode{}) {
		for _, m := range modes {
			if m.Type&modeTypePreferred != 0 {
				return m, true
			}
		}
		return modes[0], true
	}
	best, found := modeInfo{}, false
	bestDiff := 0
	for _, m := range modes {
		if int(m.HDisplay) != want.Width || int(m.VDisplay) != want.Height {
			continue
		}
		r := refreshMHz(&m)
		diff := -r // no refresh asked for: the highest wins
		if want.RefreshMHz != 0 {
			diff = max(r-want.RefreshMHz, want.RefreshMHz-r)
			if diff > refreshSlack {
				continue
			}
		}
		if !found || diff < bestDiff {
			best, bestDiff, found = m, diff, true
		}
	}
	return best, found
}

// hasMode reports whether modes holds m.
func hasMode(modes []modeInfo, m modeInfo) bool {
	return slices.Contains(modes, m)
}

// describeModes lists the distinct modes, e.g. "1280x800@75, 1920x1080@60".
func describeModes(modes []modeInfo) string {
	var names []string
	for _, m := range modes {
		if s := toMode(&m).String(); !slices.Contains(names, s) {
			names = append(names, s)
		}
	}
	return strings.Join(names, ", ")
}

// pickCRTC returns a free CRTC that can drive connector cn: the one its
// encoder drives now if that is free, else the first free one one of its
// encoders can drive (possible_crtcs indexes crtcs). ok is false when
// every CRTC it could use is taken.
func pickCRTC(cn *connector, encoders map[uint32]getEncoder, crtcs []uint32, used func(uint32) bool) (crtc uint32, ok bool) {
	if e, found := encoders[cn.encoderID]; found && e.CRTCID != 0 && !used(e.CRTCID) {
		return e.CRTCID, true
	}
	for _, id := range cn.encoders {
		e, found := encoders[id]
		if !found {
			continue
		}
		for i, c := range crtcs {
			if i < 32 && e.PossibleCRTCs&(1<<i) != 0 && !used(c) {
				return c, true
			}
		}
	}
	return 0, false
}
