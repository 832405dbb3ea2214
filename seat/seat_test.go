package seat

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// traced connects a client at seat version v with one wl_keyboard and
// returns it with tracing on and the keyboard's id.
func traced(ts *testServer, v uint32) (*testClient, uint32) {
	tc := ts.connect(v)
	tc.tracing = true
	id := tc.getKeyboard(v)
	ts.pump()
	tc.trace = nil
	return tc, id
}

// mapNew has tc create a surface and the compositor map it.
func mapNew(ts *testServer, tc *testClient) uint32 {
	id := tc.createSurface()
	ts.pump()
	ts.seat.ToplevelMapped(ts.surface(tc, id))
	ts.pump()
	return id
}

func wantTrace(t *testing.T, tc *testClient, want ...string) {
	t.Helper()
	if !slices.Equal(tc.trace, want) {
		t.Errorf("client %d events:\n  %s\nwant:\n  %s", tc.n, strings.Join(tc.trace, "\n  "), strings.Join(want, "\n  "))
	}
	tc.trace = nil
}

func TestScenarios(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		run  func(t *testing.T, ts *testServer)
	}{
		{"new keyboard gets keymap and repeat info, then enter with keys held and modifiers", func(t *testing.T, ts *testServer) {
			kb := ts.seat.AddKeyboard("k", nil)
			a := ts.connect(9)
			s := a.createSurface()
			ts.pump()
			ts.seat.ToplevelMapped(ts.surface(a, s))
			kb.Key(1*ms, keyLeftShift, true)
			kb.Key(2*ms, keyA, true)
			a.tracing = true
			a.getKeyboard(9)
			ts.pump()
			wantTrace(t, a, "kbd6 keymap", "kbd6 repeat 25 600", "kbd6 enter surface 5 keys [30 42] mods [1 0 0 0]")
		}},
		{"key then modifiers when they change", func(t *testing.T, ts *testServer) {
			kb := ts.seat.AddKeyboard("k", nil)
			a, _ := traced(ts, 9)
			mapNew(ts, a)
			a.trace = nil
			kb.Key(1*ms, keyLeftShift, true)
			kb.Key(2*ms, keyA, true)
			kb.Key(3*ms, keyA, false)
			kb.Key(4*ms, keyLeftShift, false)
			ts.pump()
			wantTrace(t, a, "kbd5 key 42 state 1", "kbd5 modifiers [1 0 0 0]", "kbd5 key 30 state 1",
				"kbd5 key 30 state 0", "kbd5 key 42 state 0", "kbd5 modifiers [0 0 0 0]")
		}},
		{"focus moves with a key held: leave, enter with the key, no release to the old client", func(t *testing.T, ts *testServer) {
			kb := ts.seat.AddKeyboard("k", nil)
			a, _ := traced(ts, 9)
			b, _ := traced(ts, 9)
			sa := mapNew(ts, a)
			kb.Key(1*ms, keyQ, true)
			sb := mapNew(ts, b)
			kb.Key(2*ms, keyQ, false)
			ts.pump()
			wantTrace(t, a, "kbd5 enter surface 6 keys [] mods [0 0 0 0]", "kbd5 key 16 state 1", "kbd5 leave 6")
			wantTrace(t, b, "kbd5 enter surface 6 keys [16] mods [0 0 0 0]", "kbd5 key 16 state 0")
			// Unmapping b returns the focus to a.
			ts.seat.ToplevelUnmapped(ts.surface(b, sb))
			ts.pump()
			wantTrace(t, b, "kbd5 leave 6")
			wantTrace(t, a, "kbd5 enter surface 6 keys [] mods [0 0 0 0]")
			_ = sa
		}},
		{"two keyboards holding one key: one press, one release", func(t *testing.T, ts *testServer) {
			k1 := ts.seat.AddKeyboard("k1", nil)
			k2 := ts.seat.AddKeyboard("k2", nil)
			a, _ := traced(ts, 9)
			mapNew(ts, a)
			a.trace = nil
			k1.Key(1*ms, keyA, true)
			k2.Key(2*ms, keyA, true)
			k1.Key(3*ms, keyA, false)
			ts.pump()
			wantTrace(t, a, "kbd5 key 30 state 1")
			k2.Key(4*ms, keyA, false)
			k2.Key(5*ms, keyA, false) // never pressed again: ignored
			ts.pump()
			wantTrace(t, a, "kbd5 key 30 state 0")
		}},
		{"unplug with Shift held: release and modifiers cleared; only keys held by that keyboard", func(t *testing.T, ts *testServer) {
			k1 := ts.seat.AddKeyboard("k1", nil)
			k2 := ts.seat.AddKeyboard("k2", nil)
			a, _ := traced(ts, 9)
			mapNew(ts, a)
			k1.Key(1*ms, keyLeftShift, true)
			k1.Key(2*ms, keyA, true)
			k2.Key(3*ms, keyA, true)
			ts.pump()
			a.trace = nil
			k1.Remove(4 * ms)
			ts.pump()
			wantTrace(t, a, "kbd5 key 42 state 0", "kbd5 modifiers [0 0 0 0]")
			if !ts.seat.KeyDown(keyA) {
				t.Errorf("A released although keyboard 2 holds it")
			}
		}},
		{"Ctrl+Alt+BackSpace terminates and eats press and release", func(t *testing.T, ts *testServer) {
			kb := ts.seat.AddKeyboard("k", nil)
			a, _ := traced(ts, 9)
			mapNew(ts, a)
			kb.Key(1*ms, keyLeftCtrl, true)
			kb.Key(2*ms, keyLeftAlt, true)
			ts.pump()
			a.trace = nil
			kb.Key(3*ms, keyBackspc, true)
			b, _ := traced(ts, 9)
			mapNew(ts, b) // enter must not list the eaten key
			kb.Key(4*ms, keyBackspc, false)
			ts.pump()
			if ts.quit != 1 {
				t.Errorf("terminate fired %d times; want 1", ts.quit)
			}
			wantTrace(t, a, "kbd5 leave 6")
			wantTrace(t, b, "kbd5 enter surface 6 keys [29 56] mods [12 0 0 0]")
		}},
		{"capabilities follow hotplug", func(t *testing.T, ts *testServer) {
			a := ts.connect(9)
			a.tracing = true
			kb := ts.seat.AddKeyboard("k", nil)
			ts.pump()
			kb.Remove(0)
			ts.pump()
			wantTrace(t, a, "capabilities 2", "capabilities 0")
		}},
		{"wl_keyboard.release: no more events to it, the other keyboard still gets them", func(t *testing.T, ts *testServer) {
			kb := ts.seat.AddKeyboard("k", nil)
			a, k5 := traced(ts, 9)
			a.getKeyboard(9)
			mapNew(ts, a)
			a.trace = nil
			a.releaseKeyboard(k5)
			ts.pump()
			kb.Key(1*ms, keyQ, true)
			ts.pump()
			wantTrace(t, a, "kbd6 key 16 state 1")
		}},
		{"new keymap to every keyboard, modifiers to the focused one only; Caps lock kept", func(t *testing.T, ts *testServer) {
			kb := ts.seat.AddKeyboard("k", nil)
			a, _ := traced(ts, 9)
			b, _ := traced(ts, 6)
			mapNew(ts, a)
			kb.Key(1*ms, keyCapsLock, true)
			kb.Key(2*ms, keyCapsLock, false)
			ts.pump()
			a.trace, b.trace = nil, nil
			if err := ts.seat.SetKeymap(fakeKeymap{7}); err != nil {
				t.Fatal(err)
			}
			ts.seat.SetRepeat(0, 600)
			ts.pump()
			wantTrace(t, a, "kbd5 keymap", "kbd5 modifiers [0 0 2 0]", "kbd5 repeat 0 600")
			wantTrace(t, b, "kbd5 keymap", "kbd5 repeat 0 600")
			if b.kbds[5].keymapText != (fakeKeymap{7}).Text() {
				t.Errorf("v6 client keymap %q", b.kbds[5].keymapText)
			}
		}},
		{"LEDs written to every keyboard on change and to a new keyboard", func(t *testing.T, ts *testServer) {
			l1 := &ledRecorder{}
			kb := ts.seat.AddKeyboard("k1", l1)
			kb.Key(1*ms, keyCapsLock, true)
			if !l1.on[1] {
				t.Errorf("Caps LED off after Caps Lock press")
			}
			l2 := &ledRecorder{}
			ts.seat.AddKeyboard("k2", l2)
			if l2.on != [3]bool{false, true, false} || l2.writes != 3 {
				t.Errorf("new keyboard LEDs %v after %d writes; want Caps only, 3 writes", l2.on, l2.writes)
			}
			kb.Key(2*ms, keyCapsLock, false)
			kb.Key(3*ms, keyCapsLock, true)
			if l1.on[1] || l2.on[1] {
				t.Errorf("Caps LED on after the second Caps Lock press: %v %v", l1.on, l2.on)
			}
		}},
		{"mouse buttons on a keyboard are not keys", func(t *testing.T, ts *testServer) {
			kb := ts.seat.AddKeyboard("k", nil)
			a, _ := traced(ts, 9)
			mapNew(ts, a)
			a.trace = nil
			kb.Key(1*ms, 0x110, true)
			ts.pump()
			wantTrace(t, a)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newTestServer(t, MaxVersion)) })
	}
}

