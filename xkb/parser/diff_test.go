package parser

import (
	"bytes"
	"fmt"
	"math/rand"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// diffBase is a keymap using every statement kind; the differential test
// mutates it token by token.
const diffBase = `xkb_keymap {
xkb_keycodes "k" {
    minimum = 8; maximum = 255;
    <AE01> = 10; <AE02> = 11; <LALT> = 64; <CAPS> = 66;
    alias <AB00> = <AE01>;
    indicator 1 = "Caps Lock";
    virtual indicator 2 = "Shift Lock";
};
xkb_types "t" {
    virtual_modifiers NumLock, Alt = Mod1, LevelThree;
    type "TWO_LEVEL" { modifiers = Shift; map[Shift] = Level2; level_name[Level1] = "Base"; };
    type "FOUR" { modifiers = Shift+LevelThree; map[Shift+LevelThree] = Level4; preserve[Shift] = None; };
};
xkb_compatibility "c" {
    interpret.useModMapMods = AnyLevel;
    interpret Shift_L+AnyOfOrNone(all) { action = SetMods(modifiers=Shift, clearLocks); };
    interpret Caps_Lock { action = LockMods(modifiers=Lock); useModMapMods = level1; };
    indicator "Caps Lock" { !allowExplicit; whichModState = Locked; modifiers = Lock; };
    group 2 = AltGr;
    setMods.clearLocks = True;
};
xkb_symbols "s" {
    name[Group1] = "Test";
    key.type[Group1] = "TWO_LEVEL";
    key <AE01> { [ 1, exclam, {a, b} ] };
    override key <AE02> { type[Group1] = "FOUR", symbols[Group1] = [ 2, at ],
        actions[Group1] = [ SetMods(modifiers=Shift), NoAction() ], repeat = No };
    key <CAPS> { [ Caps_Lock ] };
    key <LALT> { vmods = Alt, [ Alt_L, Meta_L ] };
    modifier_map Mod1 { <LALT>, Meta_L };
    modifier_map Lock { <CAPS> };
};
};
`

// The mutation count and seed; raise them by hand to hunt for differences
// (3000 trials over seeds 1-5 agreed when this was written).
var (
	diffTrials       = 300
	diffSeed   int64 = 3
)

// libxkbcommonParses reports whether libxkbcommon's parser accepts text
// (compile errors do not count). crashed is set when xkbcli died of a
// signal: libxkbcommon 1.5 parses a key body that starts with ','
// (`key <A> { , [ a ] };`) and then crashes compiling it; Parse rejects
// such bodies, and the test skips these inputs.
func libxkbcommonParses(t *testing.T, text string) (ok, crashed bool) {
	t.Helper()
	cmd := exec.Command("xkbcli", "compile-keymap", "--include", xkbRoot, "--from-xkb")
	cmd.Stdin = strings.NewReader(text)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		t.Fatalf("run xkbcli: %v", err)
	}
	if ws, isWait := cmd.ProcessState.Sys().(syscall.WaitStatus); isWait && ws.Signaled() {
		return false, true
	}
	return !strings.Contains(stderr.String(), "Failed to parse input xkb file"), false
}

// TestParseAgreesWithLibxkbcommon mutates diffBase one token at a time
// (deleting, doubling or replacing it; twice every third trial) or one
// byte at a time (every fourth trial) and checks that Parse accepts
// exactly the texts libxkbcommon's parser accepts. (xkb_geometry is left
// out: its bodies are skipped, not checked against libxkbcommon's
// geometry grammar.)
func TestParseAgreesWithLibxkbcommon(t *testing.T) {
	if ok, _ := libxkbcommonParses(t, diffBase); !ok {
		t.Fatal("libxkbcommon rejects diffBase")
	}
	if _, err := Parse("base", []byte(diffBase)); err != nil {
		t.Fatalf("Parse(diffBase): %v", err)
	}
	var spans [][2]int
	var sc scanner
	sc.init(diffBase, func(Pos, string) {})
	for {
		var l lexeme
		sc.next(&l)
		if l.tok == tEOF {
			break
		}
		spans = append(spans, [2]int{int(l.pos), int(l.end)})
	}
	palette := []string{";", "{", "}", ",", "=", "[", "]", "(", ")", ".", "+", "-", "*", "/", "!", "~",
		"x", "1", "0x1F", "1.5", `"s"`, `"us(intl)"`, "<K>", "<>", "key", "type", "include", "override",
		"augment", "replace", "alternate", "default", "partial", "section", "alias", "virtual",
		"indicator", "interpret", "modifier_map", "group", "action", "virtual_modifiers",
		"xkb_symbols", "xkb_keymap", "{a, b}", "f()", "// c\n", "#"}
	bytePalette := []string{"\\", "\"", "<", ">", "#", "/", "//", "0", "9", ".", "x", "0x", "e", "_", "\x00", "\xff", "\n", " ", "\t", "\v", "\r", "@", "$", "'", "`", "é"}
	rng := rand.New(rand.NewSource(diffSeed))
	trials := diffTrials
	for i := 0; i < trials; i++ {
		// One mutation, or two (the second further on) every third trial.
		n := 1
		if i%3 == 2 {
			n = 2
		}
		text, desc, last := diffBase, "", len(spans)
		if i%4 == 3 { // a byte-level mutation, for the scanner
			n = 0
			at := rng.Intn(len(diffBase))
			b := bytePalette[rng.Intn(len(bytePalette))]
			text = diffBase[:at] + b + diffBase[at+rng.Intn(2):]
			line := strings.Count(diffBase[:at], "\n") + 1
			desc = fmt.Sprintf(" line %d: %q at %q;", line, b, diffBase[at:min(at+8, len(diffBase))])
		}
		for j := 0; j < n; j++ {
			k := rng.Intn(last) // mutate right to left so spans stay valid
			sp := spans[k]
			last = k
			tok := diffBase[sp[0]:sp[1]]
			var repl string
			switch rng.Intn(3) {
			case 0:
				repl = ""
			case 1:
				repl = tok + " " + tok
			case 2:
				repl = palette[rng.Intn(len(palette))]
			}
			text = text[:sp[0]] + repl + text[sp[1]:]
			line := strings.Count(diffBase[:sp[0]], "\n") + 1
			desc += fmt.Sprintf(" line %d: %q -> %q;", line, tok, repl)
			if k == 0 {
				break
			}
		}
		_, err := Parse("mutant", []byte(text))
		want, crashed := libxkbcommonParses(t, text)
		if crashed {
			t.Logf("%s libxkbcommon crashed; Parse error = %v", desc, err)
			continue
		}
		if (err == nil) != want {
			t.Errorf("%s Parse error = %v; libxkbcommon accepts: %v", desc, err, want)
		}
	}
}
