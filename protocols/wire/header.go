package wire

import "encoding/binary"

// Framing limits.
const (
	// HeaderSize is the size of a message header.
	HeaderSize = 8
	// MaxMessageSize is the largest message, header included.
	MaxMessageSize = 4096
	// MaxFDsPerSend is the most fds one sendmsg carries (libwayland's limit,
	// which clients size their ancillary buffers for).
	MaxFDsPerSend = 28
)

// Header is a decoded message header.
type Header struct {
	Sender uint32 // object id the message is addressed to (requests) or sent from (events)
	Opcode uint16
	Size   int // whole message including the header
}

// ParseHeader decodes the header at the start of b, which must hold at least
// HeaderSize bytes, and validates its size field.
func ParseHeader(b []byte) (Header, error) {
	id := binary.NativeEndian.Uint32(b[0:4])
	w := binary.NativeEndian.Uint32(b[4:8])
	h := Header{Sender: id, Opcode: uint16(w), Size: int(w >> 16)}
	if h.Size < HeaderSize || h.Size > MaxMessageSize || h.Size%4 != 0 {
		return h, &HeaderError{Sender: h.Sender, Size: h.Size, Opcode: h.Opcode}
	}
	return h, nil
}

// PutHeader writes a header into b[0:8].
func PutHeader(b []byte, sender uint32, opcode uint16, size int) {
	binary.NativeEndian.PutUint32(b[0:4], sender)
	binary.NativeEndian.PutUint32(b[4:8], uint32(size)<<16|uint32(opcode))
}
