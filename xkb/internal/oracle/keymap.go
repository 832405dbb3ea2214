package oracle

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gocomp/xkb/includepath"
	"gocomp/xkb/rules"
)

// Components returns, for each Names, the KcCGST libxkbcommon derives from
// its rules (read from the "Compiling from KcCGST" line libxkbcommon logs at
// debug level; Geometry is always empty because libxkbcommon ignores it).
// Empty fields take libxkbcommon's built-in defaults (evdev, pc105, us); the
// XKB_DEFAULT_* environment variables are not consulted. An entry whose rules
// yield no components is returned as an error.
//
// The rules are looked up in libxkbcommon's default include path, but the
// helper only sees the rules/ directories of it, so that libxkbcommon stops
// right after the rules instead of compiling each keymap.
func (o *Oracle) Components(names []rules.Names) ([]rules.Components, error) {
	return o.components(nil, names)
}

// ComponentsWithEnv is Components with libxkbcommon filling empty fields
// from the XKB_DEFAULT_* variables of env ("NAME=value" entries added to
// this process's environment) as an application's context would.
func (o *Oracle) ComponentsWithEnv(env []string, names []rules.Names) ([]rules.Components, error) {
	return o.components(append([]string{"GOCOMP_ORACLE_ENV_NAMES=1"}, env...), names)
}

func (o *Oracle) components(env []string, names []rules.Names) ([]rules.Components, error) {
	tmp, err := os.MkdirTemp("", "gocomp-oracle-rules-")
	if err != nil {
		return nil, fmt.Errorf("oracle kccgst: %w", err)
	}
	defer os.RemoveAll(tmp)
	args := []string{"kccgst"}
	for i, d := range includepath.Dirs(os.Getenv) {
		rulesDir := filepath.Join(d, "rules")
		if _, err := os.Stat(rulesDir); err != nil {
			continue
		}
		root := filepath.Join(tmp, strconv.Itoa(i))
		if err := os.Mkdir(root, 0o755); err != nil {
			return nil, fmt.Errorf("oracle kccgst: %w", err)
		}
		if err := os.Symlink(rulesDir, filepath.Join(root, "rules")); err != nil {
			return nil, fmt.Errorf("oracle kccgst: %w", err)
		}
		args = append(args, root)
	}
	if len(args) == 1 {
		return nil, fmt.Errorf("oracle kccgst: no rules directory in the include path")
	}
	var b strings.Builder
	for _, n := range names {
		f := rmlvo(n)
		for _, s := range f {
			if strings.ContainsAny(s, "\t\n\r") {
				return nil, fmt.Errorf("oracle kccgst: names %+v hold a tab or newline", n)
			}
		}
		b.WriteString(strings.Join(f, "\t"))
		b.WriteByte('\n')
	}
	out, err := o.runEnv(env, []byte(b.String()), args...)
	if err != nil {
		return nil, err
	}
	res := lines(out)
	if len(res) != len(names) {
		return nil, fmt.Errorf("oracle kccgst: %d results for %d names", len(res), len(names))
	}
	comps := make([]rules.Components, len(res))
	for i, line := range res {
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("oracle kccgst: names %+v: %s", names[i], line)
		}
		comps[i] = rules.Components{Keycodes: f[0], Types: f[1], Compat: f[2], Symbols: f[3]}
	}
	return comps, nil
}

