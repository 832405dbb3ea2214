package server

import (
	"fmt"

	"gocomp/protocols/wire"
)

// wl_fixes lives in the runtime because its destroy_registry request takes
// a wl_registry, which is the runtime's own object (the generated bindings
// have no global helper for it).
const (
	fixesRequestDestroy         = 0
	fixesRequestDestroyRegistry = 1
)

var fixesInterface = &Interface{
	Name:    "wl_fixes",
	Version: 1,
	Requests: []Message{
		{Name: "destroy", Since: 1},
		{Name: "destroy_registry", Since: 1, Signature: "o"},
	},
	Dispatch: dispatchFixes,
}

type fixes struct{ Resource }

// AddFixesGlobal advertises wl_fixes (version 1), which lets clients
// destroy wl_registry objects.
func (d *Display) AddFixesGlobal() (*Global, error) {
	return d.AddGlobal(fixesInterface, 1, func(c *Client, id, version uint32) error {
		return c.Register(&fixes{}, fixesInterface, id, version)
	})
}

func dispatchFixes(obj Object, opcode uint16, d *wire.Decoder) error {
	r := obj.Base()
	switch opcode {
	case fixesRequestDestroy:
		if err := d.Finish(); err != nil {
			return BadRequest(err)
		}
		r.Destroy()
		return nil
	case fixesRequestDestroyRegistry:
		id := d.Object()
		if err := d.Finish(); err != nil {
			return BadRequest(err)
		}
		reg, err := ArgObject[*registry](r.client, id, false, "wl_registry")
		if err != nil || reg == nil {
			return err
		}
		reg.Destroy()
		return nil
	}
	return fmt.Errorf("server: wl_fixes opcode %d not dispatched", opcode)
}
