package compile

import (
	"errors"
	"strings"

	"gocomp/xkb/keymap"
	"gocomp/xkb/parser"
)

// actionNames maps lower-case action names (and their aliases) to kinds.
// Legacy actions libxkbcommon accepts but does not keep map to ActNone
// via legacyActions.
var actionNames = map[string]keymap.ActionKind{
	"noaction":          keymap.ActNone,
	"setmods":           keymap.ActSetMods,
	"latchmods":         keymap.ActLatchMods,
	"lockmods":          keymap.ActLockMods,
	"setgroup":          keymap.ActSetGroup,
	"latchgroup":        keymap.ActLatchGroup,
	"lockgroup":         keymap.ActLockGroup,
	"moveptr":           keymap.ActMovePtr,
	"movepointer":       keymap.ActMovePtr,
	"ptrbtn":            keymap.ActPtrButton,
	"pointerbutton":     keymap.ActPtrButton,
	"lockptrbtn":        keymap.ActLockPtrButton,
	"lockpointerbutton": keymap.ActLockPtrButton,
	"lockptrbutton":     keymap.ActLockPtrButton,
	"lockpointerbtn":    keymap.ActLockPtrButton,
	"setptrdflt":        keymap.ActSetPtrDefault,
	"setpointerdefault": keymap.ActSetPtrDefault,
	"terminate":         keymap.ActTerminate,
	"terminateserver":   keymap.ActTerminate,
	"switchscreen":      keymap.ActSwitchScreen,
	"setcontrols":       keymap.ActSetControls,
	"lockcontrols":      keymap.ActLockControls,
	"private":           keymap.ActPrivate,
}

var legacyActions = map[string]bool{
	"isolock": true, "actionmessage": true, "messageaction": true, "message": true,
	"redirectkey": true, "redirect": true, "devicebutton": true, "devbutton": true,
	"devbtn": true, "devicebtn": true, "lockdevicebutton": true, "lockdevbutton": true,
	"lockdevbtn": true, "lockdevicebtn": true, "devicevaluator": true, "devval": true,
	"devicevalue": true, "devvaluator": true,
}

// actionDefaults are the per-kind templates `setMods.clearLocks = True;`
// statements change.
type actionDefaults [keymap.ActPrivate + 1]keymap.Action

func newActionDefaults() *actionDefaults {
	d := &actionDefaults{}
	for k := range d {
		d[k].Kind = keymap.ActionKind(k)
	}
	d[keymap.ActSwitchScreen].Flags = keymap.ActScreenAbsolute | keymap.ActSameServer
	d[keymap.ActPrivate].PrivType = 0
	return d
}

func actionKind(name string) (keymap.ActionKind, bool, bool) {
	l := strings.ToLower(name)
	if k, ok := actionNames[l]; ok {
		return k, true, false
	}
	if legacyActions[l] {
		return keymap.ActNone, true, true
	}
	return 0, false, false
}

// evalAction compiles an action call, starting from the kind's defaults.
func (c *ctx) evalAction(f *parser.File, call *parser.Call, defs *actionDefaults) (keymap.Action, error) {
	kind, ok, legacy := actionKind(call.Name)
	if !ok {
		return keymap.Action{}, errorf(f, call.Pos, "unknown action %q", call.Name)
	}
	if legacy {
		return keymap.Action{}, nil
	}
	a := defs[kind]
	for _, arg := range call.Args {
		var name, value parser.Expr
		switch x := arg.(type) {
		case *parser.Assign:
			name, value = x.Name, x.Value
		case *parser.Unary:
			if x.Op != parser.OpNot && x.Op != parser.OpInvert {
				return a, errorf(f, x.Pos, "bad argument of %s", call.Name)
			}
			name, value = x.X, &parser.Bool{Pos: x.Pos, Value: false}
		default:
			name, value = arg, &parser.Bool{Pos: arg.Position(), Value: true}
		}
		_, field, index, ok := fieldName(name)
		if !ok {
			return a, errorf(f, arg.Position(), "bad argument of %s", call.Name)
		}
		if err := c.setActionField(f, &a, field, index, value); err != nil {
			return a, err
		}
	}
	if kind == keymap.ActPrivate && a.PrivType < uint8(keymap.ActPrivate) {
		// libxkbcommon turns a Private action with a known type into no
		// action at all.
		return keymap.Action{}, nil
	}
	return a, nil
}

