package client

import (
	"errors"
	"fmt"
)

// Errors that end the connection. Test with errors.Is; the error a Conn
// reports wraps one of them (or is a *ProtocolError or wraps a
// *wire.OverflowError) with what was being done.
var (
	// ErrServerClosed: the server closed the connection without an error
	// event.
	ErrServerClosed = errors.New("client: the server closed the connection")
	// ErrMalformed: the server sent something that is not a valid event
	// for the objects we have: a bad header, an unknown object or opcode,
	// an event above the object's version, a bad argument.
	ErrMalformed = errors.New("client: malformed event from the server")
	// ErrClosed: the connection was closed by Close.
	ErrClosed = errors.New("client: connection closed")
)

// Errors of a single request, which is then not sent; the connection
// stays usable. They are programming errors of the caller.
var (
	// ErrVersion: the request is newer than the object's version.
	ErrVersion = errors.New("client: request above the object's version")
	// ErrDestroyed: the object (or an object argument) is destroyed.
	ErrDestroyed = errors.New("client: object destroyed")
	// ErrBadObject: an object argument is nil where it may not be, or
	// belongs to another connection.
	ErrBadObject = errors.New("client: bad object argument")
	// ErrNoGlobal: the registry has no global of the wanted interface.
	ErrNoGlobal = errors.New("client: no such global")
)

// ProtocolError is a wl_display.error event: the server found a fatal
// protocol error in what we sent and is disconnecting us. The connection
// is dead once it is reported.
type ProtocolError struct {
	ObjectID  uint32 // the object the error is about
	Interface string // its interface, or "" if we do not know the id
	Code      uint32 // an error code of that interface (or of wl_display)
	Message   string // the server's explanation
}

// Error describes the error with the object it is about.
func (e *ProtocolError) Error() string {
	iface := e.Interface
	if iface == "" {
		iface = "unknown object"
	}
	return fmt.Sprintf("client: protocol error from the server on %s@%d, code %d: %s", iface, e.ObjectID, e.Code, e.Message)
}

// malformed returns an ErrMalformed error with the detail.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
