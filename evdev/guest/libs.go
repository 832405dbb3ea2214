package guest

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// BinaryWithLibs returns the initramfs entries for a dynamically linked
// host program (wev, weston-simple-shm, ...): the program itself at the
// same path in the guest, and every shared library and the dynamic loader
// ldd lists for it, also at their host paths. Data files the program reads
// (XKB data, fonts) are the caller's to add.
func BinaryWithLibs(path string) ([]File, error) {
	abs, err := exec.LookPath(path)
	if err != nil {
		return nil, fmt.Errorf("guest: %w", err)
	}
	if abs, err = filepath.Abs(abs); err != nil {
		return nil, fmt.Errorf("guest: %w", err)
	}
	out, err := exec.Command("ldd", abs).Output()
	if err != nil {
		return nil, fmt.Errorf("guest: ldd %s: %w", abs, err)
	}
	files := []File{{Path: abs, Host: abs}}
	seen := map[string]bool{abs: true}
	for _, line := range strings.Split(string(out), "\n") {
		// "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or
		// "/lib64/ld-linux-x86-64.so.2 (0x...)"; vdso has no file.
		f := strings.Fields(line)
		var lib string
		switch {
		case len(f) >= 3 && f[1] == "=>" && strings.HasPrefix(f[2], "/"):
			lib = f[2]
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			lib = f[0]
		default:
			continue
		}
		if !seen[lib] {
			seen[lib] = true
			files = append(files, File{Path: lib, Host: lib, Mode: 0o755})
		}
	}
	return files, nil
}
