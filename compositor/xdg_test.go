package compositor

import (
	"image/color"
	"testing"

	"gocomp/protocols/wayland"
	"gocomp/protocols/xdgshell"
)

func TestPositionerPlacement(t *testing.T) {
	for _, tc := range []struct {
		name    string
		anchor  xdgshell.PositionerAnchor
		gravity xdgshell.PositionerGravity
		offX    int32
		x, y    int32
	}{
		// Anchor rectangle (10,20) 40x30, popup 8x6.
		{"centred", xdgshell.PositionerAnchorNone, xdgshell.PositionerGravityNone, 0, 10 + 20 - 4, 20 + 15 - 3},
		{"below right of bottom-right", xdgshell.PositionerAnchorBottomRight, xdgshell.PositionerGravityBottomRight, 0, 50, 50},
		{"above left of top-left", xdgshell.PositionerAnchorTopLeft, xdgshell.PositionerGravityTopLeft, 0, 2, 14},
		{"below the bottom edge, offset", xdgshell.PositionerAnchorBottom, xdgshell.PositionerGravityBottom, 5, 10 + 20 - 4 + 5, 50},
		{"right of the right edge", xdgshell.PositionerAnchorRight, xdgshell.PositionerGravityRight, 0, 50, 20 + 15 - 3},
	} {
		ps := positioner{width: 8, height: 6, anchorRect: rect{10, 20, 40, 30}, anchorSet: true,
			anchor: tc.anchor, gravity: tc.gravity, offX: tc.offX}
		if x, y := ps.position(); x != tc.x || y != tc.y {
			t.Errorf("%s: position() = %d,%d; want %d,%d", tc.name, x, y, tc.x, tc.y)
		}
	}
}

func TestPopupIsPlacedRelativeToItsParent(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	c := h.dial("client")
	w := newWindow(c)
	parentBuf, _ := w.buffer(100, 100, 0x000000ff)
	c.send(w.surface, wayland.SurfaceRequestAttach, parentBuf, int32(0), int32(0))
	c.send(w.surface, wayland.SurfaceRequestCommit)

	pos := c.newID()
	c.send(w.wmBase, xdgshell.WmBaseRequestCreatePositioner, pos)
	c.send(pos, xdgshell.PositionerRequestSetSize, int32(20), int32(10))
	c.send(pos, xdgshell.PositionerRequestSetAnchorRect, int32(30), int32(40), int32(1), int32(1))
	c.send(pos, xdgshell.PositionerRequestSetAnchor, uint32(xdgshell.PositionerAnchorBottomRight))
	c.send(pos, xdgshell.PositionerRequestSetGravity, uint32(xdgshell.PositionerGravityBottomRight))
	surf, xs, popup := c.newID(), c.newID(), c.newID()
	c.send(w.compositor, wayland.CompositorRequestCreateSurface, surf)
	c.send(w.wmBase, xdgshell.WmBaseRequestGetXdgSurface, xs, surf)
	c.send(xs, xdgshell.SurfaceRequestGetPopup, popup, w.xdgSurface, pos)
	c.send(surf, wayland.SurfaceRequestCommit)
	cfg, _ := c.waitFor("popup configure", func(e event) bool { return e.sender == popup && e.opcode == xdgshell.PopupEventConfigure })
	if x, y, pw, ph := int32(cfg.uint(0)), int32(cfg.uint(1)), cfg.uint(2), cfg.uint(3); x != 31 || y != 41 || pw != 20 || ph != 10 {
		t.Errorf("popup configure %d,%d %dx%d; want 31,41 20x10", x, y, pw, ph)
	}
	scfg, _ := c.waitFor("xdg_surface configure", func(e event) bool { return e.sender == xs && e.opcode == xdgshell.SurfaceEventConfigure })
	c.send(xs, xdgshell.SurfaceRequestAckConfigure, scfg.uint(0))
	popupBuf, _ := w.buffer(20, 10, 0x0000ff00)
	c.send(surf, wayland.SurfaceRequestAttach, popupBuf, int32(0), int32(0))
	c.send(surf, wayland.SurfaceRequestCommit)
	c.roundtrip()
	green, blue := color.RGBA{0, 0xff, 0, 0xff}, color.RGBA{0, 0, 0xff, 0xff}
	for _, p := range []struct {
		x, y int
		want color.RGBA
	}{{31, 41, green}, {50, 50, green}, {30, 41, blue}, {51, 41, blue}, {31, 51, blue}} {
		if got := h.windowPixel(w.surface, p.x, p.y); got != p.want {
			t.Errorf("pixel (%d,%d) = %v; want %v", p.x, p.y, got, p.want)
		}
	}
	// Destroying the popup hides it.
	c.send(popup, xdgshell.PopupRequestDestroy)
	c.roundtrip()
	if got := h.windowPixel(w.surface, 31, 41); got != blue {
		t.Errorf("after popup destroy: pixel %v; want the parent's blue", got)
	}
}

func TestBufferlessCommitsBeforeMappingKeepTheConfigure(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	c := h.dial("client")
	w := newWindow(c) // initial commit made, first configure acked
	// More bufferless commits (a title change, say) do not restart the
	// configure sequence: no new configure, and a buffer is then welcome.
	c.send(w.topLevel, xdgshell.ToplevelRequestSetTitle, "still starting")
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.roundtrip()
	if extra := c.take(func(e event) bool { return e.sender == w.xdgSurface }); len(extra) != 0 {
		t.Errorf("bufferless commits brought %d new configures; want none", len(extra))
	}
	buf, _ := w.buffer(4, 4, 0x00ff0000)
	c.send(w.surface, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.roundtrip()
	if got := h.windowPixel(w.surface, 1, 1); got != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("pixel (1,1) = %v; want the red buffer mapped", got)
	}
}
