package client

import (
	"fmt"
	"slices"

	"gocomp/protocols/wire"
)

const (
	registryRequestBind       = 0
	registryEventGlobal       = 0
	registryEventGlobalRemove = 1
)

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

// Global is one object the server advertises through wl_registry.
type Global struct {
	Name      uint32 // the registry's numeric name for it
	Interface string
	Version   uint32 // the highest version the server offers
}

// RegistryListener hears of globals as they come and go. The registry
// keeps the list itself (Globals), so a listener is only needed to react
// to changes (an output plugged in, a seat removed).
type RegistryListener interface {
	// Global runs after g is added to the list.
	Global(r *Registry, g Global)
	// GlobalRemove runs after g is removed from the list.
	GlobalRemove(r *Registry, g Global)
}

// Registry is a wl_registry: it collects the globals the server
// advertises and binds them. Get one with Conn.GetRegistry; the globals
// are known after the next round trip (Sync, Roundtrip).
type Registry struct {
	Proxy
	globals  []Global
	listener RegistryListener
}

// GetRegistry sends wl_display.get_registry. The server answers with every
// current global; listener (may be nil) hears of them and of later changes.
func (c *Conn) GetRegistry(listener RegistryListener) (*Registry, error) {
	r := &Registry{listener: listener}
	p := &c.display.Proxy
	if _, err := p.BeginRequest(displayRequestGetRegistry, 1); err != nil {
		return nil, err
	}
	p.PutNewObject(r, registryInterface, 1)
	if err := p.EndRequest(); err != nil {
		return nil, err
	}
	return r, nil
}

// SetListener replaces the listener (nil: none).
func (r *Registry) SetListener(l RegistryListener) { r.listener = l }

// Globals returns the globals advertised so far, in order (a copy).
func (r *Registry) Globals() []Global { return slices.Clone(r.globals) }

// Find returns the first advertised global of interface iface.
func (r *Registry) Find(iface string) (Global, bool) {
	for _, g := range r.globals {
		if g.Interface == iface {
			return g, true
		}
	}
	return Global{}, false
}

// Bind sends wl_registry.bind for the global called name, creating obj as
// a proxy of interface iface at version. version must be between 1 and
// both the advertised version and iface.Version.
func (r *Registry) Bind(name uint32, obj Object, iface *Interface, version uint32) error {
	if r == nil {
		return fmt.Errorf("%w: bind on a nil registry", ErrBadObject)
	}
	i := slices.IndexFunc(r.globals, func(g Global) bool { return g.Name == name })
	if i < 0 {
		return fmt.Errorf("%w: no global named %d", ErrNoGlobal, name)
	}
	g := r.globals[i]
	if g.Interface != iface.Name {
		return fmt.Errorf("%w: global %d is %s, not %s", ErrBadObject, name, g.Interface, iface.Name)
	}
	if version == 0 || version > g.Version || version > iface.Version {
		return fmt.Errorf("%w: bind %s version %d: the server offers 1..%d, the binding knows 1..%d",
			ErrVersion, iface.Name, version, g.Version, iface.Version)
	}
	e, err := r.BeginRequest(registryRequestBind, 1)
	if err != nil {
		return err
	}
	e.PutUint(name)
	e.PutString(iface.Name)
	e.PutUint(version)
	r.PutNewObject(obj, iface, version)
	return r.EndRequest()
}

// BindFirst binds the first advertised global of iface.Name, creating obj
// at the highest version that the server offers, the binding knows and is
// at most version. It returns ErrNoGlobal when there is none. Generated
// BindXxx helpers wrap it.
func (r *Registry) BindFirst(obj Object, iface *Interface, version uint32) error {
	if r == nil {
		return fmt.Errorf("%w: bind on a nil registry", ErrBadObject)
	}
	g, ok := r.Find(iface.Name)
	if !ok {
		return fmt.Errorf("%w: %s is not advertised", ErrNoGlobal, iface.Name)
	}
	return r.Bind(g.Name, obj, iface, min(version, g.Version, iface.Version))
}

func dispatchRegistry(obj Object, opcode uint16, d *wire.Decoder) error {
	r, ok := obj.(*Registry)
	if !ok {
		return fmt.Errorf("wl_registry: dispatch to %T", obj)
	}
	switch opcode {
	case registryEventGlobal:
		g := Global{Name: d.Uint(), Interface: d.Str(), Version: d.Uint()}
		if err := d.Finish(); err != nil {
			return err
		}
		if g.Version == 0 {
			return fmt.Errorf("global %s (%d) with version 0", g.Interface, g.Name)
		}
		// A name announced again replaces the old entry.
		r.globals = slices.DeleteFunc(r.globals, func(x Global) bool { return x.Name == g.Name })
		r.globals = append(r.globals, g)
		if r.listener != nil {
			r.listener.Global(r, g)
		}
		return nil
	case registryEventGlobalRemove:
		name := d.Uint()
		if err := d.Finish(); err != nil {
			return err
		}
		i := slices.IndexFunc(r.globals, func(g Global) bool { return g.Name == name })
		if i < 0 {
			return fmt.Errorf("global_remove of unknown global %d", name)
		}
		g := r.globals[i]
		r.globals = slices.Delete(r.globals, i, i+1)
		if r.listener != nil {
			r.listener.GlobalRemove(r, g)
		}
		return nil
	}
	return fmt.Errorf("wl_registry event %d not dispatched", opcode)
}

// Base returns the embedded proxy; nil for a nil Registry.
func (r *Registry) Base() *Proxy {
	if r == nil {
		return nil
	}
	return &r.Proxy
}
