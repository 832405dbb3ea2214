package seat

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// maxClientKeymap bounds the keymap a client may hand the seat: a full
// keymap of many layouts is well under 1 MiB as text v1.
const maxClientKeymap = 4 << 20

// readKeymapFD reads the size bytes of a keymap a client passed as fd
// (zwp_virtual_keyboard_v1.keymap), from offset 0, without mapping it:
// a client that truncates its file cannot make the compositor fault. A
// file holding fewer than size bytes is an error. The caller keeps fd.
func readKeymapFD(fd int, size uint32) ([]byte, error) {
	if size == 0 {
		return nil, errors.New("keymap size is 0")
	}
	if size > maxClientKeymap {
		return nil, fmt.Errorf("keymap size %d above the limit of %d bytes", size, maxClientKeymap)
	}
	buf := make([]byte, size)
	for off := 0; off < len(buf); {
		n, err := unix.Pread(fd, buf[off:], int64(off))
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return nil, fmt.Errorf("read keymap fd: %w", err)
		case n == 0:
			return nil, fmt.Errorf("keymap fd holds %d bytes, fewer than the size %d the client gave", off, size)
		}
		off += n
	}
	return buf, nil
}

// keymapText returns the keymap text in b, the bytes a client sent: text
// up to the first NUL (the size includes the terminating NUL, and a
// client may round it up with more NULs). Text without a NUL is taken
// whole. Empty text, text that is not UTF-8 and bytes after the NUL that
// are not NUL are errors.
func keymapText(b []byte) ([]byte, error) {
	text := b
	if i := bytes.IndexByte(b, 0); i >= 0 {
		text = b[:i]
		for _, c := range b[i:] {
			if c != 0 {
				return nil, fmt.Errorf("keymap has data after its terminating NUL at byte %d", i)
			}
		}
	}
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, errors.New("keymap text is empty")
	}
	if !utf8.Valid(text) {
		return nil, errors.New("keymap text is not valid UTF-8")
	}
	return text, nil
}
