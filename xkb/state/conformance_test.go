package state_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"gocomp/xkb/compile"
	"gocomp/xkb/includepath"
	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/keymap"
	"gocomp/xkb/rules"
	"gocomp/xkb/state"
	"gocomp/xkb/state/eval"
)

// conformanceNames are the keymaps of the differential test: the layouts
// and options users reach for most, plus more layouts with dead keys, level 3
// and 5, several groups, latches and every group-switch style.
var conformanceNames = []rules.Names{
	{Layout: "us"},
	{Layout: "de"},
	{Layout: "fr"},
	{Layout: "ru"},
	{Layout: "ch"},
	{Layout: "jp"},
	{Layout: "kr"},
	{Layout: "il"},
	{Layout: "ara"},
	{Layout: "us", Variant: "intl"},
	{Layout: "de", Variant: "neo"},
	{Layout: "us,ru", Options: "grp:alt_shift_toggle"},
	{Layout: "us", Options: "lv3:ralt_switch_multikey"},
	{Layout: "us", Options: "shift:breaks_caps"},
	{Layout: "us", Options: "caps:shiftlock"},
	{Layout: "us,de", Options: "grp:shifts_toggle"},
	{Layout: "us,ru", Options: "grp:lalt_lshift_toggle"},
	{Layout: "us", Options: "ctrl:nocaps"},
	{Layout: "us", Options: "compose:ralt"},
	{Layout: "gb"},
	{Layout: "es"},
	{Layout: "it"},
	{Layout: "pt"},
	{Layout: "br"},
	{Layout: "se"},
	{Layout: "no"},
	{Layout: "dk"},
	{Layout: "fi"},
	{Layout: "pl"},
	{Layout: "cz"},
	{Layout: "sk"},
	{Layout: "hu"},
	{Layout: "tr"},
	{Layout: "gr"},
	{Layout: "ua"},
	{Layout: "bg"},
	{Layout: "rs"},
	{Layout: "lt"},
	{Layout: "lv", Variant: "apostrophe"},
	{Layout: "ee"},
	{Layout: "is"},
	{Layout: "in"},
	{Layout: "th"},
	{Layout: "ir"},
	{Layout: "ca", Variant: "multix"},
	{Layout: "fr", Variant: "bepo"},
	{Layout: "us", Variant: "dvorak"},
	{Layout: "us", Variant: "colemak"},
	{Layout: "de", Variant: "nodeadkeys"},
	{Layout: "ch", Variant: "fr"},
	{Layout: "be"},
	{Layout: "latam"},
	{Layout: "ge"},
	{Layout: "am"},
	{Layout: "us,de,fr", Options: "grp:caps_toggle"},
	{Layout: "us,ru", Options: "grp:switch,grp:lswitch"},
	{Layout: "us,ru,ua", Options: "grp:alt_caps_toggle"},
	{Layout: "us,gr", Options: "grp:shift_caps_switch"},
	{Layout: "us,ru,de", Options: "grp:win_menu_switch"},
	{Layout: "us,il", Options: "grp:menu_toggle,grp:sclk_toggle"},
	{Layout: "us,ru", Options: "grp:ctrl_shift_toggle,grp:lwin_toggle"},
	{Layout: "us", Options: "lv3:ralt_switch,lv3:caps_switch_latch"},
	{Layout: "de", Options: "lv3:lsgt_switch_latch,lv3:bksl_switch_latch"},
	{Layout: "us", Options: "caps:swapescape,altwin:swap_alt_win"},
	{Layout: "us", Options: "ctrl:swapcaps"},
	{Layout: "us", Options: "caps:ctrl_modifier"},
	{Layout: "us", Options: "shift:both_capslock,shift:both_capslock_cancel"},
	{Layout: "us", Options: "shift:both_shiftlock"},
	{Layout: "de", Options: "lv3:ralt_switch,lv5:ralt_switch_lock"},
	{Layout: "us", Options: "keypad:pointerkeys"},
}

// eventsPerKeymap is the length of each random sequence.
const eventsPerKeymap = 2500

