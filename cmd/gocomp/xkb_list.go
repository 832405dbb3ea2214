package main

import (
	"fmt"
	"os"
)

// runXKBList is a placeholder until its issue lands.
func runXKBList(args []string) int {
	fmt.Fprintln(os.Stderr, "gocomp: not implemented yet")
	return 2
}
