package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// evalEvent is the part of a `gocomp xkb eval` output object these tests read.
type evalEvent struct {
	Code int      `json:"code"`
	Dir  string   `json:"dir"`
	UTF8 string   `json:"utf8"`
	LEDs []string `json:"leds"`
}

// runEval runs `gocomp xkb eval args...` with input on stdin and returns
// the decoded objects, stderr and the exit status.
func runEval(t *testing.T, bin, input string, args ...string) ([]evalEvent, string, int) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"xkb", "eval"}, args...)...)
	cmd.Env = xkbEnv()
	cmd.Stdin = strings.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	status := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("gocomp xkb eval: %v", err)
		}
		status = ee.ExitCode()
	}
	var events []evalEvent
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if line == "" {
			continue
		}
		var ev evalEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("output line %q is not a JSON object: %v", line, err)
		}
		events = append(events, ev)
	}
	return events, stderr.String(), status
}

// xkbEnv is the environment without XKB_DEFAULT_* so the tests see the
// documented defaults (evdev, pc105, us).
func xkbEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "XKB_DEFAULT_") {
			env = append(env, kv)
		}
	}
	return env
}

// TestXKBEvalCapsLockPolicies pins the caps-lock sequence that tells the
// policies apart on `us`:
// y, Caps tap, y, Caps down, y, Caps up, y.
func TestXKBEvalCapsLockPolicies(t *testing.T) {
	bin := buildGocomp(t)
	const keyY, keyCaps = "21", "58"
	input := strings.Join([]string{
		keyY + " both", keyCaps + " both", keyY + " both",
		keyCaps + " down", keyY + " both", keyCaps + " up", keyY + " both",
	}, "\n") + "\n"
	tests := []struct {
		policy    string
		typed     string // utf8 of the four y taps
		capsDownL []string
	}{
		// Classic XKB: the second Caps press leaves Lock on until release.
		{"release", "y Y Y y", []string{"Caps Lock"}},
		// Unlock on press: Lock and its LED go off on the press itself.
		{"press", "y Y y y", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			events, stderr, status := runEval(t, bin, input, "--layout", "us", "--caps-lock", tt.policy)
			if status != 0 || len(events) != 7 {
				t.Fatalf("status %d, %d objects; want 0 and 7\nstderr: %s", status, len(events), stderr)
			}
			var typed []string
			for _, ev := range events {
				if ev.Code == 21 {
					typed = append(typed, ev.UTF8)
				}
			}
			if got := strings.Join(typed, " "); got != tt.typed {
				t.Errorf("caps-lock=%s typed %q; want %q", tt.policy, got, tt.typed)
			}
			if got := events[3]; got.Dir != "down" || strings.Join(got.LEDs, ",") != strings.Join(tt.capsDownL, ",") {
				t.Errorf("caps-lock=%s: LEDs after the second Caps press = %q (dir %s); want %q", tt.policy, got.LEDs, got.Dir, tt.capsDownL)
			}
		})
	}
}

// TestXKBEvalBadLines checks that a bad line is reported with its number on
// stderr and evaluation goes on.
func TestXKBEvalBadLines(t *testing.T) {
	bin := buildGocomp(t)
	input := "# a comment\n\n30 down\nthirty down\n30 sideways\n30 up\n"
	events, stderr, _ := runEval(t, bin, input) // the exit status is not part of the contract for bad lines
	if len(events) != 2 || events[0].Dir != "down" || events[1].Dir != "up" {
		t.Errorf("got %d objects %+v; want the two good lines (30 down, 30 up)", len(events), events)
	}
	for _, line := range []string{"line 4", "line 5"} {
		if !strings.Contains(stderr, line) {
			t.Errorf("stderr does not name %s:\n%s", line, stderr)
		}
	}
	if strings.Contains(stderr, "line 3") || strings.Contains(stderr, "line 6") {
		t.Errorf("stderr blames a good line:\n%s", stderr)
	}
}

// TestXKBCompileCLI runs `gocomp xkb compile` the way a user does: failures
// must say where, and its text must read back through --keymap. (That
// libxkbcommon loads the text for every registry layout is checked in
// xkb/compile; xkbcli 1.5's --from-xkb exits 1 even on its own output, so it
// cannot serve here.)
func TestXKBCompileCLI(t *testing.T) {
	bin := buildGocomp(t)
	run := func(stdin string, args ...string) (string, string, int) {
		cmd := exec.Command(bin, append([]string{"xkb", "compile"}, args...)...)
		cmd.Env = xkbEnv()
		cmd.Stdin = strings.NewReader(stdin)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		status := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatalf("gocomp xkb compile: %v", err)
			}
			status = ee.ExitCode()
		}
		return stdout.String(), stderr.String(), status
	}

	t.Run("syntax error has file:line:col", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bad.xkb")
		src := "xkb_keymap {\n  xkb_keycodes { <AE01> = ; };\n};\n"
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr, status := run("", "--keymap", path)
		// The keycode is missing where the ';' stands: line 2, column 27.
		want := regexp.MustCompile(regexp.QuoteMeta(path) + `:2:27: `)
		if status == 0 || !want.MatchString(stderr) {
			t.Errorf("status %d, stderr %q; want non-zero and %s", status, stderr, want)
		}
	})

	t.Run("unknown layout names the names", func(t *testing.T) {
		out, stderr, status := run("", "--layout", "no-such-layout")
		if status == 0 || out != "" || !strings.Contains(stderr, "no-such-layout") {
			t.Errorf("status %d, stdout %d bytes, stderr %q; want non-zero, nothing, and the layout named", status, len(out), stderr)
		}
	})

	t.Run("keymap from stdin", func(t *testing.T) {
		text, _, status := run("", "--layout", "us")
		if status != 0 {
			t.Fatal("compiling us failed")
		}
		again, stderr, status := run(text, "--keymap", "-")
		if status != 0 || again != text {
			t.Errorf("recompiling our own text from stdin: status %d, same text %v\n%s", status, again == text, stderr)
		}
	})
}
