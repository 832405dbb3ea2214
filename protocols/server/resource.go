package server

import (
	"fmt"

	"gocomp/protocols/wire"
)

// Object ids: the client allocates 1..MaxClientID, the server allocates from
// ServerIDBase upward.
const (
	MaxClientID  uint32 = 0xfeffffff
	ServerIDBase uint32 = 0xff000000
	displayID    uint32 = 1
)

// Message describes one request or event.
type Message struct {
	Name  string
	Since uint32 // first interface version that has the message
	// Signature has one letter per argument: i int, u uint, f fixed,
	// s string, o object, n new_id, a array, h fd; '?' precedes a nullable
	// argument. An untyped new_id (wl_registry.bind) is "sun".
	Signature string
	FDs       int // number of fd arguments
}

// Interface describes a protocol interface. Generated packages declare one
// per interface; treat it as read-only.
type Interface struct {
	Name     string
	Version  uint32
	Requests []Message // indexed by opcode
	Events   []Message // indexed by opcode
	// Dispatch decodes request opcode from args and calls obj's handler. The
	// runtime has already checked the opcode range and its since-version.
	Dispatch func(obj Object, opcode uint16, args *wire.Decoder) error
}

// Object is anything registered in a client's object map: the generated
// resource types, which embed Resource.
type Object interface {
	// Base returns the embedded Resource.
	Base() *Resource
}

// Resource is the server side of one protocol object of one client. The
// generated types embed it; it is created by Client.Register (client ids)
// or Client.RegisterServer (server ids), and lives until Destroy or until
// the client disconnects.
type Resource struct {
	client    *Client
	iface     *Interface
	self      Object
	id        uint32
	version   uint32
	destroyed bool
	hooks     []*destroyHook
	impl      any // the handler the generated SetHandler installed
}

type destroyHook struct{ fn func() }

// Base returns r itself, so that types embedding Resource are Objects.
func (r *Resource) Base() *Resource { return r }

// ID returns the object id.
func (r *Resource) ID() uint32 { return r.id }

// Version returns the version the client bound or inherited.
func (r *Resource) Version() uint32 { return r.version }

// Client returns the owning client.
func (r *Resource) Client() *Client { return r.client }

// Interface returns the object's interface description.
func (r *Resource) Interface() *Interface { return r.iface }

// SetImpl records the object implementing the resource, for Impl and
// ImplArg. The generated SetHandler methods call it with the handler;
// other code has no reason to.
func (r *Resource) SetImpl(impl any) { r.impl = impl }

// Impl returns the implementation of obj (the handler its generated
// SetHandler installed) as T. ok is false when obj is nil or destroyed,
// when it has no implementation yet, or when the implementation is of
// another type.
func Impl[T any](obj Object) (impl T, ok bool) {
	if obj == nil {
		return impl, false
	}
	r := obj.Base()
	if r == nil || r.destroyed {
		return impl, false
	}
	impl, ok = r.impl.(T)
	return impl, ok
}

// ImplArg returns the implementation of arg, an object argument of a
// request, as T. A nil or destroyed arg gives the zero T and no error (the
// caller decides what a missing object means). An arg implemented by
// something other than T — a wl_buffer from a factory the request does not
// accept, say — is the invalid_object protocol error naming arg and what
// was wanted.
func ImplArg[T any](arg Object, want string) (T, error) {
	var zero T
	if arg == nil {
		return zero, nil
	}
	r := arg.Base()
	if r == nil || r.destroyed {
		return zero, nil
	}
	impl, ok := r.impl.(T)
	if !ok {
		return zero, &ProtocolError{ObjectID: displayID, Interface: "wl_display", Code: ErrorInvalidObject,
			Message: fmt.Sprintf("%s is not %s", r, want)}
	}
	return impl, nil
}

// Destroyed reports whether Destroy has run (or the client is gone).
func (r *Resource) Destroyed() bool { return r.destroyed }

// String returns "interface@id".
func (r *Resource) String() string { return fmt.Sprintf("%s@%d", r.iface.Name, r.id) }

// OnDestroy registers fn to run once when the resource is destroyed,
// explicitly or because its client went away. cancel unregisters it; call it
// when the listener's owner goes away first. Hooks run in registration order.
// On a resource already destroyed, fn runs at once.
func (r *Resource) OnDestroy(fn func()) (cancel func()) {
	if r.destroyed {
		fn() // already gone: the listener learns it at once
		return func() {}
	}
	h := &destroyHook{fn: fn}
	r.hooks = append(r.hooks, h)
	return func() {
		h.fn = nil
		for i, x := range r.hooks {
			if x == h {
				r.hooks = append(r.hooks[:i], r.hooks[i+1:]...)
				break
			}
		}
	}
}

// Destroy destroys the resource: destroy hooks run, the id leaves the
// client's map and, for a client-allocated id, the client gets
// wl_display.delete_id. Requests the client still sends to the id are
// ignored until it reuses the id. Destroy is idempotent and nil-safe.
func (r *Resource) Destroy() {
	if r == nil || r.destroyed {
		return
	}
	r.runHooks()
	c := r.client
	if c.closed {
		return
	}
	if s, ok := c.objects[r.id]; ok && s.obj == r.self {
		if r.id < ServerIDBase {
			c.objects[r.id] = slot{zombie: r.iface}
			c.sendDeleteID(r.id)
		} else {
			delete(c.objects, r.id)
		}
	}
}

func (r *Resource) runHooks() {
	r.destroyed = true
	for len(r.hooks) > 0 {
		h := r.hooks[0]
		r.hooks = r.hooks[1:]
		if h.fn != nil {
			fn := h.fn
			h.fn = nil
			fn()
		}
	}
	r.hooks = nil
}

// PostError sends wl_display.error about r with an error code of its
// interface and disconnects the client once the error is flushed.
func (r *Resource) PostError(code uint32, format string, args ...any) {
	r.client.postError(Errorf(r.self, code, format, args...))
}

// BeginEvent starts event opcode from r and returns the encoder to append
// its arguments to, then EndEvent commits it. It returns nil when the event
// cannot be sent (the resource is destroyed or the client is failing), in
// which case the caller skips it. Generated senders use this pair.
func (r *Resource) BeginEvent(opcode uint16) *wire.Encoder {
	if r.destroyed || r.client.err != nil {
		return nil
	}
	e := r.client.conn.Out()
	e.Begin(r.id, opcode)
	return e
}

// EndEvent commits the event begun by BeginEvent. If it cannot be queued —
// typically because the output limit is reached — the client is marked
// failed and disconnected at the next Flush, with the reason.
func (r *Resource) EndEvent() {
	r.client.endMessage()
}

// ObjectID returns the id of obj for an event argument, 0 for nil.
func ObjectID(obj Object) uint32 {
	if obj == nil {
		return 0
	}
	if r := obj.Base(); r != nil {
		return r.id
	}
	return 0
}
