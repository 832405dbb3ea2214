package evdev

import "strings"

// Capabilities are the event types, codes and properties a device
// announces (EVIOCGBIT, EVIOCGPROP), as kernel bitmaps.
type Capabilities struct {
	Types    [smallBits]byte
	Keys     [keyBytes]byte
	Rel      [smallBits]byte
	Abs      [smallBits]byte
	Msc      [smallBits]byte
	Switches [smallBits]byte
	LEDs     [smallBits]byte
	Props    [smallBits]byte
}

// HasType reports whether the device sends events of type t.
func (c *Capabilities) HasType(t Type) bool { return bitSet(c.Types[:], uint16(t)) }

// Has reports whether the device announces code in the code space of t.
func (c *Capabilities) Has(t Type, code uint16) bool {
	if b := c.bits(t); b != nil {
		return bitSet(b, code)
	}
	return false
}

// HasProp reports whether the device has input property prop.
func (c *Capabilities) HasProp(prop uint16) bool { return bitSet(c.Props[:], prop) }

// Set marks code of type t (and type t itself) as announced; for building
// capability sets in tests and tools.
func (c *Capabilities) Set(t Type, code uint16) {
	setBit(c.Types[:], uint16(t), true)
	if b := c.bits(t); b != nil {
		setBit(b, code, true)
	}
}

func (c *Capabilities) bits(t Type) []byte {
	switch t {
	case EvKey:
		return c.Keys[:]
	case EvRel:
		return c.Rel[:]
	case EvAbs:
		return c.Abs[:]
	case EvMsc:
		return c.Msc[:]
	case EvSw:
		return c.Switches[:]
	case EvLed:
		return c.LEDs[:]
	}
	return nil
}

// Class is a set of device classes, following udev's input_id rules (the
// ID_INPUT_* properties).
type Class uint16

// Device classes.
const (
	ClassKeyboard    Class = 1 << iota // KEY_ESC..KEY_D all present (ID_INPUT_KEYBOARD)
	ClassKey                           // some key below BTN_MISC (ID_INPUT_KEY)
	ClassPointer                       // mouse, pointing stick or absolute mouse
	ClassTouchpad                      // BTN_TOOL_FINGER on an indirect device
	ClassTouchscreen                   // absolute touch on a direct device
	ClassTablet                        // stylus or pen
	ClassJoystick                      // joystick or gamepad buttons with axes
	ClassSwitch                        // EV_SW (lid, tablet mode, ...)
)

var classNames = []string{"keyboard", "key", "pointer", "touchpad", "touchscreen", "tablet", "joystick", "switch"}

// String lists the classes separated by spaces ("keyboard key"), or
// "other" for none.
func (c Class) String() string {
	if c == 0 {
		return "other"
	}
	var parts []string
	for i, n := range classNames {
		if c&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, " ")
}

// Classify returns the classes of a device with capabilities c, following
// udev's input_id builtin.
func (c *Capabilities) Classify() Class {
	var cl Class
	if c.HasType(EvKey) {
		// Keyboard: KEY_ESC (bit 1) through KEY_D (bit 31) all set.
		if c.Keys[0]&0xfe == 0xfe && c.Keys[1] == 0xff && c.Keys[2] == 0xff && c.Keys[3] == 0xff {
			cl |= ClassKeyboard
		}
		for code := uint16(1); code < BtnMisc; code++ {
			if c.Has(EvKey, code) {
				cl |= ClassKey
				break
			}
		}
	}
	if c.HasType(EvSw) {
		cl |= ClassSwitch
	}
	cl |= c.classifyPointer()
	return cl
}

// classifyPointer applies udev's pointer rules.
func (c *Capabilities) classifyPointer() Class {
	hasAbs := c.HasType(EvAbs) && c.Has(EvAbs, AbsX) && c.Has(EvAbs, AbsY)
	hasMT := c.HasType(EvAbs) && c.Has(EvAbs, AbsMTPositionX) && c.Has(EvAbs, AbsMTPositionY)
	hasRel := c.HasType(EvRel) && c.Has(EvRel, RelX) && c.Has(EvRel, RelY)
	direct := c.HasProp(PropDirect)
	stylus := c.Has(EvKey, BtnStylus) || c.Has(EvKey, BtnToolPen)
	finger := c.Has(EvKey, BtnToolFinger) && !c.Has(EvKey, BtnToolPen)
	touch := c.Has(EvKey, BtnTouch)
	mouseButton := c.Has(EvKey, BtnLeft)
	joyButtons := false
	for code := BtnJoystick; code < BtnDigi; code++ {
		if c.Has(EvKey, code) {
			joyButtons = true
			break
		}
	}

	var cl Class
	switch {
	case hasAbs && stylus:
		cl |= ClassTablet
	case hasAbs && finger && !direct:
		cl |= ClassTouchpad
	case hasAbs && mouseButton:
		cl |= ClassPointer // absolute mouse (QEMU tablet, VMware)
	case hasAbs && (touch || direct):
		cl |= ClassTouchscreen
	case hasAbs && joyButtons:
		cl |= ClassJoystick
	}
	if hasMT {
		switch {
		case stylus:
			cl |= ClassTablet
		case finger && !direct:
			cl |= ClassTouchpad
		case touch || direct:
			cl |= ClassTouchscreen
		}
	}
	if hasRel && mouseButton {
		cl |= ClassPointer
	}
	if c.HasProp(PropPointStick) {
		cl |= ClassPointer
	}
	return cl
}
