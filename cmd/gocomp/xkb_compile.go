package main

import (
	"fmt"
	"os"
)

// runXKBCompile is a placeholder until its issue lands.
func runXKBCompile(args []string) int {
	fmt.Fprintln(os.Stderr, "gocomp: not implemented yet")
	return 2
}
