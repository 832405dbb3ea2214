package server

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

// ClientHooks are the callbacks through which a Client talks to the event
// loop that drives it. Both run on the loop goroutine.
type ClientHooks struct {
	// Disconnected runs once when the client is gone, with the reason
	// (ErrClientClosed, a *ProtocolError the client was sent, a
	// *wire.OverflowError, an I/O error, or the error given to Disconnect).
	// The client's resources are already destroyed; its fd is closed right
	// after Disconnected returns, so remove it from the loop here.
	Disconnected func(c *Client, reason error)
	// WantWritable runs with true when Flush leaves output pending (wait for
	// the fd to become writable, then call Flush) and with false once the
	// backlog has drained.
	WantWritable func(c *Client, want bool)
}

// slot is an entry of the object map: a live object, or the interface of a
// client-id object the server destroyed (a zombie).
type slot struct {
	obj    Object
	zombie *Interface
}

// Client is one connected Wayland client: its connection, its object map and
// its registries. It is driven by the loop through HandleReadable and Flush
// and is not safe for concurrent use.
type Client struct {
	display *Display
	conn    *wire.Conn
	hooks   ClientHooks
	objects map[uint32]slot
	nextID  uint32 // next server-allocated id
	dec     wire.Decoder

	disp       *displayObject
	registries []*registry

	err         error // why the client is being disconnected; nil while healthy
	closed      bool
	dispatching bool
	dirty       bool // queued in display.dirty
	wantWrite   bool
}

// Fd returns the client's socket, for the event loop to watch. Do not read,
// write or close it.
func (c *Client) Fd() int {
	if c.closed {
		return -1
	}
	return c.conn.Fd()
}

// Display returns the display the client is connected to.
func (c *Client) Display() *Display { return c.display }

// Err returns the reason the client is being or was disconnected, or nil.
func (c *Client) Err() error { return c.err }

// Closed reports whether the client has been torn down.
func (c *Client) Closed() bool { return c.closed }

// Credentials returns the peer's pid, uid and gid (SO_PEERCRED).
func (c *Client) Credentials() (pid, uid, gid int, err error) {
	if c.closed {
		return 0, 0, 0, errors.New("server: credentials of a closed client")
	}
	cred, err := unix.GetsockoptUcred(c.conn.Fd(), unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("server: SO_PEERCRED: %w", err)
	}
	return int(cred.Pid), int(cred.Uid), int(cred.Gid), nil
}

// Lookup returns the live object with the given id.
func (c *Client) Lookup(id uint32) (Object, bool) {
	s, ok := c.objects[id]
	if !ok || s.obj == nil {
		return nil, false
	}
	return s.obj, true
}

// HandleReadable reads the socket until it is drained (EAGAIN, or a short
// read that carried no fds, which on a unix stream socket means the queue
// was empty) and dispatches every complete request, in order. Call it when
// the loop reports the fd readable, hung up or in error: reading is how a
// hang-up is noticed. If the client misbehaved or went away, it is
// disconnected before HandleReadable returns.
func (c *Client) HandleReadable() {
	if c.closed {
		return
	}
	c.dispatching = true
	for c.err == nil {
		_, err := c.conn.Read()
		if errors.Is(err, unix.EAGAIN) {
			break
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, unix.ECONNRESET) {
				c.fail(ErrClientClosed)
			} else {
				c.fail(fmt.Errorf("server: read from client: %w", err))
			}
			break
		}
		c.dispatchBuffered()
		if c.conn.Drained() {
			break // a short read without fds emptied the socket
		}
	}
	c.dispatching = false
	if c.err != nil {
		c.teardown()
	}
}

// dispatchBuffered dispatches every complete message in the input buffer.
func (c *Client) dispatchBuffered() {
	for c.err == nil {
		h, args, ok, err := c.conn.Next()
		if err != nil {
			c.postError(&ProtocolError{ObjectID: displayID, Interface: "wl_display", Code: ErrorInvalidMethod, Message: err.Error()})
			return
		}
		if !ok {
			return
		}
		c.dispatch(h, args)
	}
}