// defaults fills the empty names the way the oracle's libxkbcommon does
// (built-in defaults, no environment).
func defaults(n rules.Names) rules.Names {
	return includepath.FillDefaults(n, func(string) string { return "" })
}

// run evaluates evs on km with our engine, one JSON line per event.
func run(km *keymap.Keymap, opts state.Options, evs []event) []string {
	return runMode(km, opts, state.ConsumedXKB, evs)
}

// runMode is run with the consumed field in mode.
func runMode(km *keymap.Keymap, opts state.Options, mode state.ConsumedMode, evs []event) []string {
	ev := eval.New(state.New(km, opts))
	ev.Consumed = mode
	out := make([]string, len(evs))
	var buf []byte
	for i, e := range evs {
		buf = ev.AppendEvent(buf[:0], e.code, e.dir)
		out[i] = string(buf)
	}
	return out
}

// compareLines compares our eval lines with the oracle's, decoded. It
// returns the number of differing events and a description of the first
// few with the events leading up to them.
func compareLines(evs []event, got, want []string) (int, string) {
	var b strings.Builder
	bad := 0
	if len(got) != len(want) {
		fmt.Fprintf(&b, "%d lines; libxkbcommon %d\n", len(got), len(want))
		bad++
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		var g, w any
		if err := json.Unmarshal([]byte(got[i]), &g); err != nil {
			fmt.Fprintf(&b, "event %d: our line is not JSON: %v: %s\n", i, err, got[i])
			bad++
			continue
		}
		if err := json.Unmarshal([]byte(want[i]), &w); err != nil {
			fmt.Fprintf(&b, "event %d: oracle line is not JSON: %v: %s\n", i, err, want[i])
			bad++
			continue
		}
		if reflect.DeepEqual(g, w) {
			continue
		}
		bad++
		if bad <= 3 {
			from := i - 12
			if from < 0 {
				from = 0
			}
			var ctx []string
			for _, e := range evs[from:i] {
				ctx = append(ctx, e.String())
			}
			fmt.Fprintf(&b, "event %d (%s) after [%s]:\n  got  %s\n  want %s\n", i, evs[i], strings.Join(ctx, ", "), got[i], want[i])
		}
	}
	return bad, b.String()
}

// oracleKeymap has libxkbcommon compile names and loads its keymap text
// with our compiler, so that a state test is not a compiler test.
func oracleKeymap(t *testing.T, o *oracle.Oracle, names rules.Names) (string, *keymap.Keymap) {
	t.Helper()
	text, err := o.CompileNames(names)
	if err != nil {
		t.Fatalf("oracle compile %+v: %v", names, err)
	}
	km, err := compile.FromText("oracle.xkb", []byte(text), includepath.Dirs(os.Getenv))
	if err != nil {
		t.Fatalf("compile.FromText(libxkbcommon's text for %+v): %v", names, err)
	}
	return text, km
}

// differential runs n events generated from seed for km through our engine
// and through libxkbcommon loading src, with the consumed modifiers in
// mode, and reports on t every event where they differ. It returns the
// number of events compared and of those that differ.
func differential(t *testing.T, o *oracle.Oracle, src oracle.Source, km *keymap.Keymap, mode state.ConsumedMode, seed int64, n int) (compared, differ int) {
	t.Helper()
	evs := genEvents(seed, km, n)
	oracleEval, modeName := o.Eval, "XKB"
	if mode == state.ConsumedGTK {
		oracleEval, modeName = o.EvalConsumedGTK, "GTK"
	}
	want, err := oracleEval(src, eventText(evs))
	if err != nil {
		t.Fatalf("oracle eval (%s mode): %v", modeName, err)
	}
	got := runMode(km, state.Options{}, mode, evs)
	nbad, msg := compareLines(evs, got, want)
	if nbad > 0 {
		t.Errorf("seed %d: %d of %d events differ from libxkbcommon (%s mode):\n%s", seed, nbad, len(evs), modeName, msg)
	}
	return len(evs), nbad
}

