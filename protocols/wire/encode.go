package wire

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// DefaultOutputLimit is the default bound on queued output per connection.
const DefaultOutputLimit = 1 << 20

// queuedFD is an outgoing fd and the offset of the message that carries it.
type queuedFD struct {
	fd  int
	msg int // offset in Encoder.buf of the first byte of its message
}

// Encoder builds messages straight into a bounded output queue. Begin starts
// a message, the Put methods append arguments (errors are sticky), End writes
// the header and commits the message, or rolls it back and reports why.
// Steady-state encoding does not allocate.
//
// An Encoder is not safe for concurrent use.
type Encoder struct {
	buf   []byte // queued bytes; buf[head:] are not yet sent
	head  int
	limit int

	fds    []queuedFD // fds[fdHead:] are not yet sent; each is our own dup
	fdHead int

	start  int // offset of the message being built, -1 when none
	last   int // offset of the last committed message, -1 when none
	msgFDs int
	err    error
}

// NewEncoder returns an Encoder whose queue holds at most limit bytes
// (DefaultOutputLimit when limit <= 0).
func NewEncoder(limit int) *Encoder {
	e := &Encoder{}
	e.init(limit)
	return e
}

func (e *Encoder) init(limit int) {
	if limit <= 0 {
		limit = DefaultOutputLimit
	}
	e.limit = limit
	e.start, e.last = -1, -1
}

// Limit returns the output limit in bytes.
func (e *Encoder) Limit() int { return e.limit }

// Pending returns the number of queued bytes not yet sent.
func (e *Encoder) Pending() int { return len(e.buf) - e.head }

// Bytes returns the queued, unsent bytes (a view; for tests and debugging).
func (e *Encoder) Bytes() []byte { return e.buf[e.head:] }

// PendingFDs returns the number of queued, unsent fds.
func (e *Encoder) PendingFDs() int { return len(e.fds) - e.fdHead }

// FD returns the i-th unsent fd (for tests).
func (e *Encoder) FD(i int) int { return e.fds[e.fdHead+i].fd }

// Begin starts a message from object sender with the given opcode.
func (e *Encoder) Begin(sender uint32, opcode uint16) {
	if e.start >= 0 {
		panic("wire: Encoder.Begin inside a message") // our bug, not the peer's
	}
	e.start = len(e.buf)
	e.msgFDs = 0
	e.err = nil
	e.buf = binary.NativeEndian.AppendUint32(e.buf, sender)
	e.buf = binary.NativeEndian.AppendUint32(e.buf, uint32(opcode))
}

// PutUint appends an unsigned integer (also object ids and new_ids).
func (e *Encoder) PutUint(v uint32) { e.buf = binary.NativeEndian.AppendUint32(e.buf, v) }

// PutInt appends a signed integer.
func (e *Encoder) PutInt(v int32) { e.PutUint(uint32(v)) }

// PutFixed appends a fixed-point number.
func (e *Encoder) PutFixed(v Fixed) { e.PutUint(uint32(v)) }

// PutObject appends an object id (0 for null).
func (e *Encoder) PutObject(id uint32) { e.PutUint(id) }

func (e *Encoder) pad() {
	for len(e.buf)%4 != 0 {
		e.buf = append(e.buf, 0)
	}
}

// PutString appends a non-null string. A string holding a NUL byte cannot be
// sent and fails the message.
func (e *Encoder) PutString(s string) {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			e.setErr(fmt.Errorf("wire: string argument holds a NUL byte: %w", ErrBadString))
			return
		}
	}
	if len(s)+1 > MaxMessageSize {
		e.setErr(ErrMessageTooBig)
		return
	}
	e.PutUint(uint32(len(s) + 1))
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, 0)
	e.pad()
}

// PutNullString appends the null string.
func (e *Encoder) PutNullString() { e.PutUint(0) }

// PutArray appends an array.
func (e *Encoder) PutArray(b []byte) {
	if len(b) > MaxMessageSize {
		e.setErr(ErrMessageTooBig)
		return
	}
	e.PutUint(uint32(len(b)))
	e.buf = append(e.buf, b...)
	e.pad()
}

// PutFD queues a duplicate of fd to travel with the message; the caller
// keeps fd. The duplicate is closed once sent or when the connection closes.
func (e *Encoder) PutFD(fd int) {
	if e.err != nil {
		return
	}
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		e.setErr(fmt.Errorf("wire: dup fd %d: %w", fd, err))
		return
	}
	e.fds = append(e.fds, queuedFD{fd: dup, msg: e.start})
	e.msgFDs++
}

// Fail makes the message being built fail: End drops it and returns err
// (or the first error already recorded). Callers use it when an argument
// cannot be encoded for a reason the Encoder cannot see.
func (e *Encoder) Fail(err error) { e.setErr(err) }

func (e *Encoder) setErr(err error) {
	if e.err == nil {
		e.err = err
	}
}

// End finishes the message begun by Begin. On error (a bad argument, a
// message over MaxMessageSize or with over MaxFDsPerSend fds, or an
// *OverflowError when the queue would exceed its limit) the message is
// dropped entirely and nothing of it is sent.
func (e *Encoder) End() error {
	if e.start < 0 {
		panic("wire: Encoder.End without Begin")
	}
	size := len(e.buf) - e.start
	err := e.err
	switch {
	case err != nil:
	case size > MaxMessageSize:
		err = ErrMessageTooBig
	case e.msgFDs > MaxFDsPerSend:
		err = ErrTooManyFDs
	case len(e.buf)-e.head > e.limit:
		err = &OverflowError{Limit: e.limit, Pending: e.start - e.head, Need: size}
	}
	if err != nil {
		e.rollback()
		return err
	}
	op := binary.NativeEndian.Uint32(e.buf[e.start+4:]) & 0xffff
	binary.NativeEndian.PutUint32(e.buf[e.start+4:], uint32(size)<<16|op)
	e.start, e.last = -1, e.start
	return nil
}

// Last returns the message committed by the last successful End, while it
// is still queued (for tracing); nil otherwise.
func (e *Encoder) Last() []byte {
	if e.last < e.head || e.last >= len(e.buf) {
		return nil
	}
	return e.buf[e.last:]
}

// rollback drops the message being built and closes its fds.
func (e *Encoder) rollback() {
	for i := len(e.fds) - e.msgFDs; i < len(e.fds); i++ {
		unix.Close(e.fds[i].fd)
	}
	e.fds = e.fds[:len(e.fds)-e.msgFDs]
	e.buf = e.buf[:e.start]
	e.start, e.msgFDs, e.err = -1, 0, nil
}

// compact moves unsent bytes and fds to the front of their queues.
func (e *Encoder) compact() {
	if e.head == 0 {
		return
	}
	n := copy(e.buf, e.buf[e.head:])
	e.buf = e.buf[:n]
	m := copy(e.fds, e.fds[e.fdHead:])
	e.fds = e.fds[:m]
	for i := range e.fds {
		e.fds[i].msg -= e.head
	}
	e.last -= e.head
	e.head, e.fdHead = 0, 0
}

// discard closes every queued fd and drops all queued output.
func (e *Encoder) discard() {
	for _, q := range e.fds[e.fdHead:] {
		unix.Close(q.fd)
	}
	e.fds, e.fdHead = e.fds[:0], 0
	e.buf, e.head = e.buf[:0], 0
	e.start, e.last = -1, -1
}
