package compositor

import (
	"bytes"
	"fmt"
	"image/color"
	"math/rand/v2"
	"slices"
	"testing"

	"gocomp/compositor/backend"
	"gocomp/compositor/headless"
	"gocomp/protocols/wayland"
	"gocomp/protocols/xdgshell"
)

// outputGlobals returns the registry names of the wl_output globals the
// client was told about, in order.
func outputGlobals(c *tclient) []uint32 {
	c.t.Helper()
	reg := c.newID()
	c.send(1, wayland.DisplayRequestGetRegistry, reg)
	c.roundtrip()
	var names []uint32
	for _, ev := range c.take(func(e event) bool { return e.sender == reg && e.opcode == wayland.RegistryEventGlobal }) {
		if ev.str(1) == "wl_output" {
			names = append(names, ev.uint(0))
		}
	}
	return names
}

// bindOutput binds the wl_output global called name and returns the
// object id.
func bindOutput(c *tclient, name uint32) uint32 {
	id := c.newID()
	c.send(c.registry, wayland.RegistryRequestBind, name, newIDArg{"wl_output", 4, id})
	return id
}

// outputEvents describes the events of wl_output id in order: "geometry
// X,Y", "mode WxH", "name N", "done", ...
func outputEvents(c *tclient, id uint32) []string {
	var out []string
	for _, e := range c.take(func(e event) bool { return e.sender == id }) {
		switch e.opcode {
		case wayland.OutputEventGeometry:
			out = append(out, fmt.Sprintf("geometry %d,%d", int32(e.uint(0)), int32(e.uint(1))))
		case wayland.OutputEventMode:
			out = append(out, fmt.Sprintf("mode %dx%d", e.uint(1), e.uint(2)))
		case wayland.OutputEventName:
			out = append(out, "name "+e.str(0))
		case wayland.OutputEventDone:
			out = append(out, "done")
		}
	}
	return out
}

// surfaceOutputEvents lists wl_surface.enter and leave events of surface
// as "enter ID" / "leave ID".
func surfaceOutputEvents(c *tclient, surface uint32) []string {
	var out []string
	for _, e := range c.take(func(e event) bool { return e.sender == surface }) {
		switch e.opcode {
		case wayland.SurfaceEventEnter:
			out = append(out, fmt.Sprintf("enter %d", e.uint(0)))
		case wayland.SurfaceEventLeave:
			out = append(out, fmt.Sprintf("leave %d", e.uint(0)))
		}
	}
	return out
}

// toplevelSizes lists the sizes of xdg_toplevel.configure events of w.
func toplevelSizes(c *tclient, w *window) []string {
	var out []string
	for _, e := range c.take(func(e event) bool { return e.sender == w.topLevel && e.opcode == xdgshell.ToplevelEventConfigure }) {
		out = append(out, fmt.Sprintf("%dx%d", e.uint(0), e.uint(1)))
	}
	return out
}

// ackLatest acks the newest xdg_surface.configure queued for w.
func ackLatest(c *tclient, w *window) {
	cfgs := c.take(func(e event) bool { return e.sender == w.xdgSurface && e.opcode == xdgshell.SurfaceEventConfigure })
	if len(cfgs) > 0 {
		c.send(w.xdgSurface, xdgshell.SurfaceRequestAckConfigure, cfgs[len(cfgs)-1].uint(0))
	}
}

