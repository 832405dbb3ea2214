package state_test

import (
	"os"
	"strings"
	"sync"
	"testing"

	"gocomp/xkb/compile"
	"gocomp/xkb/includepath"
	"gocomp/xkb/keymap"
	"gocomp/xkb/keysym"
	"gocomp/xkb/rules"
	"gocomp/xkb/state"
	"gocomp/xkb/state/eval"
)

// keymaps caches compiled keymaps by names for the tests of this package.
var keymaps sync.Map

// load compiles n (defaults filled in) with our rules and compiler.
func load(tb testing.TB, n rules.Names) *keymap.Keymap {
	tb.Helper()
	n = defaults(n)
	if km, ok := keymaps.Load(n); ok {
		return km.(*keymap.Keymap)
	}
	dirs := includepath.Dirs(os.Getenv)
	comps, err := rules.Resolve(dirs, n, rules.EnvFrom(os.Getenv))
	if err != nil {
		tb.Fatalf("rules.Resolve(%+v): %v", n, err)
	}
	km, err := compile.FromComponents(dirs, comps)
	if err != nil {
		tb.Fatalf("compile.FromComponents(%+v): %v", comps, err)
	}
	keymaps.Store(n, km)
	return km
}

// Evdev codes used below.
const (
	evY      = 21
	evA      = 30
	evT      = 20
	evN      = 49
	ev2      = 3
	evCaps   = 58
	evLShift = 42
	evLCtrl  = 29
	evLAlt   = 56
)

func kc(evdev int) keymap.Keycode { return keymap.Keycode(evdev + 8) }

// step is one key event of a scripted sequence.
type step struct {
	code int
	dir  state.Direction
}

func press(code int) step   { return step{code, state.Down} }
func release(code int) step { return step{code, state.Up} }

// typed plays steps and returns, for every press of typeKey, the keysym a
// client sees (the state before the press), space-separated.
func typed(st *state.State, typeKey int, steps ...step) string {
	var out []string
	for _, s := range steps {
		if s.code == typeKey && s.dir == state.Down {
			out = append(out, keysym.Name(st.KeyOneSym(kc(s.code))))
		}
		st.UpdateKey(kc(s.code), s.dir)
	}
	return strings.Join(out, " ")
}

// TestCapsLockPolicy pins the two Caps Lock policies on the sequence from
// FIELD-NOTES §6: y, Caps tap, y, Caps down, y, Caps up, y.
func TestCapsLockPolicy(t *testing.T) {
	km := load(t, rules.Names{Layout: "us"})
	capsLED := km.LEDIndex("Caps Lock")
	if capsLED < 0 {
		t.Fatal("us keymap has no Caps Lock LED")
	}
	tests := []struct {
		policy state.CapsLockPolicy
		want   string
		// ledAfterSecondPress is the Caps Lock LED once Caps is down the
		// second time.
		ledAfterSecondPress    bool
		lockedAfterSecondPress bool
	}{
		{state.CapsLockRelease, "y Y Y y", true, true},
		{state.CapsLockPress, "y Y y y", false, false},
	}
	for _, tt := range tests {
		st := state.New(km, state.Options{CapsLock: tt.policy})
		got := typed(st, evY,
			press(evY), release(evY),
			press(evCaps), release(evCaps),
			press(evY), release(evY),
			press(evCaps))
		if st.LEDActive(capsLED) != tt.ledAfterSecondPress {
			t.Errorf("policy %d: Caps Lock LED after the second Caps press = %v; want %v", tt.policy, st.LEDActive(capsLED), tt.ledAfterSecondPress)
		}
		if locked := st.ModActive(keymap.ModLock, state.ModsLocked); locked != tt.lockedAfterSecondPress {
			t.Errorf("policy %d: Lock locked after the second Caps press = %v; want %v", tt.policy, locked, tt.lockedAfterSecondPress)
		}
		if tt.policy == state.CapsLockPress && st.SerializeMods(state.ModsDepressed) != 0 {
			t.Errorf("policy press: depressed mods after the unlocking press = %#x; want 0", st.SerializeMods(state.ModsDepressed))
		}
		got += " " + typed(st, evY, press(evY), release(evY), release(evCaps), press(evY), release(evY))
		if got != tt.want {
			t.Errorf("policy %d: y, Caps tap, y, Caps down, y, Caps up, y types %q; want %q", tt.policy, got, tt.want)
		}
		if st.SerializeMods(state.ModsEffective) != 0 || st.LEDs()&(1<<uint(capsLED)) != 0 {
			t.Errorf("policy %d: mods %#x, LEDs %#x at the end; want none", tt.policy, st.SerializeMods(state.ModsEffective), st.LEDs())
		}
	}
}