// CompileNames returns the keymap text libxkbcommon serializes for n, or an
// error when libxkbcommon cannot compile n. Empty fields take libxkbcommon's
// built-in defaults; the XKB_DEFAULT_* environment variables are ignored.
func (o *Oracle) CompileNames(n rules.Names) (string, error) {
	out, err := o.run(nil, append([]string{"compile"}, rmlvo(n)...)...)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// CompileText loads keymap text with libxkbcommon and returns the text
// libxkbcommon serializes from it, or an error (with libxkbcommon's
// messages) when it rejects the text.
func (o *Oracle) CompileText(text string) (string, error) {
	out, err := o.run([]byte(text), "compile-text", "-")
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// Diff is what CompareNamesWithText found.
type Diff struct {
	// Lines describe the first differences (at most 30), each as
	// "what: text X; names Y" where text is the keymap under test and
	// names is libxkbcommon's own compile.
	Lines []string
	// Total counts every difference, including those not in Lines.
	Total int
}

// Empty reports whether no difference was found.
func (d Diff) Empty() bool { return d.Total == 0 }

// String returns the differences one per line, with a count of those left out.
func (d Diff) String() string {
	if d.Empty() {
		return "no differences"
	}
	s := strings.Join(d.Lines, "\n")
	if more := d.Total - len(d.Lines); more > 0 {
		s += fmt.Sprintf("\n... and %d more", more)
	}
	return s
}

// CompareNamesWithText compiles n with libxkbcommon and loads text with
// libxkbcommon, then compares the two keymaps in one helper process:
// modifier names (in order), LED names (in order), the layout count and
// names, the keycode range; for every keycode: its name, whether it
// repeats, its layout count, what pressing and then releasing it does to a
// fresh state locked to each layout (depressed/latched/locked modifiers,
// layouts, active LEDs); and for every layout and every combination of the
// 8 real modifiers the keysyms of every key. It returns an error when
// libxkbcommon cannot compile n or rejects text.
func (o *Oracle) CompareNamesWithText(n rules.Names, text string) (Diff, error) {
	out, err := o.run([]byte(text), append(append([]string{"compare"}, rmlvo(n)...), "-")...)
	if err != nil {
		return Diff{}, err
	}
	var d Diff
	for _, line := range lines(out) {
		switch {
		case strings.HasPrefix(line, "diff "):
			d.Lines = append(d.Lines, strings.TrimPrefix(line, "diff "))
		case strings.HasPrefix(line, "total "):
			t, err := strconv.Atoi(strings.TrimPrefix(line, "total "))
			if err != nil {
				return Diff{}, fmt.Errorf("oracle compare: %q: %w", line, err)
			}
			d.Total = t
			return d, nil
		case strings.HasPrefix(line, "error "):
			return Diff{}, fmt.Errorf("oracle compare %+v: %s", n, strings.TrimPrefix(line, "error "))
		default:
			return Diff{}, fmt.Errorf("oracle compare: unexpected output %q", line)
		}
	}
	return Diff{}, fmt.Errorf("oracle compare %+v: no total in the output", n)
}

// Source names the keymap to evaluate: Keymap text when it is not empty,
// else the RMLVO Names.
type Source struct {
	Names  rules.Names
	Keymap string
}

// args returns the helper arguments selecting s; text keymaps go through a
// temporary file in dir.
func (s Source) args(dir string) ([]string, func(), error) {
	if s.Keymap == "" {
		return rmlvo(s.Names), func() {}, nil
	}
	f, err := os.CreateTemp(dir, "keymap-*.xkb")
	if err != nil {
		return nil, nil, fmt.Errorf("oracle: write keymap: %w", err)
	}
	path := f.Name()
	cleanup := func() { os.Remove(path) }
	if _, err := f.WriteString(s.Keymap); err != nil {
		f.Close()
		cleanup()
		return nil, nil, fmt.Errorf("oracle: write keymap: %w", err)
	}
	if err := f.Close(); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("oracle: write keymap: %w", err)
	}
	return []string{"--keymap", path}, cleanup, nil
}

// Eval runs the `gocomp xkb eval` contract with libxkbcommon (classic
// caps-lock=release semantics): events holds one "<evdev code>
// down|up|both" per line (blank lines and lines starting with # are
// skipped) and the result holds one JSON object per event. In it, keysyms
// are xkb_state_key_get_syms named by xkb_keysym_get_name (no Caps
// transformation), utf8 is xkb_state_key_get_utf8, layout and level are -1
// when the key has none, consumed is xkb_state_key_get_consumed_mods2 in
// XKB mode, all computed before the event; mods (real modifiers in index
// order), layouts (serialize_layout as signed 32-bit numbers) and leds
// (active, in keymap order) are computed after it. "both" presses and
// releases in one object. Bad lines produce no object (EvalStderr returns
// the messages naming them).
func (o *Oracle) Eval(src Source, events string) ([]string, error) {
	return o.eval("eval", src, events)
}

// EvalConsumedGTK is Eval with consumed computed in GTK mode
// (XKB_CONSUMED_MODE_GTK) instead of XKB mode.
func (o *Oracle) EvalConsumedGTK(src Source, events string) ([]string, error) {
	return o.eval("eval-gtk", src, events)
}

// eval runs the helper's eval command cmd ("eval" or "eval-gtk") on src.
func (o *Oracle) eval(cmd string, src Source, events string) ([]string, error) {
	args, cleanup, err := src.args(os.TempDir())
	if err != nil {
		return nil, err
	}
	defer cleanup()
	out, err := o.run([]byte(events), append([]string{cmd}, args...)...)
	if err != nil {
		return nil, err
	}
	return lines(out), nil
}

// EvalStderr is Eval that also returns what the helper wrote on stderr
// (one message per bad line, naming its line number).
func (o *Oracle) EvalStderr(src Source, events string) (out []string, stderr string, err error) {
	args, cleanup, err := src.args(os.TempDir())
	if err != nil {
		return nil, "", err
	}
	defer cleanup()
	stdout, errOut, err := o.runBoth([]byte(events), append([]string{"eval"}, args...)...)
	if err != nil {
		return nil, errOut, err
	}
	return lines(stdout), errOut, nil
}

// Event is one key event for BenchUpdateKey.
type Event struct {
	Code uint16 // evdev code; the XKB keycode is Code+8
	Down bool
}

// benchOut parses the helper's ns/op figure.
func benchOut(out []byte) (Times, error) {
	f := strings.Fields(string(out))
	if len(f) != 2 {
		return Times{}, fmt.Errorf("oracle bench: want \"WALL CPU\", got %q", out)
	}
	wall, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return Times{}, fmt.Errorf("oracle bench: %w", err)
	}
	cpu, err := strconv.ParseFloat(f[1], 64)
	if err != nil {
		return Times{}, fmt.Errorf("oracle bench: %w", err)
	}
	return Times{Wall: wall, CPU: cpu}, nil
}

