package seat

import (
	"fmt"
	"gocomp/compositor/backend"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// propModel is the test's own account of what the seat should have done,
// computed without the seat's code.
type propModel struct {
	devs   []*propDev
	eaten  keySet
	locked uint32
	stack  []propSurface // mapped toplevels, last has the focus
	quit   int
	gen    int
	repeat [2]int32
}

type propDev struct {
	kb   backend.Keyboard
	held keySet
	leds *ledRecorder
}

type propSurface struct {
	tc *testClient
	id uint32
}

func (m *propModel) seatDown() keySet {
	var s keySet
	for _, d := range m.devs {
		for i := range s {
			s[i] |= d.held[i]
		}
	}
	return s
}

// transition applies a seat-wide first press / last release to the model.
func (m *propModel) transition(code uint16, down bool, before keySet) {
	if down {
		mods := depressedFor(&before) | m.locked
		if code == keyBackspc && mods&(modControl|modMod1) == modControl|modMod1 {
			m.eaten.add(code)
			m.quit++
		}
		if code == keyCapsLock {
			m.locked ^= 1 << 1
		}
	} else {
		m.eaten.remove(code)
	}
}

// press and release apply a device's key change to the model.
func (m *propModel) key(d *propDev, code uint16, down bool) {
	if !validKey(code) || d.held.has(code) == down {
		return
	}
	before := m.seatDown()
	if down {
		d.held.add(code)
	} else {
		d.held.remove(code)
	}
	after := m.seatDown()
	if before.has(code) != after.has(code) {
		m.transition(code, down, before)
	}
}

var propKeys = []uint16{keyEsc, keyBackspc, keyQ, keyA, keyLeftCtrl, keyLeftShift, keyRghtShift,
	keyLeftAlt, keyCapsLock, 0x110 /* BTN_LEFT: not a keyboard key */, 0x2ff}

// TestSeatProperties drives random press, release, focus, hotplug,
// keyboard-resource and keymap changes through the seat and a few raw
// protocol clients, and after every step checks what each client was told
// against the model: keys only to the focused client, each resource's keys
// equal to the keys down minus the eaten ones, no unmatched press or
// release (checked per event by the client), modifiers after enter and
// after changes, LEDs on every keyboard, and the XKB state fed only
// transitions.
func TestSeatProperties(t *testing.T) {
	steps := 12000
	if testing.Short() {
		steps = 2000
	}
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { runProperties(t, seed, steps/2) })
	}
}

