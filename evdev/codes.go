package evdev

//go:generate go run ./internal/gencodes -o codes_gen.go /usr/include/linux/input-event-codes.h

import "strconv"

// Type is an evdev event type (EV_KEY, EV_REL, ...).
type Type uint16

// The event types this package handles by name. Values are the kernel's
// (linux/input-event-codes.h).
const (
	EvSyn Type = 0x00
	EvKey Type = 0x01
	EvRel Type = 0x02
	EvAbs Type = 0x03
	EvMsc Type = 0x04
	EvSw  Type = 0x05
	EvLed Type = 0x11
	EvSnd Type = 0x12
	EvRep Type = 0x14
)

// EV_SYN codes.
const (
	SynReport   uint16 = 0
	SynConfig   uint16 = 1
	SynMTReport uint16 = 2
	SynDropped  uint16 = 3
)

// Limits of the code spaces (the kernel's *_MAX).
const (
	KeyMax  = 0x2ff
	RelMax  = 0x0f
	AbsMax  = 0x3f
	MscMax  = 0x07
	SwMax   = 0x10
	LedMax  = 0x0f
	PropMax = 0x1f
	TypeMax = 0x1f
)

// Key codes the package itself refers to.
const (
	KeyEsc           uint16 = 1
	KeyD             uint16 = 32
	BtnMisc          uint16 = 0x100
	BtnLeft          uint16 = 0x110
	BtnJoystick      uint16 = 0x120
	BtnDigi          uint16 = 0x140
	BtnToolPen       uint16 = 0x140
	BtnToolFinger    uint16 = 0x145
	BtnTouch         uint16 = 0x14a
	BtnStylus        uint16 = 0x14b
	BtnRight         uint16 = 0x111
	BtnMiddle        uint16 = 0x112
	BtnToolDoubleTap uint16 = 0x14d
	BtnToolTripleTap uint16 = 0x14e
	RelX             uint16 = 0x00
	RelY             uint16 = 0x01
	RelHWheel        uint16 = 0x06
	RelWheel         uint16 = 0x08
	RelWheelHiRes    uint16 = 0x0b
	RelHWheelHiRes   uint16 = 0x0c
	AbsX             uint16 = 0x00
	AbsY             uint16 = 0x01
	AbsMTSlot        uint16 = 0x2f
	AbsMTPositionX   uint16 = 0x35
	AbsMTPositionY   uint16 = 0x36
	AbsMTTrackingID  uint16 = 0x39
	PropPointer      uint16 = 0x00
	PropDirect       uint16 = 0x01
	PropPointStick   uint16 = 0x05
)

// String returns the kernel's name of t, such as "EV_KEY", or "EV_0x1f" for
// a type without a name.
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "EV_" + hex(uint16(t))
}

// CodeName returns the kernel's name of code in the code space of t, such
// as "KEY_A", "BTN_LEFT" or "REL_X"; ok is false (and name a made-up
// "KEY_0x2a0" form) when the header has no name for it.
func CodeName(t Type, code uint16) (name string, ok bool) {
	table, prefix := namesOf(t)
	if int(code) < len(table) && table[code] != "" {
		return table[code], true
	}
	return prefix + hex(code), false
}

// CodeByName returns the type and code the kernel gives name ("KEY_A",
// "BTN_LEFT", "LED_CAPSL", ...); ok is false for an unknown name.
func CodeByName(name string) (t Type, code uint16, ok bool) {
	for _, t := range []Type{EvKey, EvRel, EvAbs, EvMsc, EvSw, EvLed, EvSnd, EvRep, EvSyn} {
		table, _ := namesOf(t)
		for c, n := range table {
			if n == name {
				return t, uint16(c), true
			}
		}
	}
	return 0, 0, false
}

// PropName returns the kernel's name of an input property, such as
// "INPUT_PROP_DIRECT".
func PropName(prop uint16) string {
	if int(prop) < len(propNames) && propNames[prop] != "" {
		return propNames[prop]
	}
	return "INPUT_PROP_" + hex(prop)
}

// namesOf returns the generated table and the name prefix of type t.
func namesOf(t Type) ([]string, string) {
	switch t {
	case EvSyn:
		return synNames[:], "SYN_"
	case EvKey:
		return keyNames[:], "KEY_"
	case EvRel:
		return relNames[:], "REL_"
	case EvAbs:
		return absNames[:], "ABS_"
	case EvMsc:
		return mscNames[:], "MSC_"
	case EvSw:
		return swNames[:], "SW_"
	case EvLed:
		return ledNames[:], "LED_"
	case EvSnd:
		return sndNames[:], "SND_"
	case EvRep:
		return repNames[:], "REP_"
	}
	return nil, t.String() + "_"
}

func hex(v uint16) string { return "0x" + strconv.FormatUint(uint64(v), 16) }