func setFlag(a *keymap.Action, flag keymap.ActionFlags, on bool) {
	if on {
		a.Flags |= flag
	} else {
		a.Flags &^= flag
	}
}

// signedValue evaluates `+N`/`-N` (relative) or `N` (absolute).
func signedValue(f *parser.File, e parser.Expr) (int64, bool, error) {
	abs := true
	if u, ok := e.(*parser.Unary); ok && (u.Op == parser.OpNegate || u.Op == parser.OpPlus) {
		abs = false
	}
	v, err := evalInt(f, e)
	return v, abs, err
}

// errNoSuchField says a field is not one of its action kind's.
var errNoSuchField = errors.New("no such field")

// setActionField sets one field of action a (field[index] = value), by the
// rules of a's kind.
func (c *ctx) setActionField(f *parser.File, a *keymap.Action, field string, index, value parser.Expr) error {
	fl := strings.ToLower(field)
	err := errNoSuchField
	switch a.Kind {
	case keymap.ActSetMods, keymap.ActLatchMods, keymap.ActLockMods:
		err = c.setModsField(f, a, fl, value)
	case keymap.ActSetGroup, keymap.ActLatchGroup, keymap.ActLockGroup:
		err = setGroupField(f, a, fl, value)
	case keymap.ActMovePtr:
		err = setMovePtrField(f, a, fl, value)
	case keymap.ActPtrButton, keymap.ActLockPtrButton:
		err = setButtonField(f, a, fl, value)
	case keymap.ActSetPtrDefault:
		err = setPtrDefaultField(f, a, fl, value)
	case keymap.ActSwitchScreen:
		err = setSwitchScreenField(f, a, fl, value)
	case keymap.ActSetControls, keymap.ActLockControls:
		err = setControlsField(f, a, fl, value)
	case keymap.ActPrivate:
		err = setPrivateField(f, a, fl, index, value)
	}
	if errors.Is(err, errNoSuchField) {
		return errorf(f, value.Position(), "field %s is not defined for an action of type %s", field, a.Kind)
	}
	return err
}

// setModsField sets field fl (lower case) of modifier actions (SetMods, LatchMods, LockMods).
func (c *ctx) setModsField(f *parser.File, a *keymap.Action, fl string, value parser.Expr) error {
	switch fl {
	case "modifiers", "mods":
		if id, ok := value.(*parser.Ident); ok && strings.EqualFold(id.Name, "modmapmods") || ok && strings.EqualFold(id.Name, "usemodmapmods") {
			a.Flags |= keymap.ActUseModMapMods
			a.Mods = keymap.Mods{}
			return nil
		}
		m, err := c.evalMods(f, value, false)
		if err != nil {
			return err
		}
		a.Flags &^= keymap.ActUseModMapMods
		a.Mods = keymap.Mods{Mods: m}
		return nil
	case "clearlocks":
		if a.Kind == keymap.ActLockMods {
			return errNoSuchField
		}
		v, err := evalBool(f, value)
		setFlag(a, keymap.ActClearLocks, v)
		return err
	case "latchtolock":
		if a.Kind != keymap.ActLatchMods {
			return errNoSuchField
		}
		v, err := evalBool(f, value)
		setFlag(a, keymap.ActLatchToLock, v)
		return err
	case "affect":
		if a.Kind != keymap.ActLockMods {
			return errNoSuchField
		}
		return setAffect(f, a, value)
	}
	return errNoSuchField
}

// setGroupField sets field fl (lower case) of group actions (SetGroup, LatchGroup, LockGroup).
func setGroupField(f *parser.File, a *keymap.Action, fl string, value parser.Expr) error {
	switch fl {
	case "group":
		v, abs, err := signedValue(f, value)
		if err != nil {
			return errorf(f, value.Position(), "value of group field must be an integer (range 1..8)")
		}
		if abs {
			if v < 1 || v > 8 {
				return errorf(f, value.Position(), "group %d out of range 1..8", v)
			}
			a.Group = int32(v - 1)
			a.Flags |= keymap.ActGroupAbsolute
		} else {
			a.Group = int32(v)
			a.Flags &^= keymap.ActGroupAbsolute
		}
		return nil
	case "clearlocks":
		if a.Kind == keymap.ActLockGroup {
			return errNoSuchField
		}
		v, err := evalBool(f, value)
		setFlag(a, keymap.ActClearLocks, v)
		return err
	case "latchtolock":
		if a.Kind != keymap.ActLatchGroup {
			return errNoSuchField
		}
		v, err := evalBool(f, value)
		setFlag(a, keymap.ActLatchToLock, v)
		return err
	}
	return errNoSuchField
}

