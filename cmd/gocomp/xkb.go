package main

import (
	"fmt"
	"os"
)

// runXKB dispatches `gocomp xkb SUBCOMMAND`.
func runXKB(args []string) int {
	cmds := map[string]func([]string) int{
		"compile": runXKBCompile,
		"list":    runXKBList,
		"eval":    runXKBEval,
	}
	if len(args) == 0 || cmds[args[0]] == nil {
		fmt.Fprintln(os.Stderr, "usage: gocomp xkb compile|list|eval [flags]")
		return 2
	}
	return cmds[args[0]](args[1:])
}
