// Package headless is the backend without a display: virtual outputs with
// a CPU framebuffer each, paced by a loop timer at their refresh rate. The
// timer is armed only while the compositor asks for frames, so an idle
// output costs nothing. Input comes from the input sources it is given
// (the machine's evdev devices, or none).
package headless

import (
	"errors"
	"fmt"
	"image"
	"slices"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
)

// DefaultMode returns the output mode used when none is configured:
// 1280x720 at 60 Hz.
func DefaultMode() backend.Mode {
	return backend.Mode{Width: 1280, Height: 720, RefreshMHz: 60000}
}

// maxDimension bounds an output's size (a 16384x16384 framebuffer is
// 1 GiB).
const maxDimension = 16384

// MaxOutputs bounds Config.Outputs.
const MaxOutputs = 16

// CheckMode reports whether the headless backend can show mode.
func CheckMode(mode backend.Mode) error {
	if mode.Width <= 0 || mode.Height <= 0 || mode.Width > maxDimension || mode.Height > maxDimension {
		return fmt.Errorf("headless: mode %dx%d: size must be 1..%d", mode.Width, mode.Height, maxDimension)
	}
	if mode.RefreshMHz < 1000 || mode.RefreshMHz > 1000000 {
		return fmt.Errorf("headless: refresh %.3f Hz: must be 1..1000 Hz", float64(mode.RefreshMHz)/1000)
	}
	return nil
}

// Config configures a Backend.
type Config struct {
	// Mode is every output's mode; the zero Mode means DefaultMode.
	Mode backend.Mode
	// Outputs is the number of outputs, 1..MaxOutputs; 0 means 1.
	Outputs int
	// Inputs are the input sources the backend brings (InputSources).
	Inputs []backend.InputSource
}

// Backend is the headless backend. It implements backend.Backend.
type Backend struct {
	l       *loop.Loop
	cfg     Config
	h       backend.Handler
	outputs []*Output
	next    int // number of the next output's name
	closed  bool
}

var _ backend.Backend = (*Backend)(nil)

// New checks cfg and returns a backend on l; outputs appear at Start.
func New(l *loop.Loop, cfg Config) (*Backend, error) {
	if cfg.Mode == (backend.Mode{}) {
		cfg.Mode = DefaultMode()
	}
	if err := CheckMode(cfg.Mode); err != nil {
		return nil, err
	}
	if cfg.Outputs == 0 {
		cfg.Outputs = 1
	}
	if cfg.Outputs < 1 || cfg.Outputs > MaxOutputs {
		return nil, fmt.Errorf("headless: %d outputs: want 1..%d", cfg.Outputs, MaxOutputs)
	}
	return &Backend{l: l, cfg: cfg, next: 1}, nil
}

// Name implements backend.Backend.
func (b *Backend) Name() string { return "headless" }

// Start implements backend.Backend: the configured outputs are added.
func (b *Backend) Start(h backend.Handler) error {
	if b.h != nil {
		return errors.New("headless: started twice")
	}
	b.h = h
	for range b.cfg.Outputs {
		if _, err := b.AddOutput(b.cfg.Mode); err != nil {
			return err
		}
	}
	return nil
}

// InputSources implements backend.Backend.
func (b *Backend) InputSources() []backend.InputSource { return b.cfg.Inputs }

// Outputs returns the current outputs in the order they were added.
func (b *Backend) Outputs() []*Output { return slices.Clone(b.outputs) }

// AddOutput adds an output in mode, named HEADLESS-n, as if a screen were
// plugged in. Loop goroutine, after Start.
func (b *Backend) AddOutput(mode backend.Mode) (*Output, error) {
	if b.h == nil || b.closed {
		return nil, errors.New("headless: add output: backend not running")
	}
	if err := CheckMode(mode); err != nil {
		return nil, err
	}
	o := &Output{b: b, name: fmt.Sprintf("HEADLESS-%d", b.next)}
	b.next++
	o.setMode(mode)
	o.timer = b.l.AddTimer(o.handleRefresh)
	b.outputs = append(b.outputs, o)
	b.h.OutputAdded(o)
	return o, nil
}

// RemoveOutput unplugs o. Loop goroutine.
func (b *Backend) RemoveOutput(o *Output) {
	i := slices.Index(b.outputs, o)
	if i < 0 {
		return
	}
	b.outputs = slices.Delete(b.outputs, i, i+1)
	o.close()
	b.h.OutputRemoved(o)
}