// TestGroupSwitchPolicy checks that GroupSwitchRelease moves a LockGroup
// to the release of its key and cancels it when another key was pressed
// meanwhile (Alt+Shift+T stays a shortcut on us,ru+grp:alt_shift_toggle).
func TestGroupSwitchPolicy(t *testing.T) {
	km := load(t, rules.Names{Layout: "us,ru", Options: "grp:alt_shift_toggle"})
	tests := []struct {
		name   string
		policy state.GroupSwitchPolicy
		steps  []step
		// groups are the effective layouts after each step.
		groups []int32
	}{
		{"press: toggle", state.GroupSwitchPress,
			[]step{press(evLShift), press(evLAlt), release(evLAlt), release(evLShift)}, []int32{0, 1, 1, 1}},
		{"press: shortcut still toggles", state.GroupSwitchPress,
			[]step{press(evLShift), press(evLAlt), press(evT), release(evT), release(evLAlt), release(evLShift)}, []int32{0, 1, 1, 1, 1, 1}},
		{"release: toggle", state.GroupSwitchRelease,
			[]step{press(evLShift), press(evLAlt), release(evLAlt), release(evLShift)}, []int32{0, 0, 1, 1}},
		{"release: shortcut does not toggle", state.GroupSwitchRelease,
			[]step{press(evLShift), press(evLAlt), press(evT), release(evT), release(evLAlt), release(evLShift)}, []int32{0, 0, 0, 0, 0, 0}},
		{"release: toggle twice", state.GroupSwitchRelease,
			[]step{press(evLShift), press(evLAlt), release(evLAlt), press(evLAlt), release(evLAlt), release(evLShift)}, []int32{0, 0, 1, 1, 0, 0}},
	}
	for _, tt := range tests {
		st := state.New(km, state.Options{GroupSwitch: tt.policy})
		for i, s := range tt.steps {
			st.UpdateKey(kc(s.code), s.dir)
			if g := st.SerializeLayout(state.LayoutEffective); g != tt.groups[i] {
				t.Errorf("%s: layout after step %d = %d; want %d", tt.name, i, g, tt.groups[i])
			}
		}
	}
}

// TestUpdateKeyChanged checks the changed-components mask UpdateKey returns.
func TestUpdateKeyChanged(t *testing.T) {
	km := load(t, rules.Names{Layout: "us,ru", Options: "grp:alt_shift_toggle"})
	st := state.New(km, state.Options{})
	tests := []struct {
		s    step
		want state.Component
	}{
		{press(evA), 0},
		{release(evA), 0},
		{press(evLShift), state.ModsDepressed | state.ModsEffective},
		{press(evLAlt), state.LayoutLocked | state.LayoutEffective | state.LEDs},
		{release(evLAlt), 0},
		{release(evLShift), state.ModsDepressed | state.ModsEffective},
		{press(evCaps), state.ModsDepressed | state.ModsLocked | state.ModsEffective | state.LEDs},
		{release(evCaps), state.ModsDepressed},
		{press(0x2ff), 0}, // no such key
	}
	for i, tt := range tests {
		if got := st.UpdateKey(kc(tt.s.code), tt.s.dir); got != tt.want {
			t.Errorf("step %d: UpdateKey(%d, %d) = %#x; want %#x", i, tt.s.code, tt.s.dir, got, tt.want)
		}
	}
}

// TestUpdateMask checks the nested-backend entry point: masks in,
// serialized components out, virtual modifiers resolved, groups wrapped.
func TestUpdateMask(t *testing.T) {
	km := load(t, rules.Names{Layout: "us,ru"})
	st := state.New(km, state.Options{})
	numLock := keymap.ModMask(1) << uint(km.ModIndex("NumLock"))
	mod2 := keymap.ModMask(1) << keymap.ModMod2
	shift := keymap.ModMask(1) << keymap.ModShift
	got := st.UpdateMask(shift, 0, numLock, 0, 0, 3)
	want := state.ModsDepressed | state.ModsLocked | state.ModsEffective | state.LayoutLocked | state.LayoutEffective | state.LEDs
	if got != want {
		t.Errorf("UpdateMask changed = %#x; want %#x", got, want)
	}
	if m := st.SerializeMods(state.ModsLocked); m != mod2 {
		t.Errorf("locked mods after NumLock = %#x; want Mod2 %#x", m, mod2)
	}
	if m := st.SerializeMods(state.ModsEffective); m != mod2|shift {
		t.Errorf("effective mods = %#x; want %#x", m, mod2|shift)
	}
	if g := st.SerializeLayout(state.LayoutLocked); g != 1 {
		t.Errorf("locked layout 3 of 2 = %d; want 1", g)
	}
	if got := st.UpdateMask(shift, 0, numLock, 0, 0, 3); got != 0 {
		t.Errorf("same UpdateMask again changed %#x; want 0", got)
	}
	if got := keysym.Name(st.KeyOneSym(kc(evA))); got != "Cyrillic_EF" {
		t.Errorf("KeyOneSym(a) on layout 2 with Shift = %s; want Cyrillic_EF", got)
	}
}

