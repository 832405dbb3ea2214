package wire

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// FDSource hands out received file descriptors in arrival order.
type FDSource interface {
	// PopFD removes and returns the oldest queued fd; ok is false when none is queued.
	PopFD() (fd int, ok bool)
}

// Decoder reads the arguments of one message. It checks every bound and keeps
// the first error: after a failure every method returns a zero value, and
// Finish reports the error, so a caller decodes all arguments and checks once.
//
// Strings are copied; Array returns a view into the message that is valid
// only until the Conn reads again. File descriptors popped by FD are tracked
// until ReleaseFDs hands them to their new owner; CloseFDs closes the ones
// still tracked (call it when the message is rejected).
type Decoder struct {
	b     []byte
	off   int
	arg   int // index of the argument being decoded, for errors
	err   error
	fds   FDSource
	taken []int
}

// Reset prepares d to decode args (the message without its header), taking
// fds from src. Fds still tracked from the previous message are forgotten,
// not closed: call CloseFDs or ReleaseFDs first.
func (d *Decoder) Reset(args []byte, src FDSource) {
	d.b, d.off, d.arg, d.err, d.fds = args, 0, 0, nil, src
	d.taken = d.taken[:0]
}

// Err returns the first error so far.
func (d *Decoder) Err() error { return d.err }

func (d *Decoder) fail(kind string, err error) {
	if d.err == nil {
		d.err = fmt.Errorf("argument %d (%s): %w", d.arg, kind, err)
	}
}

// word reads one 32-bit word.
func (d *Decoder) word(kind string) uint32 {
	if d.err != nil {
		return 0
	}
	if len(d.b)-d.off < 4 {
		d.fail(kind, ErrShortMessage)
		return 0
	}
	v := binary.NativeEndian.Uint32(d.b[d.off:])
	d.off += 4
	d.arg++
	return v
}

// Int reads a signed 32-bit integer.
func (d *Decoder) Int() int32 { return int32(d.word("int")) }

// Uint reads an unsigned 32-bit integer.
func (d *Decoder) Uint() uint32 { return d.word("uint") }

// Fixed reads a 24.8 fixed-point number.
func (d *Decoder) Fixed() Fixed { return Fixed(d.word("fixed")) }

// Object reads an object id; 0 is the null object (callers check nullability).
func (d *Decoder) Object() uint32 { return d.word("object") }

// NewID reads the id of an object the message creates; 0 is an error.
func (d *Decoder) NewID() uint32 {
	v := d.word("new_id")
	if v == 0 && d.err == nil {
		d.arg--
		d.fail("new_id", ErrNullNewID)
	}
	return v
}

// blob reads a length-prefixed, padded byte sequence and returns its body.
func (d *Decoder) blob(kind string) (body []byte, null bool) {
	n := d.word(kind)
	if d.err != nil {
		return nil, false
	}
	d.arg--
	if n == 0 {
		d.arg++
		return nil, true
	}
	padded := (uint64(n) + 3) &^ 3
	if uint64(len(d.b)-d.off) < padded {
		d.fail(kind, ErrShortMessage)
		return nil, false
	}
	body = d.b[d.off : d.off+int(n) : d.off+int(n)]
	d.off += int(padded)
	d.arg++
	return body, false
}

func (d *Decoder) stringBody() (body []byte, null bool) {
	body, null = d.blob("string")
	if d.err != nil || null {
		return nil, null
	}
	if i := bytes.IndexByte(body, 0); i != len(body)-1 {
		d.arg--
		d.fail("string", ErrBadString)
		return nil, false
	}
	return body[:len(body)-1], false
}

// Str reads a string that must not be null. (Not named String, which would
// make a Decoder a fmt.Stringer.)
func (d *Decoder) Str() string {
	body, null := d.stringBody()
	if null {
		d.arg--
		d.fail("string", ErrNullString)
		return ""
	}
	return string(body)
}

// OptStr reads a string that may be null; ok is false for null.
func (d *Decoder) OptStr() (s string, ok bool) {
	body, null := d.stringBody()
	if null || d.err != nil {
		return "", false
	}
	return string(body), true
}

// Array reads an array and returns a view of its bytes (nil when empty),
// valid until the Conn reads again.
func (d *Decoder) Array() []byte {
	body, _ := d.blob("array")
	return body
}

// FD takes the next received file descriptor. It returns -1 and records
// ErrMissingFD if none was received.
func (d *Decoder) FD() int {
	if d.err != nil {
		return -1
	}
	var fd int
	ok := false
	if d.fds != nil {
		fd, ok = d.fds.PopFD()
	}
	if !ok {
		d.fail("fd", ErrMissingFD)
		return -1
	}
	d.arg++
	d.taken = append(d.taken, fd)
	return fd
}

// Finish reports the first decoding error, or ErrTrailingBytes if the
// message holds more than its arguments.
func (d *Decoder) Finish() error {
	if d.err == nil && d.off != len(d.b) {
		d.err = fmt.Errorf("after argument %d: %w", d.arg, ErrTrailingBytes)
	}
	return d.err
}

// ReleaseFDs stops tracking the fds taken so far: their new owner closes them.
func (d *Decoder) ReleaseFDs() { d.taken = d.taken[:0] }

// CloseFDs closes the fds taken and still tracked.
func (d *Decoder) CloseFDs() {
	for _, fd := range d.taken {
		unix.Close(fd)
	}
	d.taken = d.taken[:0]
}
