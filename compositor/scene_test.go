package compositor

import (
	"image"
	"image/color"
	"math"
	"slices"
	"testing"

	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
)

// mapped maps w with a w x h buffer of one colour and waits for it to be
// drawn; it returns the window's origin.
func (h *harness) mapped(c *tclient, w *window, width, height int, pixel uint32) image.Point {
	h.t.Helper()
	buf, _ := w.buffer(width, height, pixel)
	c.send(w.surface, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.roundtrip()
	h.windowPixel(w.surface, 0, 0)
	var p image.Point
	h.do(func() { p = h.surfaceByID(w.surface).rect().Min })
	return p
}

// surfaceByID returns the server's surface with the id (loop goroutine).
func (h *harness) surfaceByID(id uint32) *surface {
	for _, sf := range h.srv.surfaces {
		if sf.res.ID() == id {
			return sf
		}
	}
	h.t.Fatalf("no surface %d", id)
	return nil
}

// TestSurfaceAtHonoursInputRegionsAndSubsurfaces checks the hit test the
// seat's pointer and touch focus follow.
func TestSurfaceAtHonoursInputRegionsAndSubsurfaces(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	c := h.dial("client")
	w := newWindow(c)
	o := h.mapped(c, w, 100, 80, 0x00ff0000) // centred: (110, 80)
	// A subsurface at (10, 10) inside, and an input region excluding the
	// window's right half.
	sub := c.bind("wl_subcompositor", 1)
	child, ss := c.newID(), c.newID()
	c.send(w.compositor, wayland.CompositorRequestCreateSurface, child)
	c.send(sub, wayland.SubcompositorRequestGetSubsurface, ss, child, w.surface)
	c.send(ss, wayland.SubsurfaceRequestSetPosition, int32(10), int32(10))
	cb, _ := w.buffer(20, 20, 0x0000ff00)
	c.send(child, wayland.SurfaceRequestAttach, cb, int32(0), int32(0))
	c.send(child, wayland.SurfaceRequestCommit)
	region := c.newID()
	c.send(w.compositor, wayland.CompositorRequestCreateRegion, region)
	c.send(region, wayland.RegionRequestAdd, int32(0), int32(0), int32(50), int32(80))
	c.send(w.surface, wayland.SurfaceRequestSetInputRegion, region)
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.roundtrip()
	for _, tc := range []struct {
		x, y   float64
		want   uint32 // surface id, 0 for none
		sx, sy float64
	}{
		{5, 5, w.surface, 5, 5},
		{15.5, 12.25, child, 5.5, 2.25}, // the subsurface is on top
		{70, 40, 0, 0, 0},               // outside the input region
		{49.9, 79, w.surface, 49.9, 79}, // just inside it
		{-1, 10, 0, 0, 0},               // left of the window
		{100, 10, 0, 0, 0},              // right of it
	} {
		var got *wayland.Surface
		var sx, sy float64
		var ok bool
		h.do(func() { got, sx, sy, ok = h.srv.SurfaceAt(float64(o.X)+tc.x, float64(o.Y)+tc.y) })
		switch {
		case tc.want == 0 && ok:
			t.Errorf("SurfaceAt(window+%v,%v) = %v; want none", tc.x, tc.y, got)
		case tc.want != 0 && (!ok || got.ID() != tc.want || math.Abs(sx-tc.sx) > 1e-9 || math.Abs(sy-tc.sy) > 1e-9):
			t.Errorf("SurfaceAt(window+%v,%v) = %v at %v,%v (%v); want surface %d at %v,%v", tc.x, tc.y, got, sx, sy, ok, tc.want, tc.sx, tc.sy)
		}
	}
}

// TestActivateRaisesAndFocuses: Activate on a surface of the lower window
// raises that window (with its subsurfaces) above the other and tells the
// seat to focus it.
func TestActivateRaisesAndFocuses(t *testing.T) {
	rs := &recordingSeat{emptySeat: emptySeat{name: "seat0"}}
	h := startServer(t, Config{NewSeat: func(*server.Display, Scene) (Seat, error) { return rs, nil }}, testMode)
	c := h.dial("client")
	a, b := newWindow(c), newWindow(c)
	h.mapped(c, a, 100, 100, 0x00ff0000)
	oa := h.mapped(c, b, 100, 100, 0x000000ff) // both centred: b covers a
	if got := h.windowPixel(a.surface, 50, 50); got != (color.RGBA{0, 0, 255, 255}) {
		t.Fatalf("before: %v; want b (blue) on top", got)
	}
	h.do(func() {
		rs.calls = nil
		res, _, _, _ := h.srv.SurfaceAt(float64(oa.X+1), float64(oa.Y+1))
		if res.ID() != b.surface {
			t.Errorf("SurfaceAt = %v; want b", res)
		}
		h.srv.Activate(h.surfaceByID(a.surface).res)
	})
	if got := h.windowPixel(a.surface, 50, 50); got != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("after Activate(a): %v; want a (red) on top", got)
	}
	var calls []string
	h.do(func() { calls = slices.Clone(rs.calls) })
	if len(calls) != 1 || calls[0] != "map "+itoa(a.surface) {
		t.Errorf("seat calls %v; want the focus on a", calls)
	}
}