// SetMode changes o's mode, as a screen that switched resolution would.
func (b *Backend) SetMode(o *Output, mode backend.Mode) error {
	if err := CheckMode(mode); err != nil {
		return err
	}
	if !slices.Contains(b.outputs, o) {
		return errors.New("headless: set mode: no such output")
	}
	o.setMode(mode)
	b.h.OutputChanged(o)
	return nil
}

// Close implements backend.Backend: the outputs and input sources go.
// Outputs are not reported removed.
func (b *Backend) Close() error {
	if b == nil || b.closed {
		return nil
	}
	b.closed = true
	for _, o := range b.outputs {
		o.close()
	}
	b.outputs = nil
	var errs []error
	for _, src := range b.cfg.Inputs {
		errs = append(errs, src.Close())
	}
	return errors.Join(errs...)
}

// Output is one headless output: a framebuffer and a refresh timer. It
// implements backend.Output.
type Output struct {
	b      *Backend
	name   string
	mode   backend.Mode
	period int64 // nanoseconds per refresh
	start  int64 // CLOCK_MONOTONIC of refresh 0

	fb        backend.Buffer
	presented bool // Present ran during the current Frame
	timer     *loop.Timer
	wanted    bool // ScheduleFrame since the last Frame
	refreshes uint64
	closed    bool
}

var _ backend.Output = (*Output)(nil)

// setMode makes mode current: a new framebuffer of unknown contents.
func (o *Output) setMode(mode backend.Mode) {
	o.mode = mode
	o.period = int64(1e12) / int64(mode.RefreshMHz)
	o.start = int64(loop.Now())
	o.fb = backend.Buffer{Pixels: backend.Pixels{Width: mode.Width, Height: mode.Height, Stride: 4 * mode.Width,
		Format: backend.XRGB8888, Data: make([]byte, 4*mode.Width*mode.Height)}}
}

// close stops the timer; the output is dead afterwards.
func (o *Output) close() {
	if o.closed {
		return
	}
	o.closed = true
	o.timer.Remove()
}

// Info implements backend.Output.
func (o *Output) Info() backend.OutputInfo {
	return backend.OutputInfo{
		Name:        o.name,
		Description: "gocomp headless output " + o.mode.String(),
		Make:        "gocomp",
		Model:       "headless",
	}
}

// Mode implements backend.Output.
func (o *Output) Mode() backend.Mode { return o.mode }

// Refreshes reports how many refreshes (Frame calls) have run.
func (o *Output) Refreshes() uint64 { return o.refreshes }

// Framebuffer returns the pixels the output shows now (XRGB8888). The
// slice is the live framebuffer: read it on the loop goroutine.
func (o *Output) Framebuffer() backend.Pixels { return o.fb.Pixels }

// ScheduleFrame implements backend.Output: the timer is armed for the next
// refresh boundary.
func (o *Output) ScheduleFrame() {
	if o.closed {
		return
	}
	o.wanted = true
	if o.timer.Armed() {
		return
	}
	now := int64(loop.Now())
	next := o.start + ((now-o.start)/o.period+1)*o.period
	o.timer.Arm(time.Duration(next - now))
}

// NextBuffer implements backend.Output: the one framebuffer, drawn in
// place.
func (o *Output) NextBuffer() (*backend.Buffer, error) {
	if o.closed {
		return nil, errors.New("headless: output removed")
	}
	return &o.fb, nil
}

// Present implements backend.Output. The framebuffer was drawn in place,
// so the picture is on screen at once.
func (o *Output) Present(buf *backend.Buffer, _ []image.Rectangle) {
	if buf != nil {
		o.fb.Age = 1
	}
	o.presented = true
}

// SetCursor implements backend.Output: a headless output has no cursor of
// its own.
func (o *Output) SetCursor(*backend.Pixels, int, int) bool { return false }

// MoveCursor implements backend.Output.
func (o *Output) MoveCursor(int, int) {}

// handleRefresh runs at a refresh boundary after ScheduleFrame: the
// compositor draws, and the picture counts as presented at once.
func (o *Output) handleRefresh() {
	if o.closed || !o.wanted {
		return
	}
	o.wanted = false
	o.refreshes++
	o.presented = false
	o.b.h.Frame(o)
	if o.closed || !o.presented {
		return
	}
	o.b.h.Presented(o, loop.Now())
}
