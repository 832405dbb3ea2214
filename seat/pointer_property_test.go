package seat

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gocomp/compositor/backend"
	"gocomp/protocols/wayland"
)

// ptrModel is the test's own account of the pointer and touch half of the
// seat, computed from the steps without the seat's code.
type ptrModel struct {
	fs       *fakeScene
	ptrs     []*ptrDev
	touches  []*touchDev
	x, y     float64
	grab     *wayland.Surface // the surface holding the implicit grab
	held     map[uint16]int   // buttons held seat-wide, by how many devices
	surfaces []propSurface
}

type ptrDev struct {
	p    backend.Pointer
	held map[uint16]bool
}

type touchDev struct {
	t    backend.Touch
	down map[int32]bool
}

// focus is the surface the pointer focus should be on.
func (m *ptrModel) focus() *wayland.Surface {
	if m.grab != nil && !m.grab.Destroyed() {
		return m.grab
	}
	e, ok := m.fs.at(m.x, m.y)
	if !ok {
		return nil
	}
	return e.s
}

// heldCount is the number of buttons held seat-wide.
func (m *ptrModel) heldCount() int { return len(m.held) }

var debugSteps = false

var propButtons = []uint16{btnLeft, btnRight, 0x112, 0x113}

// TestPointerTouchProperties drives 2 x 10,000 random pointer, touch,
// hotplug, focus and client steps through the seat with raw protocol
// clients. Every client checks each event as it arrives (no release
// without a press, no press twice, motion and buttons only while entered,
// touch events only for points down, frames closing groups); after every
// step the pointer focus is compared with the model (the topmost surface
// under the pointer, or the surface of the implicit grab while buttons are
// held), and no client may keep a button or a touch point the seat no
// longer has.
func TestPointerTouchProperties(t *testing.T) {
	for _, seed := range []uint64{7, 8} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { runPointerProperties(t, seed, 10000) })
	}
}

