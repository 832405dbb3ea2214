package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// runXKBCompile implements `gocomp xkb compile [--rules R] [--model M]
// [--layout L] [--variant V] [--options O] [--keymap FILE]`: it compiles
// the keymap the names (or the keymap file) describe and prints it as
// keymap text v1, the text wl_keyboard.keymap sends. Empty names take the
// XKB_DEFAULT_* defaults. Failures print file:line:col (or the names and
// why they failed) on stderr and exit 1.
func runXKBCompile(args []string) int {
	fs := flag.NewFlagSet("gocomp xkb compile", flag.ContinueOnError)
	var src keymapSource
	src.register(fs, "compile this keymap text `FILE` instead of names (- for stdin)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gocomp xkb compile [--rules R] [--model M] [--layout L] [--variant V] [--options O] [--keymap FILE]")
		return 2
	}
	km, err := src.load(os.Stdin, os.Stderr)
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
