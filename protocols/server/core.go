package server

import (
	"fmt"

	"gocomp/protocols/wire"
)

// The runtime implements wl_display, wl_registry and the wl_callback of
// wl_display.sync (which is answered at once and never stored) itself: they are the protocol's bootstrap, not compositor
// policy. Opcodes are those of wayland.xml.
const (
	displayRequestSync        = 0
	displayRequestGetRegistry = 1
	displayEventError         = 0
	displayEventDeleteID      = 1

	registryRequestBind       = 0
	registryEventGlobal       = 0
	registryEventGlobalRemove = 1

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

var registryInterface = &Interface{
	Name:     "wl_registry",
	Version:  1,
	Requests: []Message{{Name: "bind", Since: 1, Signature: "usun"}},
	Events: []Message{
		{Name: "global", Since: 1, Signature: "usu"},
		{Name: "global_remove", Since: 1, Signature: "u"},
	},
	Dispatch: dispatchRegistry,
}

var callbackInterface = &Interface{
	Name:     "wl_callback",
	Version:  1,
	Events:   []Message{{Name: "done", Since: 1, Signature: "u"}},
	Dispatch: func(Object, uint16, *wire.Decoder) error { return nil },
}

// displayObject is the client's wl_display, object 1.
type displayObject struct{ Resource }

// registry is one wl_registry of a client.
type registry struct{ Resource }

func dispatchDisplay(obj Object, opcode uint16, d *wire.Decoder) error {
	r := obj.Base()
	c := r.client
	switch opcode {
	case displayRequestSync:
		id := d.NewID()
		if err := d.Finish(); err != nil {
			return BadRequest(err)
		}
		// The callback lives only for its done event: answer without
		// allocating an object. wl_callback has no requests, so nothing is
		// lost by not keeping it as a zombie.
		if err := c.checkNewID(id, callbackInterface); err != nil {
			return err
		}
		delete(c.objects, id) // a zombie under id, if any, is reused now
		e := c.conn.Out()
		e.Begin(id, callbackEventDone)
		e.PutUint(c.display.Serial()) // like libwayland: the current serial, not a new one
		c.endMessageFor(callbackInterface)
		c.sendDeleteID(id)
		return nil
	case displayRequestGetRegistry:
		id := d.NewID()
		if err := d.Finish(); err != nil {
			return BadRequest(err)
		}
		reg := &registry{}
		if err := c.Register(reg, registryInterface, id, 1); err != nil {
			return err
		}
		c.registries = append(c.registries, reg)
		reg.OnDestroy(func() {
			for i, x := range c.registries {
				if x == reg {
					c.registries = append(c.registries[:i], c.registries[i+1:]...)
					break
				}
			}
		})
		for _, g := range c.display.globals {
			reg.sendGlobal(g)
		}
		return nil
	}
	return fmt.Errorf("server: wl_display opcode %d not dispatched", opcode)
}

func dispatchRegistry(obj Object, opcode uint16, d *wire.Decoder) error {
	r := obj.Base()
	c := r.client
	if opcode != registryRequestBind {
		return fmt.Errorf("server: wl_registry opcode %d not dispatched", opcode)
	}
	name := d.Uint()
	ifaceName := d.Str()
	version := d.Uint()
	id := d.NewID()
	if err := d.Finish(); err != nil {
		return BadRequest(err)
	}
	disp := c.display
	var g *Global
	for _, x := range disp.globals {
		if x.name == name {
			g = x
		}
	}
	removed := false
	if g == nil {
		for _, x := range disp.removedGlobals {
			if x.name == name {
				g, removed = x, true
			}
		}
	}
	if g == nil {
		return Errorf(obj, ErrorInvalidObject, "invalid global %s (%d)", ifaceName, name)
	}
	if ifaceName != g.iface.Name {
		return Errorf(obj, ErrorInvalidObject, "invalid interface for global %d: have %s, wanted %s", name, ifaceName, g.iface.Name)
	}
	if version == 0 || version > g.version {
		return Errorf(obj, ErrorInvalidObject, "invalid version for global %s (%d): have %d, wanted %d", ifaceName, name, g.version, version)
	}
	if removed {
		// Inert: the id is taken, requests to it are ignored.
		if err := c.Register(&inert{}, g.iface, id, version); err != nil {
			return err
		}
		c.objects[id] = slot{zombie: g.iface}
		return nil
	}
	if err := g.bind(c, id, version); err != nil {
		return err
	}
	if s, ok := c.objects[id]; !ok || s.obj == nil || s.obj.Base().iface != g.iface {
		return fmt.Errorf("server: bind of %s did not register object %d", g.iface.Name, id)
	}
	return nil
}

// inert only reserves an id for a bind to a removed global.
type inert struct{ Resource }

func (reg *registry) sendGlobal(g *Global) {
	if e := reg.BeginEvent(registryEventGlobal); e != nil {
		e.PutUint(g.name)
		e.PutString(g.iface.Name)
		e.PutUint(g.version)
		reg.EndEvent()
	}
}

func (reg *registry) sendGlobalRemove(g *Global) {
	if e := reg.BeginEvent(registryEventGlobalRemove); e != nil {
		e.PutUint(g.name)
		reg.EndEvent()
	}
}

// sendDeleteID tells the client it may reuse id.
func (c *Client) sendDeleteID(id uint32) {
	if c.err != nil {
		return
	}
	e := c.conn.Out()
	e.Begin(displayID, displayEventDeleteID)
	e.PutUint(id)
	c.endMessage()
}
