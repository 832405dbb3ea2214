package main

import (
	"fmt"
	"os"
)

// runDevices is a placeholder until its issue lands.
func runDevices(args []string) int {
	fmt.Fprintln(os.Stderr, "gocomp: not implemented yet")
	return 2
}
