package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runXKBSub runs `gocomp xkb SUB args...` and returns stdout, stderr and
// the exit status.
func runXKBSub(t *testing.T, bin string, sub string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"xkb", sub}, args...)...)
	cmd.Env = xkbEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	status := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("gocomp xkb %s: %v", sub, err)
		}
		status = ee.ExitCode()
	}
	return stdout.String(), stderr.String(), status
}

// The expectations below are facts of xkeyboard-config's layouts (de
// swaps Y and Z; Shift+1 is exclam on us and de) and of the case file
// format gocomp xkb test documents.
const passingCases = `# facts every German typist knows
[German y and z]
keymap: --layout de
KEY_Y both: z
KEY_Z both: y
KEY_LEFTSHIFT down: Shift_L  mods=Shift
KEY_1 both: exclam  mods=Shift  leds=
KEY_LEFTSHIFT up: Shift_L  mods=

[Caps Lock unlocks on press with --caps-lock press]
keymap: --layout us --caps-lock press
KEY_CAPSLOCK both: Caps_Lock  mods=Lock  leds=Caps Lock
KEY_A both: A
KEY_CAPSLOCK down: Caps_Lock  mods=  leds=
KEY_CAPSLOCK up: Caps_Lock
44 both: z

[a keymap file next to the case file]
keymap: --keymap own.xkb
KEY_Q both: q
`

