package evdevinput

import (
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
	"gocomp/evdev"

	"golang.org/x/sys/unix"
)

// sink records what reaches the seat.
type sink struct{ log []string }

type recKeyboard struct {
	s    *sink
	name string
}

func (s *sink) AddKeyboard(name string, leds backend.LEDSetter) backend.Keyboard {
	s.log = append(s.log, fmt.Sprintf("add %s leds=%v", name, leds != nil))
	return &recKeyboard{s: s, name: name}
}

func (k *recKeyboard) Key(t time.Duration, code uint16, pressed bool) {
	k.s.log = append(k.s.log, fmt.Sprintf("key %d %v at %v", code, pressed, t))
}

func (k *recKeyboard) Remove(time.Duration) { k.s.log = append(k.s.log, "remove "+k.name) }

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
	dev, err := evdev.NewStream(p[0], "pipe0", "Test Keyboard", keyboardCaps(), evdev.Options{})
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
	stray, err := evdev.NewStream(q[0], "late", "Late", keyboardCaps(), evdev.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Adopt(stray); err == nil {
		t.Errorf("Adopt after Close succeeded")
	}
}
