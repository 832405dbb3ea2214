package main

import (
	"flag"
	"fmt"
	"os"

	"gocomp/xkb/state"
	"gocomp/xkb/state/eval"
)

// runXKBEval implements `gocomp xkb eval`: it compiles a keymap (from RMLVO
// names or a keymap file) and answers key events read from stdin, one JSON
// object per event on stdout (see package xkb/state/eval).
func runXKBEval(args []string) int {
	fs := flag.NewFlagSet("gocomp xkb eval", flag.ContinueOnError)
	var src keymapSource
	src.register(fs, "read the keymap text from `FILE` instead of compiling names")
	caps := fs.String("caps-lock", "release", "when Caps Lock unlocks: release (classic XKB) or press")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: gocomp xkb eval [flags] < events\n\nEach input line is \"<evdev code> down|up|both\"; each output line a JSON object.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	var opts state.Options
	var err error
	if opts.CapsLock, err = state.ParseCapsLock(*caps); err != nil {
		fmt.Fprintf(os.Stderr, "gocomp xkb eval: --%v\n", err)
		return 2
	}
	if src.file == "-" {
		fmt.Fprintln(os.Stderr, "gocomp xkb eval: --keymap -: stdin carries the events; name a file")
		return 2
	}
	km, err := src.load(nil, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gocomp xkb eval: %v\n", err)
		return 1
	}
	ev := eval.New(state.New(km, opts))
	if err := eval.Run(ev, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "gocomp xkb eval: %v\n", err)
		return 1
	}
	return 0
}