// setMovePtrField sets field fl (lower case) of MovePtr.
func setMovePtrField(f *parser.File, a *keymap.Action, fl string, value parser.Expr) error {
	switch fl {
	case "x", "y":
		v, abs, err := signedValue(f, value)
		if err != nil {
			return err
		}
		if fl == "x" {
			a.X = int16(v)
			setFlag(a, keymap.ActMoveAbsoluteX, abs)
		} else {
			a.Y = int16(v)
			setFlag(a, keymap.ActMoveAbsoluteY, abs)
		}
		return nil
	case "accel", "accelerate", "repeat":
		v, err := evalBool(f, value)
		setFlag(a, keymap.ActNoAcceleration, !v)
		return err
	}
	return errNoSuchField
}

// setButtonField sets field fl (lower case) of PtrBtn and LockPtrBtn.
func setButtonField(f *parser.File, a *keymap.Action, fl string, value parser.Expr) error {
	switch fl {
	case "button":
		if id, ok := value.(*parser.Ident); ok && strings.EqualFold(id.Name, "default") {
			a.Button = 0
			return nil
		}
		v, err := evalInt(f, value)
		if err != nil || v < 0 || v > 5 {
			return errorf(f, value.Position(), "button must be default or 1..5")
		}
		a.Button = uint8(v)
		return nil
	case "count":
		if a.Kind != keymap.ActPtrButton {
			return errNoSuchField
		}
		v, err := evalInt(f, value)
		if err != nil || v < 0 || v > 255 {
			return errorf(f, value.Position(), "count must be 0..255")
		}
		a.Count = uint8(v)
		return nil
	case "affect":
		if a.Kind != keymap.ActLockPtrButton {
			return errNoSuchField
		}
		return setAffect(f, a, value)
	}
	return errNoSuchField
}

// setPtrDefaultField sets field fl (lower case) of SetPtrDflt.
func setPtrDefaultField(f *parser.File, a *keymap.Action, fl string, value parser.Expr) error {
	switch fl {
	case "affect":
		if id, ok := value.(*parser.Ident); ok && (strings.EqualFold(id.Name, "button") || strings.EqualFold(id.Name, "defaultbutton")) {
			return nil
		}
		return errorf(f, value.Position(), "affect must be button")
	case "button", "value":
		if id, ok := value.(*parser.Ident); ok && strings.EqualFold(id.Name, "default") {
			a.Group = 0
			a.Flags |= keymap.ActValueAbsolute
			return nil
		}
		v, abs, err := signedValue(f, value)
		if err != nil {
			return err
		}
		a.Group = int32(v)
		setFlag(a, keymap.ActValueAbsolute, abs)
		return nil
	}
	return errNoSuchField
}

// setSwitchScreenField sets field fl (lower case) of SwitchScreen.
func setSwitchScreenField(f *parser.File, a *keymap.Action, fl string, value parser.Expr) error {
	switch fl {
	case "screen":
		v, abs, err := signedValue(f, value)
		if err != nil {
			return err
		}
		a.Group = int32(v)
		setFlag(a, keymap.ActScreenAbsolute, abs)
		return nil
	case "same", "sameserver":
		v, err := evalBool(f, value)
		setFlag(a, keymap.ActSameServer, v)
		return err
	}
	return errNoSuchField
}

// setControlsField sets field fl (lower case) of SetControls and LockControls.
func setControlsField(f *parser.File, a *keymap.Action, fl string, value parser.Expr) error {
	switch fl {
	case "controls", "ctrls":
		v, err := evalControls(f, value)
		a.Ctrls = v
		return err
	case "affect":
		if a.Kind != keymap.ActLockControls {
			return errNoSuchField
		}
		return setAffect(f, a, value)
	}
	return errNoSuchField
}

