package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"gocomp/xkb/compile"
	"gocomp/xkb/includepath"
	"gocomp/xkb/keymap"
	"gocomp/xkb/rules"
)

// runXKBCompile implements `gocomp xkb compile [--rules R] [--model M]
// [--layout L] [--variant V] [--options O] [--keymap FILE]`: it compiles
// the keymap the names (or the keymap file) describe and prints it as
// keymap text v1, the text wl_keyboard.keymap sends. Empty names take the
// XKB_DEFAULT_* defaults. Failures print file:line:col (or the names and
// why they failed) on stderr and exit 1.
func runXKBCompile(args []string) int {
	fs := flag.NewFlagSet("gocomp xkb compile", flag.ContinueOnError)
	var n rules.Names
	fs.StringVar(&n.Rules, "rules", "", "rules file (default $XKB_DEFAULT_RULES or evdev)")
	fs.StringVar(&n.Model, "model", "", "keyboard model (default $XKB_DEFAULT_MODEL or pc105)")
	fs.StringVar(&n.Layout, "layout", "", "layouts, comma-separated (default $XKB_DEFAULT_LAYOUT or us)")
	fs.StringVar(&n.Variant, "variant", "", "variants, comma-separated")
	fs.StringVar(&n.Options, "options", "", "options, comma-separated (default $XKB_DEFAULT_OPTIONS)")
	file := fs.String("keymap", "", "compile this keymap text `FILE` instead of names (- for stdin)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gocomp xkb compile [--rules R] [--model M] [--layout L] [--variant V] [--options O] [--keymap FILE]")
		return 2
	}
	km, err := xkbCompile(n, *file, os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gocomp: %v\n", err)
		return 1
	}
	if _, err := io.WriteString(os.Stdout, km.Text()); err != nil {
		fmt.Fprintf(os.Stderr, "gocomp: xkb compile: %v\n", err)
		return 1
	}
	return 0
}

// xkbCompile compiles the keymap file when one is named, else names with
// the environment's defaults.
func xkbCompile(n rules.Names, file string, stdin io.Reader) (*keymap.Keymap, error) {
	dirs := includepath.Dirs(os.Getenv)
	if file != "" {
		var src []byte
		var err error
		if file == "-" {
			src, err = io.ReadAll(stdin)
			file = "<stdin>"
		} else {
			src, err = os.ReadFile(file)
		}
		if err != nil {
			return nil, fmt.Errorf("xkb compile: %w", err)
		}
		return compile.FromText(file, src, dirs)
	}
	return compile.FromNames(dirs, includepath.FillDefaults(n, os.Getenv))
}
