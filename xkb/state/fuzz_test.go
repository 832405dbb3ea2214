package state_test

import (
	"math/rand"
	"os"
	"sync"
	"testing"

	"gocomp/xkb/includepath"
	"gocomp/xkb/keymap"
	"gocomp/xkb/registry"
	"gocomp/xkb/rules"
	"gocomp/xkb/state"
)

// fuzzOptions are the state-relevant options fuzzKeymaps draws from.
var fuzzOptions = []string{
	"", "", "grp:alt_shift_toggle", "grp:shifts_toggle", "grp:switch", "grp:caps_toggle",
	"lv3:ralt_switch", "lv3:ralt_latch", "lv3:caps_switch_latch", "caps:shiftlock", "shift:breaks_caps",
	"shift:both_capslock", "ctrl:nocaps", "lv5:ralt_switch_lock", "keypad:pointerkeys", "compose:ralt",
}

// fuzzSet is the handful of keymaps the fuzz target picks from, compiled
// once per process: a few fixed ones with latches, locks and several
// groups, and registry layouts drawn with a fixed seed.
var fuzzSet struct {
	once sync.Once
	kms  []*keymap.Keymap
	err  error
}

func fuzzKeymaps(tb testing.TB) []*keymap.Keymap {
	fuzzSet.once.Do(func() {
		dirs := includepath.Dirs(os.Getenv)
		reg, err := registry.Load(dirs, "evdev")
		if err != nil {
			fuzzSet.err = err
			return
		}
		names := []rules.Names{
			{Layout: "de", Variant: "neo"},
			{Layout: "us,ru", Options: "grp:alt_shift_toggle"},
			{Layout: "us", Options: "lv3:ralt_switch,lv3:caps_switch_latch"},
		}
		rng := rand.New(rand.NewSource(4))
		for len(names) < 10 {
			l := reg.Layouts[rng.Intn(len(reg.Layouts))]
			if l.Name == "custom" {
				continue
			}
			n := rules.Names{Layout: l.Name, Variant: l.Variant, Options: fuzzOptions[rng.Intn(len(fuzzOptions))]}
			if rng.Intn(3) == 0 {
				l2 := reg.Layouts[rng.Intn(len(reg.Layouts))]
				if l2.Name != "custom" {
					n.Layout += "," + l2.Name
					n.Variant += "," + l2.Variant
				}
			}
			names = append(names, n)
		}
		for _, n := range names {
			fuzzSet.kms = append(fuzzSet.kms, load(tb, n))
		}
	})
	if fuzzSet.err != nil {
		tb.Fatal(fuzzSet.err)
	}
	return fuzzSet.kms
}

// plainKey returns a key with groups whose every level has no action, to
// break latches with; 0 when there is none.
func plainKey(km *keymap.Keymap) keymap.Keycode {
	keys := km.Keys()
	for i := range keys {
		k := &keys[i]
		if k.Name == "" || len(k.Groups) == 0 {
			continue
		}
		plain := true
		for _, g := range k.Groups {
			for _, l := range g.Levels {
				if l.Action.Kind != keymap.ActNone {
					plain = false
				}
			}
		}
		if plain {
			return k.Keycode
		}
	}
	return 0
}

// FuzzStateEvents feeds random key events to registry keymaps and checks
// the invariants of the state machine: it never panics; once every key is
// up no modifier is depressed; and a press and release of a key without
// actions clears every latch. The first byte picks the keymap and the
// policies, then every two bytes are one event: a key of the keymap (most
// often one with an action), released if it is held, else pressed or
// tapped by the second byte.
func FuzzStateEvents(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 1})
	f.Add([]byte{1, 3, 0, 3, 1, 200, 2})
	kms := fuzzKeymaps(f)
	type pools struct{ special, plain []uint16 }
	all := make([]pools, len(kms))
	for i, km := range kms {
		all[i].special, all[i].plain = keyPools(km)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		i := int(data[0]) % len(kms)
		km, p := kms[i], all[i]
		opts := state.Options{CapsLock: state.CapsLockPolicy(data[0] >> 4 & 1), GroupSwitch: state.GroupSwitchPolicy(data[0] >> 5 & 1)}
		st := state.New(km, opts)
		held := map[keymap.Keycode]bool{}
		var order []keymap.Keycode // presses, to release in a fixed order
		for j := 1; j+1 < len(data); j += 2 {
			b, op := data[j], data[j+1]
			var code uint16
			switch {
			case b < 192 && len(p.special) > 0:
				code = p.special[int(b)%len(p.special)]
			case len(p.plain) > 0:
				code = p.plain[int(b)%len(p.plain)]
			default:
				continue
			}
			k := keymap.Keycode(code) + 8
			// Keys go down only when up and up only when down: the seat
			// drops the rest (with a second press of a held latch key,
			// libxkbcommon 1.5, and so State, can leave its modifier
			// depressed).
			switch {
			case held[k]:
				st.UpdateKey(k, state.Up)
				held[k] = false
			case op%2 == 0:
				st.UpdateKey(k, state.Down)
				held[k] = true
				order = append(order, k)
			default:
				st.UpdateKey(k, state.Down)
				st.UpdateKey(k, state.Up)
			}
			_ = st.KeySyms(k)
			_ = st.KeyOneSym(k)
			_ = st.AppendKeyUTF8(nil, k)
			_ = st.KeyConsumedMods(k, state.ConsumedGTK)
		}
		for _, k := range order {
			if held[k] {
				st.UpdateKey(k, state.Up)
				held[k] = false
			}
		}
		if m := st.SerializeMods(state.ModsDepressed); m != 0 {
			t.Fatalf("keymap %d, options %+v: depressed mods %#x once every key is up", i, opts, m)
		}
		if pk := plainKey(km); pk != 0 {
			st.UpdateKey(pk, state.Down)
			st.UpdateKey(pk, state.Up)
			if m, g := st.SerializeMods(state.ModsLatched), st.SerializeLayout(state.LayoutLatched); m != 0 || g != 0 {
				t.Fatalf("keymap %d, options %+v: latched mods %#x, layout %d after a plain key", i, opts, m, g)
			}
		}
	})
}