// TestKeyText covers the Caps and Control transformations of KeyOneSym,
// KeyUTF32 and AppendKeyUTF8.
func TestKeyText(t *testing.T) {
	km := load(t, rules.Names{Layout: "us,ru", Options: "grp:alt_shift_toggle"})
	tests := []struct {
		name  string
		setup []step
		key   int
		sym   string
		utf8  string
		utf32 rune
	}{
		{"plain a", nil, evA, "a", "a", 'a'},
		{"Caps a", []step{press(evCaps), release(evCaps)}, evA, "A", "A", 'A'},
		{"Caps 2 unchanged", []step{press(evCaps), release(evCaps)}, ev2, "2", "2", '2'},
		{"Shift 2", []step{press(evLShift)}, ev2, "at", "@", '@'},
		{"Control a", []step{press(evLCtrl)}, evA, "a", "\x01", 1},
		{"Control 2 is NUL: no text", []step{press(evLCtrl)}, ev2, "2", "", 0},
		{"Control Caps a", []step{press(evCaps), release(evCaps), press(evLCtrl)}, evA, "A", "\x01", 1},
		{"Russian n", []step{press(evLShift), press(evLAlt), release(evLAlt), release(evLShift)}, evN, "Cyrillic_te", "т", 'т'},
		{"Control on Russian n types Control+N", []step{press(evLShift), press(evLAlt), release(evLAlt), release(evLShift), press(evLCtrl)}, evN, "Cyrillic_te", "\x0e", 0x0e},
	}
	for _, tt := range tests {
		st := state.New(km, state.Options{})
		for _, s := range tt.setup {
			st.UpdateKey(kc(s.code), s.dir)
		}
		if got := keysym.Name(st.KeyOneSym(kc(tt.key))); got != tt.sym {
			t.Errorf("%s: KeyOneSym = %q; want %q", tt.name, got, tt.sym)
		}
		if got := string(st.AppendKeyUTF8(nil, kc(tt.key))); got != tt.utf8 {
			t.Errorf("%s: AppendKeyUTF8 = %q; want %q", tt.name, got, tt.utf8)
		}
		if got := st.KeyUTF32(kc(tt.key)); got != tt.utf32 {
			t.Errorf("%s: KeyUTF32 = %U; want %U", tt.name, got, tt.utf32)
		}
	}
}

// TestNoKey checks the answers for a keycode the keymap does not define.
func TestNoKey(t *testing.T) {
	st := state.New(load(t, rules.Names{Layout: "us"}), state.Options{})
	k := keymap.Keycode(0xfffff)
	if st.KeyLayout(k) != -1 || st.KeyLevel(k, 0) != -1 || st.KeySyms(k) != nil || st.KeyOneSym(k) != 0 ||
		st.KeyUTF32(k) != 0 || len(st.AppendKeyUTF8(nil, k)) != 0 || st.KeyConsumedMods(k, state.ConsumedXKB) != 0 {
		t.Error("an undefined keycode produced something")
	}
	if st.UpdateKey(k, state.Down) != 0 {
		t.Error("UpdateKey of an undefined keycode changed the state")
	}
}

