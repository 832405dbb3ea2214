package main

import (
	"fmt"
	"os"
)

// runCompositor is a placeholder until its issue lands.
func runCompositor(args []string) int {
	fmt.Fprintln(os.Stderr, "gocomp: not implemented yet")
	return 2
}
