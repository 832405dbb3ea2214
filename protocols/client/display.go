package client

import (
	"fmt"

	"gocomp/protocols/wire"
)

// The runtime implements wl_display (object 1), wl_registry and the
// wl_callback of wl_display.sync itself: they are how a connection starts
// and how ids are recycled. Opcodes are those of wayland.xml.
const (
	displayRequestSync        = 0
	displayRequestGetRegistry = 1
	displayEventError         = 0
	displayEventDeleteID      = 1

	callbackEventDone = 0
)

var displayInterface = &Interface{
	Name:    "wl_display",
	Version: 1,
	Requests: []Message{
		{Name: "sync", Since: 1, Signature: "n"},
		{Name: "get_registry", Since: 1, Signature: "n"},
	},
	Events: []Message{
		{Name: "error", Since: 1, Signature: "ous"},
		{Name: "delete_id", Since: 1, Signature: "u"},
	},
	Dispatch: dispatchDisplay,
}

var syncCallbackInterface = &Interface{
	Name:     "wl_callback",
	Version:  1,
	Events:   []Message{{Name: "done", Since: 1, Signature: "u", Destructor: true}},
	Dispatch: dispatchSyncCallback,
}

// displayProxy is the connection's wl_display.
type displayProxy struct{ Proxy }

// syncCallback is the wl_callback of one Sync.
type syncCallback struct {
	Proxy
	done func(serial uint32)
}

func dispatchDisplay(obj Object, opcode uint16, d *wire.Decoder) error {
	c := obj.Base().conn
	switch opcode {
	case displayEventError:
		id, code, msg := d.Object(), d.Uint(), d.Str()
		if err := d.Finish(); err != nil {
			return err
		}
		e := &ProtocolError{ObjectID: id, Code: code, Message: msg}
		if s, ok := c.lookup(id); ok {
			if s.obj != nil {
				e.Interface = s.obj.Base().iface.Name
			} else {
				e.Interface = s.zombie.Name
			}
		}
		c.fail(e)
		return nil
	case displayEventDeleteID:
		id := d.Uint()
		if err := d.Finish(); err != nil {
			return err
		}
		return c.deleteID(id)
	}
	return fmt.Errorf("wl_display event %d not dispatched", opcode)
}

func dispatchSyncCallback(obj Object, opcode uint16, d *wire.Decoder) error {
	cb, ok := obj.(*syncCallback)
	if !ok {
		return fmt.Errorf("wl_callback: dispatch to %T", obj)
	}
	serial := d.Uint()
	if err := d.Finish(); err != nil {
		return err
	}
	if cb.done != nil {
		cb.done(serial)
	}
	return nil
}

// Sync sends wl_display.sync; done runs with the event serial when the
// server has handled every request sent before it (and so has sent every
// event they caused). It does not wait: this is the loop-driven form of a
// round trip (see Roundtrip for the blocking one). done may be nil.
func (c *Conn) Sync(done func(serial uint32)) error {
	cb := &syncCallback{done: done}
	p := &c.display.Proxy
	if _, err := p.BeginRequest(displayRequestSync, 1); err != nil {
		return err
	}
	p.PutNewObject(cb, syncCallbackInterface, 1)
	return p.EndRequest()
}