// TestNoAllocations pins the hot path: UpdateKey and the per-key queries do
// not allocate.
func TestNoAllocations(t *testing.T) {
	km := load(t, rules.Names{Layout: "us,ru", Options: "grp:alt_shift_toggle"})
	st := state.New(km, state.Options{})
	evs := genEvents(7, km, 500)
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(20, func() {
		for _, e := range evs {
			k := kc(int(e.code))
			if e.dir != eval.DirUp {
				st.UpdateKey(k, state.Down)
			}
			_ = st.KeyOneSym(k)
			_ = st.KeySyms(k)
			_ = st.KeyUTF32(k)
			buf = st.AppendKeyUTF8(buf[:0], k)
			_ = st.KeyConsumedMods(k, state.ConsumedGTK)
			if e.dir != eval.DirDown {
				st.UpdateKey(k, state.Up)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per %d events; want 0", allocs, len(evs))
	}
}

// TestCapsLockPolicyOtherKeys checks which keys CapsLockPress changes: any
// LockMods on Lock (here both Shifts with shift:both_capslock), but not a
// lock of another modifier (caps:shiftlock locks Shift).
func TestCapsLockPolicyOtherKeys(t *testing.T) {
	const evRShift = 54
	tests := []struct {
		name   string
		names  rules.Names
		mod    keymap.ModIndex
		first  []step // locks mod
		second []step // presses the locking key again, still held
	}{
		{"both shifts lock Lock", rules.Names{Layout: "us", Options: "shift:both_capslock"}, keymap.ModLock,
			[]step{press(evLShift), press(evRShift), release(evRShift), release(evLShift)},
			[]step{press(evLShift), press(evRShift)}},
		{"shiftlock locks Shift", rules.Names{Layout: "us", Options: "caps:shiftlock"}, keymap.ModShift,
			[]step{press(evCaps), release(evCaps)},
			[]step{press(evCaps)}},
	}
	for _, tt := range tests {
		km := load(t, tt.names)
		for _, policy := range []state.CapsLockPolicy{state.CapsLockRelease, state.CapsLockPress} {
			st := state.New(km, state.Options{CapsLock: policy})
			for _, s := range tt.first {
				st.UpdateKey(kc(s.code), s.dir)
			}
			if !st.ModActive(tt.mod, state.ModsLocked) {
				t.Fatalf("%s, policy %d: modifier %d not locked after the first press", tt.name, policy, tt.mod)
			}
			for _, s := range tt.second {
				st.UpdateKey(kc(s.code), s.dir)
			}
			wantLocked := policy == state.CapsLockRelease || tt.mod != keymap.ModLock
			if got := st.ModActive(tt.mod, state.ModsLocked); got != wantLocked {
				t.Errorf("%s, policy %d: locked while the key is held the second time = %v; want %v", tt.name, policy, got, wantLocked)
			}
		}
	}
}

// TestUpdateMaskMirrors drives one state with key events and a second one
// only with UpdateMask from the first one's serialized components, as a
// nested compositor mirrors its parent: both must agree on every component,
// every LED and what every key produces.
func TestUpdateMaskMirrors(t *testing.T) {
	for _, n := range []rules.Names{
		{Layout: "us,ru,de", Options: "grp:alt_shift_toggle,lv3:ralt_switch"},
		{Layout: "de", Variant: "neo"},
	} {
		km := load(t, n)
		src := state.New(km, state.Options{})
		dst := state.New(km, state.Options{})
		keys := km.Keys()
		for i, e := range genEvents(5, km, 1500) {
			k := kc(int(e.code))
			if e.dir != eval.DirUp {
				src.UpdateKey(k, state.Down)
			}
			if e.dir != eval.DirDown {
				src.UpdateKey(k, state.Up)
			}
			dst.UpdateMask(src.SerializeMods(state.ModsDepressed), src.SerializeMods(state.ModsLatched), src.SerializeMods(state.ModsLocked),
				src.SerializeLayout(state.LayoutDepressed), src.SerializeLayout(state.LayoutLatched), src.SerializeLayout(state.LayoutLocked))
			for _, c := range []state.Component{state.ModsDepressed, state.ModsLatched, state.ModsLocked, state.ModsEffective} {
				if a, b := src.SerializeMods(c), dst.SerializeMods(c); a != b {
					t.Fatalf("%+v event %d: mods %#x = %#x; mirror %#x", n, i, c, a, b)
				}
			}
			for _, c := range []state.Component{state.LayoutDepressed, state.LayoutLatched, state.LayoutLocked, state.LayoutEffective} {
				if a, b := src.SerializeLayout(c), dst.SerializeLayout(c); a != b {
					t.Fatalf("%+v event %d: layout %#x = %d; mirror %d", n, i, c, a, b)
				}
			}
			if src.LEDs() != dst.LEDs() {
				t.Fatalf("%+v event %d: LEDs %#x; mirror %#x", n, i, src.LEDs(), dst.LEDs())
			}
			if i%50 == 0 {
				for j := range keys {
					k := keys[j].Keycode
					if keys[j].Name == "" {
						continue
					}
					if src.KeyOneSym(k) != dst.KeyOneSym(k) || src.KeyLayout(k) != dst.KeyLayout(k) ||
						src.KeyConsumedMods(k, state.ConsumedXKB) != dst.KeyConsumedMods(k, state.ConsumedXKB) {
						t.Fatalf("%+v event %d: key %s differs in the mirror", n, i, keys[j].Name)
					}
				}
			}
		}
	}
}
