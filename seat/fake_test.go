package seat

import "fmt"

// Evdev codes the tests use.
const (
	keyEsc       = 1
	keyBackspc   = 14
	keyQ         = 16
	keyA         = 30
	keyLeftCtrl  = 29
	keyLeftShift = 42
	keyRghtShift = 54
	keyLeftAlt   = 56
	keyCapsLock  = 58
)

// fakeKeymap is a tiny keymap for seat tests: Shift (either) and Control
// and Alt are depressed modifiers while held, Caps Lock toggles the locked
// Lock modifier and its LED on press. Its "text" names a generation so
// tests can tell keymaps apart. It is deliberately not the real XKB engine:
// the seat's contract is about transitions, focus and records, and these
// rules are simple enough to compute independently in the model.
type fakeKeymap struct{ gen int }

func (f fakeKeymap) Text() string    { return fmt.Sprintf("xkb_keymap { // fake %d\n};\n", f.gen) }
func (f fakeKeymap) NewState() State { return &fakeState{} }

type fakeState struct {
	down   keySet
	locked uint32
	// updates counts UpdateKey calls per keycode and direction, to check
	// the seat feeds only transitions.
	presses, releases [maxKey + 1 + evdevOffset]int
}

func (s *fakeState) UpdateKey(kc uint32, down bool) Changes {
	mods, leds := s.Modifiers(), s.LEDs()
	code := uint16(kc - evdevOffset)
	if down {
		s.presses[kc]++
		s.down.add(code)
		if code == keyCapsLock {
			s.locked ^= 1 << 1
		}
	} else {
		s.releases[kc]++
		s.down.remove(code)
	}
	var ch Changes
	if s.Modifiers() != mods {
		ch |= ChangedModifiers
	}
	if s.LEDs() != leds {
		ch |= ChangedLEDs
	}
	return ch
}

func (s *fakeState) LockMods(mask uint32) { s.locked = mask }

// KeySym: the fake keymap has no keysyms.
func (s *fakeState) KeySym(uint32) uint32 { return 0 }

func (s *fakeState) Modifiers() Modifiers {
	return Modifiers{Depressed: depressedFor(&s.down), Locked: s.locked}
}

func (s *fakeState) LEDs() LEDs {
	if s.locked&(1<<1) != 0 {
		return LEDCapsLock
	}
	return 0
}

// depressedFor is the fake keymap's depressed modifiers for the keys down.
func depressedFor(down *keySet) uint32 {
	var m uint32
	if down.has(keyLeftShift) || down.has(keyRghtShift) {
		m |= 1 << 0
	}
	if down.has(keyLeftCtrl) {
		m |= modControl
	}
	if down.has(keyLeftAlt) {
		m |= modMod1
	}
	return m
}

// ledRecorder is a physical keyboard's LEDs.
type ledRecorder struct {
	on     [3]bool
	writes int
}

func (l *ledRecorder) SetLED(code uint16, on bool) error {
	l.on[code] = on
	l.writes++
	return nil
}
