package compositor

import (
	"encoding/binary"
	"fmt"
	"image"
	"slices"
	"testing"
	"time"

	"gocomp/compositor/headless"
	"gocomp/compositor/render"
	"gocomp/protocols/wayland"
)

// geometryTransform returns the transform of the newest wl_output.geometry
// event of output id (its last argument), or -1.
func geometryTransform(c *tclient, id uint32) int {
	t := -1
	for _, e := range c.take(func(e event) bool { return e.sender == id && e.opcode == wayland.OutputEventGeometry }) {
		t = int(binary.NativeEndian.Uint32(e.args[len(e.args)-4:]))
	}
	return t
}

// waitDrawn waits until the first output has drawn all its damage.
func (h *harness) waitDrawn() {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		drawn := false
		h.do(func() { drawn = h.srv.outputs[0].damage.Empty() })
		if drawn {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatal("output never drew its damage")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTurnedOutput runs a 320x240 headless output turned 90°: clients are
// told the transform and a 240x320 output, the kiosk window is configured
// and centred in that logical size, the seat learns the transform, and
// the framebuffer is the logical picture (Screenshot) turned a quarter
// counter-clockwise, pixel for pixel.
func TestTurnedOutput(t *testing.T) {
	h := startServerOutputs(t, Config{Transforms: map[string]render.Transform{"": render.Rotate90}}, headless.Config{Mode: testMode})
	c := h.dial("client")
	names := outputGlobals(c)
	o := bindOutput(c, names[0])
	c.roundtrip()
	if got := geometryTransform(c, o); got != int(wayland.OutputTransform90) {
		t.Errorf("wl_output.geometry transform %d; want %d (90)", got, wayland.OutputTransform90)
	}
	w := newWindow(c)
	if w.configureW != 240 || w.configureH != 320 {
		t.Errorf("toplevel configured %dx%d; want the turned output's 240x320", w.configureW, w.configureH)
	}
	// Left half red, right half green: a picture that tells the turns
	// apart.
	buf, _ := w.bufferOf(40, 30, func(x, y int) uint32 {
		if x < 20 {
			return 0x00ff0000
		}
		return 0x0000ff00
	})
	c.send(w.surface, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.roundtrip()
	h.waitDrawn()
	var fb []byte
	var logical *image.RGBA
	var bounds image.Rectangle
	var tr render.Transform
	var ok bool
	h.do(func() {
		fb = slices.Clone(h.b.Outputs()[0].Framebuffer().Data)
		logical = h.srv.Screenshot()
		bounds, _ = h.srv.OutputBounds("HEADLESS-1")
		tr, ok = h.srv.OutputTransform("HEADLESS-1")
	})
	if bounds != image.Rect(0, 0, 240, 320) || tr != render.Rotate90 || !ok {
		t.Errorf("the seat sees bounds %v, transform %v (%v); want (0,0)-(240,320), 90", bounds, tr, ok)
	}
	// Logical pixel (x, y) turned a quarter counter-clockwise lands at
	// (y, 239-x) of the 320x240 buffer.
	for y := range 320 {
		for x := range 240 {
			l := logical.Pix[y*logical.Stride+4*x:]
			b := fb[(239-x)*4*320+4*y:]
			if l[0] != b[2] || l[1] != b[1] || l[2] != b[0] {
				t.Fatalf("logical pixel (%d,%d) %v is not at buffer pixel (%d,%d) %v", x, y, l[:3], y, 239-x, b[:3])
			}
		}
	}
	// The window's right (green) half is towards the top of the buffer.
	wx, wy := (240-40)/2, (320-30)/2
	if g := fb[(239-(wx+39))*4*320+4*wy:]; g[1] != 0xff || g[2] != 0 {
		t.Errorf("the window's top-right pixel in the buffer is %v; want green", g[:3])
	}
}

// TestMirroredOutputs lays two outputs over each other: both are at the
// origin, the window is shown (and entered) on both.
func TestMirroredOutputs(t *testing.T) {
	h := startServerOutputs(t, Config{Layout: LayoutMirror}, headless.Config{Mode: testMode, Outputs: 2})
	c := h.dial("client")
	names := outputGlobals(c)
	o1, o2 := bindOutput(c, names[0]), bindOutput(c, names[1])
	c.roundtrip()
	for _, o := range []uint32{o1, o2} {
		if got := outputEvents(c, o); len(got) == 0 || got[0] != "geometry 0,0" {
			t.Errorf("mirrored wl_output %d: %q; want it at 0,0", o, got)
		}
	}
	w := newWindow(c)
	buf, _ := w.buffer(32, 16, 0x000000ff)
	c.send(w.surface, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.roundtrip()
	if got, want := surfaceOutputEvents(c, w.surface), []string{fmt.Sprint("enter ", o1), fmt.Sprint("enter ", o2)}; !slices.Equal(got, want) {
		t.Errorf("surface on mirrored outputs: %q; want %q", got, want)
	}
	var b image.Rectangle
	h.do(func() { b = h.srv.LayoutBounds() })
	if b != image.Rect(0, 0, 320, 240) {
		t.Errorf("mirrored layout bounds %v; want one output's", b)
	}
}

func TestParseLayout(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Layout
		err  bool
	}{{"extend", LayoutExtend, false}, {"mirror", LayoutMirror, false}, {"first", 0, true}, {"", 0, true}} {
		got, err := ParseLayout(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("ParseLayout(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}
