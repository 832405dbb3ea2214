package guest

import (
	"fmt"
	"os"
	"path/filepath"
)

// DRM drivers the guest can load (see DRMModules).
const (
	// Bochs drives qemu's -vga std.
	Bochs = "bochs"
	// VirtioGPU drives -vga none -device virtio-vga (or virtio-gpu-pci).
	VirtioGPU = "virtio-gpu"
)

// DRMModules returns the modules to load, in order, for a DRM driver:
// Bochs or VirtioGPU (its virtio transport is among DefaultModules).
func DRMModules(driver string) []string {
	switch driver {
	case Bochs:
		return []string{"drm", "drm_kms_helper", "ttm", "drm_ttm_helper", "drm_vram_helper", "bochs"}
	case VirtioGPU:
		return []string{"drm", "drm_kms_helper", "drm_shmem_helper", "virtio_dma_buf", "virtio-gpu"}
	}
	return nil
}

// XKBData returns xkeyboard-config's rules, keycodes, types, compat and
// symbols (what gocomp compiles keymaps from) as guest files at their
// host paths, with symlinks resolved.
func XKBData() ([]File, error) {
	const root = "/usr/share/X11/xkb"
	var files []File
	for _, sub := range []string{"rules", "keycodes", "types", "compat", "symbols"} {
		err := filepath.WalkDir(filepath.Join(root, sub), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				return nil // a dangling link: libxkbcommon would not read it either
			}
			if fi, err := os.Stat(real); err != nil || fi.IsDir() {
				return nil
			}
			files = append(files, File{Path: p, Host: real, Mode: 0o644})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("guest: xkb data (install xkb-data): %w", err)
		}
	}
	return files, nil
}

// WaylandSetup is a shell command that prepares the guest for Wayland
// clients: XDG_RUNTIME_DIR=/tmp/xdg (mode 0700) and /dev/shm for
// shm_open.
const WaylandSetup = "mkdir -m 700 -p /tmp/xdg && mkdir -p /dev/shm && mount -t tmpfs shm /dev/shm"