// TestOutputsComeGoAndChangeMode runs two headless outputs side by side
// and follows a window across them: each output has its own wl_output
// global placed in the layout; the window enters the output it is shown
// on, moves with set_fullscreen, is reconfigured when its output changes
// mode, and moves back to the first output when its output is unplugged.
func TestOutputsComeGoAndChangeMode(t *testing.T) {
	h := startServerOutputs(t, Config{}, headless.Config{Mode: testMode, Outputs: 2})
	c := h.dial("client")
	names := outputGlobals(c)
	if len(names) != 2 {
		t.Fatalf("wl_output globals %v; want 2", names)
	}
	o1, o2 := bindOutput(c, names[0]), bindOutput(c, names[1])
	c.roundtrip()
	want1 := []string{"geometry 0,0", "mode 320x240", "name HEADLESS-1", "done"}
	want2 := []string{"geometry 320,0", "mode 320x240", "name HEADLESS-2", "done"}
	if got := outputEvents(c, o1); !slices.Equal(got, want1) {
		t.Errorf("first wl_output: %q; want %q", got, want1)
	}
	if got := outputEvents(c, o2); !slices.Equal(got, want2) {
		t.Errorf("second wl_output: %q; want %q", got, want2)
	}

	w := newWindow(c)
	buf, _ := w.buffer(32, 16, 0x00ff0000)
	c.send(w.surface, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.roundtrip()
	if got := surfaceOutputEvents(c, w.surface); !slices.Equal(got, []string{fmt.Sprint("enter ", o1)}) {
		t.Errorf("mapped on the first output: %q; want enter %d only", got, o1)
	}
	if got := h.windowPixel(w.surface, 0, 0); got != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("window pixel %v; want red", got)
	}
	var x, y int
	h.do(func() { x, y, _ = h.srv.SurfaceOrigin(h.srv.surfaces[0].res) })
	if x != (320-32)/2 || y != (240-16)/2 {
		t.Errorf("window at %d,%d; want centred on the first output at %d,%d", x, y, (320-32)/2, (240-16)/2)
	}

	// set_fullscreen on the second output: the window moves there.
	c.send(w.topLevel, xdgshell.ToplevelRequestSetFullscreen, o2)
	c.roundtrip()
	if got, want := surfaceOutputEvents(c, w.surface), []string{fmt.Sprint("leave ", o1), fmt.Sprint("enter ", o2)}; !slices.Equal(got, want) {
		t.Errorf("after set_fullscreen(second): %q; want %q", got, want)
	}
	h.do(func() { x, y, _ = h.srv.SurfaceOrigin(h.srv.surfaces[0].res) })
	if x != 320+(320-32)/2 {
		t.Errorf("window at x=%d; want centred on the second output, %d", x, 320+(320-32)/2)
	}
	toplevelSizes(c, w)
	ackLatest(c, w)

	// The second output changes mode: clients hear it, the window is
	// reconfigured to the new size.
	h.do(func() {
		if err := h.b.SetMode(h.b.Outputs()[1], backend.Mode{Width: 640, Height: 480, RefreshMHz: 60000}); err != nil {
			t.Error(err)
		}
	})
	c.roundtrip()
	if got, want := outputEvents(c, o2), []string{"geometry 320,0", "mode 640x480", "name HEADLESS-2", "done"}; !slices.Equal(got, want) {
		t.Errorf("after the mode change: %q; want %q", got, want)
	}
	if got := toplevelSizes(c, w); !slices.Equal(got, []string{"640x480"}) {
		t.Errorf("toplevel configures after the mode change: %q; want one of 640x480", got)
	}
	ackLatest(c, w)

	// The second output is unplugged: its global goes, the window leaves
	// it, comes back to the first output and is configured to its size.
	h.do(func() { h.b.RemoveOutput(h.b.Outputs()[1]) })
	c.roundtrip()
	removed := c.take(func(e event) bool { return e.sender == c.registry && e.opcode == wayland.RegistryEventGlobalRemove })
	if len(removed) != 1 || removed[0].uint(0) != names[1] {
		t.Errorf("global_remove events %v; want one for global %d", removed, names[1])
	}
	if got, want := surfaceOutputEvents(c, w.surface), []string{fmt.Sprint("leave ", o2), fmt.Sprint("enter ", o1)}; !slices.Equal(got, want) {
		t.Errorf("after the unplug: %q; want %q", got, want)
	}
	if got := toplevelSizes(c, w); !slices.Equal(got, []string{"320x240"}) {
		t.Errorf("toplevel configures after the unplug: %q; want one of 320x240", got)
	}
	if got := h.windowPixel(w.surface, 0, 0); got != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("window pixel after the unplug %v; want red on the first output", got)
	}
	// A new output joins at the right end; a second client binding it
	// later sees it described.
	h.do(func() {
		if _, err := h.b.AddOutput(testMode); err != nil {
			t.Error(err)
		}
	})
	c2 := h.dial("late")
	names2 := outputGlobals(c2)
	if len(names2) != 2 {
		t.Fatalf("late client sees wl_output globals %v; want 2", names2)
	}
	o3 := bindOutput(c2, names2[1])
	c2.roundtrip()
	if got, want := outputEvents(c2, o3), []string{"geometry 320,0", "mode 320x240", "name HEADLESS-3", "done"}; !slices.Equal(got, want) {
		t.Errorf("new output: %q; want %q", got, want)
	}
}

