package compositor

import (
	"bytes"
	"testing"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/headless"
	"gocomp/protocols/wayland"
)

// devicesSource is an input source with a keyboard, a pointer and a touch
// device the test drives (on the loop goroutine).
type devicesSource struct {
	kb  backend.Keyboard
	ptr backend.Pointer
	tch backend.Touch
}

func (d *devicesSource) Name() string { return "test devices" }
func (d *devicesSource) Start(sink backend.InputSink) error {
	d.kb = sink.AddKeyboard("test keyboard", nil)
	d.ptr = sink.AddPointer(backend.PointerInfo{Name: "test pointer"})
	d.tch = sink.AddTouch(backend.TouchInfo{Name: "test touch"})
	return nil
}
func (d *devicesSource) Close() error { d.kb.Remove(0); d.ptr.Remove(0); d.tch.Remove(0); return nil }

// TestIdleBlanksAndInputWakes blanks a headless output (which cannot
// switch its screen off, so it draws black) after the idle timeout, and
// brings the picture back on the next input: a key, pointer motion, a
// button, a touch.
func TestIdleBlanksAndInputWakes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		input func(d *devicesSource)
	}{
		{"key", func(d *devicesSource) { d.kb.Key(0, 30, true); d.kb.Key(0, 30, false) }},
		{"pointer motion", func(d *devicesSource) { d.ptr.Motion(0, 3, 4); d.ptr.Frame() }},
		{"button", func(d *devicesSource) { d.ptr.Button(0, 0x110, true); d.ptr.Button(0, 0x110, false); d.ptr.Frame() }},
		{"touch", func(d *devicesSource) { d.tch.Down(0, 0, 0.5, 0.5); d.tch.Up(0, 0); d.tch.Frame() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			devs := &devicesSource{}
			const timeout = 200 * time.Millisecond
			h := startServerOutputs(t, Config{IdleTimeout: timeout}, headless.Config{Mode: testMode, Inputs: []backend.InputSource{devs}})
			c := h.dial("client")
			w := newWindow(c)
			buf, _ := w.buffer(32, 16, 0x00ffffff)
			c.send(w.surface, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
			c.send(w.surface, wayland.SurfaceRequestCommit)
			c.roundtrip()
			// The framebuffer, once drawn (no damage pending), shows the
			// white window or is all black.
			shows := func() (drawn, white bool) {
				h.do(func() {
					drawn = h.srv.outputs[0].damage.Empty()
					white = bytes.IndexByte(h.b.Outputs()[0].Framebuffer().Data, 0xff) >= 0
				})
				return drawn, white
			}
			waitFor := func(what string, white bool) {
				t.Helper()
				deadline := time.Now().Add(5 * time.Second)
				for {
					if d, w := shows(); d && w == white {
						return
					}
					if time.Now().After(deadline) {
						t.Fatalf("%s: the output never showed white=%v", what, white)
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
			waitFor("window shown", true)
			waitFor("idle", false)
			h.do(func() { tc.input(devs) })
			waitFor(tc.name+" after idle", true)
			if !containsAll(h.log.String(), "idle: blanking outputs", "idle: input; outputs back on") {
				t.Errorf("log without the idle records:\n%s", h.log.String())
			}
		})
	}
}
