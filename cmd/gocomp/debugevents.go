package main

import (
	"fmt"
	"os"
)

// runDebugEvents is a placeholder until its issue lands.
func runDebugEvents(args []string) int {
	fmt.Fprintln(os.Stderr, "gocomp: not implemented yet")
	return 2
}
