package compositor

import (
	"context"
	"errors"
	"image"
	"testing"
	"time"

	"gocomp/compositor/headless"
	"gocomp/compositor/loop"
	"gocomp/compositor/render"
	"gocomp/protocols/client"
	"gocomp/protocols/client/testclient"
	"gocomp/protocols/screencopy"
	"gocomp/protocols/wayland"
)

// screenshotRegion is the server's own screenshot cut to r.
func screenshotRegion(h *harness, r image.Rectangle) *image.RGBA {
	var img *image.RGBA
	h.do(func() { img = h.srv.Screenshot() })
	return img.SubImage(r).(*image.RGBA)
}

// samePixels compares a capture with a part of the server's screenshot.
func samePixels(t *testing.T, what string, got *image.RGBA, want *image.RGBA) {
	t.Helper()
	if got.Bounds().Size() != want.Bounds().Size() {
		t.Fatalf("%s: %v; want the size of %v", what, got.Bounds(), want.Bounds())
	}
	d := want.Bounds().Min
	for y := 0; y < got.Bounds().Dy(); y++ {
		for x := 0; x < got.Bounds().Dx(); x++ {
			if g, w := got.RGBAAt(x, y), want.RGBAAt(x+d.X, y+d.Y); g != w {
				t.Fatalf("%s: pixel (%d,%d) is %v; want %v", what, x, y, g, w)
			}
		}
	}
}

