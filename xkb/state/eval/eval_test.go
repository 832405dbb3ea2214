package eval_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"reflect"
	"regexp"
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

func usKeymap(t *testing.T) *keymap.Keymap {
	t.Helper()
	dirs := includepath.Dirs(os.Getenv)
	n := includepath.FillDefaults(rules.Names{Layout: "us"}, func(string) string { return "" })
	comps, err := rules.Resolve(dirs, n, rules.EnvFrom(os.Getenv))
	if err != nil {
		t.Fatal(err)
	}
	km, err := compile.FromComponents(dirs, comps)
	if err != nil {
		t.Fatal(err)
	}
	return km
}

func TestParseLine(t *testing.T) {
	tests := []struct {
		line string
		code uint16
		dir  eval.Dir
		err  string // "" ok, "skip" for ErrSkip, else a substring of the error
	}{
		{"30 down", 30, eval.DirDown, ""},
		{"  30\tup  ", 30, eval.DirUp, ""},
		{"58 both", 58, eval.DirBoth, ""},
		{"030 down", 30, eval.DirDown, ""},
		{"+30 down", 30, eval.DirDown, ""},
		{"65535 up", 65535, eval.DirUp, ""},
		{"", 0, 0, "skip"},
		{"   ", 0, 0, "skip"},
		{"# a comment", 0, 0, "skip"},
		{"#30 down", 0, 0, "skip"},
		{"30", 0, 0, "want"},
		{"30 down extra", 0, 0, "want"},
		{"30 sideways", 0, 0, "bad direction"},
		{"30 DOWN", 0, 0, "bad direction"},
		{"-1 down", 0, 0, "bad evdev code"},
		{"65536 down", 0, 0, "bad evdev code"},
		{"0x1e down", 0, 0, "bad evdev code"},
		{"a down", 0, 0, "bad evdev code"},
	}
	for _, tt := range tests {
		code, dir, err := eval.ParseLine(tt.line)
		switch {
		case tt.err == "skip":
			if err != eval.ErrSkip {
				t.Errorf("ParseLine(%q) error = %v; want ErrSkip", tt.line, err)
			}
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseLine(%q) error = %v; want one containing %q", tt.line, err, tt.err)
			}
		case err != nil || code != tt.code || dir != tt.dir:
			t.Errorf("ParseLine(%q) = %d, %v, %v; want %d, %v", tt.line, code, dir, err, tt.code, tt.dir)
		}
	}
}

// badLineNumbers returns the line numbers an error output names.
func badLineNumbers(stderr string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`line (\d+):`).FindAllStringSubmatch(stderr, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestRunMatchesOracle runs a script with good and bad lines through Run
// and through libxkbcommon: same objects, same rejected line numbers.
func TestRunMatchesOracle(t *testing.T) {
	script := strings.Join([]string{
		"# Caps Lock, then a and shifted 2",
		"58 both",
		"30 down",
		"",
		"30 up",
		"bad",
		"42 down",
		"3 both",
		"42 up",
		"30 sideways",
		"  58\tdown ",
		"58 up",
		"65536 down",
		"30 both extra",
		"999 both",
		"30 both",
	}, "\n") + "\n"
	var out, errOut bytes.Buffer
	if err := eval.Run(eval.New(state.New(usKeymap(t), state.Options{})), strings.NewReader(script), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	o := oracle.New(t)
	want, wantErr, err := o.EvalStderr(oracle.Source{Names: rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}}, script)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("Run wrote %d lines; libxkbcommon %d", len(got), len(want))
	}
	for i := range got {
		var g, w any
		if err := json.Unmarshal([]byte(got[i]), &g); err != nil {
			t.Fatalf("line %d is not JSON: %v", i, err)
		}
		if err := json.Unmarshal([]byte(want[i]), &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("object %d:\n got  %s\n want %s", i, got[i], want[i])
		}
	}
	if g, w := badLineNumbers(errOut.String()), badLineNumbers(wantErr); !reflect.DeepEqual(g, w) {
		t.Errorf("bad lines reported %v; libxkbcommon %v\nstderr: %s", g, w, errOut.String())
	}
}

// TestRunStreams checks that Run answers each event before the next one is
// written, as an interactive or piped producer needs.
func TestRunStreams(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- eval.Run(eval.New(state.New(usKeymap(t), state.Options{})), inR, outW, io.Discard)
		outW.Close()
	}()
	lines := bufio.NewScanner(outR)
	for i, ev := range []string{"42 down", "30 both", "42 up", "30 both"} {
		if _, err := io.WriteString(inW, ev+"\n"); err != nil {
			t.Fatal(err)
		}
		if !lines.Scan() {
			t.Fatalf("no answer to event %d (%s) before the next one", i, ev)
		}
		if !strings.Contains(lines.Text(), `"dir":`) {
			t.Fatalf("answer %d = %s", i, lines.Text())
		}
	}
	inW.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
