package server

import (
	"fmt"
	"slices"

	"gocomp/protocols/wire"
)

// Options configure a Display. Zero values select the defaults.
type Options struct {
	// OutputLimit bounds each client's queued output in bytes (default
	// wire.DefaultOutputLimit, 1 MiB). A client whose backlog would exceed
	// it is disconnected.
	OutputLimit int
	// MaxObjects bounds each client's object map (default 1<<20); beyond
	// it the client gets wl_display.error no_memory.
	MaxObjects int
	// Trace, when set, receives one line per request and event, like
	// libwayland's WAYLAND_DEBUG (for debugging; it allocates).
	Trace func(c *Client, line string)
}

// Display is the server side of a Wayland display: the globals, and the
// clients connected to them. It is owned by the loop goroutine.
type Display struct {
	opts    Options
	globals []*Global
	// removedGlobals stay known by name, so that a bind racing with the
	// removal is not an error.
	removedGlobals []*Global
	nextName       uint32
	clients        []*Client
	dirty          []*Client // clients with output to flush or a teardown pending
	spare          []*Client
	serial         uint32
}

// NewDisplay returns a display with no globals and no clients.
func NewDisplay(opts Options) *Display {
	if opts.OutputLimit <= 0 {
		opts.OutputLimit = wire.DefaultOutputLimit
	}
	if opts.MaxObjects <= 0 {
		opts.MaxObjects = 1 << 20
	}
	return &Display{opts: opts, nextName: 1}
}

// NextSerial returns a new event serial; the display's single counter.
func (d *Display) NextSerial() uint32 {
	d.serial++
	return d.serial
}

// Serial returns the last serial NextSerial handed out.
func (d *Display) Serial() uint32 { return d.serial }

// Clients returns the connected clients (a copy).
func (d *Display) Clients() []*Client { return slices.Clone(d.clients) }

// NewClient takes ownership of fd, an accepted connection, and returns the
// client speaking on it. Add c.Fd() to the loop for readability right away.
func (d *Display) NewClient(fd int, hooks ClientHooks) (*Client, error) {
	conn, err := wire.NewConn(fd, d.opts.OutputLimit)
	if err != nil {
		return nil, fmt.Errorf("server: new client: %w", err)
	}
	c := &Client{
		display: d,
		conn:    conn,
		hooks:   hooks,
		objects: make(map[uint32]slot),
		nextID:  ServerIDBase,
	}
	c.disp = &displayObject{}
	if err := c.insert(c.disp, displayInterface, displayID, 1); err != nil {
		conn.Close()
		return nil, err
	}
	d.clients = append(d.clients, c)
	return c, nil
}

func (d *Display) removeClient(c *Client) {
	if i := slices.Index(d.clients, c); i >= 0 {
		d.clients = slices.Delete(d.clients, i, i+1)
	}
}

// FlushClients flushes every client with queued output and tears down the
// clients that failed since the last call. Call it right before every wait
// of the loop (a before-wait hook), so no event waits in a buffer while the
// compositor sleeps.
func (d *Display) FlushClients() {
	for len(d.dirty) > 0 {
		batch := d.dirty
		d.dirty = d.spare[:0]
		for _, c := range batch {
			c.dirty = false
			c.Flush()
		}
		clear(batch)
		d.spare = batch[:0]
	}
}

// Close disconnects every client.
func (d *Display) Close() {
	for _, c := range slices.Clone(d.clients) {
		c.fail(fmt.Errorf("server: display closed"))
		c.teardown()
	}
	d.dirty = d.dirty[:0]
}

// BindFunc creates the resource for a client's bind of a global: it must
// register an object under id (Client.Register) with the given version,
// which the runtime has already checked against the global's version.
// Generated AddXxxGlobal helpers provide typed wrappers.
type BindFunc func(c *Client, id, version uint32) error

// Global is an object advertised through wl_registry.
type Global struct {
	display *Display
	name    uint32
	iface   *Interface
	version uint32
	bind    BindFunc
	removed bool
}

// AddGlobal advertises iface up to version to every current and future
// registry; bind runs for each client bind.
func (d *Display) AddGlobal(iface *Interface, version uint32, bind BindFunc) (*Global, error) {
	if version == 0 || version > iface.Version {
		return nil, fmt.Errorf("server: global %s version %d: supported versions are 1..%d", iface.Name, version, iface.Version)
	}
	if bind == nil {
		return nil, fmt.Errorf("server: global %s without a bind function", iface.Name)
	}
	g := &Global{display: d, name: d.nextName, iface: iface, version: version, bind: bind}
	d.nextName++
	d.globals = append(d.globals, g)
	for _, c := range d.clients {
		for _, reg := range c.registries {
			reg.sendGlobal(g)
		}
	}
	return g, nil
}

// Name returns the global's numeric name in the registry.
func (g *Global) Name() uint32 { return g.name }

// Interface returns the advertised interface.
func (g *Global) Interface() *Interface { return g.iface }

// Version returns the advertised version.
func (g *Global) Version() uint32 { return g.version }

// Remove withdraws the global: registries get global_remove, and later binds
// to it (from clients that had not seen the removal) create inert objects
// whose requests are ignored. Idempotent and nil-safe.
func (g *Global) Remove() {
	if g == nil || g.removed {
		return
	}
	g.removed = true
	d := g.display
	for _, c := range d.clients {
		for _, reg := range c.registries {
			reg.sendGlobalRemove(g)
		}
	}
	d.globals = slices.DeleteFunc(d.globals, func(x *Global) bool { return x == g })
	d.removedGlobals = append(d.removedGlobals, g)
}
