// Command gocomp is a small Wayland compositor and input stack written in
// pure Go.
//
// Without a subcommand it runs the compositor (see run.go). The subcommands
// are tools built from the same packages:
//
//	gocomp [flags] [-- program args...]   run the compositor
//	gocomp xkb compile|list|eval|test|diff ...  the XKB engine (conformance harness)
//	gocomp devices                        list input devices
//	gocomp debug-events [--grab]          print input events as they happen
package main

import (
	"fmt"
	"os"
)

// subcommand is one `gocomp NAME ...` entry point. It receives the
// arguments after NAME and returns the process exit status.
type subcommand struct {
	summary string
	run     func(args []string) int
}

// subcommands lists every named entry point; each lives in its own file.
func subcommands() map[string]subcommand {
	return map[string]subcommand{
		"xkb":          {"compile, list, evaluate, test and compare XKB keymaps", runXKB},
		"devices":      {"list input devices", runDevices},
		"debug-events": {"print input events as they happen", runDebugEvents},
	}
}

func main() {
	args := os.Args[1:]
	if len(args) > 0 {
		if sc, ok := subcommands()[args[0]]; ok {
			os.Exit(sc.run(args[1:]))
		}
	}
	os.Exit(runCompositor(args))
}

// usageSubcommands writes the subcommand list for `gocomp --help`.
func usageSubcommands(w *os.File) {
	fmt.Fprintln(w, "\nSubcommands:")
	for _, name := range []string{"xkb", "devices", "debug-events"} {
		fmt.Fprintf(w, "  gocomp %-13s %s\n", name, subcommands()[name].summary)
	}
}
