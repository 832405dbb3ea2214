package keymap

// ActionKind says what an Action does.
type ActionKind uint8

// The action kinds libxkbcommon 1.5 keeps. Legacy actions it parses but
// does not support (ISOLock, RedirectKey, ActionMessage, DeviceButton,
// LockDeviceButton, DeviceValuator) compile to ActNone.
const (
	ActNone ActionKind = iota
	ActSetMods
	ActLatchMods
	ActLockMods
	ActSetGroup
	ActLatchGroup
	ActLockGroup
	ActMovePtr
	ActPtrButton
	ActLockPtrButton
	ActSetPtrDefault
	ActTerminate
	ActSwitchScreen
	ActSetControls
	ActLockControls
	ActPrivate
)

var actionKindNames = [...]string{
	ActNone:          "NoAction",
	ActSetMods:       "SetMods",
	ActLatchMods:     "LatchMods",
	ActLockMods:      "LockMods",
	ActSetGroup:      "SetGroup",
	ActLatchGroup:    "LatchGroup",
	ActLockGroup:     "LockGroup",
	ActMovePtr:       "MovePtr",
	ActPtrButton:     "PtrBtn",
	ActLockPtrButton: "LockPtrBtn",
	ActSetPtrDefault: "SetPtrDflt",
	ActTerminate:     "Terminate",
	ActSwitchScreen:  "SwitchScreen",
	ActSetControls:   "SetControls",
	ActLockControls:  "LockControls",
	ActPrivate:       "Private",
}

// String returns the action's name as keymap text writes it.
func (k ActionKind) String() string {
	if int(k) < len(actionKindNames) {
		return actionKindNames[k]
	}
	return "Private"
}

// ActionFlags modify an action.
type ActionFlags uint16

// Action flags. Which ones apply depends on the kind.
const (
	// ActClearLocks (Set/Latch Mods and Group): releasing the key clears
	// the locked modifiers/group it set if nothing else happened meanwhile.
	ActClearLocks ActionFlags = 1 << iota
	// ActLatchToLock (Latch Mods and Group): latching an already latched
	// modifier/group locks it.
	ActLatchToLock
	// ActUseModMapMods (mods actions): the modifiers are the key's
	// modifier map (already resolved into Action.Mods by the compiler).
	ActUseModMapMods
	// ActGroupAbsolute (group actions): Group is an absolute 0-based
	// group, not a relative change.
	ActGroupAbsolute
	// ActLockNoLock (LockMods, LockPtrBtn, LockControls: affect=unlock or
	// neither): the press does not lock.
	ActLockNoLock
	// ActLockNoUnlock (affect=lock or neither): the release does not
	// unlock.
	ActLockNoUnlock
	// ActMoveAbsoluteX and ActMoveAbsoluteY (MovePtr): X/Y are absolute.
	ActMoveAbsoluteX
	ActMoveAbsoluteY
	// ActNoAcceleration (MovePtr): accel=false.
	ActNoAcceleration
	// ActSameServer (SwitchScreen): "same" was given (switch within the
	// server).
	ActSameServer
	// ActScreenAbsolute (SwitchScreen): the screen in Group is absolute.
	ActScreenAbsolute
	// ActValueAbsolute (SetPtrDflt): the button in Group is absolute.
	ActValueAbsolute
)

// Controls is a set of keyboard controls (SetControls, LockControls,
// indicator maps).
type Controls uint32

// The controls libxkbcommon 1.5 names.
const (
	CtrlRepeatKeys Controls = 1 << iota
	CtrlSlowKeys
	CtrlBounceKeys
	CtrlStickyKeys
	CtrlMouseKeys
	CtrlMouseKeysAccel
	CtrlAccessXKeys
	CtrlAccessXTimeout
	CtrlAccessXFeedback
	CtrlAudibleBell
	CtrlIgnoreGroupLock
	// CtrlAll is every control above.
	CtrlAll Controls = CtrlRepeatKeys | CtrlSlowKeys | CtrlBounceKeys | CtrlStickyKeys | CtrlMouseKeys |
		CtrlMouseKeysAccel | CtrlAccessXKeys | CtrlAccessXTimeout | CtrlAccessXFeedback | CtrlAudibleBell |
		CtrlIgnoreGroupLock
)

// ControlNames are the keymap-text names of the controls, by bit.
var ControlNames = [...]string{"RepeatKeys", "SlowKeys", "BounceKeys", "StickyKeys", "MouseKeys",
	"MouseKeysAccel", "AccessXKeys", "AccessXTimeout", "AccessXFeedback", "AudibleBell", "IgnoreGroupLock"}

// Action is what a key does when pressed and released. It is a small value
// type: the state machine switches on Kind and reads the fields that kind
// uses.
type Action struct {
	Kind  ActionKind
	Flags ActionFlags
	// Mods: Set/Latch/Lock Mods. Mods.Mask is what the state machine uses.
	Mods Mods
	// Group: Set/Latch/Lock Group: a 0-based group when ActGroupAbsolute,
	// otherwise a signed change. SetPtrDflt: the value (button), absolute
	// when ActValueAbsolute. SwitchScreen: the screen.
	Group int32
	// X, Y: MovePtr.
	X, Y int16
	// Button (0 = default) and Count: PtrBtn, LockPtrBtn.
	Button uint8
	Count  uint8
	// Ctrls: Set/Lock Controls.
	Ctrls Controls
	// PrivType and PrivData: Private.
	PrivType uint8
	PrivData [7]byte
}
