package headless

import (
	"image"
	"testing"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
)

// recorder is a backend.Handler that records what the backend reports
// and, on Frame, runs draw (or presents nothing).
type recorder struct {
	added, changed, removed []string
	frames, presented       []string
	draw                    func(o backend.Output)
	quit                    []error
}

func (r *recorder) OutputAdded(o backend.Output)   { r.added = append(r.added, o.Info().Name) }
func (r *recorder) OutputChanged(o backend.Output) { r.changed = append(r.changed, o.Info().Name) }
func (r *recorder) OutputRemoved(o backend.Output) { r.removed = append(r.removed, o.Info().Name) }
func (r *recorder) Quit(err error)                 { r.quit = append(r.quit, err) }
func (r *recorder) Presented(o backend.Output, t time.Duration) {
	r.presented = append(r.presented, o.Info().Name)
}
func (r *recorder) Frame(o backend.Output) {
	r.frames = append(r.frames, o.Info().Name)
	if r.draw != nil {
		r.draw(o)
		return
	}
	o.Present(nil, nil)
}

// start returns a started backend and its loop, closed at cleanup.
func start(t *testing.T, cfg Config, h backend.Handler) (*loop.Loop, *Backend) {
	t.Helper()
	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(l, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(h); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(); l.Close() })
	return l, b
}

func TestNewRejectsBadConfigs(t *testing.T) {
	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, cfg := range []Config{
		{Mode: backend.Mode{Width: 0, Height: 720, RefreshMHz: 60000}},
		{Mode: backend.Mode{Width: 1280, Height: -1, RefreshMHz: 60000}},
		{Mode: backend.Mode{Width: 20000, Height: 720, RefreshMHz: 60000}},
		{Mode: backend.Mode{Width: 1280, Height: 720, RefreshMHz: 0}},
		{Outputs: -1},
		{Outputs: MaxOutputs + 1},
	} {
		if _, err := New(l, cfg); err == nil {
			t.Errorf("New(%+v) succeeded; want an error", cfg)
		}
	}
}

func TestOutputsComeAndGo(t *testing.T) {
	rec := &recorder{}
	_, b := start(t, Config{Outputs: 3}, rec)
	if got := rec.added; len(got) != 3 || got[0] != "HEADLESS-1" || got[2] != "HEADLESS-3" {
		t.Fatalf("Start added %q; want HEADLESS-1..3", got)
	}
	outs := b.Outputs()
	b.RemoveOutput(outs[1])
	b.RemoveOutput(outs[1]) // already gone: nothing
	if len(rec.removed) != 1 || rec.removed[0] != "HEADLESS-2" || len(b.Outputs()) != 2 {
		t.Fatalf("removed %q, %d outputs left; want HEADLESS-2 once, 2 left", rec.removed, len(b.Outputs()))
	}
	// A removed output draws no more frames.
	outs[1].ScheduleFrame()
	if _, err := outs[1].NextBuffer(); err == nil {
		t.Errorf("NextBuffer on a removed output succeeded")
	}
	m := backend.Mode{Width: 640, Height: 480, RefreshMHz: 75000}
	if err := b.SetMode(outs[0], m); err != nil {
		t.Fatal(err)
	}
	if len(rec.changed) != 1 || outs[0].Mode() != m {
		t.Errorf("after SetMode: changed %q, mode %v; want HEADLESS-1, %v", rec.changed, outs[0].Mode(), m)
	}
	if fb := outs[0].Framebuffer(); fb.Width != 640 || fb.Height != 480 || len(fb.Data) != 640*480*4 {
		t.Errorf("framebuffer after SetMode is %dx%d (%d bytes)", fb.Width, fb.Height, len(fb.Data))
	}
	if err := b.SetMode(outs[1], m); err == nil {
		t.Errorf("SetMode on a removed output succeeded")
	}
	o4, err := b.AddOutput(DefaultMode())
	if err != nil || o4.Info().Name != "HEADLESS-4" {
		t.Errorf("AddOutput = %v, %v; want HEADLESS-4 (names are not reused)", o4, err)
	}
}

func TestFramesPacedByRefreshAndIdleWhenNotAsked(t *testing.T) {
	const n = 10
	rec := &recorder{}
	var ages []int
	rec.draw = func(o backend.Output) {
		buf, err := o.NextBuffer()
		if err != nil {
			t.Fatal(err)
		}
		ages = append(ages, buf.Age)
		buf.Data[0] = byte(len(ages))
		o.Present(buf, []image.Rectangle{image.Rect(0, 0, 1, 1)})
		if len(ages) < n {
			o.ScheduleFrame() // a client's frame loop
		}
	}
	l, b := start(t, Config{Mode: backend.Mode{Width: 64, Height: 64, RefreshMHz: 200000}}, rec)
	o := b.Outputs()[0]
	o.ScheduleFrame()
	o.ScheduleFrame() // merged with the first
	for len(rec.presented) < n {
		if err := l.Dispatch(time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if len(rec.frames) != n || o.Refreshes() != n {
		t.Errorf("%d frames in %d refreshes; want %d, one per refresh", len(rec.frames), o.Refreshes(), n)
	}
	if ages[0] != 0 || ages[1] != 1 || ages[n-1] != 1 {
		t.Errorf("buffer ages %v; want 0 first (never drawn), then 1 (the one framebuffer)", ages)
	}
	if got := o.Framebuffer().Data[0]; got != n {
		t.Errorf("framebuffer shows frame %d; want %d", got, n)
	}
	// Nothing asked: the refresh timer is disarmed and the loop sleeps.
	w := l.Wakeups()
	if err := l.Dispatch(50 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if o.Refreshes() != n || l.Wakeups() != w+1 {
		t.Errorf("idle: refreshes %d, wakeups %d -> %d; want %d and one timed-out wait", o.Refreshes(), w, l.Wakeups(), n)
	}
	// A Frame answered with no new picture still counts as presented.
	rec.draw = nil
	o.ScheduleFrame()
	for len(rec.presented) < n+1 {
		if err := l.Dispatch(time.Second); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOutputsCannotShowACursor(t *testing.T) {
	_, b := start(t, Config{}, &recorder{})
	o := b.Outputs()[0]
	if o.SetCursor(&backend.Pixels{Width: 1, Height: 1, Stride: 4, Data: make([]byte, 4)}, 0, 0) {
		t.Errorf("SetCursor reported a cursor of its own; the compositor must draw it")
	}
}