// TestScreencopyCaptures captures a window centred on black whole, by
// regions (one reaching past the output), with damage, and checks the
// pixels against the server's own screenshot, the flags, the buffer
// announcement and the presentation time.
func TestScreencopyCaptures(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := testclient.Dial(ctx, h.srv.SocketName(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := c.NewWindow(ctx, "shown", 100, 80, 0x336699)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitFor(ctx, func() bool { return w.Frames > 0 }); err != nil {
		t.Fatal(err)
	}
	outs, err := c.Outputs(ctx)
	if err != nil || len(outs) != 1 {
		t.Fatalf("outputs %v, %v; want one", outs, err)
	}
	out := outs[0]
	win := image.Rect(110, 80, 210, 160) // 100x80 centred on 320x240

	for _, tc := range []struct {
		name   string
		region image.Rectangle // requested, output coordinates
		want   image.Rectangle // captured, layout coordinates
	}{
		{"whole output", image.Rectangle{}, image.Rect(0, 0, 320, 240)},
		{"across the window's corner", image.Rect(100, 70, 130, 95), image.Rect(100, 70, 130, 95)},
		{"past the output's corner", image.Rect(300, 200, 400, 300), image.Rect(300, 200, 320, 240)},
	} {
		before := loop.Now()
		img, f, err := c.Capture(ctx, testclient.CaptureRequest{Output: out, Region: tc.region})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		after := loop.Now()
		if f.Failed {
			t.Fatalf("%s: failed", tc.name)
		}
		if f.Format != uint32(wayland.ShmFormatXrgb8888) || int(f.Width) != tc.want.Dx() || int(f.Height) != tc.want.Dy() ||
			f.Stride != 4*f.Width || !f.BufferDone {
			t.Errorf("%s: buffer %v %dx%d stride %d done %v; want xrgb8888 %dx%d stride %d and buffer_done",
				tc.name, wayland.ShmFormat(f.Format), f.Width, f.Height, f.Stride, f.BufferDone, tc.want.Dx(), tc.want.Dy(), 4*tc.want.Dx())
		}
		if f.Flags != 0 {
			t.Errorf("%s: flags %v; want none (rows top to bottom)", tc.name, f.Flags)
		}
		if f.Time < before || f.Time > after {
			t.Errorf("%s: ready at %v; want CLOCK_MONOTONIC between the copy (%v) and ready (%v)", tc.name, f.Time, before, after)
		}
		samePixels(t, tc.name, img, screenshotRegion(h, tc.want))
	}
	// The window's colour is where the window is: the screenshot it is
	// compared with is not blank.
	if img, _, _ := c.Capture(ctx, testclient.CaptureRequest{Output: out, Region: win}); img == nil ||
		img.RGBAAt(0, 0).R != 0x33 || img.RGBAAt(99, 79).B != 0x99 {
		t.Errorf("the window region does not show the window's colour")
	}

	// Nothing of the region on the output: failed, no protocol error.
	if _, f, err := c.Capture(ctx, testclient.CaptureRequest{Output: out, Region: image.Rect(400, 0, 450, 50)}); err != nil || !f.Failed {
		t.Errorf("region off the output: failed %v, err %v; want failed", f != nil && f.Failed, err)
	}

	// copy_with_damage waits for a change in its region and says where.
	frame, err := c.StartCapture(ctx, testclient.CaptureRequest{Output: out})
	if err != nil {
		t.Fatal(err)
	}
	buf, err := c.NewShmBuffer(int(frame.Width), int(frame.Height), int(frame.Stride), wayland.ShmFormatXrgb8888)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	if err := frame.Proxy.CopyWithDamage(buf.Proxy); err != nil {
		t.Fatal(err)
	}
	// A plain copy asked after it finishes at the next presented picture,
	// in the same pass as every waiting frame: nothing changed, so the
	// damage frame must still wait then.
	if _, plain, err := c.Capture(ctx, testclient.CaptureRequest{Output: out}); err != nil || plain.Failed {
		t.Fatalf("a plain capture beside copy_with_damage: %v", err)
	}
	if err := c.Roundtrip(ctx); err != nil {
		t.Fatal(err)
	}
	if frame.Ready || frame.Failed {
		t.Fatalf("copy_with_damage ended (ready %v, failed %v) with nothing changed", frame.Ready, frame.Failed)
	}
	if err := w.Draw(ctx, 0x00ff00); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitFor(ctx, func() bool { return frame.Ready || frame.Failed }); err != nil {
		t.Fatal(err)
	}
	if !frame.Ready || len(frame.Damage) != 1 || !frame.Damage[0].Eq(win) {
		t.Errorf("copy_with_damage: ready %v, damage %v; want ready with damage %v", frame.Ready, frame.Damage, win)
	}
	if buf.Mem[4*(120*320+150)+1] != 0xff {
		t.Errorf("copy_with_damage: the window is not green in the buffer")
	}
}

// TestScreencopyBadBuffers sends copies the protocol forbids: each client
// gets the invalid_buffer or already_used error on its frame, and a
// bystander's capture still works after each.
func TestScreencopyBadBuffers(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	bystander, err := testclient.Dial(ctx, h.srv.SocketName(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer bystander.Close()
	bouts, err := bystander.Outputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		width int // of the buffer; the frame wants 320
		fmt   wayland.ShmFormat
		twice bool
		code  screencopy.ScreencopyFrameV1Error
	}{
		{"buffer too narrow", 319, wayland.ShmFormatXrgb8888, false, screencopy.ScreencopyFrameV1ErrorInvalidBuffer},
		{"buffer too wide", 321, wayland.ShmFormatXrgb8888, false, screencopy.ScreencopyFrameV1ErrorInvalidBuffer},
		{"wrong format", 320, wayland.ShmFormatArgb8888, false, screencopy.ScreencopyFrameV1ErrorInvalidBuffer},
		{"copy twice", 320, wayland.ShmFormatXrgb8888, true, screencopy.ScreencopyFrameV1ErrorAlreadyUsed},
	} {
		c, err := testclient.Dial(ctx, h.srv.SocketName(), client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		outs, err := c.Outputs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f, err := c.StartCapture(ctx, testclient.CaptureRequest{Output: outs[0]})
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.NewShmBuffer(tc.width, int(f.Height), 4*tc.width, tc.fmt)
		if err != nil {
			t.Fatal(err)
		}
		f.Proxy.Copy(b.Proxy)
		if tc.twice {
			f.Proxy.Copy(b.Proxy)
		}
		err = c.Roundtrip(ctx)
		var perr *client.ProtocolError
		if !errors.As(err, &perr) || perr.ObjectID != f.Proxy.ID() || perr.Code != uint32(tc.code) {
			t.Errorf("%s: %v; want protocol error %v on %s", tc.name, err, tc.code, f.Proxy)
		}
		c.Close()
		if img, bf, err := bystander.Capture(ctx, testclient.CaptureRequest{Output: bouts[0]}); err != nil || img == nil {
			t.Fatalf("after %s the bystander's capture: %v (failed %v)", tc.name, err, bf != nil && bf.Failed)
		}
	}
}

// TestScreencopyTurnedOutput captures an output turned 90°: the frames
// hold the output's buffer as the backend shows it (mode size, turned),
// whole and by a region, so that clients turn them back with the
// wl_output transform. The expected pixels are the headless backend's
// own framebuffer.
func TestScreencopyTurnedOutput(t *testing.T) {
	h := startServerOutputs(t, Config{Transforms: map[string]render.Transform{"": render.Rotate90}}, headless.Config{Mode: testMode})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := testclient.Dial(ctx, h.srv.SocketName(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := c.NewWindow(ctx, "shown", 100, 80, 0x336699)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitFor(ctx, func() bool { return w.Frames > 0 }); err != nil {
		t.Fatal(err)
	}
	outs, err := c.Outputs(ctx)
	if err != nil || len(outs) != 1 {
		t.Fatalf("outputs %v, %v; want one", outs, err)
	}
	// The logical picture is 240x320; the buffer 320x240.
	for _, tc := range []struct {
		name   string
		region image.Rectangle // logical, output coordinates
		want   image.Rectangle // in the buffer
	}{
		{"whole output", image.Rectangle{}, image.Rect(0, 0, 320, 240)},
		// Turned 90°, the logical point (x, y) of a 240-wide picture is
		// the buffer's (y, 239-x): the logical rectangle x 100..140,
		// y 10..30 is the buffer's x 10..30, y 100..140.
		{"a region", image.Rect(100, 10, 140, 30), image.Rect(10, 100, 30, 140)},
	} {
		img, f, err := c.Capture(ctx, testclient.CaptureRequest{Output: outs[0], Region: tc.region})
		if err != nil || f.Failed {
			t.Fatalf("%s: %v (failed %v)", tc.name, err, f != nil && f.Failed)
		}
		if int(f.Width) != tc.want.Dx() || int(f.Height) != tc.want.Dy() {
			t.Errorf("%s: frame %dx%d; want %dx%d (the buffer's orientation)", tc.name, f.Width, f.Height, tc.want.Dx(), tc.want.Dy())
			continue
		}
		var fb *image.RGBA
		h.do(func() {
			p := h.b.Outputs()[0].Framebuffer()
			fb = image.NewRGBA(image.Rect(0, 0, p.Width, p.Height))
			for y := range p.Height {
				for x := range p.Width {
					px := p.Data[y*p.Stride+4*x:]
					fb.Pix[y*fb.Stride+4*x], fb.Pix[y*fb.Stride+4*x+1], fb.Pix[y*fb.Stride+4*x+2], fb.Pix[y*fb.Stride+4*x+3] = px[2], px[1], px[0], 0xff
				}
			}
		})
		samePixels(t, tc.name, img, fb.SubImage(tc.want).(*image.RGBA))
	}
}
