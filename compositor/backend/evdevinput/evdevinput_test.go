package evdevinput

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
	"gocomp/evdev"

	"golang.org/x/sys/unix"
)

// sink records what reaches the seat, one line per call.
type sink struct{ log []string }

func (s *sink) add(format string, args ...any) { s.log = append(s.log, fmt.Sprintf(format, args...)) }

type recKeyboard struct {
	s    *sink
	name string
}

func (s *sink) AddKeyboard(name string, leds backend.LEDSetter) backend.Keyboard {
	s.add("add %s leds=%v", name, leds != nil)
	return &recKeyboard{s: s, name: name}
}

func (k *recKeyboard) Key(t time.Duration, code uint16, pressed bool) {
	k.s.add("key %d %v at %v", code, pressed, t)
}

func (k *recKeyboard) Remove(time.Duration) { k.s.add("remove %s", k.name) }

type recPointer struct{ s *sink }

func (s *sink) AddPointer(info backend.PointerInfo) backend.Pointer {
	s.add("add pointer %s accel=%v", info.Name, info.Accelerate)
	return &recPointer{s}
}

func (p *recPointer) Motion(_ time.Duration, dx, dy float64) { p.s.add("motion %.2f %.2f", dx, dy) }
func (p *recPointer) MotionAbsolute(_ time.Duration, out string, x, y float64) {
	p.s.add("absolute %q %.3f %.3f", out, x, y)
}
func (p *recPointer) Button(_ time.Duration, code uint16, pressed bool) {
	p.s.add("button %#x %v", code, pressed)
}
func (p *recPointer) Axis(_ time.Duration, a backend.Axis, src backend.AxisSource, v float64, v120 int32) {
	p.s.add("axis %d source %d %.2f v120 %d", a, src, v, v120)
}
func (p *recPointer) AxisStop(_ time.Duration, a backend.Axis) { p.s.add("axis stop %d", a) }
func (p *recPointer) Frame()                                   { p.s.add("frame") }
func (p *recPointer) Remove(time.Duration)                     { p.s.add("remove pointer") }

type recTouch struct{ s *sink }

func (s *sink) AddTouch(info backend.TouchInfo) backend.Touch {
	s.add("add touch %s calibrated=%v", info.Name, info.Calibration != nil)
	return &recTouch{s}
}

func (t *recTouch) Down(_ time.Duration, id int32, x, y float64) {
	t.s.add("down %d %.3f %.3f", id, x, y)
}
func (t *recTouch) Motion(_ time.Duration, id int32, x, y float64) {
	t.s.add("touch motion %d %.3f %.3f", id, x, y)
}
func (t *recTouch) Up(_ time.Duration, id int32) { t.s.add("up %d", id) }
func (t *recTouch) Frame()                       { t.s.add("touch frame") }
func (t *recTouch) Cancel()                      { t.s.add("cancel") }
func (t *recTouch) Remove(time.Duration)         { t.s.add("remove touch") }

// keyboardCaps announces KEY_ESC..KEY_D, the udev rule for a keyboard.
func keyboardCaps() evdev.Capabilities {
	var c evdev.Capabilities
	for code := uint16(1); code <= 32; code++ {
		c.Set(evdev.EvKey, code)
	}
	return c
}

// frame encodes events then SYN_REPORT, stamped t.
func frame(t time.Duration, evs ...evdev.Event) []byte {
	var b []byte
	for _, ev := range append(evs, evdev.Event{Type: evdev.EvSyn, Code: evdev.SynReport}) {
		ev.Time = t
		var e [evdev.EventSize]byte
		evdev.PutEvent(e[:], ev)
		b = append(b, e[:]...)
	}
	return b
}