// Times is libxkbcommon's mean cost of one operation in a bench run, in
// ns: wall-clock (CLOCK_MONOTONIC) and the process's CPU time
// (CLOCK_PROCESS_CPUTIME_ID, single-threaded, so the two agree on an idle
// machine).
type Times struct {
	Wall, CPU float64
}

// BenchCompile returns libxkbcommon's mean time in ns to compile n
// (xkb_keymap_new_from_names + unref) over iterations runs, after one
// warm-up run, timed with clock_gettime(CLOCK_MONOTONIC).
func (o *Oracle) BenchCompile(n rules.Names, iterations int) (Times, error) {
	out, err := o.run(nil, append(append([]string{"bench-compile"}, rmlvo(n)...), strconv.Itoa(iterations))...)
	if err != nil {
		return Times{}, err
	}
	return benchOut(out)
}

// BenchParse returns libxkbcommon's mean time in ns to load keymap text
// (xkb_keymap_new_from_string + unref) over iterations runs.
func (o *Oracle) BenchParse(text string, iterations int) (Times, error) {
	out, err := o.run([]byte(text), "bench-parse", "-", strconv.Itoa(iterations))
	if err != nil {
		return Times{}, err
	}
	return benchOut(out)
}

// BenchSerialize returns libxkbcommon's mean time in ns to serialize the
// keymap of n (xkb_keymap_get_as_string + free) over iterations runs.
func (o *Oracle) BenchSerialize(n rules.Names, iterations int) (Times, error) {
	out, err := o.run(nil, append(append([]string{"bench-serialize"}, rmlvo(n)...), strconv.Itoa(iterations))...)
	if err != nil {
		return Times{}, err
	}
	return benchOut(out)
}

// BenchUpdateKey returns libxkbcommon's mean time in ns per event to run
// xkb_state_update_key and then xkb_state_key_get_one_sym for the same key,
// replaying events iterations times on one state of n's keymap.
func (o *Oracle) BenchUpdateKey(n rules.Names, events []Event, iterations int) (Times, error) {
	var b strings.Builder
	for _, e := range events {
		dir := "up"
		if e.Down {
			dir = "down"
		}
		fmt.Fprintf(&b, "%d %s\n", e.Code, dir)
	}
	out, err := o.run([]byte(b.String()), append(append([]string{"bench-update-key"}, rmlvo(n)...), strconv.Itoa(iterations))...)
	if err != nil {
		return Times{}, err
	}
	return benchOut(out)
}