// dispatch routes one request to its object.
func (c *Client) dispatch(h wire.Header, args []byte) {
	s, ok := c.objects[h.Sender]
	if !ok {
		c.postError(&ProtocolError{ObjectID: displayID, Interface: "wl_display", Code: ErrorInvalidObject,
			Message: fmt.Sprintf("invalid object %d", h.Sender)})
		return
	}
	if s.obj == nil {
		// The server destroyed this object; the client has not caught up.
		// Ignore the request but do not leak the fds it carried.
		if c.display.opts.Trace != nil && int(h.Opcode) < len(s.zombie.Requests) {
			c.traceRequest(s.zombie.Name+"@"+strconv.FormatUint(uint64(h.Sender), 10), &s.zombie.Requests[h.Opcode], args, " (ignored: object destroyed)")
		}
		if int(h.Opcode) < len(s.zombie.Requests) {
			for range s.zombie.Requests[h.Opcode].FDs {
				if fd, ok := c.conn.PopFD(); ok {
					unix.Close(fd)
				}
			}
		}
		return
	}
	r := s.obj.Base()
	if int(h.Opcode) >= len(r.iface.Requests) {
		c.postError(&ProtocolError{ObjectID: r.id, Interface: r.iface.Name, Code: ErrorInvalidMethod,
			Message: fmt.Sprintf("invalid method %d of %s", h.Opcode, r)})
		return
	}
	m := &r.iface.Requests[h.Opcode]
	if r.version < m.Since {
		c.postError(&ProtocolError{ObjectID: r.id, Interface: r.iface.Name, Code: ErrorInvalidMethod,
			Message: fmt.Sprintf("%s.%s needs version %d, object has %d", r, m.Name, m.Since, r.version)})
		return
	}
	if c.display.opts.Trace != nil {
		c.traceRequest(r.String(), m, args, "")
	}
	c.dec.Reset(args, c.conn)
	err := r.iface.Dispatch(s.obj, h.Opcode, &c.dec)
	c.dec.CloseFDs()
	if err != nil {
		c.requestFailed(r, m, err)
	}
}

// requestFailed turns a dispatch error into wl_display.error.
func (c *Client) requestFailed(r *Resource, m *Message, err error) {
	var pe *ProtocolError
	if errors.As(err, &pe) {
		e := *pe
		if e.ObjectID == 0 {
			e.ObjectID, e.Interface = r.id, r.iface.Name
		}
		e.Message = fmt.Sprintf("%s.%s: %s", r, m.Name, e.Message)
		c.postError(&e)
		return
	}
	c.postError(&ProtocolError{ObjectID: r.id, Interface: r.iface.Name, Code: ErrorImplementation,
		Message: fmt.Sprintf("%s.%s: %v", r, m.Name, err)})
}

// Register puts obj in the object map under id, a client-allocated id from a
// new_id argument, with the given interface and version. Generated dispatch
// code calls it before handing the new object to a handler. Errors are
// protocol errors: an id outside the client range or already live, or too
// many objects.
func (c *Client) Register(obj Object, iface *Interface, id, version uint32) error {
	if err := c.checkNewID(id, iface); err != nil {
		return err
	}
	return c.insert(obj, iface, id, version)
}

// checkNewID validates a client-allocated id for a new object.
func (c *Client) checkNewID(id uint32, iface *Interface) error {
	if id == 0 || id > MaxClientID {
		return &ProtocolError{ObjectID: displayID, Interface: "wl_display", Code: ErrorInvalidObject,
			Message: fmt.Sprintf("invalid new id %d for %s", id, iface.Name)}
	}
	if s, ok := c.objects[id]; ok && s.obj != nil {
		return &ProtocolError{ObjectID: displayID, Interface: "wl_display", Code: ErrorInvalidObject,
			Message: fmt.Sprintf("new id %d for %s is already in use by %s", id, iface.Name, s.obj.Base())}
	}
	return nil
}

// RegisterServer puts obj in the object map under a fresh server-allocated
// id, for objects the server creates (new_id arguments of events).
func (c *Client) RegisterServer(obj Object, iface *Interface, version uint32) error {
	if version == 0 || version > iface.Version {
		return fmt.Errorf("server: new %s version %d: supported versions are 1..%d", iface.Name, version, iface.Version)
	}
	for {
		if c.nextID < ServerIDBase {
			c.nextID = ServerIDBase
		}
		id := c.nextID
		c.nextID++
		if _, ok := c.objects[id]; !ok {
			return c.insert(obj, iface, id, version)
		}
	}
}

func (c *Client) insert(obj Object, iface *Interface, id, version uint32) error {
	if c.closed {
		return fmt.Errorf("server: register %s on a closed client", iface.Name)
	}
	if len(c.objects) >= c.display.opts.MaxObjects {
		return &ProtocolError{ObjectID: displayID, Interface: "wl_display", Code: ErrorNoMemory,
			Message: fmt.Sprintf("too many objects (limit %d)", c.display.opts.MaxObjects)}
	}
	r := obj.Base()
	*r = Resource{client: c, iface: iface, self: obj, id: id, version: version}
	c.objects[id] = slot{obj: obj}
	return nil
}

