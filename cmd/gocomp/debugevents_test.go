package main

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"time"

	"gocomp/evdev"
)

// TestEventPrinterLines feeds frames of a multitouch screen and a mouse to
// debug-events' printer and checks its readable lines.
func TestEventPrinterLines(t *testing.T) {
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	p := &eventPrinter{w: w, touch: map[*evdev.Device]*slotTracker{}}
	var screenCaps, mouseCaps evdev.Capabilities
	screenCaps.Set(evdev.EvAbs, evdev.AbsMTSlot)
	screen := &evdev.Device{Path: "/dev/input/event7", Caps: screenCaps}
	mouse := &evdev.Device{Path: "/dev/input/event5", Caps: mouseCaps}
	p.added(screen)
	w.Flush()
	out.Reset() // the "added" line
	abs := func(code uint16, v int32) evdev.Event { return evdev.Event{Type: evdev.EvAbs, Code: code, Value: v} }
	rel := func(code uint16, v int32) evdev.Event { return evdev.Event{Type: evdev.EvRel, Code: code, Value: v} }
	frames := []*evdev.Frame{
		{Device: screen, Time: time.Second, Events: []evdev.Event{
			abs(evdev.AbsMTSlot, 0), abs(evdev.AbsMTTrackingID, 12), abs(evdev.AbsMTPositionX, 1200), abs(evdev.AbsMTPositionY, 640),
			abs(evdev.AbsMTSlot, 1), abs(evdev.AbsMTTrackingID, 13), abs(evdev.AbsMTPositionX, 10), abs(evdev.AbsMTPositionY, 20),
			{Time: time.Second, Type: evdev.EvKey, Code: evdev.BtnTouch, Value: 1},
		}},
		{Device: screen, Time: 2 * time.Second, Events: []evdev.Event{abs(evdev.AbsMTSlot, 0), abs(evdev.AbsMTPositionX, 1210)}},
		{Device: screen, Time: 3 * time.Second, Events: []evdev.Event{abs(evdev.AbsMTTrackingID, -1), abs(evdev.AbsMTSlot, 1), abs(evdev.AbsMTTrackingID, -1)}},
		{Device: mouse, Time: 4 * time.Second, Events: []evdev.Event{rel(evdev.RelX, 3), rel(evdev.RelY, -2), rel(evdev.RelWheel, -1), rel(evdev.RelWheelHiRes, -120)}},
		{Device: mouse, Time: 5 * time.Second, Events: []evdev.Event{abs(evdev.AbsX, 16383), abs(evdev.AbsY, 8000)}},
	}
	for _, f := range frames {
		p.HandleFrame(f)
	}
	w.Flush()
	want := []string{
		"/dev/input/event7  1.000000  BTN_TOUCH (330) pressed",
		"/dev/input/event7  1.000000  touch slot 0 down (id 12) at 1200 640",
		"/dev/input/event7  1.000000  touch slot 1 down (id 13) at 10 20",
		"/dev/input/event7  2.000000  touch slot 0 at 1210 640",
		"/dev/input/event7  3.000000  touch slot 0 up",
		"/dev/input/event7  3.000000  touch slot 1 up",
		"/dev/input/event5  4.000000  motion REL_X 3 REL_Y -2",
		"/dev/input/event5  4.000000  scroll REL_WHEEL -1 REL_WHEEL_HI_RES -120",
		"/dev/input/event5  5.000000  position ABS_X 16383 ABS_Y 8000",
	}
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("printed:\n%s\nwant:\n%s", out.String(), strings.Join(want, "\n"))
	}
}