func runPointerProperties(t *testing.T, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, 0xc0ffee))
	ts, fs := newPointerServer(t, Settings{PointerAccel: AccelFlat})
	m := &ptrModel{fs: fs, held: map[uint16]int{}}
	now := time.Duration(0)
	placed := false
	addPtr := func() {
		if !placed {
			placed = true
			m.x, m.y = 500, 400 // the first pointer starts mid-output
		}
		m.ptrs = append(m.ptrs, &ptrDev{p: ts.seat.AddPointer(backend.PointerInfo{Name: "p"}), held: map[uint16]bool{}})
	}
	addTouch := func() {
		m.touches = append(m.touches, &touchDev{t: ts.seat.AddTouch(backend.TouchInfo{Name: "t"}), down: map[int32]bool{}})
	}
	button := func(d *ptrDev, code uint16, down bool) {
		if d.held[code] == down {
			d.p.Button(now, code, down)
			return
		}
		d.held[code] = down
		if down {
			if m.held[code] == 0 && m.heldCount() == 0 {
				m.grab = m.focus()
			}
			m.held[code]++
		} else {
			m.held[code]--
			if m.held[code] == 0 {
				delete(m.held, code)
			}
			if m.heldCount() == 0 {
				m.grab = nil
			}
		}
		d.p.Button(now, code, down)
	}
	live := func() []*testClient {
		var out []*testClient
		for _, tc := range ts.clients {
			if !tc.gone {
				out = append(out, tc)
			}
		}
		return out
	}
	for range 3 {
		tc := ts.connect(5 + rng.Uint32N(5))
		_ = tc
	}
	addPtr()
	addTouch()
	for _, tc := range ts.clients {
		tc.getPointer()
		tc.getTouch()
	}
	ts.pump()
	randomRect := func() image.Rectangle {
		x, y := rng.IntN(700), rng.IntN(500)
		return image.Rect(x, y, x+200+rng.IntN(600), y+200+rng.IntN(500))
	}
	counts := map[string]int{}
	for step := range steps {
		now += time.Millisecond
		what := ""
		switch r := rng.IntN(100); {
		case r < 22 && len(m.ptrs) > 0: // relative motion
			d := m.ptrs[rng.IntN(len(m.ptrs))]
			dx, dy := float64(rng.IntN(201)-100), float64(rng.IntN(201)-100)
			what = fmt.Sprintf("motion %v,%v", dx, dy)
			m.x = math.Max(0, math.Min(1000-1e-3, m.x+dx))
			m.y = math.Max(0, math.Min(800-1e-3, m.y+dy))
			d.p.Motion(now, dx, dy)
			d.p.Frame()
		case r < 27 && len(m.ptrs) > 0: // absolute motion
			d := m.ptrs[rng.IntN(len(m.ptrs))]
			nx, ny := rng.Float64(), rng.Float64()
			what = fmt.Sprintf("absolute %.3f,%.3f", nx, ny)
			m.x, m.y = math.Min(1000-1e-3, nx*1000), math.Min(800-1e-3, ny*800)
			d.p.MotionAbsolute(now, "", nx, ny)
			d.p.Frame()
		case r < 40 && len(m.ptrs) > 0: // press or release
			d := m.ptrs[rng.IntN(len(m.ptrs))]
			code := propButtons[rng.IntN(len(propButtons))]
			down := rng.IntN(2) == 0
			what = fmt.Sprintf("button %#x %v", code, down)
			button(d, code, down)
			d.p.Frame()
		case r < 43 && len(m.ptrs) > 0:
			d := m.ptrs[rng.IntN(len(m.ptrs))]
			what = "scroll"
			d.p.Axis(now, backend.AxisVertical, backend.AxisSourceWheel, 15, 120)
			d.p.Frame()
		case r < 45 && len(m.ptrs) < 3:
			what = "add pointer"
			addPtr()
		case r < 47 && len(m.ptrs) > 0:
			i := rng.IntN(len(m.ptrs))
			d := m.ptrs[i]
			what = fmt.Sprintf("unplug pointer %d", i)
			for code, down := range d.held {
				if down {
					d.held[code] = false
					m.held[code]--
					if m.held[code] == 0 {
						delete(m.held, code)
					}
				}
			}
			if m.heldCount() == 0 {
				m.grab = nil
			}
			d.p.Remove(now)
			m.ptrs = slices.Delete(m.ptrs, i, i+1)
		case r < 60 && len(m.touches) > 0: // touch down, motion or up
			d := m.touches[rng.IntN(len(m.touches))]
			id := rng.Int32N(4)
			x, y := rng.Float64(), rng.Float64()
			switch {
			case !d.down[id]:
				what = fmt.Sprintf("touch down %d", id)
				d.down[id] = true
				d.t.Down(now, id, x, y)
			case rng.IntN(2) == 0:
				what = fmt.Sprintf("touch motion %d", id)
				d.t.Motion(now, id, x, y)
			default:
				what = fmt.Sprintf("touch up %d", id)
				delete(d.down, id)
				d.t.Up(now, id)
			}
			d.t.Frame()
		case r < 62 && len(m.touches) < 3:
			what = "add touch"
			addTouch()
		case r < 64 && len(m.touches) > 0:
			i := rng.IntN(len(m.touches))
			what = fmt.Sprintf("unplug touch %d", i)
			m.touches[i].t.Remove(now)
			m.touches = slices.Delete(m.touches, i, i+1)
		case r < 74: // map a window
			cs := live()
			if len(cs) == 0 {
				continue
			}
			tc := cs[rng.IntN(len(cs))]
			id := tc.createSurface()
			ts.pump()
			s := ts.surface(tc, id)
			what = fmt.Sprintf("map client %d surface %d", tc.n, id)
			fs.place(s, randomRect())
			ts.seat.ToplevelMapped(s)
			ts.seat.SceneChanged()
			m.surfaces = append(m.surfaces, propSurface{tc, id})
		case r < 78 && len(m.surfaces) > 0: // move a window
			ps := m.surfaces[rng.IntN(len(m.surfaces))]
			what = fmt.Sprintf("move client %d surface %d", ps.tc.n, ps.id)
			fs.place(ts.surface(ps.tc, ps.id), randomRect())
			ts.seat.SceneChanged()
		case r < 82 && len(m.surfaces) > 0: // unmap or destroy a window
			i := rng.IntN(len(m.surfaces))
			ps := m.surfaces[i]
			s := ts.surface(ps.tc, ps.id)
			fs.remove(s)
			if rng.IntN(2) == 0 {
				what = fmt.Sprintf("unmap client %d surface %d", ps.tc.n, ps.id)
				ts.seat.ToplevelUnmapped(s)
				ts.seat.SceneChanged()
				ps.tc.destroySurface(ps.id) // keeps the model simple: unmapped windows go
			} else {
				what = fmt.Sprintf("destroy client %d surface %d", ps.tc.n, ps.id)
				ps.tc.destroySurface(ps.id)
			}
			m.surfaces = slices.Delete(m.surfaces, i, i+1)
		case r < 86: // another wl_pointer or wl_touch
			cs := live()
			if len(cs) == 0 || ts.seat.Capabilities()&(wayland.SeatCapabilityPointer|wayland.SeatCapabilityTouch) != wayland.SeatCapabilityPointer|wayland.SeatCapabilityTouch {
				continue
			}
			tc := cs[rng.IntN(len(cs))]
			if rng.IntN(2) == 0 {
				what = fmt.Sprintf("client %d get_pointer", tc.n)
				tc.getPointer()
			} else {
				what = fmt.Sprintf("client %d get_touch", tc.n)
				tc.getTouch()
			}
		case r < 88:
			cs := live()
			if len(cs) == 0 {
				continue
			}
			tc := cs[rng.IntN(len(cs))]
			for id, p := range tc.ptrs {
				if p.version >= 3 {
					what = fmt.Sprintf("client %d release pointer %d", tc.n, id)
					tc.releasePointer(id)
					break
				}
			}
		case r < 89 && len(live()) < 5:
			tc := ts.connect(5 + rng.Uint32N(5))
			what = fmt.Sprintf("connect client %d", tc.n)
			if caps := ts.seat.Capabilities(); caps&wayland.SeatCapabilityPointer != 0 {
				tc.getPointer()
			}
			if caps := ts.seat.Capabilities(); caps&wayland.SeatCapabilityTouch != 0 {
				tc.getTouch()
			}
		case r < 90 && len(live()) > 1:
			cs := live()
			tc := cs[rng.IntN(len(cs))]
			what = fmt.Sprintf("disconnect client %d", tc.n)
			tc.conn.Close()
			for _, ps := range m.surfaces {
				if ps.tc == tc {
					fs.remove(ts.surface(ps.tc, ps.id))
				}
			}
			m.surfaces = slices.DeleteFunc(m.surfaces, func(ps propSurface) bool { return ps.tc == tc })
		default:
			continue
		}
		counts[what[:min(len(what), 6)]]++
		if debugSteps {
			t.Logf("step %d: %s (focus %v grabbed %v held %d, model grab %v held %v)", step, what, ts.seat.PointerFocus(), ts.seat.ptr.grabbed, ts.seat.ptr.held, m.grab, m.held)
		}
		ts.pump()
		// A destroyed grab surface hands the grab to what is under the
		// pointer, as the seat re-picks its focus.
		if m.grab != nil && m.grab.Destroyed() {
			m.grab = nil
			if m.heldCount() > 0 {
				m.grab = m.focus()
			}
		}
		if ts.seat.PointerFocus() != nil {
			counts["focused"]++
		}
		m.check(t, ts, step, what)
		if t.Failed() {
			t.Fatalf("stopping at step %d (%s)", step, what)
		}
	}
	// Everything goes: no client keeps a button or a point.
	for _, d := range m.ptrs {
		d.p.Remove(now)
	}
	for _, d := range m.touches {
		d.t.Remove(now)
	}
	ts.pump()
	var buttons, enters, downs, cancels, frames int
	for _, tc := range ts.clients {
		for _, p := range tc.ptrs {
			buttons, enters, frames = buttons+p.buttons, enters+p.enters, frames+p.frames
			if !tc.gone && len(p.pressed) != 0 {
				t.Errorf("client %d pointer %d keeps %v pressed after every device left", tc.n, p.id, p.pressed)
			}
		}
		for _, r := range tc.touches {
			downs, cancels = downs+r.downs, cancels+r.cancels
			if !tc.gone && len(r.points) != 0 {
				t.Errorf("client %d touch %d keeps points %v after every device left", tc.n, r.id, r.points)
			}
		}
	}
	t.Logf("step kinds: %v", counts)
	t.Logf("%d steps, %d clients: %d button events, %d enters, %d pointer frames, %d touch downs, %d cancels",
		steps, len(ts.clients), buttons, enters, frames, downs, cancels)
	if buttons < steps/40 || enters < 200 || downs < steps/20 || cancels < 100 || counts["focused"] < steps/2 {
		t.Errorf("the random walk exercised too little")
	}
}