// TestLargeWindowSitsAtTheTopLeft checks the other half of the kiosk
// placement: a window larger than its output is not centred off screen.
func TestLargeWindowSitsAtTheTopLeft(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	c := h.dial("client")
	w := newWindow(c)
	buf, _ := w.buffer(400, 300, 0x0000ff00)
	c.send(w.surface, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.roundtrip()
	var x, y int
	var ok bool
	h.do(func() { x, y, ok = h.srv.SurfaceOrigin(h.srv.surfaces[0].res) })
	if !ok || x != 0 || y != 0 {
		t.Errorf("400x300 window on a 320x240 output at %d,%d (mapped %v); want 0,0", x, y, ok)
	}
}

// TestFramebufferMatchesAFullDraw commits random buffers, damage and
// subsurface moves, and after each frame compares what the headless
// output presented (drawn from damage only) with a full draw of the
// scene (Screenshot): damage tracking must never leave stale pixels.
func TestFramebufferMatchesAFullDraw(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	c := h.dial("client")
	w := newWindow(c)
	sub := c.bind("wl_subcompositor", 1)
	rng := rand.New(rand.NewPCG(3, 4))
	parent, _ := w.buffer(200, 150, 0x00000080)
	c.send(w.surface, wayland.SurfaceRequestAttach, parent, int32(0), int32(0))
	c.send(w.surface, wayland.SurfaceRequestCommit)
	children := make([]uint32, 3)
	for i := range children {
		children[i] = c.newID()
		c.send(w.compositor, wayland.CompositorRequestCreateSurface, children[i])
		ss := c.newID()
		c.send(sub, wayland.SubcompositorRequestGetSubsurface, ss, children[i], w.surface)
		c.send(ss, wayland.SubsurfaceRequestSetDesync)
		children[i] = children[i]<<8 | ss // surface and subsurface ids, packed
	}
	for step := range 60 {
		ch := children[rng.IntN(len(children))]
		surf, ss := ch>>8, ch&0xff
		switch rng.IntN(3) {
		case 0: // move (applies on the parent's commit)
			c.send(ss, wayland.SubsurfaceRequestSetPosition, int32(rng.IntN(260)-30), int32(rng.IntN(200)-30))
			c.send(w.surface, wayland.SurfaceRequestCommit)
		case 1: // new contents, new size
			b, _ := w.buffer(5+rng.IntN(60), 5+rng.IntN(60), rng.Uint32()&0xffffff)
			c.send(surf, wayland.SurfaceRequestAttach, b, int32(0), int32(0))
			c.send(surf, wayland.SurfaceRequestCommit)
		case 2: // unmap
			c.send(surf, wayland.SurfaceRequestAttach, uint32(0), int32(0), int32(0))
			c.send(surf, wayland.SurfaceRequestCommit)
		}
		c.roundtrip()
		h.windowPixel(w.surface, 0, 0) // waits for the frame
		var presented, full []byte
		h.do(func() {
			presented = bytes.Clone(h.b.Outputs()[0].Framebuffer().Data)
			full = h.srv.Screenshot().Pix
		})
		for i := 0; i < len(full); i += 4 {
			if presented[i] != full[i+2] || presented[i+1] != full[i+1] || presented[i+2] != full[i] {
				p := i / 4
				t.Fatalf("step %d: presented pixel (%d,%d) differs from a full draw", step, p%testMode.Width, p/testMode.Width)
			}
		}
	}
}
