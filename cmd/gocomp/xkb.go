package main

import (
	"fmt"
	"os"
)

// runXKB is a placeholder until its issue lands.
func runXKB(args []string) int {
	fmt.Fprintln(os.Stderr, "gocomp: not implemented yet")
	return 2
}