// TestAdoptedStreamReachesTheSeat feeds a keyboard through a pipe, as a
// device the source adopted: its frames reach the seat with the kernel's
// time stamps, autorepeat does not, and the end of the stream removes the
// keyboard after releasing the key it held. No device of the machine is
// opened (NoDiscovery).
func TestAdoptedStreamReachesTheSeat(t *testing.T) {
	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	src := New(Config{Loop: l, NoDiscovery: true, Log: slog.New(slog.DiscardHandler)})
	s := &sink{}
	if err := src.Start(s); err != nil {
		t.Fatal(err)
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[1])
	dev, err := evdev.NewStream(p[0], "pipe0", evdev.StreamInfo{Name: "Test Keyboard", Caps: keyboardCaps()}, evdev.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Adopt(dev); err != nil {
		t.Fatal(err)
	}
	write := func(b []byte) {
		if _, err := unix.Write(p[1], b); err != nil {
			t.Fatal(err)
		}
		if err := l.Dispatch(time.Second); err != nil {
			t.Fatal(err)
		}
	}
	key := func(code uint16, v int32) evdev.Event { return evdev.Event{Type: evdev.EvKey, Code: code, Value: v} }
	write(frame(5*time.Second, key(30, 1)))
	write(frame(6*time.Second, key(30, 2))) // autorepeat: the compositor's business
	write(frame(7*time.Second, key(30, 0), key(31, 1)))
	unix.Close(p[1]) // end of stream: an unplug
	if err := l.Dispatch(time.Second); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"add Test Keyboard (pipe0) leds=false",
		"key 30 true at 5s",
		"key 30 false at 7s",
		"key 31 true at 7s",
	}
	got := s.log
	if len(got) != len(want)+2 || !slices.Equal(got[:len(want)], want) {
		t.Fatalf("the seat saw:\n%q\nwant %q then the release of key 31 and the removal", got, want)
	}
	if rel := got[len(want)]; rel[:len("key 31 false")] != "key 31 false" || got[len(want)+1] != "remove Test Keyboard (pipe0)" {
		t.Errorf("after the end of the stream: %q; want key 31 released, then removed", got[len(want):])
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	var q [2]int
	if err := unix.Pipe2(q[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(q[1])
	stray, err := evdev.NewStream(q[0], "late", evdev.StreamInfo{Name: "Late", Caps: keyboardCaps()}, evdev.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Adopt(stray); err == nil {
		t.Errorf("Adopt after Close succeeded")
	}
}

// feed runs a stream device described by info through a source and
// returns what reached the seat. Each chunk is written and dispatched
// before the next; the stream then ends (an unplug).
func feed(t *testing.T, info evdev.StreamInfo, tapToClick bool, chunks ...[]byte) []string {
	t.Helper()
	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	src := New(Config{Loop: l, NoDiscovery: true, TapToClick: func() bool { return tapToClick },
		Log: slog.New(slog.DiscardHandler)})
	s := &sink{}
	if err := src.Start(s); err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	dev, err := evdev.NewStream(p[0], "pipe", info, evdev.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Adopt(dev); err != nil {
		t.Fatal(err)
	}
	for _, c := range chunks {
		if _, err := unix.Write(p[1], c); err != nil {
			t.Fatal(err)
		}
		if err := l.Dispatch(time.Second); err != nil {
			t.Fatal(err)
		}
	}
	unix.Close(p[1])
	if err := l.Dispatch(time.Second); err != nil {
		t.Fatal(err)
	}
	return s.log
}

// caps builds capabilities from (type, code) pairs and input properties.
func caps(props []uint16, pairs ...any) evdev.Capabilities {
	var c evdev.Capabilities
	for i := 0; i < len(pairs); i += 2 {
		c.Set(pairs[i].(evdev.Type), pairs[i+1].(uint16))
	}
	for _, p := range props {
		c.Props[p/8] |= 1 << (p % 8)
	}
	return c
}

func ev(t evdev.Type, code uint16, v int32) evdev.Event {
	return evdev.Event{Type: t, Code: code, Value: v}
}

const (
	absMTSlot  = evdev.AbsMTSlot
	absMTID    = evdev.AbsMTTrackingID
	absMTX     = evdev.AbsMTPositionX
	absMTY     = evdev.AbsMTPositionY
	btnTouch   = evdev.BtnTouch
	btnLeft    = evdev.BtnLeft
	btnFinger  = evdev.BtnToolFinger
	propDirect = evdev.PropDirect
)

func TestPointerDevicesDriveTheSeat(t *testing.T) {
	key, rel, abs := evdev.EvKey, evdev.EvRel, evdev.EvAbs
	mouse := caps(nil, key, btnLeft, key, uint16(evdev.BtnRight), rel, evdev.RelX, rel, evdev.RelY, rel, evdev.RelWheel)
	hiResMouse := mouse
	hiResMouse.Set(rel, evdev.RelWheelHiRes)
	tabletRange := map[uint16]evdev.AbsInfo{evdev.AbsX: {Maximum: 32767}, evdev.AbsY: {Maximum: 32767}}
	tablet := caps(nil, key, btnLeft, abs, evdev.AbsX, abs, evdev.AbsY)
	mtRange := map[uint16]evdev.AbsInfo{absMTSlot: {Maximum: 9}, absMTX: {Maximum: 1000}, absMTY: {Maximum: 500}}
	screen := caps([]uint16{propDirect}, key, btnTouch, abs, evdev.AbsX, abs, evdev.AbsY, abs, absMTSlot, abs, absMTID, abs, absMTX, abs, absMTY)
	stRange := map[uint16]evdev.AbsInfo{evdev.AbsX: {Minimum: 100, Maximum: 4100}, evdev.AbsY: {Maximum: 2000}}
	stScreen := caps([]uint16{propDirect}, key, btnTouch, abs, evdev.AbsX, abs, evdev.AbsY)
	padRange := map[uint16]evdev.AbsInfo{absMTSlot: {Maximum: 4}, absMTX: {Maximum: 1000, Resolution: 10}, absMTY: {Maximum: 1000, Resolution: 10}}
	pad := caps(nil, key, btnLeft, key, btnFinger, key, btnTouch, abs, evdev.AbsX, abs, evdev.AbsY, abs, absMTSlot, abs, absMTID, abs, absMTX, abs, absMTY)
	ms := time.Millisecond
	finger := func(slot, id, x, y int32) []evdev.Event {
		return []evdev.Event{ev(abs, absMTSlot, slot), ev(abs, absMTID, id), ev(abs, absMTX, x), ev(abs, absMTY, y)}
	}
	join := func(evs ...[]evdev.Event) []evdev.Event {
		var out []evdev.Event
		for _, e := range evs {
			out = append(out, e...)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		info   evdev.StreamInfo
		tap    bool
		frames [][]byte
		want   []string
	}{
		{"mouse: motion, button, wheel detent, unplug with the button held", evdev.StreamInfo{Name: "Mouse", Caps: mouse}, false, [][]byte{
			frame(1*ms, ev(rel, evdev.RelX, 3), ev(rel, evdev.RelY, -2)),
			frame(2*ms, ev(key, btnLeft, 1)),
			frame(3*ms, ev(rel, evdev.RelWheel, 1)), // away from the user: scroll up
		}, []string{
			"add pointer Mouse (pipe) accel=true",
			"motion 3.00 -2.00", "frame",
			"button 0x110 true", "frame",
			"axis 0 source 0 -15.00 v120 -120", "frame",
			"button 0x110 false", "frame", "remove pointer", // the end of the stream releases it
		}},
		{"high-resolution wheel: only its values count", evdev.StreamInfo{Name: "HiRes", Caps: hiResMouse}, false, [][]byte{
			frame(1*ms, ev(rel, evdev.RelWheel, -1), ev(rel, evdev.RelWheelHiRes, -60)),
			frame(2*ms, ev(rel, evdev.RelWheelHiRes, -60), ev(rel, evdev.RelWheel, -1)),
		}, []string{
			"add pointer HiRes (pipe) accel=true",
			"axis 0 source 0 7.50 v120 60", "frame",
			"axis 0 source 0 7.50 v120 60", "frame",
			"remove pointer",
		}},
		{"absolute pointer (a tablet used as a mouse)", evdev.StreamInfo{Name: "Tablet", Caps: tablet, Abs: tabletRange}, false, [][]byte{
			frame(1*ms, ev(abs, evdev.AbsX, 16383), ev(abs, evdev.AbsY, 32767)),
			frame(2*ms, ev(abs, evdev.AbsX, 0)),
		}, []string{
			"add pointer Tablet (pipe) accel=true",
			`absolute "" 0.500 1.000`, "frame",
			`absolute "" 0.000 1.000`, "frame",
			"remove pointer",
		}},
		{"multitouch screen: two fingers at once, one moves, one lifts, unplug", evdev.StreamInfo{Name: "Screen", Caps: screen, Abs: mtRange}, false, [][]byte{
			frame(1*ms, join(finger(0, 5, 100, 50), finger(1, 6, 900, 450))...),
			frame(2*ms, ev(abs, absMTSlot, 1), ev(abs, absMTX, 800)),
			frame(3*ms, ev(abs, absMTSlot, 0), ev(abs, absMTID, -1)),
		}, []string{
			"add touch Screen (pipe) calibrated=false",
			"down 0 0.100 0.100", "down 1 0.900 0.900", "touch frame",
			"touch motion 1 0.800 0.900", "touch frame",
			"up 0", "touch frame",
			"remove touch",
		}},
		{"single-touch screen", evdev.StreamInfo{Name: "ST", Caps: stScreen, Abs: stRange}, false, [][]byte{
			frame(1*ms, ev(key, btnTouch, 1), ev(abs, evdev.AbsX, 2100), ev(abs, evdev.AbsY, 500)),
			frame(2*ms, ev(abs, evdev.AbsY, 1000)),
			frame(3*ms, ev(key, btnTouch, 0)),
		}, []string{
			"add touch ST (pipe) calibrated=false",
			"down 0 0.500 0.250", "touch frame",
			"touch motion 0 0.500 0.500", "touch frame",
			"up 0", "touch frame",
			"remove touch",
		}},
		{"touchpad: one finger moves, two scroll and stop, a tap without tapping on", evdev.StreamInfo{Name: "Pad", Caps: pad, Abs: padRange}, false, [][]byte{
			frame(1*ms, finger(0, 1, 100, 100)...),
			frame(2*ms, ev(abs, absMTX, 110)),      // 1 mm right
			frame(3*ms, finger(1, 2, 300, 100)...), // a second finger: no motion yet
			frame(4*ms, ev(abs, absMTSlot, 0), ev(abs, absMTY, 120), // both 2 mm down: scroll
				ev(abs, absMTSlot, 1), ev(abs, absMTY, 120)),
			frame(5*ms, ev(abs, absMTSlot, 1), ev(abs, absMTID, -1)), // one lifts: scrolling stops
			frame(6*ms, ev(abs, absMTSlot, 0), ev(abs, absMTID, -1)),
			frame(300*ms, finger(0, 3, 500, 500)...), // a quick tap: no click (tapping off)
			frame(350*ms, ev(abs, absMTID, -1)),
		}, []string{
			"add pointer Pad (pipe) accel=true",
			"motion 39.37 0.00", "frame",
			"axis 0 source 1 5.00 v120 0", "frame",
			"axis stop 0", "axis stop 1", "frame",
			"remove pointer",
		}},
		{"touchpad tap with tapping on clicks", evdev.StreamInfo{Name: "Pad", Caps: pad, Abs: padRange}, true, [][]byte{
			frame(300*ms, finger(0, 3, 500, 500)...),
			frame(350*ms, ev(abs, absMTID, -1)),
			frame(400*ms, join(finger(0, 4, 500, 500), finger(1, 5, 600, 500))...), // two fingers: right click
			frame(450*ms, ev(abs, absMTSlot, 0), ev(abs, absMTID, -1), ev(abs, absMTSlot, 1), ev(abs, absMTID, -1)),
			frame(500*ms, finger(0, 6, 500, 500)...), // held too long: no click
			frame(900*ms, ev(abs, absMTID, -1)),
		}, []string{
			"add pointer Pad (pipe) accel=true",
			"button 0x110 true", "button 0x110 false", "frame",
			"button 0x111 true", "button 0x111 false", "frame",
			"remove pointer",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := feed(t, tc.info, tc.tap, tc.frames...)
			if !slices.Equal(got, tc.want) {
				t.Errorf("the seat saw:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
