package seat

import (
	"fmt"
	"image"
	"math"
	"testing"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/render"
)

// newPointerServer returns a test server whose seat looks at a fake scene.
func newPointerServer(t *testing.T, st Settings) (*testServer, *fakeScene) {
	t.Helper()
	fs := newFakeScene()
	ts := newTestServerConfig(t, MaxVersion, Config{Keymap: fakeKeymap{}, RepeatRate: 25, RepeatDelay: 600, Scene: fs, Settings: st})
	fs.seat = ts.seat
	return ts, fs
}

// window creates a surface of tc placed at r in the scene, mapped as a
// toplevel.
func window(ts *testServer, fs *fakeScene, tc *testClient, r image.Rectangle) uint32 {
	id := tc.createSurface()
	ts.pump()
	s := ts.surface(tc, id)
	fs.place(s, r)
	ts.seat.ToplevelMapped(s)
	ts.seat.SceneChanged()
	ts.pump()
	return id
}

const ms = time.Millisecond

func TestPointerEnterMotionButtonsAndGrab(t *testing.T) {
	ts, _ := newPointerServer(t, Settings{PointerAccel: AccelFlat})
	a := ts.connect(9)
	a.expectErrors = true
	a.getPointer() // before any pointer device: missing capability
	ts.pump()
	if len(a.errs) != 1 || !a.gone {
		t.Fatalf("get_pointer before any pointer device: errors %q; want missing_capability", a.errs)
	}
	ts, fs := newPointerServer(t, Settings{PointerAccel: AccelFlat})
	dev := ts.seat.AddPointer(backend.PointerInfo{Name: "mouse", Accelerate: true})
	a, b := ts.connect(9), ts.connect(8)
	if a.caps&1 == 0 {
		t.Fatalf("capabilities %d; want pointer", a.caps)
	}
	pa, pb := a.getPointer(), b.getPointer()
	wa := window(ts, fs, a, image.Rect(0, 0, 400, 800))
	wb := window(ts, fs, b, image.Rect(600, 0, 1000, 800))
	if fs.cursorAt != [2]float64{500, 400} {
		t.Errorf("cursor at %v; want the first output's centre", fs.cursorAt)
	}
	// The pointer starts between the windows: no focus.
	dev.Motion(1*ms, -150, 10) // flat, speed 0: exactly -150, 10
	dev.Frame()
	ts.pump()
	ra, rb := a.ptrs[pa], b.ptrs[pb]
	if ra.focus != wa || ra.x != 350 || ra.y != 410 || rb.focus != 0 {
		t.Fatalf("after moving onto a's window: a on %d at %v,%v; b on %d; want a on %d at 350,410", ra.focus, ra.x, ra.y, rb.focus, wa)
	}
	if ra.frames != 1 || fs.cursor != "image 12x19" {
		t.Errorf("frames %d, cursor %q; want 1 frame, the default arrow", ra.frames, fs.cursor)
	}
	// Press on a's window (b, mapped last, has the keyboard): a is
	// activated. Drag over b's: the implicit grab keeps a.
	dev.Button(2*ms, btnLeft, true)
	dev.Frame()
	if len(fs.activated) != 1 || fs.activated[0].ID() != wa || ts.seat.Focus().ID() != wa {
		t.Errorf("press on a's window: activated %v, keyboard focus %v; want a", fs.activated, ts.seat.Focus())
	}
	dev.Motion(3*ms, 400, 0)
	dev.Frame()
	ts.pump()
	if ra.focus != wa || ra.x != 750 || !ra.pressed[btnLeft] || rb.focus != 0 {
		t.Fatalf("dragging: a on %d at x %v pressed %v, b on %d; want a to keep the pointer at x 750", ra.focus, ra.x, ra.pressed, rb.focus)
	}
	// Release over b: a gets the release, then leaves; b is entered.
	dev.Button(4*ms, btnLeft, false)
	dev.Frame()
	ts.pump()
	if ra.focus != 0 || len(ra.pressed) != 0 || rb.focus != wb || rb.x != 150 {
		t.Fatalf("after the release: a on %d pressed %v, b on %d at x %v; want b entered at 150", ra.focus, ra.pressed, rb.focus, rb.x)
	}
	// A click on b's window moves the keyboard to b; a second one on the
	// focused window activates nothing.
	for range 2 {
		dev.Button(5*ms, btnRight, true)
		dev.Button(5*ms, btnRight, false)
		dev.Frame()
	}
	ts.pump()
	if len(fs.activated) != 2 || fs.activated[1].ID() != wb || ts.seat.Focus().ID() != wb {
		t.Errorf("clicks on b's window: activated %v, keyboard focus %v; want b once", fs.activated, ts.seat.Focus())
	}
	dev.Motion(6*ms, -400, 0)
	dev.Frame()
	// Unplug with a button held: the client sees the release.
	dev.Button(7*ms, btnLeft, true)
	dev.Frame()
	ts.pump()
	dev.Remove(8 * ms)
	ts.pump()
	if len(ra.pressed) != 0 {
		t.Errorf("after unplugging with a button held: a has %v pressed", ra.pressed)
	}
	if a.caps&1 != 0 || fs.cursor != "hidden" {
		t.Errorf("after the last pointer left: capabilities %d, cursor %q; want no pointer, hidden", a.caps, fs.cursor)
	}
}

