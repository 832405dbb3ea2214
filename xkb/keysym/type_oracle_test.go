package keysym_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/keysym"
)

// evalLevel is the part of a `gocomp xkb eval` object this test reads.
type evalLevel struct {
	Code  int `json:"code"`
	Level int `json:"level"`
}

// TestIsLowerIsUpperMatchLibxkbcommon checks IsLower and IsUpper where
// libxkbcommon uses them: a two-level key whose first keysym is lower case
// and second upper case gets the ALPHABETIC type, other pairs (without
// keypad keysyms) TWO_LEVEL. The type shows in behaviour: with Caps Lock
// locked an ALPHABETIC key is at level 1, a TWO_LEVEL key at level 0.
// Every cased keysym is tried with its other case, in both orders, and
// title-case letters with both their cases.
func TestIsLowerIsUpperMatchLibxkbcommon(t *testing.T) {
	var pairs [][2]keysym.Keysym
	for _, k := range sampleKeysyms(true) {
		if k > 0x1fffffff || keysym.IsKeypad(k) {
			continue
		}
		u, l := keysym.ToUpper(k), keysym.ToLower(k)
		if u != k {
			pairs = append(pairs, [2]keysym.Keysym{k, u}, [2]keysym.Keysym{u, k})
		}
		if l != k && u != k { // title case: neither upper nor lower
			pairs = append(pairs, [2]keysym.Keysym{l, k}, [2]keysym.Keysym{k, k})
		}
	}
	if len(pairs) < 1500 {
		t.Fatalf("only %d cased pairs", len(pairs))
	}
	o := oracle.New(t)
	const perKeymap = 1000
	compared, bad := 0, 0
	for start := 0; start < len(pairs); start += perKeymap {
		batch := pairs[start:min(start+perKeymap, len(pairs))]
		var kc, sy, events strings.Builder
		events.WriteString("58 both\n") // lock Caps
		for i, p := range batch {
			fmt.Fprintf(&kc, "  <K%d> = %d;\n", i, i+100)
			fmt.Fprintf(&sy, "  key <K%d> { [ %s, %s ] };\n", i, keysym.Name(p[0]), keysym.Name(p[1]))
			fmt.Fprintf(&events, "%d both\n", i+100-8)
		}
		text := fmt.Sprintf("xkb_keymap {\n xkb_keycodes { minimum = 8; maximum = %d;\n  <CAPS> = 66;\n%s };\n"+
			" xkb_types { include \"complete\" };\n xkb_compat { include \"complete\" };\n"+
			" xkb_symbols {\n  key <CAPS> { [ Caps_Lock ] };\n%s };\n};\n",
			len(batch)+100, kc.String(), sy.String())
		out, err := o.Eval(oracle.Source{Keymap: text}, events.String())
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != len(batch)+1 {
			t.Fatalf("eval gave %d objects for %d events", len(out), len(batch)+1)
		}
		for i, p := range batch {
			var obj evalLevel
			if err := json.Unmarshal([]byte(out[i+1]), &obj); err != nil {
				t.Fatal(err)
			}
			want := 0 // TWO_LEVEL ignores Lock
			if keysym.IsLower(p[0]) && keysym.IsUpper(p[1]) {
				want = 1 // ALPHABETIC: Lock selects level 2
			}
			compared++
			if obj.Code != i+100-8 || obj.Level != want {
				bad++
				if bad <= 10 {
					t.Errorf("key [%s, %s] with Caps Lock: libxkbcommon %s; IsLower/IsUpper say level %d", keysym.Name(p[0]), keysym.Name(p[1]), out[i+1], want)
				}
			}
		}
	}
	t.Logf("%d keysym pairs compared, %d differ", compared, bad)
}
