// Package testclient is a small Wayland client for tests: it connects to a
// compositor's socket, binds the common globals, shows xdg toplevels
// backed by shm buffers of one colour, records what a wl_keyboard and a
// wl_pointer receive, types through virtual keyboards
// (zwp_virtual_keyboard_v1) and captures outputs (zwlr_screencopy_v1). It is built on gocomp's client runtime
// (protocols/client) and its generated bindings.
//
// Everything runs on the calling goroutine: waits flush the requests,
// poll the connection's fd and dispatch the events until a condition
// holds or the context ends, so a test leaks no goroutine. A Client is not
// safe for concurrent use.
//
//	c, err := testclient.Dial(ctx, socket, client.Options{})
//	w, err := c.NewWindow(ctx, "test", 0, 0, 0xff0000) // the configured size, red
//	kb, err := c.Keyboard()
//	err = c.WaitFor(ctx, func() bool { return kb.Focus == w.Surface })
//	err = w.Draw(ctx, 0x00ff00) // next frame, green
package testclient

import (
	"context"
	"fmt"

	"gocomp/protocols/client"
	"gocomp/protocols/client/screencopyclient"
	"gocomp/protocols/client/vkbdclient"
	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/client/xdgclient"
	"gocomp/protocols/wayland"
	"gocomp/protocols/xdgshell"
)

// Client is a connection with wl_compositor, wl_shm, xdg_wm_base and, when
// the server has one, wl_seat bound, each at the highest version both
// sides know.
type Client struct {
	Conn       *client.Conn
	Registry   *client.Registry
	Compositor *wlclient.Compositor
	Shm        *wlclient.Shm
	WmBase     *xdgclient.WmBase
	Seat       *wlclient.Seat // nil when the server advertises none

	// ShmFormats lists the formats wl_shm announced.
	ShmFormats []wayland.ShmFormat
	// SeatCaps is what wl_seat announced.
	SeatCaps wayland.SeatCapability

	windows     []*Window
	outputs     []*Output // bound by Outputs
	vkbdManager *vkbdclient.VirtualKeyboardManagerV1
	screencopy  *screencopyclient.ScreencopyManagerV1
}

// Dial connects to the compositor listening on socket (a name in
// $XDG_RUNTIME_DIR or an absolute path), binds the globals and waits for
// the server's answers (a round trip). opts configures the connection
// (its hooks are for loop-driven use and should stay nil here).
func Dial(ctx context.Context, socket string, opts client.Options) (*Client, error) {
	if socket == "" {
		return nil, fmt.Errorf("testclient: no socket name")
	}
	conn, err := client.Connect(socket, opts)
	if err != nil {
		return nil, err
	}
	c := &Client{Conn: conn}
	if err := c.bind(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// bind gets the registry and binds the globals.
func (c *Client) bind(ctx context.Context) error {
	var err error
	if c.Registry, err = c.Conn.GetRegistry(nil); err != nil {
		return err
	}
	if err := c.Conn.Roundtrip(ctx); err != nil {
		return fmt.Errorf("testclient: registry: %w", err)
	}
	if c.Compositor, err = wlclient.BindCompositor(c.Registry, wayland.CompositorVersion); err != nil {
		return err
	}
	if c.Shm, err = wlclient.BindShm(c.Registry, wayland.ShmVersion); err != nil {
		return err
	}
	c.Shm.SetListener(shmListener{c})
	if c.WmBase, err = xdgclient.BindWmBase(c.Registry, xdgshell.WmBaseVersion); err != nil {
		return err
	}
	c.WmBase.SetListener(wmBaseListener{})
	if _, ok := c.Registry.Find("wl_seat"); ok {
		if c.Seat, err = wlclient.BindSeat(c.Registry, wayland.SeatVersion); err != nil {
			return err
		}
		c.Seat.SetListener(seatListener{c})
	}
	if err := c.Conn.Roundtrip(ctx); err != nil {
		return fmt.Errorf("testclient: binding globals: %w", err)
	}
	return nil
}

// shmListener records the formats.
type shmListener struct{ c *Client }

// Format runs on wl_shm.format.
func (l shmListener) Format(_ *wlclient.Shm, format wayland.ShmFormat) {
	l.c.ShmFormats = append(l.c.ShmFormats, format)
}

// wmBaseListener answers the compositor's pings, as every xdg client must.
type wmBaseListener struct{}

// Ping runs on xdg_wm_base.ping.
func (wmBaseListener) Ping(p *xdgclient.WmBase, serial uint32) { p.Pong(serial) }

// seatListener records the capabilities and the name.
type seatListener struct{ c *Client }

// Capabilities runs on wl_seat.capabilities.
func (l seatListener) Capabilities(_ *wlclient.Seat, caps wayland.SeatCapability) {
	l.c.SeatCaps = caps
}

// Name runs on wl_seat.name.
func (l seatListener) Name(*wlclient.Seat, string) {}

// WaitFor flushes, waits and dispatches until cond holds, the connection
// fails or ctx ends.
func (c *Client) WaitFor(ctx context.Context, cond func() bool) error {
	return c.Conn.WaitFor(ctx, cond)
}

// Roundtrip waits until the server has handled every request sent so far.
func (c *Client) Roundtrip(ctx context.Context) error { return c.Conn.Roundtrip(ctx) }

// Close releases the windows' buffers and closes the connection (which the
// compositor sees as the client leaving).
func (c *Client) Close() error {
	for _, w := range c.windows {
		w.unmap()
	}
	c.windows = nil
	return c.Conn.Close()
}
