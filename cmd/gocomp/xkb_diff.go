package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"gocomp/xkb/keymap/diff"
)

// xkbDiffUsage documents `gocomp xkb diff`.
const xkbDiffUsage = `usage: gocomp xkb diff [keymap flags A] -- [keymap flags B]

Compares two keymaps by behaviour: for every key, group and level its
keysyms and action, which modifier combinations select which level, the
modifier maps, repeat, out-of-range groups, LEDs and the group count. One
line per difference ("<AD06> group 1 level 1: y -> z": A's, then B's).
Exits 0 when they behave the same, 1 when they differ, 2 on error.

Keymap flags (each side): --rules, --model, --layout, --variant, --options
(empty ones take the XKB_DEFAULT_* defaults), or --keymap FILE.
`

// runXKBDiff implements `gocomp xkb diff`.
func runXKBDiff(args []string) int {
	return xkbDiff(args, os.Stdout, os.Stderr)
}

// xkbDiff runs the diff, writing differences to out and problems to
// errOut; it returns the exit status.
func xkbDiff(args []string, out, errOut io.Writer) int {
	sep := slices.Index(args, "--")
	if sep < 0 || slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "-help" || a == "--help" }) {
		fmt.Fprint(errOut, xkbDiffUsage)
		return 2
	}
	var sides [2]keymapSource
	for i, part := range [][]string{args[:sep], args[sep+1:]} {
		fs := flag.NewFlagSet("gocomp xkb diff", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		sides[i].register(fs, "")
		if err := fs.Parse(part); err != nil || fs.NArg() != 0 {
			if err == nil {
				err = fmt.Errorf("unexpected %q", fs.Arg(0))
			}
			fmt.Fprintf(errOut, "gocomp xkb diff: keymap %c: %v\n\n%s", 'A'+i, err, xkbDiffUsage)
			return 2
		}
		if sides[i].file == "-" {
			fmt.Fprintf(errOut, "gocomp xkb diff: keymap %c: --keymap - is not supported: name a file\n", 'A'+i)
			return 2
		}
	}
	a, err := sides[0].load(nil, errOut)
	if err != nil {
		fmt.Fprintf(errOut, "gocomp xkb diff: keymap A: %v\n", err)
		return 2
	}
	b, err := sides[1].load(nil, errOut)
	if err != nil {
		fmt.Fprintf(errOut, "gocomp xkb diff: keymap B: %v\n", err)
		return 2
	}
	lines := diff.Keymaps(a, b)
	for _, l := range lines {
		fmt.Fprintln(out, l)
	}
	if len(lines) > 0 {
		return 1
	}
	return 0
}
