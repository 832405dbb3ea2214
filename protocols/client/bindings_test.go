package client_test

import (
	"testing"

	"gocomp/protocols/client"
	"gocomp/protocols/client/internal/testproto/testcli"
	"gocomp/protocols/client/internal/testproto/testsrv"
	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/client/xdgclient"
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
	"gocomp/protocols/xdgshell"
)

// TestBindingsMatchServer: the client bindings use the opcode and enum
// constants of the server bindings (-consts), so both must come from the
// same XML. The message tables, generated separately on each side, must
// agree message by message.
func TestBindingsMatchServer(t *testing.T) {
	pairs := []struct {
		c *client.Interface
		s *server.Interface
	}{
		{wlclient.CallbackInterface, wayland.CallbackInterface},
		{wlclient.CompositorInterface, wayland.CompositorInterface},
		{wlclient.ShmPoolInterface, wayland.ShmPoolInterface},
		{wlclient.ShmInterface, wayland.ShmInterface},
		{wlclient.BufferInterface, wayland.BufferInterface},
		{wlclient.DataOfferInterface, wayland.DataOfferInterface},
		{wlclient.DataSourceInterface, wayland.DataSourceInterface},
		{wlclient.DataDeviceInterface, wayland.DataDeviceInterface},
		{wlclient.DataDeviceManagerInterface, wayland.DataDeviceManagerInterface},
		{wlclient.ShellInterface, wayland.ShellInterface},
		{wlclient.ShellSurfaceInterface, wayland.ShellSurfaceInterface},
		{wlclient.SurfaceInterface, wayland.SurfaceInterface},
		{wlclient.SeatInterface, wayland.SeatInterface},
		{wlclient.PointerInterface, wayland.PointerInterface},
		{wlclient.KeyboardInterface, wayland.KeyboardInterface},
		{wlclient.TouchInterface, wayland.TouchInterface},
		{wlclient.OutputInterface, wayland.OutputInterface},
		{wlclient.RegionInterface, wayland.RegionInterface},
		{wlclient.SubcompositorInterface, wayland.SubcompositorInterface},
		{wlclient.SubsurfaceInterface, wayland.SubsurfaceInterface},
		{wlclient.FixesInterface, wayland.FixesInterface},
		{xdgclient.WmBaseInterface, xdgshell.WmBaseInterface},
		{xdgclient.PositionerInterface, xdgshell.PositionerInterface},
		{xdgclient.SurfaceInterface, xdgshell.SurfaceInterface},
		{xdgclient.ToplevelInterface, xdgshell.ToplevelInterface},
		{xdgclient.PopupInterface, xdgshell.PopupInterface},
		{testcli.FdsInterface, testsrv.FdsInterface},
		{testcli.ChildInterface, testsrv.ChildInterface},
	}
	for _, p := range pairs {
		if p.c.Name != p.s.Name || p.c.Version != p.s.Version {
			t.Errorf("client %s v%d, server %s v%d", p.c.Name, p.c.Version, p.s.Name, p.s.Version)
			continue
		}
		for _, side := range []struct {
			kind string
			c    []client.Message
			s    []server.Message
		}{{"request", p.c.Requests, p.s.Requests}, {"event", p.c.Events, p.s.Events}} {
			if len(side.c) != len(side.s) {
				t.Errorf("%s: %d %ss on the client side, %d on the server side", p.c.Name, len(side.c), side.kind, len(side.s))
				continue
			}
			for i, cm := range side.c {
				sm := side.s[i]
				if cm.Name != sm.Name || cm.Since != sm.Since || cm.Signature != sm.Signature || cm.FDs != sm.FDs {
					t.Errorf("%s %s %d: client %+v, server %+v", p.c.Name, side.kind, i, cm, sm)
				}
			}
		}
	}
}
