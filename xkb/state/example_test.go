package state_test

import (
	"fmt"
	"os"

	"gocomp/xkb/compile"
	"gocomp/xkb/includepath"
	"gocomp/xkb/keymap"
	"gocomp/xkb/keysym"
	"gocomp/xkb/rules"
	"gocomp/xkb/state"
)

// A seat feeds every key event to UpdateKey and sends wl_keyboard.modifiers
// when the modifiers or the layout changed. What a client will make of the
// key is what the state said before the event.
func Example() {
	dirs := includepath.Dirs(os.Getenv)
	comps, err := rules.Resolve(dirs, rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}, rules.EnvFrom(os.Getenv))
	if err != nil {
		panic(err)
	}
	km, err := compile.FromComponents(dirs, comps)
	if err != nil {
		panic(err)
	}
	st := state.New(km, state.Options{CapsLock: state.CapsLockPress})

	const leftShift, keyA = 42 + 8, 30 + 8 // evdev code + 8
	for _, ev := range []struct {
		key keymap.Keycode
		dir state.Direction
	}{{leftShift, state.Down}, {keyA, state.Down}, {keyA, state.Up}, {leftShift, state.Up}} {
		if ev.dir == state.Down {
			fmt.Printf("key %d: %s %q\n", ev.key, keysym.Name(st.KeyOneSym(ev.key)), st.AppendKeyUTF8(nil, ev.key))
		}
		if changed := st.UpdateKey(ev.key, ev.dir); changed&(state.ModsEffective|state.LayoutEffective) != 0 {
			fmt.Printf("modifiers: depressed %#x latched %#x locked %#x group %d\n",
				st.SerializeMods(state.ModsDepressed), st.SerializeMods(state.ModsLatched),
				st.SerializeMods(state.ModsLocked), st.SerializeLayout(state.LayoutEffective))
		}
	}
	// Output:
	// key 50: Shift_L ""
	// modifiers: depressed 0x1 latched 0x0 locked 0x0 group 0
	// key 38: A "A"
	// modifiers: depressed 0x0 latched 0x0 locked 0x0 group 0
}