func TestPointerScrollingBySeatVersion(t *testing.T) {
	ts, fs := newPointerServer(t, Settings{})
	dev := ts.seat.AddPointer(backend.PointerInfo{Name: "mouse"})
	var clients []*testClient
	var ptrs []uint32
	for _, v := range []uint32{9, 7, 4} {
		tc := ts.connect(v)
		clients, ptrs = append(clients, tc), append(ptrs, tc.getPointer())
		window(ts, fs, tc, image.Rect(0, 0, 1000, 800))
		dev.MotionAbsolute(1*ms, "", 0.5, 0.5)
		dev.Frame()
		ts.pump()
		dev.Axis(2*ms, backend.AxisVertical, backend.AxisSourceWheel, 15, 120)
		dev.Frame()
		ts.pump()
		r := tc.ptrs[ptrs[len(ptrs)-1]]
		if r.focus == 0 || r.lastAxis != 15 || r.axes != 1 {
			t.Fatalf("v%d: focus %d, axis %v (%d events)", v, r.focus, r.lastAxis, r.axes)
		}
		switch {
		case v >= 8 && (len(r.value120) != 1 || r.value120[0] != 120 || len(r.sources) != 1 || r.sources[0] != 0):
			t.Errorf("v%d: value120 %v sources %v; want [120] [wheel]", v, r.value120, r.sources)
		case v >= 5 && v < 8 && (len(r.value120) != 1 || r.value120[0] != 120):
			t.Errorf("v%d: discrete steps %v; want one", v, r.value120)
		case v < 5 && (len(r.value120) != 0 || r.frames != 0):
			t.Errorf("v%d: got value120 %v and %d frames; want neither", v, r.value120, r.frames)
		}
	}
	// Natural scrolling inverts the direction.
	st := ts.seat.Settings()
	st.NaturalScroll = true
	if err := ts.seat.ApplySettings(st, nil); err != nil {
		t.Fatal(err)
	}
	dev.Axis(3*ms, backend.AxisVertical, backend.AxisSourceWheel, 15, 120)
	dev.Frame()
	ts.pump()
	if r := clients[2].ptrs[ptrs[2]]; r.lastAxis != -15 {
		t.Errorf("natural scrolling: axis %v; want -15", r.lastAxis)
	}
}

