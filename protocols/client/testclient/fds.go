package testclient

import (
	"fmt"
	"os"
	"strings"
)

// OpenFDs counts the file descriptors this process has open, for tests
// that check nothing leaked. The Go runtime's own cgroup files (it opens
// and closes them on its own schedule to size GOMAXPROCS) are not counted.
func OpenFDs() (int, error) {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, fmt.Errorf("testclient: list open fds: %w", err)
	}
	n := 0
	for _, e := range ents {
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err == nil && strings.HasPrefix(target, "/sys/fs/cgroup/") {
			continue
		}
		n++
	}
	return n, nil
}
