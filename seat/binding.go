package seat

// Real modifier bits of the serialized masks (the keymap's first eight
// modifiers are always Shift, Lock, Control, Mod1..Mod5).
const (
	modControl = 1 << 2
	modMod1    = 1 << 3 // Alt in every standard keymap
)

// keyBackspace is KEY_BACKSPACE.
const keyBackspace = 14

// binding is a compositor key binding: the press of key code (or of any
// key producing keysym sym, when sym is not 0) while the modifiers in mods
// are all active (depressed, latched or locked). A binding eats the press
// and the matching release.
type binding struct {
	name   string
	code   uint16
	sym    uint32
	mods   uint32
	action func()
}

// terminateBinding is Ctrl+Alt+BackSpace: end gocomp.
func terminateBinding(terminate func()) binding {
	return binding{name: "terminate", code: keyBackspace, mods: modControl | modMod1, action: terminate}
}

// matchBinding returns the binding the press of code fires with modifiers
// m (the state before the key), or nil.
func (s *Seat) matchBinding(code uint16, m Modifiers) *binding {
	active := m.Depressed | m.Latched | m.Locked
	sym, symKnown := uint32(0), false // looked up once, for the first keysym binding
	for i := range s.bindings {
		b := &s.bindings[i]
		hit := b.code == code
		if b.sym != 0 {
			if !symKnown {
				sym, symKnown = s.kbd.keySym(code), true
			}
			hit = sym == b.sym
		}
		if hit && active&b.mods == b.mods {
			return b
		}
	}
	return nil
}