// TestConformanceText is the differential test against libxkbcommon 1.5:
// for every keymap, libxkbcommon's own keymap text is loaded by our
// compiler and by libxkbcommon, and a seeded random sequence of events is
// evaluated by both; every field of every event must agree. Using the same
// text isolates the state machine from compiler differences.
func TestConformanceText(t *testing.T) {
	o := oracle.New(t)
	total, bad := 0, 0
	t.Cleanup(func() {
		t.Logf("text route: %d keymaps x %d events: %d events compared, %d mismatches", len(conformanceNames), eventsPerKeymap, total, bad)
	})
	for i, n := range conformanceNames {
		n := defaults(n)
		t.Run(fmt.Sprintf("%s(%s)+%s", n.Layout, n.Variant, n.Options), func(t *testing.T) {
			text, km := oracleKeymap(t, o, n)
			compared, nbad := differential(t, o, oracle.Source{Keymap: text}, km, state.ConsumedXKB, int64(1000+i), eventsPerKeymap)
			total, bad = total+compared, bad+nbad
		})
	}
}

// TestConformanceActions runs the differential test on testdata/actions.xkb,
// a keymap with every action kind and flag (on keys the registry keymaps
// seldom or never bind): both engines load the same file.
func TestConformanceActions(t *testing.T) {
	o := oracle.New(t)
	text, err := os.ReadFile("testdata/actions.xkb")
	if err != nil {
		t.Fatal(err)
	}
	km, err := compile.FromText("testdata/actions.xkb", text, includepath.Dirs(os.Getenv))
	if err != nil {
		t.Fatalf("compile.FromText: %v", err)
	}
	const seeds, n = 8, 3000
	for seed := int64(1); seed <= seeds; seed++ {
		differential(t, o, oracle.Source{Keymap: string(text)}, km, state.ConsumedXKB, seed, n)
	}
	t.Logf("actions.xkb: %d seeds x %d events compared", seeds, n)
}

// TestConformanceNames is the differential test from RMLVO names: our rules
// resolution and compiler against libxkbcommon's, then the same events
// through both engines, as `gocomp xkb eval --layout ...` runs.
func TestConformanceNames(t *testing.T) {
	o := oracle.New(t)
	dirs := includepath.Dirs(os.Getenv)
	total, bad := 0, 0
	t.Cleanup(func() {
		t.Logf("names route: %d keymaps x %d events: %d events compared, %d mismatches", len(conformanceNames), eventsPerKeymap, total, bad)
	})
	for i, n := range conformanceNames {
		n := defaults(n)
		seed := int64(2000 + i)
		t.Run(fmt.Sprintf("%s(%s)+%s", n.Layout, n.Variant, n.Options), func(t *testing.T) {
			comps, err := rules.Resolve(dirs, n, rules.EnvFrom(os.Getenv))
			if err != nil {
				t.Fatalf("rules.Resolve(%+v): %v", n, err)
			}
			km, err := compile.FromComponents(dirs, comps)
			if err != nil {
				t.Fatalf("compile.FromComponents(%+v): %v", comps, err)
			}
			compared, nbad := differential(t, o, oracle.Source{Names: n}, km, state.ConsumedXKB, seed, eventsPerKeymap)
			total, bad = total+compared, bad+nbad
		})
	}
}

// TestConformanceConsumedGTK runs the differential test with the consumed
// modifiers in GTK mode, on every keymap with shorter sequences.
func TestConformanceConsumedGTK(t *testing.T) {
	o := oracle.New(t)
	const n = 800
	for i, names := range conformanceNames {
		names := defaults(names)
		t.Run(fmt.Sprintf("%s(%s)+%s", names.Layout, names.Variant, names.Options), func(t *testing.T) {
			text, km := oracleKeymap(t, o, names)
			differential(t, o, oracle.Source{Keymap: text}, km, state.ConsumedGTK, int64(3000+i), n)
		})
	}
	t.Logf("GTK mode: %d keymaps x %d events compared", len(conformanceNames), n)
}