func TestXKBTestRunsCaseFiles(t *testing.T) {
	bin := buildGocomp(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	own, _, status := runXKBSub(t, bin, "compile", "--layout", "us")
	if status != 0 {
		t.Fatal("gocomp xkb compile --layout us failed")
	}
	write("own.xkb", own)
	good := write("good.cases", passingCases)

	out, stderr, status := runXKBSub(t, bin, "test", good)
	want := "ok German y and z\nok Caps Lock unlocks on press with --caps-lock press\nok a keymap file next to the case file\n3 passed, 0 failed\n"
	if status != 0 || out != want {
		t.Errorf("passing cases: status %d, stdout\n%s\nstderr %s; want 0 and\n%s", status, out, stderr, want)
	}

	bad := write("false.cases", "[us is not German]\nkeymap: --layout us\nKEY_A both: a\nKEY_Z both: y\n")
	out, _, status = runXKBSub(t, bin, "test", good, bad)
	if status != 1 || !strings.HasSuffix(out, "FAIL us is not German: line 4: KEY_Z both: got z, want y\n3 passed, 1 failed\n") {
		t.Errorf("a false expectation: status %d, stdout\n%s; want 1 and the FAIL line", status, out)
	}

	// Two folders, each with its own own.xkb (us, then de): a case runs
	// against the file next to it, not the first one read.
	de, _, status := runXKBSub(t, bin, "compile", "--layout", "de")
	if status != 0 {
		t.Fatal("gocomp xkb compile --layout de failed")
	}
	other := filepath.Join(dir, "other")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "own.xkb"), []byte(de), 0o644); err != nil {
		t.Fatal(err)
	}
	deCases := filepath.Join(other, "de.cases")
	if err := os.WriteFile(deCases, []byte("[German own.xkb]\nkeymap: --keymap own.xkb\nKEY_Y both: z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, status = runXKBSub(t, bin, "test", good, deCases)
	if status != 0 || !strings.HasSuffix(out, "ok German own.xkb\n4 passed, 0 failed\n") {
		t.Errorf("case files in two folders with their own own.xkb: status %d, stdout\n%s; want all 4 passed", status, out)
	}

	for _, tc := range []struct{ name, text, want string }{
		{"mods after leds", "[k]\nKEY_CAPSLOCK both: Caps_Lock  leds=Caps Lock  mods=Lock\n", ":2: mods= after leds="},
		{"unknown key", "[k]\nKEY_NOPE both: a\n", ":2: unknown key"},
		{"unknown keysym", "[k]\nKEY_A both: notakeysym\n", ":2: unknown keysym"},
		{"bad direction", "[k]\n\nKEY_A sideways: a\n", ":3: direction"},
		{"event before a case", "KEY_A both: a\n", ":1: "},
		{"bad keymap flag", "[k]\nkeymap: --layot de\nKEY_A both: a\n", ":2: keymap: flag provided but not defined"},
		{"bad modifier", "[k]\nKEY_A both: a mods=Hyper\n", ":2: unknown modifier"},
	} {
		path := write("malformed.cases", tc.text)
		out, stderr, status := runXKBSub(t, bin, "test", good, path)
		if status != 2 || out != "" || !strings.Contains(stderr, path+tc.want) {
			t.Errorf("%s: status %d, stdout %q, stderr %q; want 2, nothing run, and %q", tc.name, status, out, stderr, path+tc.want)
		}
	}
}

func TestXKBDiff(t *testing.T) {
	bin := buildGocomp(t)
	dir := t.TempDir()

	// A keymap and its own compiled text behave the same.
	text, _, status := runXKBSub(t, bin, "compile", "--layout", "de")
	if status != 0 {
		t.Fatal("gocomp xkb compile --layout de failed")
	}
	own := filepath.Join(dir, "de.xkb")
	if err := os.WriteFile(own, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, stderr, status := runXKBSub(t, bin, "diff", "--layout", "de", "--", "--keymap", own); status != 0 || out != "" {
		t.Errorf("de against its own text: status %d, stdout %q, stderr %q; want 0 and nothing", status, out, stderr)
	}

	// Dvorak moves the letters (facts of the layout: ' , . p y on the
	// QWERTY row, a o e u i on the home row).
	out, _, status := runXKBSub(t, bin, "diff", "--layout", "us", "--", "--layout", "us", "--variant", "dvorak")
	for _, want := range []string{"<AD01> group 1 level 1: q -> apostrophe", "<AD02> group 1 level 1: w -> comma",
		"<AD05> group 1 level 2: T -> Y", "<AC02> group 1 level 1: s -> o", "<AC05> group 1 level 1: g -> i"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("us -> dvorak: no line %q in\n%s", want, out)
		}
	}
	if status != 1 || strings.Contains(out, "<AC01> group 1 level 1") {
		t.Errorf("us -> dvorak: status %d (want 1), or A (unmoved) listed:\n%s", status, out)
	}

	// libxkbcommon's own compile of the same names behaves the same, for a
	// sample of registry layouts (xkbcli from Debian's libxkbcommon-tools).
	// One exception is real: libxkbcommon writes de(neo)'s Left Shift into
	// two modifier_map statements by key name, and loading that text (with
	// libxkbcommon too: xkbcli compile-keymap --from-xkb shows it) keeps
	// only the last; the diff must say exactly that.
	wantDiff := map[string]string{"de(neo)": "<LFSH> modifier map: Shift+Lock -> Lock\n"}
	for _, lv := range [][2]string{{"us", ""}, {"fr", "bepo"}, {"ru", ""}, {"jp", ""}, {"ara", ""}, {"de", "neo"}, {"ch", "fr"}, {"gr", ""}, {"il", ""}, {"us", "intl"}} {
		args := []string{"compile-keymap", "--layout", lv[0]}
		if lv[1] != "" {
			args = append(args, "--variant", lv[1])
		}
		cmd := exec.Command("xkbcli", args...)
		cmd.Env = xkbEnv()
		ref, err := cmd.Output()
		if err != nil {
			t.Fatalf("xkbcli %v: %v (make deps installs libxkbcommon-tools)", args, err)
		}
		path := filepath.Join(dir, "ref.xkb")
		if err := os.WriteFile(path, ref, 0o644); err != nil {
			t.Fatal(err)
		}
		ours := []string{"--layout", lv[0], "--variant", lv[1]}
		want := wantDiff[lv[0]+"("+lv[1]+")"]
		out, stderr, status := runXKBSub(t, bin, "diff", append(ours, "--", "--keymap", path)...)
		if out != want || status != min(len(want), 1) {
			t.Errorf("%s(%s) against libxkbcommon's text: status %d, differences\n%s%s\nwant\n%s", lv[0], lv[1], status, out, stderr, want)
		}
	}

	// Bad input.
	for _, args := range [][]string{{"--layout", "us"}, {"--layout", "us", "--", "--bogus"}, {"--layout", "no-such", "--", "--layout", "us"}} {
		if _, stderr, status := runXKBSub(t, bin, "diff", args...); status != 2 || stderr == "" {
			t.Errorf("gocomp xkb diff %q: status %d, stderr %q; want 2 and why", args, status, stderr)
		}
	}
}

// TestREADMECaseFileExample runs the case file the README shows, as a
// reader would copy it.
func TestREADMECaseFileExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, found := strings.Cut(string(readme), "\n    # a comment line\n")
	if !found {
		t.Fatal("README.md has no case file example starting with \"# a comment line\"")
	}
	example := "# a comment line\n"
	for _, line := range strings.Split(after, "\n") {
		if !strings.HasPrefix(line, "    ") {
			break
		}
		example += strings.TrimPrefix(line, "    ") + "\n"
	}
	path := filepath.Join(t.TempDir(), "readme.cases")
	if err := os.WriteFile(path, []byte(example), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, status := runXKBSub(t, buildGocomp(t), "test", path)
	if status != 0 || !strings.HasSuffix(out, "1 passed, 0 failed\n") {
		t.Errorf("the README's case file:\n%s\nstatus %d, stdout %q, stderr %q; want it to pass", example, status, out, stderr)
	}
}