func runProperties(t *testing.T, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, 0x5ea7))
	ts := newTestServer(t, MaxVersion)
	m := &propModel{repeat: [2]int32{25, 600}}
	now := time.Duration(0)
	addDev := func() {
		d := &propDev{leds: &ledRecorder{}}
		d.kb = ts.seat.AddKeyboard(fmt.Sprint("kbd", len(m.devs)), d.leds)
		m.devs = append(m.devs, d)
	}
	addDev()
	live := func() []*testClient {
		var out []*testClient
		for _, tc := range ts.clients {
			if !tc.gone {
				out = append(out, tc)
			}
		}
		return out
	}
	version := func() uint32 { return 1 + rng.Uint32N(MaxVersion) }
	for range 3 {
		tc := ts.connect(version())
		tc.getKeyboard(tc.seatVersion)
	}
	ts.pump()

	for step := range steps {
		now += time.Millisecond
		what := ""
		switch r := rng.IntN(100); {
		case r < 30 && len(m.devs) > 0: // press
			d := m.devs[rng.IntN(len(m.devs))]
			code := propKeys[rng.IntN(len(propKeys))]
			what = fmt.Sprintf("press %d", code)
			m.key(d, code, true)
			d.kb.Key(now, code, true)
		case r < 58 && len(m.devs) > 0: // release (sometimes of a key not held)
			d := m.devs[rng.IntN(len(m.devs))]
			code := propKeys[rng.IntN(len(propKeys))]
			var held []uint16
			d.held.each(func(c uint16) { held = append(held, c) })
			if len(held) > 0 && rng.IntN(4) > 0 {
				code = held[rng.IntN(len(held))]
			}
			what = fmt.Sprintf("release %d", code)
			m.key(d, code, false)
			d.kb.Key(now, code, false)
		case r < 62 && len(m.devs) < 3:
			what = "add keyboard"
			addDev()
		case r < 65 && len(m.devs) > 0:
			i := rng.IntN(len(m.devs))
			d := m.devs[i]
			what = fmt.Sprintf("unplug keyboard %d", i)
			var held []uint16
			d.held.each(func(c uint16) { held = append(held, c) })
			for _, c := range held {
				m.key(d, c, false)
			}
			d.kb.Remove(now)
			m.devs = slices.Delete(m.devs, i, i+1)
		case r < 73: // a client maps a new toplevel
			cs := live()
			if len(cs) == 0 {
				continue
			}
			tc := cs[rng.IntN(len(cs))]
			id := tc.createSurface()
			ts.pump()
			what = fmt.Sprintf("map client %d surface %d", tc.n, id)
			ts.seat.ToplevelMapped(ts.surface(tc, id))
			m.stack = append(m.stack, propSurface{tc, id})
		case r < 77 && len(m.stack) > 0: // unmap
			i := rng.IntN(len(m.stack))
			ps := m.stack[i]
			what = fmt.Sprintf("unmap client %d surface %d", ps.tc.n, ps.id)
			ts.seat.ToplevelUnmapped(ts.surface(ps.tc, ps.id))
			m.stack = slices.Delete(m.stack, i, i+1)
		case r < 80 && len(m.stack) > 0: // destroy a mapped surface
			i := rng.IntN(len(m.stack))
			ps := m.stack[i]
			what = fmt.Sprintf("destroy client %d surface %d", ps.tc.n, ps.id)
			ps.tc.destroySurface(ps.id)
			m.stack = slices.Delete(m.stack, i, i+1)
		case r < 83 && len(m.stack) > 0: // raise (map again)
			i := rng.IntN(len(m.stack))
			ps := m.stack[i]
			what = fmt.Sprintf("raise client %d surface %d", ps.tc.n, ps.id)
			ts.seat.ToplevelMapped(ts.surface(ps.tc, ps.id))
			m.stack = append(slices.Delete(m.stack, i, i+1), ps)
		case r < 88: // another wl_keyboard
			cs := live()
			if len(cs) == 0 {
				continue
			}
			tc := cs[rng.IntN(len(cs))]
			what = fmt.Sprintf("client %d get_keyboard", tc.n)
			tc.getKeyboard(tc.seatVersion)
		case r < 91: // wl_keyboard.release
			cs := live()
			if len(cs) == 0 {
				continue
			}
			tc := cs[rng.IntN(len(cs))]
			for id := range tc.kbds {
				if tc.kbds[id].version >= 3 {
					what = fmt.Sprintf("client %d release keyboard %d", tc.n, id)
					tc.releaseKeyboard(id)
					break
				}
			}
		case r < 93 && len(live()) < 5:
			tc := ts.connect(version())
			what = fmt.Sprintf("connect client %d", tc.n)
			tc.getKeyboard(tc.seatVersion)
		case r < 94 && len(live()) > 1:
			cs := live()
			tc := cs[rng.IntN(len(cs))]
			what = fmt.Sprintf("disconnect client %d", tc.n)
			tc.conn.Close()
			m.stack = slices.DeleteFunc(m.stack, func(ps propSurface) bool { return ps.tc == tc })
		case r < 95:
			m.gen++
			what = fmt.Sprintf("keymap %d", m.gen)
			if err := ts.seat.SetKeymap(fakeKeymap{m.gen}); err != nil {
				t.Fatal(err)
			}
		case r < 96:
			m.repeat = [2]int32{rng.Int32N(50), 100 + rng.Int32N(900)}
			what = fmt.Sprintf("repeat %v", m.repeat)
			ts.seat.SetRepeat(m.repeat[0], m.repeat[1])
		default:
			continue
		}
		ts.pump()
		m.check(t, ts, step, what)
		if t.Failed() {
			t.Fatalf("stopping at step %d (%s)", step, what)
		}
	}
	var keys, enters, leaves int
	for _, tc := range ts.clients {
		keys, enters, leaves = keys+tc.keyEvents, enters+tc.heldEnters, leaves+tc.leaves
	}
	t.Logf("%d steps, %d clients: %d key events, %d enters with keys held, %d leaves, %d terminate bindings",
		steps, len(ts.clients), keys, enters, leaves, m.quit)
	if keys < steps/10 || enters < 20 || leaves < 50 || m.quit == 0 {
		t.Errorf("the random walk exercised too little")
	}
}

