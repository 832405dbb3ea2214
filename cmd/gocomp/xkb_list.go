package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"

	"gocomp/xkb/includepath"
	"gocomp/xkb/registry"
)

// runXKBList implements `gocomp xkb list [--ruleset NAME]`: it prints the
// layouts and variants of the installed registry (rules/NAME.xml, evdev by
// default, from the XKB include path), one "layout variant" per line in
// registry order, the base layout as "layout " with an empty variant.
func runXKBList(args []string) int {
	fs := flag.NewFlagSet("gocomp xkb list", flag.ContinueOnError)
	ruleset := fs.String("ruleset", includepath.DefaultRules, "registry to read: rules/`NAME`.xml")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gocomp xkb list [--ruleset NAME]")
		return 2
	}
	if err := xkbList(os.Stdout, includepath.Dirs(os.Getenv), *ruleset); err != nil {
		fmt.Fprintf(os.Stderr, "gocomp: xkb list: %v\n", err)
		return 1
	}
	return 0
}

// xkbList writes the layout list of the registry found under dirs to w.
func xkbList(w io.Writer, dirs []string, ruleset string) error {
	reg, err := registry.Load(dirs, ruleset)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for _, l := range reg.Layouts {
		fmt.Fprintf(bw, "%s %s\n", l.Name, l.Variant)
	}
	return bw.Flush()
}
