package seat

// Modifiers is the serialized XKB state wl_keyboard.modifiers carries.
type Modifiers struct {
	Depressed, Latched, Locked, Group uint32
}

// LEDs is the set of lit keyboard indicators, one bit per evdev LED code.
type LEDs uint8

// Keyboard indicators, bit i for evdev LED code i.
const (
	LEDNumLock    LEDs = 1 << 0 // LED_NUML
	LEDCapsLock   LEDs = 1 << 1 // LED_CAPSL
	LEDScrollLock LEDs = 1 << 2 // LED_SCROLLL
)

// ledCodes are the evdev LED codes the seat drives.
var ledCodes = [...]uint16{0, 1, 2}

// Keycode offsets: an XKB keycode is the evdev code plus 8.
const evdevOffset = 8

// Changes says which parts of a State an update changed.
type Changes uint8

// The parts of a State.
const (
	// ChangedModifiers: the serialized modifiers or the group changed.
	ChangedModifiers Changes = 1 << iota
	// ChangedLEDs: an indicator went on or off.
	ChangedLEDs
)

// State is the seat's XKB state machine. The seat calls UpdateKey only on
// seat-wide transitions (first press, last release), with XKB keycodes.
type State interface {
	// UpdateKey applies a press (down) or release of XKB keycode kc and
	// reports what it changed, so the seat serializes modifiers and LEDs
	// only when they changed.
	UpdateKey(kc uint32, down bool) Changes
	// Modifiers returns the serialized modifiers and effective group.
	Modifiers() Modifiers
	// LEDs returns the lit indicators.
	LEDs() LEDs
	// KeySym returns the one keysym XKB keycode kc produces in the
	// current state, 0 when it produces none or several (key bindings by
	// keysym, such as XF86Switch_VT_n, match on it).
	KeySym(kc uint32) uint32
	// LockMods sets the locked real modifiers (bits 0..7), as a new state
	// takes over the locks of the one it replaces (Caps Lock stays on
	// across a layout change).
	LockMods(mask uint32)
}

// Keymap is a compiled keymap the seat hands to clients and builds its state
// from. Implementations must be immutable.
type Keymap interface {
	// Text returns the keymap text (format xkb_v1) clients receive.
	Text() string
	// NewState returns a fresh state (no key down, nothing locked).
	NewState() State
}
