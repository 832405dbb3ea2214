package seat

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// keymapFile is a keymap text in a sealed memfd, ready to be passed with
// wl_keyboard.keymap. Clients of version 7 and later share its read-only
// fd; older clients may map it MAP_SHARED read-write, so each gets its own
// unsealed copy (privateCopy).
type keymapFile struct {
	text string
	fd   int    // read-only fd of the sealed memfd
	size uint32 // bytes including the terminating NUL
}

// newKeymapFile writes text and a NUL into a memfd, seals it against
// shrinking, growing, writing and further sealing, and reopens it
// read-only.
func newKeymapFile(text string) (*keymapFile, error) {
	fd, err := writeMemfd("gocomp-keymap", text, unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	const seals = unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE | unix.F_SEAL_SEAL
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		return nil, fmt.Errorf("seat: seal keymap memfd: %w", err)
	}
	ro, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", fd), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("seat: reopen keymap memfd read-only: %w", err)
	}
	return &keymapFile{text: text, fd: ro, size: uint32(len(text) + 1)}, nil
}

// privateCopy returns a new, unsealed, read-write memfd holding the keymap,
// for a client below wl_keyboard version 7. The caller closes it.
func (f *keymapFile) privateCopy() (int, error) {
	return writeMemfd("gocomp-keymap-copy", f.text, 0)
}

// close closes the shared fd; nil-safe and idempotent.
func (f *keymapFile) close() {
	if f != nil && f.fd >= 0 {
		unix.Close(f.fd)
		f.fd = -1
	}
}

// writeMemfd creates a memfd holding text followed by a NUL byte.
func writeMemfd(name, text string, flags int) (int, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC|flags)
	if err != nil {
		return -1, fmt.Errorf("seat: create keymap memfd: %w", err)
	}
	buf := make([]byte, len(text)+1)
	copy(buf, text)
	for off := 0; off < len(buf); {
		n, err := unix.Write(fd, buf[off:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			unix.Close(fd)
			return -1, fmt.Errorf("seat: write keymap memfd: %w", err)
		}
		off += n
	}
	return fd, nil
}
