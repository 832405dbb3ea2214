package xdgshell_test

import (
	"errors"
	"testing"

	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"
	"gocomp/protocols/xdgshell"

	"golang.org/x/sys/unix"
)

type compositor struct{ last *wayland.Surface }

func (c *compositor) CreateSurface(r *wayland.Compositor, id *wayland.Surface) error {
	c.last = id
	return nil
}
func (c *compositor) CreateRegion(r *wayland.Compositor, id *wayland.Region) error { return nil }

type wmBase struct {
	xdg  *xdgshell.Surface
	surf *wayland.Surface
	pong uint32
}

func (w *wmBase) Destroy(r *xdgshell.WmBase) error                                   { return nil }
func (w *wmBase) CreatePositioner(r *xdgshell.WmBase, id *xdgshell.Positioner) error { return nil }
func (w *wmBase) GetXdgSurface(r *xdgshell.WmBase, id *xdgshell.Surface, s *wayland.Surface) error {
	w.xdg, w.surf = id, s
	return nil
}
func (w *wmBase) Pong(r *xdgshell.WmBase, serial uint32) error {
	w.pong = serial
	return nil
}

// TestCrossPackageObjects binds wl_compositor and xdg_wm_base, and checks
// that get_xdg_surface hands the handler the wl_surface from the other
// package, that ping/pong round-trips, and that passing an object of the
// wrong interface is invalid_object.
func TestCrossPackageObjects(t *testing.T) {
	d := server.NewDisplay(server.Options{})
	defer d.Close()
	comp, wm := &compositor{}, &wmBase{}
	var base *xdgshell.WmBase
	if _, err := wayland.AddCompositorGlobal(d, 6, func(r *wayland.Compositor) error { r.SetHandler(comp); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := xdgshell.AddWmBaseGlobal(d, 6, func(r *xdgshell.WmBase) error { base = r; r.SetHandler(wm); return nil }); err != nil {
		t.Fatal(err)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	var reason error
	c, err := d.NewClient(fds[0], server.ClientHooks{Disconnected: func(_ *server.Client, r error) { reason = r }})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := wire.NewConn(fds[1], 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	send := func(id uint32, op uint16, args ...any) {
		e := cli.Out()
		e.Begin(id, op)
		for _, a := range args {
			switch v := a.(type) {
			case uint32:
				e.PutUint(v)
			case string:
				e.PutString(v)
			}
		}
		if err := e.End(); err != nil {
			t.Fatal(err)
		}
		cli.Flush()
	}
	send(1, 1, uint32(2))                                              // get_registry
	send(2, 0, uint32(1), "wl_compositor", uint32(6), uint32(3))       // bind
	send(2, 0, uint32(2), "xdg_wm_base", uint32(6), uint32(4))         // bind
	send(3, wayland.CompositorRequestCreateSurface, uint32(5))         // wl_surface 5
	send(4, xdgshell.WmBaseRequestGetXdgSurface, uint32(6), uint32(5)) // xdg_surface 6
	send(4, xdgshell.WmBaseRequestPong, uint32(77))
	c.HandleReadable()
	d.FlushClients()
	if reason != nil {
		t.Fatalf("client disconnected: %v", reason)
	}
	if wm.surf == nil || wm.surf != comp.last || wm.xdg == nil || wm.xdg.ID() != 6 || wm.xdg.Version() != 6 {
		t.Fatalf("get_xdg_surface handed surface %v, xdg_surface %v; want wl_surface@5 and xdg_surface@6 v6", wm.surf, wm.xdg)
	}
	if wm.pong != 77 {
		t.Errorf("pong serial %d; want 77", wm.pong)
	}
	base.SendPing(5)
	d.FlushClients()
	if _, err := cli.Read(); err != nil {
		t.Fatal(err)
	}
	var ping []uint32
	for {
		h, args, ok, err := cli.Next()
		if err != nil || !ok {
			break
		}
		if h.Sender == 4 && h.Opcode == xdgshell.WmBaseEventPing {
			var dec wire.Decoder
			dec.Reset(args, nil)
			ping = append(ping, dec.Uint())
		}
	}
	if len(ping) != 1 || ping[0] != 5 {
		t.Errorf("client got pings %v; want [5]", ping)
	}

	send(4, xdgshell.WmBaseRequestGetXdgSurface, uint32(7), uint32(2)) // 2 is the registry
	c.HandleReadable()
	d.FlushClients()
	var pe *server.ProtocolError
	if !errors.As(reason, &pe) || pe.Code != server.ErrorInvalidObject {
		t.Errorf("wrong-interface object: reason %v; want invalid_object", reason)
	}
}