func TestSetCursorNeedsTheEnterSerial(t *testing.T) {
	ts, fs := newPointerServer(t, Settings{})
	dev := ts.seat.AddPointer(backend.PointerInfo{Name: "mouse"})
	tc := ts.connect(9)
	p := tc.getPointer()
	window(ts, fs, tc, image.Rect(0, 0, 1000, 800))
	cursor := tc.createSurface()
	ts.pump()
	wantCursor := fmt.Sprintf("surface %d hot 3,4", cursor)
	r := tc.ptrs[p]
	if r.focus == 0 {
		t.Fatal("not entered")
	}
	tc.setCursor(p, r.enterSerial+100, cursor, 3, 4) // a stale serial: ignored
	ts.pump()
	if fs.cursor != "image 12x19" {
		t.Errorf("cursor %q after set_cursor with a wrong serial; want the default arrow kept", fs.cursor)
	}
	tc.setCursor(p, r.enterSerial, cursor, 3, 4)
	ts.pump()
	if fs.cursor != wantCursor {
		t.Errorf("cursor %q; want %q", fs.cursor, wantCursor)
	}
	tc.setCursor(p, r.enterSerial, 0, 0, 0)
	ts.pump()
	if fs.cursor != "hidden" {
		t.Errorf("cursor %q after set_cursor(null); want hidden", fs.cursor)
	}
	// Hidden always: the client's cursor is not shown either.
	st := ts.seat.Settings()
	st.HideCursor = CursorHidden
	ts.seat.ApplySettings(st, nil)
	tc.setCursor(p, r.enterSerial, cursor, 1, 1)
	ts.pump()
	dev.Motion(1*ms, 1, 1)
	dev.Frame()
	if fs.cursor != "hidden" {
		t.Errorf("cursor %q with hide-cursor always; want hidden", fs.cursor)
	}
}

func TestLeftHandedSwapsButtons(t *testing.T) {
	ts, fs := newPointerServer(t, Settings{LeftHanded: true})
	dev := ts.seat.AddPointer(backend.PointerInfo{Name: "mouse"})
	tc := ts.connect(9)
	p := tc.getPointer()
	window(ts, fs, tc, image.Rect(0, 0, 1000, 800))
	dev.Button(1*ms, btnLeft, true)
	dev.Frame()
	ts.pump()
	if r := tc.ptrs[p]; !r.pressed[btnRight] || r.pressed[btnLeft] {
		t.Errorf("left-handed left button: pressed %v; want BTN_RIGHT", r.pressed)
	}
}

func TestTouchPointsStayWithTheirSurface(t *testing.T) {
	ts, fs := newPointerServer(t, Settings{HideCursor: CursorHiddenAfterTouch})
	mouse := ts.seat.AddPointer(backend.PointerInfo{Name: "mouse"})
	dev := ts.seat.AddTouch(backend.TouchInfo{Name: "screen"})
	a, b := ts.connect(9), ts.connect(9)
	ta, tb := a.getTouch(), b.getTouch()
	wa := window(ts, fs, a, image.Rect(0, 0, 500, 800))
	wb := window(ts, fs, b, image.Rect(500, 0, 1000, 800))
	if fs.cursor != "image 12x19" {
		t.Fatalf("cursor %q; want the arrow before any touch", fs.cursor)
	}
	// Two fingers at once, one on each window.
	dev.Down(1*ms, 0, 0.1, 0.5)
	dev.Down(1*ms, 1, 0.9, 0.5)
	dev.Frame()
	ts.pump()
	ra, rb := a.touches[ta], b.touches[tb]
	if len(ra.points) != 1 || len(rb.points) != 1 || ra.pos[0] != [2]float64{100, 400} || rb.pos[1] != [2]float64{400, 400} {
		t.Fatalf("two fingers: a %v %v, b %v %v", ra.points, ra.pos, rb.points, rb.pos)
	}
	if ra.points[0] != wa || rb.points[1] != wb || ra.frames != 1 || rb.frames != 1 {
		t.Errorf("points on surfaces %v and %v with %d/%d frames", ra.points, rb.points, ra.frames, rb.frames)
	}
	if fs.cursor != "hidden" {
		t.Errorf("cursor %q after a touch with hide-cursor touch; want hidden", fs.cursor)
	}
	// The finger on a moves over b: it stays a's, in a's coordinates.
	dev.Motion(2*ms, 0, 0.7, 0.25)
	dev.Frame()
	ts.pump()
	if ra.pos[0] != [2]float64{700, 200} || rb.motions != 0 {
		t.Errorf("moved finger: a at %v, b got %d motions; want a at 700,200", ra.pos[0], rb.motions)
	}
	dev.Up(3*ms, 0)
	dev.Frame()
	ts.pump()
	if len(ra.points) != 0 || ra.ups != 1 {
		t.Errorf("after up: a has %v", ra.points)
	}
	// The pointer moves: the cursor comes back.
	mouse.Motion(4*ms, 1, 0)
	mouse.Frame()
	if fs.cursor != "image 12x19" {
		t.Errorf("cursor %q after pointer motion; want the arrow back", fs.cursor)
	}
	// Unplug with a finger down: b's touches are cancelled.
	dev.Remove(5 * ms)
	ts.pump()
	if rb.cancels != 1 || len(rb.points) != 0 || ra.cancels != 0 {
		t.Errorf("unplug: b cancels %d points %v, a cancels %d; want b cancelled once", rb.cancels, rb.points, ra.cancels)
	}
	if a.caps&4 != 0 {
		t.Errorf("capabilities %d after the touch device left; want no touch", a.caps)
	}
}

