package oracle

import (
	"encoding/json"
	"strings"
	"testing"

	"gocomp/xkb/rules"
)

func TestKeysymOps(t *testing.T) {
	o := New(t)
	names, err := o.KeysymNames([]uint32{0x61, 0xff0d, 0x20ac, 0x10020ac, 0x12345678})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "Return", "EuroSign", "U20AC", "0x12345678"}; strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("KeysymNames = %q; want %q", names, want)
	}
	ks, err := o.KeysymsFromNames([]string{"a", "RETURN", "U20AC"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if ks[0] != 0x61 || ks[1] != 0xff0d || ks[2] != 0x10020ac {
		t.Errorf("KeysymsFromNames = %x; want [61 ff0d 10020ac]", ks)
	}
	u8, err := o.KeysymsToUTF8([]uint32{0x20ac, 0xffe1})
	if err != nil {
		t.Fatal(err)
	}
	if string(u8[0]) != "€" || u8[1] != nil {
		t.Errorf("KeysymsToUTF8 = %q; want [€ nil]", u8)
	}
	up, err := o.KeysymsToUpper([]uint32{0x61, 0x6c1})
	if err != nil {
		t.Fatal(err)
	}
	if up[0] != 0x41 || up[1] != 0x6e1 {
		t.Errorf("KeysymsToUpper = %x; want [41 6e1]", up)
	}
}

func TestComponents(t *testing.T) {
	o := New(t)
	got, err := o.Components([]rules.Names{{Rules: "evdev", Model: "pc105", Layout: "us,ru", Variant: ",phonetic", Options: "grp:alt_shift_toggle"}})
	if err != nil {
		t.Fatal(err)
	}
	want := rules.Components{Keycodes: "evdev+aliases(qwerty)", Types: "complete", Compat: "complete",
		Symbols: "pc+us+ru(phonetic):2+inet(evdev)+group(alt_shift_toggle)"}
	if got[0] != want {
		t.Errorf("Components = %+v; want %+v", got[0], want)
	}
}

func TestCompare(t *testing.T) {
	o := New(t)
	us := rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}
	text, err := o.CompileNames(us)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, "xkb_keymap {") {
		t.Fatalf("CompileNames(us) starts %q", text[:min(len(text), 40)])
	}
	d, err := o.CompareNamesWithText(us, text)
	if err != nil || !d.Empty() {
		t.Errorf("compare us with its own text: %v, %v", d, err)
	}
	d, err = o.CompareNamesWithText(rules.Names{Rules: "evdev", Model: "pc105", Layout: "de"}, text)
	if err != nil || d.Empty() || !strings.Contains(d.String(), "keysyms key <AD06>") {
		t.Errorf("compare de with us text found no Y/Z difference: %v, %v", d, err)
	}
	if _, err := o.CompareNamesWithText(us, "xkb_keymap { garbage"); err == nil {
		t.Error("compare with garbage text: no error")
	}
	if _, err := o.CompileNames(rules.Names{Rules: "evdev", Layout: "custom"}); err == nil {
		t.Error("CompileNames(custom): no error; libxkbcommon cannot compile the placeholder")
	}
}

// evalObject is the eval contract's JSON object.
type evalObject struct {
	Code     int      `json:"code"`
	Dir      string   `json:"dir"`
	Keysyms  []string `json:"keysyms"`
	UTF8     string   `json:"utf8"`
	Layout   int      `json:"layout"`
	Level    int      `json:"level"`
	Consumed []string `json:"consumed"`
	Mods     struct {
		Depressed, Latched, Locked, Effective []string
	} `json:"mods"`
	Layouts struct {
		Depressed, Latched, Locked, Effective int
	} `json:"layouts"`
	LEDs []string `json:"leds"`
}

func TestEvalCapsLock(t *testing.T) {
	o := New(t)
	// y, Caps tap, y, Caps down, y, Caps up, y: classic XKB types y Y Y y.
	events := "21 both\n58 both\n21 both\n58 down\n21 both\n# comment\n\n58 up\n21 both\nbad line\n999999 down\n"
	out, stderr, err := o.EvalStderr(Source{Names: rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}}, events)
	if err != nil {
		t.Fatal(err)
	}
	// Codes above 65535 are not evdev codes: a bad line like any other.
	if len(out) != 7 {
		t.Fatalf("Eval gave %d objects; want 7:\n%s", len(out), strings.Join(out, "\n"))
	}
	var typed []string
	for _, line := range out {
		var obj evalObject
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if obj.Code == 21 {
			typed = append(typed, obj.UTF8)
		}
	}
	if got := strings.Join(typed, " "); got != "y Y Y y" {
		t.Errorf("typed %q; want %q", got, "y Y Y y")
	}
	var caps evalObject
	json.Unmarshal([]byte(out[3]), &caps) // Caps down while locked
	if caps.Dir != "down" || strings.Join(caps.Mods.Depressed, ",") != "Lock" || strings.Join(caps.LEDs, ",") != "Caps Lock" {
		t.Errorf("second Caps press = %s; want Lock depressed and the Caps Lock LED on", out[3])
	}
	for _, want := range []string{"line 10", "line 11"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q does not name %s", stderr, want)
		}
	}
}

func TestBench(t *testing.T) {
	o := New(t)
	us := rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}
	ns, err := o.BenchUpdateKey(us, []Event{{Code: 30, Down: true}, {Code: 30}}, 1000)
	if err != nil || ns.Wall <= 0 || ns.CPU <= 0 {
		t.Errorf("BenchUpdateKey = %v, %v", ns, err)
	}
	if ns, err := o.BenchCompile(us, 1); err != nil || ns.Wall <= 0 || ns.CPU <= 0 {
		t.Errorf("BenchCompile = %v, %v", ns, err)
	}
	text, err := o.CompileNames(us)
	if err != nil {
		t.Fatal(err)
	}
	if ns, err := o.BenchParse(text, 1); err != nil || ns.Wall <= 0 || ns.CPU <= 0 {
		t.Errorf("BenchParse = %v, %v", ns, err)
	}
	if ns, err := o.BenchSerialize(us, 1); err != nil || ns.Wall <= 0 || ns.CPU <= 0 {
		t.Errorf("BenchSerialize = %v, %v", ns, err)
	}
}