// check compares every live client's pointer and touch records with the
// model.
func (m *ptrModel) check(t *testing.T, ts *testServer, step int, what string) {
	t.Helper()
	want := m.focus()
	if got := ts.seat.PointerFocus(); len(m.ptrs) > 0 && got != want {
		t.Errorf("step %d (%s): pointer focus %v; want %v (pointer at %.1f,%.1f, grab %v)", step, what, got, want, m.x, m.y, m.grab)
	}
	if x, y := ts.seat.PointerPosition(); len(m.ptrs) > 0 && (math.Abs(x-m.x) > 1e-6 || math.Abs(y-m.y) > 1e-6) {
		t.Errorf("step %d (%s): pointer at %v,%v; want %v,%v", step, what, x, y, m.x, m.y)
	}
	anyDown := false
	for _, d := range m.touches {
		anyDown = anyDown || len(d.down) > 0
	}
	for _, tc := range ts.clients {
		if tc.gone {
			continue
		}
		for _, p := range tc.ptrs {
			entered := want != nil && want.Client() == tc.srv && len(m.ptrs) > 0
			if entered && p.focus != want.ID() {
				t.Errorf("step %d (%s): client %d pointer %d on %d; want %d", step, what, tc.n, p.id, p.focus, want.ID())
			}
			if !entered && p.focus != 0 {
				t.Errorf("step %d (%s): client %d pointer %d on %d; want no focus", step, what, tc.n, p.id, p.focus)
			}
			for b := range p.pressed {
				if m.held[uint16(b)] == 0 {
					t.Errorf("step %d (%s): client %d pointer %d has %#x pressed; the seat does not hold it", step, what, tc.n, p.id, b)
				}
			}
			if p.version >= 5 && p.open {
				t.Errorf("step %d (%s): client %d pointer %d: events without a frame", step, what, tc.n, p.id)
			}
		}
		for _, r := range tc.touches {
			if !anyDown && len(r.points) != 0 {
				t.Errorf("step %d (%s): client %d touch %d has points %v; no finger is down", step, what, tc.n, r.id, r.points)
			}
			if r.open {
				t.Errorf("step %d (%s): client %d touch %d: events without a frame", step, what, tc.n, r.id)
			}
		}
	}
}