func TestTouchCalibrationRotates(t *testing.T) {
	// Clockwise 90°: the device's top-left corner is the output's
	// top-right, its top-right the bottom-right.
	rot := [6]float64{0, -1, 1, 1, 0, 0}
	for _, tc := range []struct {
		name   string
		st     Settings
		info   backend.TouchInfo
		dx, dy float64
		want   [2]float64
	}{
		{"no calibration", Settings{}, backend.TouchInfo{}, 0, 0, [2]float64{0, 0}},
		{"device's matrix", Settings{}, backend.TouchInfo{Calibration: &rot}, 0, 0, [2]float64{1000, 0}},
		{"device's matrix, top-right", Settings{}, backend.TouchInfo{Calibration: &rot}, 1, 0, [2]float64{1000, 800}},
		{"the seat's matrix wins", Settings{TouchCalibration: &[6]float64{1, 0, 0, 0, 1, 0}}, backend.TouchInfo{Calibration: &rot}, 0.5, 0.25, [2]float64{500, 200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := touchLandsAt(t, tc.st, tc.info, render.Normal, tc.dx, tc.dy)
			if math.Abs(got[0]-tc.want[0]) > 0.01 || math.Abs(got[1]-tc.want[1]) > 0.01 {
				t.Errorf("touch at %v,%v landed at %v; want %v", tc.dx, tc.dy, got, tc.want)
			}
		})
	}
}

// touchLandsAt puts a finger down at (dx, dy) of a touch device (info)
// on a seat with settings st, whose one 1000x800 output is turned by tr
// and shows one full-output window, and returns where the window's
// wl_touch saw it.
func touchLandsAt(t *testing.T, st Settings, info backend.TouchInfo, tr render.Transform, dx, dy float64) [2]float64 {
	t.Helper()
	ts, fs := newPointerServer(t, st)
	fs.transform = tr
	dev := ts.seat.AddTouch(info)
	c := ts.connect(9)
	touch := c.getTouch()
	window(ts, fs, c, image.Rect(0, 0, 1000, 800))
	dev.Down(1*ms, 0, dx, dy)
	dev.Frame()
	ts.pump()
	return c.touches[touch].pos[0]
}

