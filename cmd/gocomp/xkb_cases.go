package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gocomp/evdev"
	"gocomp/xkb/keymap"
	"gocomp/xkb/state"
	"gocomp/xkb/state/casefile"
)

// xkbTestUsage documents `gocomp xkb test` and its case file format.
const xkbTestUsage = `usage: gocomp xkb test FILE...

Runs the XKB cases of the case files and prints "ok NAME" or
"FAIL NAME: line N: ..." for each, then "N passed, M failed". Exits 0 when
every case passes, 1 when one fails, 2 when a file is malformed (its
file:line is printed and nothing runs).

A case file:

    # a comment
    [German y and z]
    keymap: --layout de --options caps:escape
    KEY_Y both: z
    KEY_LEFTSHIFT down: Shift_L
    KEY_1 both: exclam  mods=Shift  leds=
    KEY_LEFTSHIFT up: Shift_L

keymap: takes the keymap flags of gocomp xkb eval (--rules, --model,
--layout, --variant, --options, --keymap FILE relative to the case file,
--caps-lock press|release); without it the keymap is the default one.
An event line is an evdev key name or code, down, up or both, ':', then
the keysyms the key has when the event happens (before it is applied);
mods= (effective real modifiers after the event, joined by '+') and leds=
(active indicators after it, joined by ',') are optional; empty means none.
`

// runXKBTest implements `gocomp xkb test FILE...`.
func runXKBTest(args []string) int {
	return xkbTest(args, os.Stdout, os.Stderr)
}

// caseRun is a case ready to run: its keymap's flags parsed.
type caseRun struct {
	c    *casefile.Case
	src  keymapSource
	opts state.Options
}

// xkbTest runs the case files named by args, writing the report to out
// and problems to errOut; it returns the exit status.
func xkbTest(args []string, out, errOut io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fmt.Fprint(errOut, xkbTestUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	keyCode := func(name string) (uint16, bool) {
		t, code, ok := evdev.CodeByName(name)
		return code, ok && t == evdev.EvKey
	}
	// Every file is read and checked before any case runs.
	var runs []caseRun
	for _, path := range args {
		src, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(errOut, "gocomp xkb test: %v\n", err)
			return 2
		}
		f, err := casefile.Parse(path, src, keyCode)
		if err != nil {
			fmt.Fprintf(errOut, "gocomp xkb test: %v\n", err)
			return 2
		}
		for _, c := range f.Cases {
			r, err := prepareCase(c, filepath.Dir(path))
			if err != nil {
				fmt.Fprintf(errOut, "gocomp xkb test: %s:%d: %v\n", path, c.KeymapLine, err)
				return 2
			}
			runs = append(runs, r)
		}
	}
	// Cases share a keymap when they name the same source (--keymap FILE
	// resolved against each case file's folder).
	keymaps := map[keymapSource]*keymap.Keymap{}
	passed, failed := 0, 0
	for _, r := range runs {
		key := r.src
		km, ok := keymaps[key]
		if !ok {
			var err error
			if km, err = r.src.load(nil, errOut); err != nil {
				fmt.Fprintf(out, "FAIL %s: line %d: keymap: %v\n", r.c.Name, r.c.KeymapLine, err)
				failed++
				continue
			}
			keymaps[key] = km
		}
		if why := r.c.Run(state.New(km, r.opts)); why != "" {
			fmt.Fprintf(out, "FAIL %s: %s\n", r.c.Name, why)
			failed++
			continue
		}
		fmt.Fprintf(out, "ok %s\n", r.c.Name)
		passed++
	}
	fmt.Fprintf(out, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}

// prepareCase parses the case's keymap flags; a --keymap file is relative
// to dir, the case file's directory.
func prepareCase(c *casefile.Case, dir string) (caseRun, error) {
	r := caseRun{c: c}
	fs := flag.NewFlagSet("keymap:", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	r.src.register(fs, "")
	caps := fs.String("caps-lock", "release", "")
	if err := fs.Parse(c.Keymap); err != nil {
		return r, fmt.Errorf("keymap: %w", err)
	}
	if fs.NArg() != 0 {
		return r, fmt.Errorf("keymap: unexpected %q (want the keymap flags of gocomp xkb eval)", fs.Arg(0))
	}
	var err error
	if r.opts.CapsLock, err = state.ParseCapsLock(*caps); err != nil {
		return r, fmt.Errorf("keymap: --%w", err)
	}
	if r.src.file == "-" {
		return r, errors.New("keymap: --keymap - (stdin) is not a file")
	}
	if r.src.file != "" && !filepath.IsAbs(r.src.file) {
		r.src.file = filepath.Join(dir, r.src.file)
	}
	return r, nil
}
