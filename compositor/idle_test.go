package compositor

import (
	"bytes"
	"testing"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/headless"
	"gocomp/protocols/wayland"
)

// keySource is an input source with one keyboard the test presses keys
// on (on the loop goroutine).
type keySource struct{ kb backend.Keyboard }

func (k *keySource) Name() string { return "test keys" }
func (k *keySource) Start(sink backend.InputSink) error {
	k.kb = sink.AddKeyboard("test keyboard", nil)
	return nil
}
func (k *keySource) Close() error { k.kb.Remove(0); return nil }

// TestIdleBlanksAndInputWakes blanks a headless output (which cannot
// switch its screen off, so it draws black) after the idle timeout, and
// brings the picture back on the next key.
func TestIdleBlanksAndInputWakes(t *testing.T) {
	keys := &keySource{}
	const timeout = 200 * time.Millisecond
	h := startServerOutputs(t, Config{IdleTimeout: timeout}, headless.Config{Mode: testMode, Inputs: []backend.InputSource{keys}})
	c := h.dial("client")
	w := newWindow(c)
	buf, _ := w.buffer(32, 16, 0x00ffffff)
	c.send(w.surface, wayland.SurfaceRequestAttach, buf, int32(0), int32(0))
	c.send(w.surface, wayland.SurfaceRequestCommit)
	c.roundtrip()
	lit := func() bool {
		var lit bool
		h.do(func() {
			lit = h.srv.outputs[0].damage.Empty() && bytes.IndexByte(h.b.Outputs()[0].Framebuffer().Data, 0xff) >= 0
		})
		return lit
	}
	waitFor := func(what string, want bool, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for lit() != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s: output lit %v after %v", what, !want, within)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("window shown", true, 5*time.Second)
	waitFor("idle", false, 5*time.Second)
	h.do(func() { keys.kb.Key(0, 30, true); keys.kb.Key(0, 30, false) })
	waitFor("key pressed", true, 5*time.Second)
	if !containsAll(h.log.String(), "idle: blanking outputs", "idle: input; outputs back on") {
		t.Errorf("log without the idle records:\n%s", h.log.String())
	}
}