// TestTouchFollowsOutputTransform: a touchscreen covers the screen, which
// shows the output's 1000x800 picture turned; a point of the screen lands
// on the picture's point shown there. The expectations are worked out from
// wl_output.transform's definition (counter-clockwise turns), not from the
// code: turned 90°, the picture's right edge runs along the screen's top,
// its top-right corner at the screen's top-left.
func TestTouchFollowsOutputTransform(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tr     render.Transform
		dx, dy float64 // on the screen, normalized
		want   [2]float64
	}{
		{"normal", render.Normal, 0.5, 0.25, [2]float64{500, 200}},
		{"90: screen top-left is the picture's top-right", render.Rotate90, 0, 0, [2]float64{1000, 0}},
		{"90: screen top-right is the picture's bottom-right", render.Rotate90, 1, 0, [2]float64{1000, 800}},
		{"90: screen bottom-left is the picture's top-left", render.Rotate90, 0, 1, [2]float64{0, 0}},
		{"90: inside", render.Rotate90, 0.5, 0.25, [2]float64{750, 400}},
		{"180", render.Rotate180, 0.25, 0.25, [2]float64{750, 600}},
		{"270: screen top-left is the picture's bottom-left", render.Rotate270, 0, 0, [2]float64{0, 800}},
		{"flipped", render.Flipped, 0.25, 0.5, [2]float64{750, 400}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := touchLandsAt(t, Settings{}, backend.TouchInfo{}, tc.tr, tc.dx, tc.dy)
			if math.Abs(got[0]-tc.want[0]) > 0.01 || math.Abs(got[1]-tc.want[1]) > 0.01 {
				t.Errorf("touch at screen %v,%v landed at %v; want %v", tc.dx, tc.dy, got, tc.want)
			}
		})
	}
}

func TestAcceleration(t *testing.T) {
	var f accelFilter
	f.configure(AccelFlat, 0.5)
	if dx, dy := f.apply(0, 10, -4); dx != 15 || dy != -6 {
		t.Errorf("flat at 0.5: %v,%v; want 15,-6", dx, dy)
	}
	// Adaptive at speed 0: slow motion (1 unit per 8 ms) is slowed down,
	// fast motion (40 units per 8 ms) is sped up, up to the maximum.
	for _, tc := range []struct {
		step    float64
		lo, hi  float64
		comment string
	}{
		{1, 0.3, 1, "slow: precise"},
		{3, 0.99, 1.01, "moderate: 1:1"},
		{40, 1.5, adaptiveMaxFactor + 1e-9, "fast: faster, capped"},
	} {
		var a accelFilter
		var k float64
		for i := range 10 {
			dx, _ := a.apply(time.Duration(i)*8*ms, tc.step, 0)
			k = dx / tc.step
		}
		if k < tc.lo || k > tc.hi {
			t.Errorf("%s: factor %.3f at %v units per 8 ms; want %v..%v", tc.comment, k, tc.step, tc.lo, tc.hi)
		}
	}
	// A higher speed setting moves further for the same fast motion.
	var slow, fast accelFilter
	slow.configure(AccelAdaptive, -1)
	fast.configure(AccelAdaptive, 1)
	var ds, df float64
	for i := range 10 {
		ds, _ = slow.apply(time.Duration(i)*8*ms, 10, 0)
		df, _ = fast.apply(time.Duration(i)*8*ms, 10, 0)
	}
	if ds >= df {
		t.Errorf("speed -1 moved %v, speed 1 moved %v; want the latter further", ds, df)
	}
}

// TestPointerMotionAllocatesNothing: moving the pointer over a client's
// surface, motion events and frames included, allocates nothing once the
// buffers have grown.
func TestPointerMotionAllocatesNothing(t *testing.T) {
	ts, fs := newPointerServer(t, Settings{})
	dev := ts.seat.AddPointer(backend.PointerInfo{Name: "mouse", Accelerate: true})
	tc := ts.connect(9)
	tc.getPointer()
	window(ts, fs, tc, image.Rect(0, 0, 1000, 800))
	now := time.Duration(0)
	step := 1.0
	move := func() {
		now += 8 * ms
		step = -step
		dev.Motion(now, step, step)
		dev.Frame()
	}
	for range 100 {
		move()
		ts.d.FlushClients()
		tc.read()
	}
	if a := testing.AllocsPerRun(200, move); a != 0 {
		t.Errorf("%v allocations per pointer motion; want 0", a)
	}
	ts.pump()
}