// setPrivateField sets field fl (lower case) of Private.
func setPrivateField(f *parser.File, a *keymap.Action, fl string, index, value parser.Expr) error {
	switch fl {
	case "type":
		v, err := evalInt(f, value)
		if err != nil || v < 0 || v > 255 {
			return errorf(f, value.Position(), "private action type must be 0..255")
		}
		a.PrivType = uint8(v)
		return nil
	case "data":
		if index == nil {
			s, err := evalString(f, value)
			if err != nil {
				return err
			}
			if len(s) > 7 {
				return errorf(f, value.Position(), "private action data is longer than 7 bytes")
			}
			a.PrivData = [7]byte{}
			copy(a.PrivData[:], s)
			return nil
		}
		i, err := evalInt(f, index)
		if err != nil || i < 0 || i > 6 {
			return errorf(f, index.Position(), "private action data index must be 0..6")
		}
		v, err := evalInt(f, value)
		if err != nil || v < 0 || v > 255 {
			return errorf(f, value.Position(), "private action data must be 0..255")
		}
		a.PrivData[i] = byte(v)
		return nil
	}
	return errNoSuchField
}

func setAffect(f *parser.File, a *keymap.Action, value parser.Expr) error {
	id, ok := value.(*parser.Ident)
	if !ok {
		return errorf(f, value.Position(), "affect must be lock, unlock, both or neither")
	}
	a.Flags &^= keymap.ActLockNoLock | keymap.ActLockNoUnlock
	switch strings.ToLower(id.Name) {
	case "lock":
		a.Flags |= keymap.ActLockNoUnlock
	case "unlock":
		a.Flags |= keymap.ActLockNoLock
	case "both":
	case "neither":
		a.Flags |= keymap.ActLockNoLock | keymap.ActLockNoUnlock
	default:
		return errorf(f, value.Position(), "affect must be lock, unlock, both or neither")
	}
	return nil
}

var controlNames = map[string]keymap.Controls{
	"repeatkeys": keymap.CtrlRepeatKeys, "repeat": keymap.CtrlRepeatKeys, "autorepeat": keymap.CtrlRepeatKeys,
	"slowkeys": keymap.CtrlSlowKeys, "bouncekeys": keymap.CtrlBounceKeys, "stickykeys": keymap.CtrlStickyKeys,
	"mousekeys": keymap.CtrlMouseKeys, "mousekeysaccel": keymap.CtrlMouseKeysAccel,
	"accessxkeys": keymap.CtrlAccessXKeys, "accessxtimeout": keymap.CtrlAccessXTimeout,
	"accessxfeedback": keymap.CtrlAccessXFeedback, "audiblebell": keymap.CtrlAudibleBell,
	"ignoregrouplock": keymap.CtrlIgnoreGroupLock, "overlay1": 0, "overlay2": 0,
	"all": keymap.CtrlAll, "none": 0,
}

func evalControls(f *parser.File, e parser.Expr) (keymap.Controls, error) {
	return evalNamedMask(f, e, controlNames, "control", "controls")
}

// evalNamedMask evaluates a mask written as names from names combined with
// + (union) and - (difference), or as a plain integer. noun and plural name
// what the mask holds in errors.
func evalNamedMask[T ~uint8 | ~uint32](f *parser.File, e parser.Expr, names map[string]T, noun, plural string) (T, error) {
	switch x := e.(type) {
	case *parser.Ident:
		if v, ok := names[lower(x.Name)]; ok {
			return v, nil
		}
		return 0, errorf(f, x.Pos, "unknown %s %q", noun, x.Name)
	case *parser.Binary:
		a, err := evalNamedMask(f, x.X, names, noun, plural)
		if err != nil {
			return 0, err
		}
		b, err := evalNamedMask(f, x.Y, names, noun, plural)
		if err != nil {
			return 0, err
		}
		if x.Op == parser.OpAdd {
			return a | b, nil
		}
		if x.Op == parser.OpSub {
			return a &^ b, nil
		}
	case *parser.Int:
		return T(x.Value), nil
	}
	return 0, errorf(f, e.Position(), "expected %s", plural)
}
