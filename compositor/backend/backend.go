// Package backend is the contract between the compositor and the ways it
// can be shown and driven: headless (a virtual screen), nested (a window
// in another Wayland session) and DRM (a real screen). A Backend owns its
// outputs — they come and go, change mode, and each has a frame clock —
// and the input sources it brings (the machine's evdev devices, or a host
// seat). The compositor draws every picture itself, on the CPU, into
// buffers the outputs lend it (package render does the drawing for every
// backend); a backend only presents them.
//
// # Lifetime
//
// The compositor calls Start with its Handler once, on the loop goroutine.
// The backend reports its outputs with OutputAdded (during Start or
// later), mode changes with OutputChanged and unplugged outputs with
// OutputRemoved; after OutputRemoved the Output must not be used again.
// Close releases everything; it is idempotent and reports nothing more.
//
// # Frames
//
// An output draws on demand. The compositor calls ScheduleFrame when
// something changed or a client waits for a frame callback; at the next
// good moment (a refresh boundary, the host's frame callback, after a page
// flip) the backend calls Handler.Frame, and the compositor answers with
// exactly one Present: a buffer from NextBuffer with the damaged
// rectangles drawn into it, or nil when nothing changed. When that
// picture (or the current one, for nil) reaches the screen the backend
// calls Handler.Presented with the time, and the compositor answers the
// clients' frame callbacks.
//
// # Threading
//
// Everything here runs on the event loop goroutine; no method may block.
package backend

import (
	"fmt"
	"image"
	"time"
)

// Mode is an output's video mode.
type Mode struct {
	Width, Height int
	// RefreshMHz is the refresh rate in millihertz, as wl_output reports it.
	RefreshMHz int
}

// String formats the mode as WxH@Hz, e.g. "1280x720@60".
func (m Mode) String() string {
	if m.RefreshMHz%1000 == 0 {
		return fmt.Sprintf("%dx%d@%d", m.Width, m.Height, m.RefreshMHz/1000)
	}
	return fmt.Sprintf("%dx%d@%.3f", m.Width, m.Height, float64(m.RefreshMHz)/1000)
}

// Format is a pixel layout, numbered as wl_shm numbers them.
type Format uint32

// The formats every backend accepts: 32-bit little-endian words, blue in
// the low byte. ARGB8888 carries premultiplied alpha; XRGB8888's high byte
// is ignored.
const (
	ARGB8888 Format = 0
	XRGB8888 Format = 1
)

// Pixels is a block of 32-bit pixels. The rows start at Data[y*Stride];
// Data holds at least Stride*(Height-1)+4*Width bytes.
type Pixels struct {
	Width, Height int
	Stride        int
	Format        Format
	Data          []byte
}

// Valid reports whether the geometry fits in Data.
func (p Pixels) Valid() bool {
	if p.Width <= 0 || p.Height <= 0 || p.Stride < 4*p.Width {
		return false
	}
	return len(p.Data) >= p.Stride*(p.Height-1)+4*p.Width
}

// Buffer is an output buffer the compositor draws the next picture into:
// XRGB8888 at the output's mode size.
type Buffer struct {
	Pixels
	// Age says what the buffer holds: 0 means unknown contents (draw it
	// all), n >= 1 means it holds the picture presented n frames ago (1:
	// the current one), so only what changed since needs drawing.
	Age int
}

// OutputInfo describes an output to clients (wl_output, xdg-output).
type OutputInfo struct {
	// Name is the connector-like name, unique in the session, e.g.
	// "HEADLESS-1", "WL-1", "Virtual-1".
	Name string
	// Description is a human-readable description.
	Description string
	// Make and Model are what wl_output.geometry reports.
	Make, Model string
	// PhysicalWidthMM and PhysicalHeightMM are the size in millimetres (0
	// when unknown).
	PhysicalWidthMM, PhysicalHeightMM int
}

// Output is one display of a backend.
type Output interface {
	// Info describes the output; it does not change while the output
	// exists.
	Info() OutputInfo
	// Mode is the current mode.
	Mode() Mode
	// ScheduleFrame asks for a Handler.Frame call at the next good
	// moment. Calls before that Frame are merged.
	ScheduleFrame()
	// NextBuffer returns the buffer to draw the next picture into. It is
	// valid until the Present that follows; an error means the frame is
	// skipped (Present(nil, nil) must still follow).
	NextBuffer() (*Buffer, error)
	// Present shows buf (from NextBuffer), in which the compositor redrew
	// damage (output coordinates; nil when buf was drawn whole); buf nil
	// means the picture did not change. It is called exactly once after
	// each Handler.Frame.
	Present(buf *Buffer, damage []image.Rectangle)
	// SetCursor shows img with its hotspot at the pointer position as the
	// output's own cursor (a host cursor, a cursor plane) and reports
	// whether it can; nil img hides it. When it cannot, the compositor
	// draws the cursor into its pictures.
	SetCursor(img *Pixels, hotX, hotY int) bool
	// MoveCursor moves the output's own cursor to (x, y) in output
	// coordinates; a no-op when SetCursor reported false.
	MoveCursor(x, y int)
}

// Handler receives what a backend reports. The compositor implements it;
// every method runs on the loop goroutine.
type Handler interface {
	// OutputAdded reports a new output.
	OutputAdded(o Output)
	// OutputChanged reports that o's mode changed.
	OutputChanged(o Output)
	// OutputRemoved reports that o is gone; o is not used afterwards.
	OutputRemoved(o Output)
	// Frame says it is time to draw o's next picture (see Output.Present).
	Frame(o Output)
	// Presented says o's latest picture reached the screen at t
	// (CLOCK_MONOTONIC).
	Presented(o Output, t time.Duration)
	// Quit says the backend cannot go on (the host window was closed, the
	// host compositor went away, the session ended); err is nil for a
	// user's request to close. The compositor shuts down as on SIGTERM.
	Quit(err error)
}

// Backend is one way of presenting the compositor.
type Backend interface {
	// Name is the backend's name as --backend spells it.
	Name() string
	// Start begins: outputs are reported to h from now on. Loop goroutine.
	Start(h Handler) error
	// InputSources are the input sources the backend brings; the
	// compositor starts each with its seat after Start.
	InputSources() []InputSource
	// Close stops the backend and releases its outputs and input sources.
	// Idempotent.
	Close() error
}