// TestGetKeyboardWithoutCapability: a seat that never had a keyboard
// answers get_keyboard with the missing_capability error.
func TestGetKeyboardWithoutCapability(t *testing.T) {
	ts := newTestServer(t, 9)
	tc := ts.connect(9)
	tc.expectErrors = true
	tc.getKeyboard(9)
	ts.pump()
	if !tc.gone || len(tc.errs) != 1 || !strings.Contains(tc.errs[0], "code 0: wl_seat@4.get_keyboard: seat seat0 has no keyboard capability") {
		t.Errorf("get_keyboard on a seat without keyboard: gone %v, errors %q; want wl_seat error 0 (missing_capability)", tc.gone, tc.errs)
	}
}

// TestKeyEventDoesNotAllocate: the hot path (a key through the seat to
// focused clients) allocates nothing once buffers have grown.
func TestKeyEventDoesNotAllocate(t *testing.T) {
	ts := newTestServer(t, 9)
	kb := ts.seat.AddKeyboard("k", nil)
	a, _ := traced(ts, 9)
	a.tracing = false
	a.getKeyboard(9)
	mapNew(ts, a)
	now := time.Duration(0)
	step := func() {
		now += time.Millisecond
		kb.Key(now, keyLeftShift, true)
		kb.Key(now, keyA, true)
		kb.Key(now, keyA, false)
		kb.Key(now, keyLeftShift, false)
		ts.d.FlushClients()
	}
	for range 10 {
		step()
		a.read()
	}
	allocs := testing.AllocsPerRun(200, func() {
		step()
		a.read()
	})
	// a.read is the test client's decoding; measure the seat alone too.
	seatOnly := testing.AllocsPerRun(200, func() {
		now += time.Millisecond
		kb.Key(now, keyQ, true)
		kb.Key(now, keyQ, false)
	})
	ts.d.FlushClients()
	if seatOnly != 0 {
		t.Errorf("seat allocates %.1f times per press+release; want 0", seatOnly)
	}
	t.Logf("with the test client's reads: %.1f allocations per 4 key events", allocs)
}