// TestScenarios pins named behaviours of libxkbcommon 1.5, some of them
// surprising, on short scripts: each script runs through both engines and
// every event must agree, and the last event's state must be the one
// written here (observed with libxkbcommon, so that a change on either
// side is noticed).
func TestScenarios(t *testing.T) {
	o := oracle.New(t)
	dirs := includepath.Dirs(os.Getenv)
	actions, err := os.ReadFile("testdata/actions.xkb")
	if err != nil {
		t.Fatal(err)
	}
	usText, err := o.CompileNames(defaults(rules.Names{Layout: "us"}))
	if err != nil {
		t.Fatal(err)
	}
	// us with ISO_Next_Group and, shifted, ISO_Prev_Group on evdev key 211
	// (LockGroup(+1) and LockGroup(-1) by compat/iso9995).
	const oneGroup = `xkb_keymap {
xkb_keycodes { include "evdev" };
xkb_types { include "complete" };
xkb_compat { include "complete" };
xkb_symbols { include "pc+us" key <I219> { [ ISO_Next_Group, ISO_Prev_Group ] }; };
};`
	// Keys of testdata/actions.xkb (evdev codes).
	const (
		caps, a          = 58, 30
		lfshLatchToLock  = 42 // LatchMods(Shift, clearLocks, latchToLock)
		rtshLatch        = 54 // LatchMods(Shift)
		lctlSetClear     = 29 // SetMods(Control, clearLocks)
		rctlSetClear     = 97 // SetMods(Control+Lock, clearLocks)
		f1LatchGroup     = 59 // LatchGroup(+1)
		f3SetGroupPlus1  = 61 // SetGroup(+1)
		f5LockGroupMinus = 63 // LockGroup(-1)
		f7LockOnly       = 65 // LockMods(Mod5, affect=lock)
		f8UnlockOnly     = 66 // LockMods(Mod5, affect=unlock)
		f9Neither        = 67 // LockMods(Mod3, affect=neither)
		f11SetGroupMinus = 87 // SetGroup(-2)
	)
	tests := []struct {
		name   string
		keymap string
		script string
		// want is the "mods" and "layouts" of the last event.
		want string
	}{
		{"Caps held the second time still types capitals", usText,
			"58 both\n58 down\n21 both\n58 up\n",
			`"mods":{"depressed":[],"latched":[],"locked":[],"effective":[]},"layouts":{"depressed":0,"latched":0,"locked":0,"effective":0}`},
		{"latchToLock: releasing the lock also unlocks Lock (libxkbcommon 1.5 quirk)", string(actions),
			fmt.Sprintf("%d both\n%d both\n%d down\n%d up\n", caps, lfshLatchToLock, lfshLatchToLock, lfshLatchToLock),
			`"mods":{"depressed":[],"latched":[],"locked":["Shift"],"effective":["Shift"]},"layouts":{"depressed":0,"latched":0,"locked":0,"effective":0}`},
		{"a latch survives a modifier key and breaks on a plain key", string(actions),
			fmt.Sprintf("%d both\n%d both\n%d down\n", rtshLatch, lctlSetClear, a),
			`"mods":{"depressed":[],"latched":[],"locked":[],"effective":[]},"layouts":{"depressed":0,"latched":0,"locked":0,"effective":0}`},
		{"SetMods clearLocks tapped alone unlocks its modifiers", string(actions),
			fmt.Sprintf("%d both\n%d both\n", caps, rctlSetClear),
			`"mods":{"depressed":[],"latched":[],"locked":[],"effective":[]},"layouts":{"depressed":0,"latched":0,"locked":0,"effective":0}`},
		{"SetMods clearLocks with another key pressed keeps the lock", string(actions),
			fmt.Sprintf("%d both\n%d down\n%d both\n%d up\n", caps, rctlSetClear, a, rctlSetClear),
			`"mods":{"depressed":[],"latched":[],"locked":["Lock"],"effective":["Lock"]},"layouts":{"depressed":0,"latched":0,"locked":0,"effective":0}`},
		{"overlapping SetGroup keys released out of order leave the base group shifted (libxkbcommon 1.5)", string(actions),
			fmt.Sprintf("%d down\n%d down\n%d up\n%d up\n", f3SetGroupPlus1, f11SetGroupMinus, f3SetGroupPlus1, f11SetGroupMinus),
			`"mods":{"depressed":[],"latched":[],"locked":[],"effective":[]},"layouts":{"depressed":1,"latched":0,"locked":0,"effective":1}`},
		{"a negative effective group wraps to n+g%n", string(actions),
			fmt.Sprintf("%d both\n%d down\n", f5LockGroupMinus, f11SetGroupMinus),
			`"mods":{"depressed":[],"latched":[],"locked":[],"effective":[]},"layouts":{"depressed":-2,"latched":0,"locked":2,"effective":0}`},
		// One group: LockGroup(-1) locks group -1, which wraps to 1 + -1%1
		// = 1, one past the last group, until the next key event (here its
		// own release, then a key that does nothing) wraps it to 0.
		{"a locked group wrapped to the group count is wrapped again by the next key event", oneGroup,
			"42 down\n211 down\n",
			`"mods":{"depressed":["Shift"],"latched":[],"locked":[],"effective":["Shift"]},"layouts":{"depressed":0,"latched":0,"locked":1,"effective":0}`},
		{"... by its release", oneGroup, "42 down\n211 both\n",
			`"mods":{"depressed":["Shift"],"latched":[],"locked":[],"effective":["Shift"]},"layouts":{"depressed":0,"latched":0,"locked":0,"effective":0}`},
		{"... or by a key that does nothing to the state", oneGroup, "42 down\n211 down\n30 both\n",
			`"mods":{"depressed":["Shift"],"latched":[],"locked":[],"effective":["Shift"]},"layouts":{"depressed":0,"latched":0,"locked":0,"effective":0}`},
		{"LatchGroup changes nothing", string(actions),
			fmt.Sprintf("%d both\n%d down\n", f1LatchGroup, f1LatchGroup),
			`"mods":{"depressed":[],"latched":[],"locked":[],"effective":[]},"layouts":{"depressed":0,"latched":0,"locked":0,"effective":0}`},
		{"affect=lock locks but never unlocks", string(actions),
			fmt.Sprintf("%d both\n%d both\n", f7LockOnly, f7LockOnly),
			`"mods":{"depressed":[],"latched":[],"locked":["Mod5"],"effective":["Mod5"]},"layouts":{"depressed":0,"latched":0,"locked":0,"effective":0}`},
		{"affect=unlock unlocks but never locks", string(actions),
			fmt.Sprintf("%d both\n%d both\n%d both\n", f8UnlockOnly, f7LockOnly, f8UnlockOnly),
			`"mods":{"depressed":[],"latched":[],"locked":[],"effective":[]},"layouts":{"depressed":0,"latched":0,"locked":0,"effective":0}`},
		{"affect=neither only depresses", string(actions),
			fmt.Sprintf("%d down\n", f9Neither),
			`"mods":{"depressed":["Mod3"],"latched":[],"locked":[],"effective":["Mod3"]},"layouts":{"depressed":0,"latched":0,"locked":0,"effective":0}`},
	}
	for _, tt := range tests {
		km, err := compile.FromText("scenario.xkb", []byte(tt.keymap), dirs)
		if err != nil {
			t.Fatalf("%s: compile: %v", tt.name, err)
		}
		var evs []event
		for _, line := range strings.Split(strings.TrimSpace(tt.script), "\n") {
			code, dir, err := eval.ParseLine(line)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			evs = append(evs, event{code, dir})
		}
		want, err := o.Eval(oracle.Source{Keymap: tt.keymap}, tt.script)
		if err != nil {
			t.Fatalf("%s: oracle: %v", tt.name, err)
		}
		got := run(km, state.Options{}, evs)
		if nbad, msg := compareLines(evs, got, want); nbad > 0 {
			t.Errorf("%s: %d events differ from libxkbcommon:\n%s", tt.name, nbad, msg)
		}
		for who, lines := range map[string][]string{"ours": got, "libxkbcommon": want} {
			if last := lines[len(lines)-1]; !strings.Contains(last, tt.want) {
				t.Errorf("%s: %s ends in %s; want %s", tt.name, who, last, tt.want)
			}
		}
	}
}