// ArgObject resolves an object argument of a request to the typed object T.
// A null id (when nullable) and an id the server already destroyed yield the
// zero T; an unknown id, an object of another type or a forbidden null is a
// protocol error. Generated dispatch code calls it.
func ArgObject[T Object](c *Client, id uint32, nullable bool, want string) (T, error) {
	var zero T
	if id == 0 {
		if nullable {
			return zero, nil
		}
		return zero, &ProtocolError{Code: ErrorInvalidMethod, Message: fmt.Sprintf("null %s object", want)}
	}
	s, ok := c.objects[id]
	if !ok {
		return zero, &ProtocolError{ObjectID: displayID, Interface: "wl_display", Code: ErrorInvalidObject,
			Message: fmt.Sprintf("unknown object %d", id)}
	}
	if s.obj == nil {
		return zero, nil
	}
	t, ok := s.obj.(T)
	if !ok {
		return zero, &ProtocolError{ObjectID: displayID, Interface: "wl_display", Code: ErrorInvalidObject,
			Message: fmt.Sprintf("object %d is %s, want %s", id, s.obj.Base().iface.Name, want)}
	}
	return t, nil
}

// PostError sends wl_display.error about obj (nil: wl_display) and
// disconnects the client at the next Flush, after the error is sent.
func (c *Client) PostError(obj Object, code uint32, format string, args ...any) {
	e := Errorf(obj, code, format, args...)
	if obj == nil {
		e.ObjectID, e.Interface = displayID, "wl_display"
	}
	c.postError(e)
}

// Disconnect disconnects the client with the given reason. Outside
// HandleReadable the teardown happens at the next Flush (or FlushClients),
// so it is safe to call from anywhere on the loop goroutine.
func (c *Client) Disconnect(reason error) {
	if reason == nil {
		reason = errors.New("server: disconnected by the compositor")
	}
	c.fail(reason)
}

// postError queues wl_display.error and fails the client with it.
func (c *Client) postError(e *ProtocolError) {
	if c.err != nil || c.closed {
		return
	}
	msg := e.Message
	if len(msg) > maxErrorMessage {
		msg = msg[:maxErrorMessage]
	}
	msg = sanitize(msg)
	out := c.conn.Out()
	out.Begin(displayID, displayEventError)
	out.PutObject(e.ObjectID)
	out.PutUint(e.Code)
	out.PutString(msg)
	if out.End() == nil && c.display.opts.Trace != nil { // if it does not fit, the client only misses the explanation
		c.traceEvent(nil)
	}
	c.fail(e)
}

// sanitize replaces NUL bytes, which a wire string cannot hold.
func sanitize(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			b := []byte(s)
			for j := range b {
				if b[j] == 0 {
					b[j] = '?'
				}
			}
			return string(b)
		}
	}
	return s
}

// fail records the first disconnect reason and queues the client for teardown.
func (c *Client) fail(reason error) {
	if c.err == nil && !c.closed {
		c.err = reason
		c.markDirty()
	}
}

func (c *Client) markDirty() {
	if !c.dirty && !c.closed {
		c.dirty = true
		c.display.dirty = append(c.display.dirty, c)
	}
}

// endMessage commits the message being encoded.
func (c *Client) endMessage() { c.endMessageFor(nil) }

// endMessageFor commits the message being encoded; iface names the sender's
// interface for tracing when the sender is not in the object map.
func (c *Client) endMessageFor(iface *Interface) {
	if err := c.conn.Out().End(); err != nil {
		var oe *wire.OverflowError
		if errors.As(err, &oe) {
			c.fail(fmt.Errorf("server: disconnecting client that does not read: %w", err))
		} else {
			c.fail(fmt.Errorf("server: encode event: %w", err))
		}
		return
	}
	if c.display.opts.Trace != nil {
		c.traceEvent(iface)
	}
	c.markDirty()
}

// Flush sends queued output until it is sent or the socket is full, and
// returns whether output is still pending (the loop then waits for the fd
// to become writable and calls Flush again). A failing client is torn down
// here, after a best-effort flush of its error.
func (c *Client) Flush() (pending bool) {
	if c.closed {
		return false
	}
	if c.err != nil {
		if !c.dispatching {
			c.teardown()
		}
		return false
	}
	pending, err := c.conn.Flush()
	if err != nil {
		if errors.Is(err, unix.EPIPE) || errors.Is(err, unix.ECONNRESET) {
			c.fail(ErrClientClosed)
		} else {
			c.fail(err)
		}
		if !c.dispatching {
			c.teardown()
		}
		return false
	}
	if pending != c.wantWrite {
		c.wantWrite = pending
		if c.hooks.WantWritable != nil {
			c.hooks.WantWritable(c, pending)
		}
	}
	return pending
}

// teardown flushes what it can, destroys every resource, reports the
// disconnect and closes the socket.
func (c *Client) teardown() {
	if c.closed {
		return
	}
	if c.err == nil {
		c.err = errors.New("server: client torn down")
	}
	_, _ = c.conn.Flush() // best effort: the error event, if any
	c.closed = true
	ids := make([]uint32, 0, len(c.objects))
	for id, s := range c.objects {
		if s.obj != nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range slices.Backward(ids) {
		c.objects[id].obj.Base().runHooks()
	}
	c.objects = nil
	c.registries = nil
	c.display.removeClient(c)
	if c.hooks.Disconnected != nil {
		c.hooks.Disconnected(c, c.err)
	}
	c.conn.Close()
}
