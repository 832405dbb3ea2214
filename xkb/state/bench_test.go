package state_test

import (
	"fmt"
	"testing"

	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/keymap"
	"gocomp/xkb/rules"
	"gocomp/xkb/state"
	"gocomp/xkb/state/eval"
)

// benchNames are the keymaps of BenchmarkUpdateKey.
var benchNames = []rules.Names{
	{Layout: "us"},
	{Layout: "us,ru", Options: "grp:alt_shift_toggle"},
	{Layout: "de", Variant: "neo"},
}

// benchEvents returns the benchmark's events for km: the conformance
// generator's sequence with each "both" split into a press and a release.
func benchEvents(km *keymap.Keymap) []oracle.Event {
	var evs []oracle.Event
	for _, e := range genEvents(99, km, 2000) {
		if e.dir != eval.DirUp {
			evs = append(evs, oracle.Event{Code: e.code, Down: true})
		}
		if e.dir != eval.DirDown {
			evs = append(evs, oracle.Event{Code: e.code, Down: false})
		}
	}
	return evs
}

// BenchmarkUpdateKey measures one key event as a compositor handles it:
// UpdateKey and then KeyOneSym for the same key (ns/op is per event). The
// same events replayed by libxkbcommon (xkb_state_update_key +
// xkb_state_key_get_one_sym) are measured in the same run and reported as
// libxkbcommon-ns/event and ratio (ours / libxkbcommon); both replay the
// same number of events, ours first, libxkbcommon right after.
func BenchmarkUpdateKey(b *testing.B) {
	for _, n := range benchNames {
		n := defaults(n)
		b.Run(fmt.Sprintf("%s(%s)+%s", n.Layout, n.Variant, n.Options), func(b *testing.B) {
			km := load(b, n)
			evs := benchEvents(km)
			o := oracle.New(b)
			codes := make([]keymap.Keycode, len(evs))
			dirs := make([]state.Direction, len(evs))
			for i, e := range evs {
				codes[i] = keymap.Keycode(e.Code) + 8
				if e.Down {
					dirs[i] = state.Down
				}
			}
			st := state.New(km, state.Options{})
			var sink uint32
			b.ReportAllocs()
			b.ResetTimer()
			for i, j := 0, 0; i < b.N; i++ {
				st.UpdateKey(codes[j], dirs[j])
				sink ^= uint32(st.KeyOneSym(codes[j]))
				if j++; j == len(codes) {
					j = 0
				}
			}
			b.StopTimer()
			_ = sink
			ours := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			// libxkbcommon replays as many events, right after ours.
			iterations := b.N / len(evs)
			if iterations < 1 {
				iterations = 1
			}
			c, err := o.BenchUpdateKey(n, evs, iterations)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(c.Wall, "libxkbcommon-ns/event")
			b.ReportMetric(ours/c.Wall, "x-libxkbcommon")
		})
	}
}
