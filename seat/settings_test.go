package seat

import (
	"flag"
	"gocomp/compositor/backend"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gocomp/xkb/rules"
	"gocomp/xkb/state"
)

// env returns a getenv over vars (nothing else is set).
func env(vars ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(vars); i += 2 {
		m[vars[i]] = vars[i+1]
	}
	return func(k string) string { return m[k] }
}

// realEnv is the process environment minus XKB_DEFAULT_*, so tests do not
// depend on the caller's keyboard settings.
func realEnv(k string) string {
	if strings.HasPrefix(k, "XKB_DEFAULT_") {
		return ""
	}
	return os.Getenv(k)
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		text    string
		want    Settings
		wantErr string
	}{
		{text: "", want: Settings{}},
		{text: "# comment\n\nxkb-layout = de\nxkb-variant=nodeadkeys\nrepeat-rate = 30\nrepeat-delay= 250\ncaps-lock = press\n",
			want: Settings{Names: rules.Names{Layout: "de", Variant: "nodeadkeys"}, RepeatRate: 30, RepeatDelay: 250, CapsLock: state.CapsLockPress}},
		{text: `xkb-options = "grp:alt_shift_toggle,ctrl:nocaps"`, want: Settings{Names: rules.Names{Options: "grp:alt_shift_toggle,ctrl:nocaps"}}},
		{text: "xkb-layout de\n", wantErr: `seat: f.conf:1: expected name = value, found "xkb-layout de"`},
		{text: "\nlayout = de\n", wantErr: `seat: f.conf:2: unknown setting "layout"`},
		{text: "repeat-rate = fast\n", wantErr: `seat: f.conf:1: invalid repeat-rate "fast" (want 0..10000)`},
		{text: "repeat-delay = -1\n", wantErr: `seat: f.conf:1: invalid repeat-delay "-1" (want 0..10000)`},
		{text: "caps-lock = toggle\n", wantErr: `seat: f.conf:1: invalid caps-lock "toggle" (want press or release)`},
	}
	for _, tt := range tests {
		var got Settings
		err := parseConfig(&got, "f.conf", []byte(tt.text))
		if tt.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("parseConfig(%q) error %v; want %q", tt.text, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseConfig(%q) = %+v, %v; want %+v", tt.text, got, err, tt.want)
		}
	}
}

