// Package wire implements the Wayland wire format: message framing, argument
// decoding and encoding, 24.8 fixed-point numbers, and a non-blocking
// connection over a unix stream socket that passes file descriptors with
// SCM_RIGHTS.
//
// A message is a header of two native-endian 32-bit words — the target
// object id, then size<<16|opcode — followed by its arguments, each padded
// to 32 bits. File descriptors travel beside the bytes as ancillary data and
// are matched to fd arguments in order.
//
// Nothing here allocates per message: the Conn reuses its input buffer, the
// Decoder returns views into it, and the Encoder writes straight into the
// bounded output buffer.
package wire
