package main

import (
	"flag"
	"fmt"
	"os"

	"gocomp/xkb/compile"
	"gocomp/xkb/includepath"
	"gocomp/xkb/keymap"
	"gocomp/xkb/rules"
	"gocomp/xkb/state"
	"gocomp/xkb/state/eval"
)

// runXKBEval implements `gocomp xkb eval`: it compiles a keymap (from RMLVO
// names or a keymap file) and answers key events read from stdin, one JSON
// object per event on stdout (see package xkb/state/eval).
func runXKBEval(args []string) int {
	fs := flag.NewFlagSet("gocomp xkb eval", flag.ContinueOnError)
	var n rules.Names
	fs.StringVar(&n.Rules, "rules", "", "rules file (default $XKB_DEFAULT_RULES or evdev)")
	fs.StringVar(&n.Model, "model", "", "keyboard model (default $XKB_DEFAULT_MODEL or pc105)")
	fs.StringVar(&n.Layout, "layout", "", "layouts, comma-separated (default $XKB_DEFAULT_LAYOUT or us)")
	fs.StringVar(&n.Variant, "variant", "", "variants, comma-separated")
	fs.StringVar(&n.Options, "options", "", "XKB options, comma-separated")
	file := fs.String("keymap", "", "read the keymap text from `FILE` instead of compiling names")
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
	switch *caps {
	case "release":
		opts.CapsLock = state.CapsLockRelease
	case "press":
		opts.CapsLock = state.CapsLockPress
	default:
		fmt.Fprintf(os.Stderr, "gocomp xkb eval: --caps-lock %q: want press or release\n", *caps)
		return 2
	}
	dirs := includepath.Dirs(os.Getenv)
	var km *keymap.Keymap
	var err error
	if *file != "" {
		var text []byte
		if text, err = os.ReadFile(*file); err == nil {
			km, err = compile.FromText(*file, text, dirs)
		}
	} else {
		var comps rules.Components
		if comps, err = rules.Resolve(dirs, includepath.FillDefaults(n, os.Getenv)); err == nil {
			km, err = compile.FromComponents(dirs, comps)
		}
	}
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
