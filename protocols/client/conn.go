package client

import (
	"errors"
	"fmt"
	"io"

	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

// DefaultOutputLimit bounds the requests queued for a server that does
// not read, when Options.OutputLimit is zero.
const DefaultOutputLimit = 1 << 20

// Options configure a Conn. Zero values select the defaults; the hooks
// run on the goroutine that owns the Conn.
type Options struct {
	// OutputLimit bounds queued, unsent requests in bytes (default
	// DefaultOutputLimit). A request that would exceed it fails the
	// connection: the server stopped reading.
	OutputLimit int
	// WantWritable runs with true when Flush leaves output queued because
	// the socket is full (wait for the fd to become writable, then Flush
	// again) and with false once the queue has drained.
	WantWritable func(want bool)
	// Failed runs once when the connection fails (a *ProtocolError, an
	// error wrapping ErrServerClosed or ErrMalformed, the output limit, an
	// I/O error), at the end of the HandleReadable or Flush that noticed
	// or followed the failure, never in the middle of a request. Remove
	// the fd from the event loop there, then Close.
	Failed func(err error)
	// Trace, when set, receives one line per request and event, like
	// libwayland's WAYLAND_DEBUG (for debugging; it allocates).
	Trace func(line string)
}

// slot is an entry of the object map: a live object, or the interface of
// a destroyed one whose id is not free yet (a zombie).
type slot struct {
	obj     Object
	zombie  *Interface
	version uint32 // a zombie's version, for objects its events create
}

// Conn is a client connection to a Wayland server: the socket, the object
// map and wl_display. It does no waiting of its own and starts no
// goroutines; one goroutine owns it and everything reached from it.
type Conn struct {
	wc   *wire.Conn
	opts Options
	dec  wire.Decoder

	objects []slot          // client ids, indexed by id
	free    []uint32        // client ids acknowledged by delete_id, reused last in first out
	server  map[uint32]slot // server-allocated ids

	display  *displayProxy
	building *Proxy   // the request being encoded
	created  []Object // objects the request being encoded creates

	err         error // why the connection failed; nil while healthy
	reported    bool  // Failed has run
	closed      bool
	dispatching bool
	wantWrite   bool
}

// NewConn takes ownership of fd, a connected unix stream socket to a
// Wayland server, and returns the connection over it. Add Fd() to the
// event loop for readability.
func NewConn(fd int, opts Options) (*Conn, error) {
	if opts.OutputLimit <= 0 {
		opts.OutputLimit = DefaultOutputLimit
	}
	wc, err := wire.NewConn(fd, opts.OutputLimit)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	c := &Conn{wc: wc, opts: opts, objects: make([]slot, 2, 64), server: map[uint32]slot{}}
	c.display = &displayProxy{}
	c.display.Proxy = Proxy{conn: c, iface: displayInterface, self: c.display, id: displayID, version: 1}
	c.objects[displayID] = slot{obj: c.display}
	return c, nil
}

// Fd returns the socket, for the event loop to watch (-1 once closed). Do
// not read, write or close it.
func (c *Conn) Fd() int {
	if c.closed {
		return -1
	}
	return c.wc.Fd()
}

// Err returns why the connection failed, or nil while it is healthy.
func (c *Conn) Err() error { return c.err }

// HandleReadable reads the socket until it would block and dispatches
// every complete event, in order, to the listeners. A message split across
// reads waits in the buffer for its rest. Call it when the loop reports the
// fd readable, hung up or in error. It returns the connection's error, if
// it failed now or before.
func (c *Conn) HandleReadable() error {
	if c.err != nil || c.closed {
		c.report()
		return c.err
	}
	if c.dispatching {
		return errors.New("client: HandleReadable called from a listener")
	}
	c.dispatching = true
	for c.err == nil {
		_, err := c.wc.Read()
		if errors.Is(err, unix.EAGAIN) {
			break
		}
		if err != nil {
			c.readFailed(err)
			break
		}
		c.dispatchBuffered()
		if c.wc.Drained() {
			break // a short read without fds emptied the socket
		}
	}
	c.dispatching = false
	c.report()
	return c.err
}

// readFailed fails the connection after a read error.
func (c *Conn) readFailed(err error) {
	switch {
	case errors.Is(err, io.EOF) && c.wc.Buffered() > 0:
		c.fail(fmt.Errorf("%w in the middle of a message (%d bytes buffered)", ErrServerClosed, c.wc.Buffered()))
	case errors.Is(err, io.EOF), errors.Is(err, unix.ECONNRESET):
		c.fail(ErrServerClosed)
	case errors.Is(err, wire.ErrTooManyQueuedFDs), errors.Is(err, wire.ErrControlTruncated):
		c.fail(fmt.Errorf("%w: %w", ErrMalformed, err))
	default:
		c.fail(fmt.Errorf("client: read from the server: %w", err))
	}
}

// dispatchBuffered dispatches every complete message in the input buffer.
func (c *Conn) dispatchBuffered() {
	for c.err == nil && !c.closed {
		h, args, ok, err := c.wc.Next()
		if err != nil {
			c.fail(fmt.Errorf("%w: %w", ErrMalformed, err))
			return
		}
		if !ok {
			return
		}
		c.dispatch(h, args)
	}
}

// Flush sends queued requests until the queue is empty or the socket is
// full; in the latter case WantWritable(true) asks the owner to wait for
// writability and call Flush again. It never blocks. Call it before every
// wait of the event loop. It returns the connection's error.
func (c *Conn) Flush() error {
	if c.err == nil && !c.closed {
		pending, err := c.wc.Flush()
		if err != nil {
			if errors.Is(err, unix.EPIPE) || errors.Is(err, unix.ECONNRESET) {
				c.fail(fmt.Errorf("%w (while sending)", ErrServerClosed))
			} else {
				c.fail(fmt.Errorf("client: send to the server: %w", err))
			}
		} else if pending != c.wantWrite {
			c.wantWrite = pending
			if c.opts.WantWritable != nil {
				c.opts.WantWritable(pending)
			}
		}
	}
	c.report()
	return c.err
}

// Pending returns the number of queued bytes not yet sent.
func (c *Conn) Pending() int {
	if c.closed {
		return 0
	}
	return c.wc.Out().Pending()
}

// requestFailed handles an error of Encoder.End for a request of p: the
// output limit fails the connection, anything else only the request.
func (c *Conn) requestFailed(p *Proxy, err error) error {
	var oe *wire.OverflowError
	if errors.As(err, &oe) {
		c.fail(fmt.Errorf("client: the server stopped reading: %w", err))
		return c.err
	}
	return fmt.Errorf("client: request to %s: %w", p, err)
}

// fail records the first error; the connection is dead from now on.
func (c *Conn) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// report runs the Failed hook once, outside any request.
func (c *Conn) report() {
	if c.err != nil && !c.reported && !c.closed && c.building == nil {
		c.reported = true
		if c.opts.Failed != nil {
			c.opts.Failed(c.err)
		}
	}
}

// Close closes the socket and every fd still queued in either direction.
// Proxies stay valid as values, but every request fails with ErrClosed.
// Close is idempotent; it does not run the Failed hook.
func (c *Conn) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	if c.err == nil {
		c.err = ErrClosed
	}
	if err := c.wc.Close(); err != nil {
		return fmt.Errorf("client: %w", err)
	}
	return nil
}