// TestCursorSurfaceRole: a client surface made the cursor shows at the
// pointer's hotspot, follows its commits and their offsets, and a surface
// with another role is refused.
func TestCursorSurfaceRole(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	c := h.dial("client")
	w := newWindow(c)
	cur := c.newID()
	c.send(w.compositor, wayland.CompositorRequestCreateSurface, cur)
	buf, _ := w.buffer(4, 4, 0x00ffff00)
	c.send(cur, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
	c.send(cur, wayland.SurfaceRequestCommit)
	c.roundtrip()
	var err error
	h.do(func() {
		h.srv.MoveCursor(100, 50)
		err = h.srv.SetCursorSurface(h.surfaceByID(cur).res, 1, 2)
	})
	if err != nil {
		t.Fatal(err)
	}
	shot := func() *image.RGBA {
		var img *image.RGBA
		h.do(func() { img = h.srv.Screenshot() })
		return img
	}
	yellow := color.RGBA{255, 255, 0, 255}
	if img := shot(); img.RGBAAt(99, 48) != yellow || img.RGBAAt(102, 51) != yellow || img.RGBAAt(103, 51) == yellow {
		t.Errorf("cursor 4x4 with hotspot 1,2 at 100,50: pixels %v %v %v; want it at 99..102 x 48..51",
			img.RGBAAt(99, 48), img.RGBAAt(102, 51), img.RGBAAt(103, 51))
	}
	// A new buffer attached at offset (-1, 0) moves the hotspot right.
	buf2, _ := w.buffer(4, 4, 0x0000ffff)
	c.send(cur, wayland.SurfaceRequestOffset, int32(-1), int32(0))
	c.send(cur, wayland.SurfaceRequestAttach, buf2, int32(0), int32(0))
	c.send(cur, wayland.SurfaceRequestCommit)
	c.roundtrip()
	cyan := color.RGBA{0, 255, 255, 255}
	if img := shot(); img.RGBAAt(98, 48) != cyan || img.RGBAAt(102, 48) == cyan {
		t.Errorf("after the offset: pixels %v %v; want the cursor one pixel further left", img.RGBAAt(98, 48), img.RGBAAt(102, 48))
	}
	// The window's surface has the xdg_surface role: refused.
	h.do(func() { err = h.srv.SetCursorSurface(h.surfaceByID(w.surface).res, 0, 0) })
	if err == nil {
		t.Errorf("an xdg_surface became the cursor")
	}
	// Destroying the cursor surface hides the cursor.
	c.send(cur, wayland.SurfaceRequestDestroy)
	c.roundtrip()
	if img := shot(); img.RGBAAt(98, 48) == cyan {
		t.Errorf("cursor still drawn after its surface was destroyed")
	}
}

func itoa(v uint32) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + v%10)}, b...)
		v /= 10
		if v == 0 {
			return string(b)
		}
	}
}
