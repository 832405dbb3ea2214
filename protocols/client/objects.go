package client

import (
	"errors"
	"fmt"
)

// The object map. Client ids index a slice: ids come from a free list of
// ids the server acknowledged with delete_id, else the next unused one,
// so the slice stays as long as the most objects alive at once. Server ids
// (objects introduced by events) live in a map.
//
// A destroyed object leaves a zombie: the server may have sent events to
// it before it saw the destructor, and those are skipped with their fds
// closed. A client id's zombie goes away at delete_id; a server id's
// zombie when the server introduces a new object under the same id.

// lookup returns the slot of id.
func (c *Conn) lookup(id uint32) (slot, bool) {
	if id >= ServerIDBase {
		s, ok := c.server[id]
		return s, ok
	}
	if int64(id) >= int64(len(c.objects)) {
		return slot{}, false
	}
	s := c.objects[id]
	return s, s.obj != nil || s.zombie != nil
}

// allocate registers obj under a fresh client id.
func (c *Conn) allocate(obj Object, iface *Interface, version uint32) (uint32, error) {
	var id uint32
	if n := len(c.free); n > 0 {
		id = c.free[n-1]
		c.free = c.free[:n-1]
	} else {
		if uint64(len(c.objects)) > uint64(MaxClientID) {
			return 0, errors.New("client: out of object ids")
		}
		id = uint32(len(c.objects))
		c.objects = append(c.objects, slot{})
	}
	c.objects[id] = slot{obj: obj}
	*obj.Base() = Proxy{conn: c, iface: iface, self: obj, id: id, version: version}
	return id, nil
}

// release undoes allocate for an object whose request was never sent.
func (c *Conn) release(p *Proxy) {
	c.objects[p.id] = slot{}
	c.free = append(c.free, p.id)
	*p = Proxy{}
}

// AddServerObject registers obj, introduced by a new_id argument of an
// event, under the server-allocated id with interface iface at version.
// Generated dispatch code calls it; an id outside the server range or
// already live is malformed input.
func (c *Conn) AddServerObject(obj Object, iface *Interface, id, version uint32) error {
	if id < ServerIDBase {
		return fmt.Errorf("new %s id %d is not a server id", iface.Name, id)
	}
	if s, ok := c.server[id]; ok && s.obj != nil {
		return fmt.Errorf("new %s id %d is in use by %s", iface.Name, id, s.obj.Base())
	}
	c.server[id] = slot{obj: obj}
	*obj.Base() = Proxy{conn: c, iface: iface, self: obj, id: id, version: version}
	return nil
}

// destroy marks p destroyed and leaves a zombie under its id (or frees a
// client id the server already deleted).
func (c *Conn) destroy(p *Proxy) {
	if p.destroyed {
		return
	}
	p.destroyed = true
	z := slot{zombie: p.iface, version: p.version}
	switch {
	case p.id >= ServerIDBase:
		c.server[p.id] = z
	case p.idDeleted:
		c.objects[p.id] = slot{}
		c.free = append(c.free, p.id)
	default:
		c.objects[p.id] = z
	}
}

// deleteID handles wl_display.delete_id: the server will not use id again
// until we reuse it.
func (c *Conn) deleteID(id uint32) error {
	if id >= ServerIDBase || id == displayID {
		return fmt.Errorf("delete_id of id %d, which is not ours to reuse", id)
	}
	s, ok := c.lookup(id)
	switch {
	case !ok:
		return fmt.Errorf("delete_id of unknown id %d", id)
	case s.obj != nil:
		// The server destroyed a live object on its own (a global that
		// went away); the id is free once we destroy the proxy too.
		s.obj.Base().idDeleted = true
	default:
		c.objects[id] = slot{}
		c.free = append(c.free, id)
	}
	return nil
}

// ArgObject resolves an object argument of an event to the typed object T.
// A null id (when nullable) and an id whose object we destroyed yield the
// zero T; an unknown id, an object of another type or a forbidden null is
// malformed input. Generated dispatch code calls it.
func ArgObject[T Object](c *Conn, id uint32, nullable bool, want string) (T, error) {
	var zero T
	if id == 0 {
		if nullable {
			return zero, nil
		}
		return zero, fmt.Errorf("null %s object", want)
	}
	s, ok := c.lookup(id)
	if !ok {
		return zero, fmt.Errorf("unknown object %d (want %s)", id, want)
	}
	if s.obj == nil {
		return zero, nil
	}
	t, ok := s.obj.(T)
	if !ok {
		return zero, fmt.Errorf("object %d is %s, want %s", id, s.obj.Base().iface.Name, want)
	}
	return t, nil
}
