package client

import (
	"fmt"
	"strconv"

	"gocomp/protocols/wire"
)

// Object ids: the client allocates 1..MaxClientID (1 is wl_display), the
// server allocates from ServerIDBase upward.
const (
	MaxClientID  uint32 = 0xfeffffff
	ServerIDBase uint32 = 0xff000000
	displayID    uint32 = 1
)

// Message describes one request or event.
type Message struct {
	Name  string
	Since uint32 // first interface version that has the message
	// Signature has one letter per argument (see package wire): i u f s o
	// n a h, '?' before a nullable one; an untyped new_id is "sun".
	Signature  string
	FDs        int  // number of fd arguments
	Destructor bool // the message destroys its object
	// Creates is the interface of the object a typed new_id argument of an
	// event creates; nil when the event creates none. The runtime needs it
	// to track objects created by events to a destroyed object.
	Creates *Interface
}

// Interface describes a protocol interface on the client side. Generated
// packages declare one per interface; treat it as read-only.
type Interface struct {
	Name     string
	Version  uint32
	Requests []Message // indexed by opcode
	Events   []Message // indexed by opcode
	// Dispatch decodes event opcode from args and calls obj's listener.
	// The runtime has already checked the opcode range and the event's
	// since-version against obj's version. Returned errors are malformed
	// input and end the connection. Fds the decoder handed out and that
	// Dispatch did not release are closed afterwards.
	Dispatch func(obj Object, opcode uint16, args *wire.Decoder) error
}

// Object is anything in the object map: the generated proxy types, which
// embed Proxy, and the runtime's Registry.
type Object interface {
	// Base returns the embedded Proxy (nil for a nil object).
	Base() *Proxy
}

// Proxy is the client side of one protocol object. Generated types embed
// it; it is created by a request that makes an object (its id allocated
// by us) or by an event that introduces one (its id allocated by the
// server), and is destroyed by a destructor request, by a destructor event,
// or never (it then lives as long as the connection).
type Proxy struct {
	conn      *Conn
	iface     *Interface
	self      Object
	id        uint32
	version   uint32
	destroyed bool
	idDeleted bool // the server sent delete_id while the proxy was live
}

// Base returns p itself, so that types embedding Proxy are Objects.
func (p *Proxy) Base() *Proxy { return p }

// ID returns the object id (0 before the proxy is created).
func (p *Proxy) ID() uint32 { return p.id }

// Version returns the version the object was bound or created with.
func (p *Proxy) Version() uint32 { return p.version }

// Conn returns the connection the object lives on.
func (p *Proxy) Conn() *Conn { return p.conn }

// Destroyed reports whether the object is destroyed (by a destructor
// request or event) or the connection is closed.
func (p *Proxy) Destroyed() bool { return p.destroyed || p.conn == nil || p.conn.closed }

// String returns "interface@id".
func (p *Proxy) String() string {
	if p.iface == nil {
		return "proxy@" + strconv.FormatUint(uint64(p.id), 10)
	}
	return p.iface.Name + "@" + strconv.FormatUint(uint64(p.id), 10)
}

// BeginRequest starts request opcode of p, which needs version since, and
// returns the encoder to append its arguments to; EndRequest (or
// EndDestructor) commits it. Nothing is queued when it fails: p is nil or
// destroyed, the connection failed, or p's version is below since.
// Generated request methods use it.
func (p *Proxy) BeginRequest(opcode uint16, since uint32) (*wire.Encoder, error) {
	if p == nil || p.conn == nil {
		return nil, fmt.Errorf("%w: request on a nil or uncreated object", ErrBadObject)
	}
	c := p.conn
	if c.err != nil {
		return nil, c.err
	}
	if int(opcode) >= len(p.iface.Requests) {
		return nil, fmt.Errorf("client: %s has no request %d", p, opcode)
	}
	m := &p.iface.Requests[opcode]
	if p.destroyed {
		return nil, fmt.Errorf("%w: %s.%s on %s", ErrDestroyed, p.iface.Name, m.Name, p)
	}
	if p.version < since {
		return nil, fmt.Errorf("%w: %s.%s needs version %d, %s has %d", ErrVersion, p.iface.Name, m.Name, since, p, p.version)
	}
	if c.building != nil {
		panic("client: BeginRequest inside a request") // our bug: generated code is linear
	}
	c.building = p
	c.created = c.created[:0]
	e := c.wc.Out()
	e.Begin(p.id, opcode)
	return e, nil
}

// PutObject appends the id of obj, an object argument of the request being
// built (nullable: nil is allowed and sent as 0). A nil, destroyed or
// foreign obj fails the request.
func (p *Proxy) PutObject(obj Object, nullable bool) {
	c := p.conn
	e := c.wc.Out()
	var q *Proxy
	if obj != nil {
		q = obj.Base()
	}
	switch {
	case q == nil && nullable:
		e.PutObject(0)
	case q == nil:
		e.Fail(fmt.Errorf("%w: nil object where one is required", ErrBadObject))
	case q.conn != c:
		e.Fail(fmt.Errorf("%w: %s belongs to another connection", ErrBadObject, q))
	case q.destroyed:
		e.Fail(fmt.Errorf("%w: argument %s", ErrDestroyed, q))
	default:
		e.PutObject(q.id)
	}
}

// PutNewObject allocates an id for obj, the object the request being built
// creates with interface iface at version, registers it and appends the
// id. If the request then fails, the registration is undone.
func (p *Proxy) PutNewObject(obj Object, iface *Interface, version uint32) {
	c := p.conn
	e := c.wc.Out()
	q := obj.Base()
	if q == nil || q.conn != nil {
		e.Fail(fmt.Errorf("%w: new object must be a fresh proxy", ErrBadObject))
		return
	}
	id, err := c.allocate(obj, iface, version)
	if err != nil {
		e.Fail(err)
		return
	}
	c.created = append(c.created, obj)
	e.PutUint(id)
}

// EndRequest commits the request begun by BeginRequest. On error the
// request is dropped whole and objects it would have created are
// unregistered; if the error is that the output limit is reached (the
// server stopped reading), the connection fails with it.
func (p *Proxy) EndRequest() error {
	c := p.conn
	c.building = nil
	if err := c.wc.Out().End(); err != nil {
		for _, obj := range c.created {
			c.release(obj.Base())
		}
		c.created = c.created[:0]
		return c.requestFailed(p, err)
	}
	c.created = c.created[:0]
	if c.opts.Trace != nil {
		c.traceRequest()
	}
	return nil
}

// EndDestructor commits a destructor request and destroys p: events the
// server sent before it saw the request are dropped (their fds closed),
// and p's id is reused once the server acknowledges with delete_id.
func (p *Proxy) EndDestructor() error {
	if err := p.EndRequest(); err != nil {
		return err
	}
	p.conn.destroy(p)
	return nil
}