// TestLoadPrecedence: flags given win over the file, the file over
// XKB_DEFAULT_*, which fill only what is still empty.
func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "kbd.conf")
	if err := os.WriteFile(conf, []byte("xkb-layout = de\nrepeat-rate = 40\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := env("XKB_DEFAULT_LAYOUT", "fr", "XKB_DEFAULT_OPTIONS", "ctrl:nocaps")
	tests := []struct {
		args []string
		want Settings
	}{
		{nil, Settings{Names: rules.Names{Rules: "evdev", Model: "pc105", Layout: "fr", Options: "ctrl:nocaps"}, RepeatRate: 25, RepeatDelay: 600}},
		{[]string{"-config", conf}, Settings{Names: rules.Names{Rules: "evdev", Model: "pc105", Layout: "de", Options: "ctrl:nocaps"}, RepeatRate: 40, RepeatDelay: 600}},
		{[]string{"-config", conf, "-xkb-layout", "us", "-repeat-delay", "200", "-caps-lock", "press"},
			Settings{Names: rules.Names{Rules: "evdev", Model: "pc105", Layout: "us", Options: "ctrl:nocaps"}, RepeatRate: 40, RepeatDelay: 200, CapsLock: state.CapsLockPress}},
	}
	for _, tt := range tests {
		var o Options
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		o.RegisterFlags(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		got, err := o.Load(getenv)
		if err != nil || got != tt.want {
			t.Errorf("Load with %q = %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
	var o Options
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o.RegisterFlags(fs)
	if err := fs.Parse([]string{"-caps-lock", "sometimes"}); err == nil {
		t.Errorf("-caps-lock sometimes accepted")
	}
}

// realSeat returns a test server whose seat has the keymap of st, and a
// client with a wl_keyboard that decodes keysyms, focused.
func realSeat(t *testing.T, st Settings) (*testServer, backend.Keyboard, *testClient) {
	t.Helper()
	return realSeatWith(t, st, nil)
}

// realSeatWith is realSeat with cfg changed by change (when not nil)
// before the seat is made.
func realSeatWith(t *testing.T, st Settings, change func(*Config)) (*testServer, backend.Keyboard, *testClient) {
	t.Helper()
	cfg, err := st.SeatConfig(realEnv)
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(&cfg)
	}
	ts := newTestServerConfig(t, 9, cfg)
	kb := ts.seat.AddKeyboard("k", nil)
	tc := ts.connect(9)
	tc.decodeSyms = true
	tc.getKeyboard(9)
	mapNew(ts, tc)
	return ts, kb, tc
}

// typeKeys presses and releases keys: "+42" presses, "-42" releases, "30"
// taps.
func typeKeys(ts *testServer, kb backend.Keyboard, keys ...string) {
	now := time.Duration(0)
	for _, k := range keys {
		now += time.Millisecond
		switch {
		case k[0] == '+':
			kb.Key(now, evdevCode(k[1:]), true)
		case k[0] == '-':
			kb.Key(now, evdevCode(k[1:]), false)
		default:
			kb.Key(now, evdevCode(k), true)
			kb.Key(now, evdevCode(k), false)
		}
	}
	ts.pump()
}

func evdevCode(s string) uint16 {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return uint16(n)
}

// Evdev codes of the keys of "Hello, World!".
const (
	kH, kE, kL, kO, kW, kR, kD, kY, kZ = "35", "18", "38", "24", "17", "19", "32", "21", "44"
	kComma, kSpace, k1, kShift, kCaps  = "51", "57", "2", "42", "58"
)

// TestTypingWithTheRealKeymap types "Hello, World!" through the seat with
// the us keymap; the client decodes keysyms from the keymap and modifiers
// it received, as libxkbcommon clients do.
func TestTypingWithTheRealKeymap(t *testing.T) {
	ts, kb, tc := realSeat(t, Settings{Names: rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}, RepeatRate: 25, RepeatDelay: 600})
	typeKeys(ts, kb, "+"+kShift, kH, "-"+kShift, kE, kL, kL, kO, kComma, kSpace,
		"+"+kShift, kW, "-"+kShift, kO, kR, kL, kD, "+"+kShift, k1, "-"+kShift)
	want := []string{"Shift_L", "H", "e", "l", "l", "o", "comma", "space", "Shift_L", "W", "o", "r", "l", "d", "Shift_L", "exclam"}
	if !slices.Equal(tc.syms, want) {
		t.Errorf("typed %q; want %q", tc.syms, want)
	}
}

// TestCapsLockPolicies: y, Caps tap, y, Caps down, y, Caps up, y gives
// y Y Y y with classic XKB (unlock on release) and y Y y y when Caps Lock
// unlocks on press; the LED follows.
func TestCapsLockPolicies(t *testing.T) {
	for _, tt := range []struct {
		policy state.CapsLockPolicy
		want   []string
	}{
		{state.CapsLockRelease, []string{"y", "Y", "Y", "y"}},
		{state.CapsLockPress, []string{"y", "Y", "y", "y"}},
	} {
		ts, kb, tc := realSeat(t, Settings{Names: rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}, CapsLock: tt.policy})
		typeKeys(ts, kb, kY, kCaps, kY, "+"+kCaps, kY, "-"+kCaps, kY)
		var letters []string
		for _, s := range tc.syms {
			if s != "Caps_Lock" {
				letters = append(letters, s)
			}
		}
		if !slices.Equal(letters, tt.want) {
			t.Errorf("caps-lock policy %d: typed %q; want %q", tt.policy, letters, tt.want)
		}
		if ts.seat.LEDs() != 0 {
			t.Errorf("caps-lock policy %d: LEDs %b at the end; want none", tt.policy, ts.seat.LEDs())
		}
	}
}

// TestReloadChangesLayout: a config file changed to layout de and
// re-read: the client gets the new keymap then modifiers, and y types z.
// A broken file afterwards is reported and changes nothing.
func TestReloadChangesLayout(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "kbd.conf")
	write := func(s string) {
		if err := os.WriteFile(conf, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("xkb-layout = us\n")
	o := Options{ConfigPath: conf}
	st, err := o.Load(realEnv)
	if err != nil {
		t.Fatal(err)
	}
	ts, kb, tc := realSeat(t, st)
	typeKeys(ts, kb, kY)
	tc.tracing = true
	write("xkb-layout = de\nrepeat-rate = 33\n")
	if err := ts.seat.Reload(&o, realEnv); err != nil {
		t.Fatal(err)
	}
	ts.pump()
	wantTrace(t, tc, "kbd5 keymap", "kbd5 modifiers [0 0 0 0]", "kbd5 repeat 33 600")
	typeKeys(ts, kb, kY)
	write("xkb-layout = de\nrepeat-rate = lots\n")
	if err := ts.seat.Reload(&o, realEnv); err == nil {
		t.Errorf("broken config accepted")
	}
	write("xkb-layout = nosuchlayout\n")
	if err := ts.seat.Reload(&o, realEnv); err == nil {
		t.Errorf("config with an unknown layout accepted")
	}
	ts.pump()
	typeKeys(ts, kb, kY)
	wantTrace(t, tc, "kbd5 key 21 state 1", "kbd5 key 21 state 0", "kbd5 key 21 state 1", "kbd5 key 21 state 0")
	if want := []string{"y", "z", "z"}; !slices.Equal(tc.syms, want) {
		t.Errorf("typed %q; want %q", tc.syms, want)
	}
	if ts.seat.Settings().Names.Layout != "de" {
		t.Errorf("layout %q after broken reloads; want de", ts.seat.Settings().Names.Layout)
	}
}

// TestRealKeymapKeyDoesNotAllocate: with the real XKB engine behind the
// seat, a key event (state update, modifiers, encoding) allocates nothing.
func TestRealKeymapKeyDoesNotAllocate(t *testing.T) {
	ts, kb, tc := realSeat(t, Settings{Names: rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}})
	tc.decodeSyms = false
	now := time.Duration(0)
	step := func() {
		now += time.Millisecond
		kb.Key(now, 42, true)
		kb.Key(now, 30, true)
		kb.Key(now, 30, false)
		kb.Key(now, 42, false)
		kb.Key(now, 58, true)
		kb.Key(now, 58, false)
	}
	for range 20 {
		step()
		ts.pump()
	}
	if allocs := testing.AllocsPerRun(100, step); allocs != 0 {
		t.Errorf("%.1f allocations per 6 key events through the real XKB state; want 0", allocs)
	}
	ts.pump()
}
