package compositor

import (
	"strings"
	"testing"

	"gocomp/protocols/wayland"
	"gocomp/protocols/xdgshell"

	"golang.org/x/sys/unix"
)

// newPool binds wl_shm and creates a pool on a memfd of size bytes whose
// create_pool request claims claimed bytes; it returns the pool's id.
func newPool(c *tclient, size int, claimed int32) uint32 {
	shm := c.bind("wl_shm", 1)
	fd, _ := memfd(c.t, size)
	pool := c.newID()
	c.send(shm, wayland.ShmRequestCreatePool, pool, fdArg(fd), claimed)
	return pool
}

// TestHostileClients runs misbehaving clients against one server while a
// well-behaved client stays connected throughout: each hostile client
// gets the protocol error the spec names (on the right object) and is
// disconnected; the bystander is served after every one of them.
func TestHostileClients(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	bystander := h.dial("bystander")
	bw := newWindow(bystander)
	bbuf, _ := bw.buffer(8, 8, 0x00102030)

	for _, tc := range []struct {
		name string
		// run misbehaves and returns the object the error must be about.
		run  func(c *tclient) uint32
		code uint32
		msg  string
	}{
		{"truncated shm pool", func(c *tclient) uint32 {
			w := newWindow(c)
			buf, fd := w.buffer(64, 64, 0x00ffffff)
			unix.Ftruncate(fd, 0) // the pages behind the buffer vanish
			c.send(w.surface, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
			c.send(w.surface, wayland.SurfaceRequestCommit)
			return buf
		}, uint32(wayland.ShmErrorInvalidFD), "truncated"},
		{"pool of size 0", func(c *tclient) uint32 {
			shm := c.bind("wl_shm", 1)
			fd, _ := memfd(c.t, 4096)
			c.send(shm, wayland.ShmRequestCreatePool, c.newID(), fdArg(fd), int32(0))
			return shm
		}, uint32(wayland.ShmErrorInvalidStride), "invalid pool size"},
		{"buffer past the pool end", func(c *tclient) uint32 {
			pool := newPool(c, 4096, 4096)
			c.send(pool, wayland.ShmPoolRequestCreateBuffer, c.newID(), int32(0), int32(32), int32(33), int32(128), uint32(wayland.ShmFormatXrgb8888))
			return pool
		}, uint32(wayland.ShmErrorInvalidStride), "invalid buffer geometry"},
		{"buffer larger than 8192x8192", func(c *tclient) uint32 {
			// The pool claims 2 GiB; the compositor must not take the
			// buffer (and allocate its copy) on the client's word.
			pool := newPool(c, 4096, 1<<31-1)
			c.send(pool, wayland.ShmPoolRequestCreateBuffer, c.newID(), int32(0), int32(16384), int32(8192), int32(4*16384), uint32(wayland.ShmFormatXrgb8888))
			return pool
		}, uint32(wayland.ShmErrorInvalidStride), "larger than 8192x8192"},
		{"unsupported format", func(c *tclient) uint32 {
			pool := newPool(c, 4096, 4096)
			c.send(pool, wayland.ShmPoolRequestCreateBuffer, c.newID(), int32(0), int32(8), int32(8), int32(32), uint32(wayland.ShmFormatRgb565))
			return pool
		}, uint32(wayland.ShmErrorInvalidFormat), "unsupported format"},
		{"shrinking a pool", func(c *tclient) uint32 {
			pool := newPool(c, 8192, 8192)
			c.send(pool, wayland.ShmPoolRequestResize, int32(4096))
			return pool
		}, uint32(wayland.ShmErrorInvalidStride), "shrink"},
		{"buffer before the first configure", func(c *tclient) uint32 {
			comp, wm := c.bind("wl_compositor", 6), c.bind("xdg_wm_base", 6)
			w := &window{c: c, shm: c.bind("wl_shm", 1)}
			surf, xs := c.newID(), c.newID()
			c.send(comp, wayland.CompositorRequestCreateSurface, surf)
			c.send(wm, xdgshell.WmBaseRequestGetXdgSurface, xs, surf)
			c.send(xs, xdgshell.SurfaceRequestGetToplevel, c.newID())
			buf, _ := w.buffer(8, 8, 0)
			c.send(surf, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
			c.send(surf, wayland.SurfaceRequestCommit)
			return xs
		}, uint32(xdgshell.SurfaceErrorUnconfiguredBuffer), "before the first configure"},
		{"ack of a configure never sent", func(c *tclient) uint32 {
			w := newWindow(c)
			c.send(w.xdgSurface, xdgshell.SurfaceRequestAckConfigure, uint32(0xdead))
			return w.xdgSurface
		}, uint32(xdgshell.SurfaceErrorInvalidSerial), "unknown configure serial"},
		{"second xdg_surface for a surface", func(c *tclient) uint32 {
			w := newWindow(c)
			c.send(w.wmBase, xdgshell.WmBaseRequestGetXdgSurface, c.newID(), w.surface)
			return w.wmBase
		}, uint32(xdgshell.WmBaseErrorRole), "already has the role"},
		{"xdg_surface destroyed before its toplevel", func(c *tclient) uint32 {
			w := newWindow(c)
			c.send(w.xdgSurface, xdgshell.SurfaceRequestDestroy)
			return w.xdgSurface
		}, uint32(xdgshell.SurfaceErrorDefunctRoleObject), "before its role object"},
		{"subsurface of itself", func(c *tclient) uint32 {
			comp, sub := c.bind("wl_compositor", 6), c.bind("wl_subcompositor", 1)
			surf := c.newID()
			c.send(comp, wayland.CompositorRequestCreateSurface, surf)
			c.send(sub, wayland.SubcompositorRequestGetSubsurface, c.newID(), surf, surf)
			return sub
		}, uint32(wayland.SubcompositorErrorBadParent), "own parent"},
		{"keyboard from a seat without one", func(c *tclient) uint32 {
			seat := c.bind("wl_seat", 9)
			c.send(seat, wayland.SeatRequestGetKeyboard, c.newID())
			return seat
		}, uint32(wayland.SeatErrorMissingCapability), "no keyboard capability"},
		{"buffer scale 0", func(c *tclient) uint32 {
			comp := c.bind("wl_compositor", 6)
			surf := c.newID()
			c.send(comp, wayland.CompositorRequestCreateSurface, surf)
			c.send(surf, wayland.SurfaceRequestSetBufferScale, int32(0))
			return surf
		}, uint32(wayland.SurfaceErrorInvalidScale), "invalid scale"},
		{"attach with an offset at version 5+", func(c *tclient) uint32 {
			w := newWindow(c)
			buf, _ := w.buffer(8, 8, 0)
			c.send(w.surface, wayland.SurfaceRequestAttach, buf, int32(3), int32(4))
			return w.surface
		}, uint32(wayland.SurfaceErrorInvalidOffset), "use wl_surface.offset"},
		{"xdg_wm_base destroyed with live surfaces", func(c *tclient) uint32 {
			w := newWindow(c)
			c.send(w.wmBase, xdgshell.WmBaseRequestDestroy)
			return w.wmBase
		}, uint32(xdgshell.WmBaseErrorDefunctSurfaces), "still exist"},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			c := h.dial(tc.name)
			c.t = t
			obj := tc.run(c)
			gotObj, gotCode, msg := c.expectError()
			if gotObj != obj || gotCode != tc.code || !strings.Contains(msg, tc.msg) {
				t.Errorf("error (object %d, code %d, %q); want (object %d, code %d, containing %q)", gotObj, gotCode, msg, obj, tc.code, tc.msg)
			}
			// The bystander is still served: a commit of its buffer is
			// answered with a release and a frame callback.
			cb := bystander.newID()
			bystander.send(bw.surface, wayland.SurfaceRequestAttach, bbuf, int32(0), int32(0))
			bystander.send(bw.surface, wayland.SurfaceRequestFrame, cb)
			bystander.send(bw.surface, wayland.SurfaceRequestCommit)
			bystander.waitFor("bystander frame done", func(e event) bool { return e.sender == cb && e.opcode == wayland.CallbackEventDone })
		})
	}
	var n int
	h.do(func() { n = h.srv.NumClients() })
	if n != 1 {
		t.Errorf("%d clients connected after the hostile ones; want the bystander only", n)
	}
	if !strings.Contains(h.log.String(), "protocol error") {
		t.Errorf("no protocol error logged:\n%s", h.log.String())
	}
}
