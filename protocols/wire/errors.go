package wire

import (
	"errors"
	"fmt"
)

// Decoding errors. A Decoder wraps them with the argument that failed; test
// with errors.Is.
var (
	// ErrShortMessage: an argument extends past the end of the message.
	ErrShortMessage = errors.New("wire: argument past end of message")
	// ErrTrailingBytes: the message is longer than its arguments.
	ErrTrailingBytes = errors.New("wire: message longer than its arguments")
	// ErrBadString: a string lacks its terminating NUL or holds one inside.
	ErrBadString = errors.New("wire: malformed string")
	// ErrNullString: a null string where the message needs one.
	ErrNullString = errors.New("wire: null string")
	// ErrNullNewID: a new_id argument is 0.
	ErrNullNewID = errors.New("wire: null new_id")
	// ErrMissingFD: an fd argument has no file descriptor attached.
	ErrMissingFD = errors.New("wire: fd argument without a file descriptor")
)

// Encoding and connection errors.
var (
	// ErrMessageTooBig: an outgoing message is larger than MaxMessageSize.
	ErrMessageTooBig = errors.New("wire: message larger than 4096 bytes")
	// ErrTooManyFDs: an outgoing message carries more than MaxFDsPerSend fds.
	ErrTooManyFDs = errors.New("wire: more than 28 fds in one message")
	// ErrControlTruncated: the kernel dropped file descriptors (MSG_CTRUNC).
	ErrControlTruncated = errors.New("wire: ancillary data truncated, fds lost")
	// ErrInputFull: Read was called with the input buffer full of complete
	// messages nobody took with Next.
	ErrInputFull = errors.New("wire: input buffer full: take messages with Next before reading more")
	// ErrTooManyQueuedFDs: the peer sent far more fds than its messages use.
	ErrTooManyQueuedFDs = errors.New("wire: too many unclaimed file descriptors")
)

// HeaderError reports a message header that cannot be framed: a size below
// HeaderSize, above MaxMessageSize or not a multiple of 4. The stream cannot
// be resynchronised after it.
type HeaderError struct {
	Sender uint32 // object id in the header
	Size   int    // size field of the header
	Opcode uint16 // opcode field of the header
}

// Error describes the header and the sizes a header may give.
func (e *HeaderError) Error() string {
	return fmt.Sprintf("wire: bad message header: object %d opcode %d size %d (want 8..4096, multiple of 4)",
		e.Sender, e.Opcode, e.Size)
}

// OverflowError reports that queued output would exceed the connection's
// output limit. The peer is not reading; the caller should disconnect it.
type OverflowError struct {
	Limit   int // configured output limit in bytes
	Pending int // bytes already queued
	Need    int // size of the message that did not fit
}

// Error describes the limit and what would have exceeded it.
func (e *OverflowError) Error() string {
	return fmt.Sprintf("wire: output buffer limit of %d bytes exceeded (%d bytes queued, %d-byte message): peer is not reading",
		e.Limit, e.Pending, e.Need)
}