// check compares every live client's records and the devices with the
// model.
func (m *propModel) check(t *testing.T, ts *testServer, step int, what string) {
	t.Helper()
	down := m.seatDown()
	var want keySet
	for i := range want {
		want[i] = down[i] &^ m.eaten[i]
	}
	mods := [4]uint32{depressedFor(&down), 0, m.locked, 0}
	var focus *propSurface
	if n := len(m.stack); n > 0 {
		focus = &m.stack[n-1]
	}
	if got := ts.seat.Focus(); (focus == nil) != (got == nil) || (got != nil && got.ID() != focus.id) {
		t.Errorf("step %d (%s): seat focus %v; want %+v", step, what, got, focus)
	}
	if ts.quit != m.quit {
		t.Errorf("step %d (%s): terminate fired %d times; want %d", step, what, ts.quit, m.quit)
	}
	wantCaps := uint32(0)
	if len(m.devs) > 0 {
		wantCaps = 2
	}
	keymap := fakeKeymap{m.gen}.Text()
	for _, tc := range ts.clients {
		if tc.gone {
			continue
		}
		if tc.caps != wantCaps {
			t.Errorf("step %d (%s): client %d capabilities %d; want %d", step, what, tc.n, tc.caps, wantCaps)
		}
		for _, k := range tc.kbds {
			if k.keymapText != keymap {
				t.Errorf("step %d (%s): client %d kbd %d keymap %q; want %q", step, what, tc.n, k.id, k.keymapText, keymap)
			}
			if k.version >= 4 && k.repeat != m.repeat {
				t.Errorf("step %d (%s): client %d kbd %d repeat %v; want %v", step, what, tc.n, k.id, k.repeat, m.repeat)
			}
			if focus == nil || focus.tc != tc {
				if k.focus != 0 || len(k.pressed) != 0 {
					t.Errorf("step %d (%s): client %d kbd %d (no focus) entered on %d with keys %v", step, what, tc.n, k.id, k.focus, k.pressed)
				}
				continue
			}
			if k.focus != focus.id {
				t.Errorf("step %d (%s): client %d kbd %d entered on %d; want %d", step, what, tc.n, k.id, k.focus, focus.id)
			}
			var got keySet
			for key := range k.pressed {
				got.add(uint16(key))
			}
			if got != want {
				t.Errorf("step %d (%s): client %d kbd %d keys %v; want %v", step, what, tc.n, k.id, keyList(&got), keyList(&want))
			}
			if k.mods != mods {
				t.Errorf("step %d (%s): client %d kbd %d modifiers %v; want %v", step, what, tc.n, k.id, k.mods, mods)
			}
		}
	}
	fs := ts.seat.kbd.state.(*fakeState)
	for code := range uint16(maxKey + 1) {
		kc := int(code) + evdevOffset
		if d := fs.presses[kc] - fs.releases[kc]; d != 0 && d != 1 || (d == 1) != down.has(code) {
			t.Errorf("step %d (%s): XKB state got %d presses and %d releases of key %d; key down %v", step, what, fs.presses[kc], fs.releases[kc], code, down.has(code))
		}
	}
	for i, d := range m.devs {
		if d.leds.on[1] != (m.locked != 0) {
			t.Errorf("step %d (%s): keyboard %d Caps LED %v; want %v", step, what, i, d.leds.on[1], m.locked != 0)
		}
	}
}

func keyList(s *keySet) []uint16 {
	var out []uint16
	s.each(func(c uint16) { out = append(out, c) })
	return out
}
