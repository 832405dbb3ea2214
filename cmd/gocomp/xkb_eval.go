package main

import (
	"fmt"
	"os"
)

// runXKBEval is a placeholder until its issue lands.
func runXKBEval(args []string) int {
	fmt.Fprintln(os.Stderr, "gocomp: not implemented yet")
	return 2
}
