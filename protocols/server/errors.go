package server

import (
	"errors"
	"fmt"
)

// wl_display error codes: the generic errors any request can cause.
const (
	ErrorInvalidObject  uint32 = 0 // unknown object, wrong interface, bad new id, bad bind
	ErrorInvalidMethod  uint32 = 1 // unknown opcode, request above the object's version, malformed arguments
	ErrorNoMemory       uint32 = 2 // the client holds more objects than the server allows
	ErrorImplementation uint32 = 3 // the compositor failed to handle a valid request
)

// maxErrorMessage bounds the text of a wl_display.error event.
const maxErrorMessage = 1024

// ErrClientClosed is the disconnect reason when the client closed its end.
var ErrClientClosed = errors.New("server: client closed the connection")

// ProtocolError is a fatal protocol error: the client receives
// wl_display.error(object, code, message) and is disconnected. Handlers
// return it (see Errorf) to reject a request; it is also the disconnect
// reason reported for errors the runtime detects.
type ProtocolError struct {
	ObjectID  uint32 // object the error is about; 0 in a handler's error means the request's target
	Interface string // its interface name, for the log
	Code      uint32 // an error code of that interface, or one of the Error* codes
	Message   string // the text of wl_display.error
}

// Error describes the error for logs; the client sees only Message.
func (e *ProtocolError) Error() string {
	return fmt.Sprintf("server: protocol error on %s@%d, code %d: %s", e.Interface, e.ObjectID, e.Code, e.Message)
}

// Errorf returns a protocol error about obj (nil: the target of the request
// being handled) with an error code of obj's interface.
func Errorf(obj Object, code uint32, format string, args ...any) *ProtocolError {
	e := &ProtocolError{Code: code, Message: fmt.Sprintf(format, args...)}
	if obj != nil {
		if r := obj.Base(); r != nil {
			e.ObjectID, e.Interface = r.id, r.iface.Name
		}
	}
	return e
}

// BadRequest turns a decoding error into an invalid_method protocol error on
// the request's target. Generated dispatch code calls it.
func BadRequest(err error) *ProtocolError {
	return &ProtocolError{Code: ErrorInvalidMethod, Message: "invalid arguments: " + err.Error()}
}

// errNoHandler is returned for a request to a resource nobody handles.
func errNoHandler(r *Resource) error {
	return fmt.Errorf("server: %s@%d has no handler", r.iface.Name, r.id)
}

// NoHandler reports a request to r while no handler is set: a compositor
// bug, sent to the client as an implementation error.
func NoHandler(r *Resource) error { return errNoHandler(r) }
