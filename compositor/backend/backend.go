// Package backend is the contract between the compositor and the devices
// it presents on. A backend (headless, later DRM or nested) implements
// Output; the compositor's surface code drives it through Surface.
//
// Everything here runs on the event loop goroutine.
package backend

import "fmt"

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

// Pixels is a snapshot of a surface's contents. The rows start at
// Data[y*Stride]; Data holds at least Stride*(Height-1)+4*Width bytes.
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

// Output is one display a backend drives.
type Output interface {
	// Name is the connector-like name wl_output.name reports, e.g.
	// "HEADLESS-1".
	Name() string
	// Description is a human-readable description.
	Description() string
	// Make is the manufacturer wl_output.geometry reports.
	Make() string
	// Model is the model wl_output.geometry reports.
	Model() string
	// PhysicalSize is the size in millimetres (0 when unknown).
	PhysicalSize() (widthMM, heightMM int)
	// Mode is the current mode.
	Mode() Mode
	// NewSurface creates an unmapped surface stacked above every existing
	// one.
	NewSurface() Surface
	// Restack sets the stacking order, bottom to top, to order: surfaces
	// of this output missing from it keep their relative order below the
	// listed ones. The slice is not kept.
	Restack(order []Surface)
}

// Surface is the backend's side of one visible surface.
type Surface interface {
	// Present makes pix, placed with its top-left corner at (x, y) in
	// output coordinates, the surface's contents from the next refresh on.
	// The backend keeps pix.Data and reads it only on the loop goroutine;
	// the caller must not change Data until its next Present, Unmap or
	// Destroy, and calls Present again after changing it.
	Present(pix Pixels, x, y int)
	// Unmap hides the surface until the next Present.
	Unmap()
	// Frame asks for done to run right after the next refresh that shows
	// this surface's latest contents, with the refresh time in
	// milliseconds (CLOCK_MONOTONIC, wrapping), as wl_callback.done wants.
	Frame(done func(msec uint32))
	// Destroy removes the surface; its pending frame callbacks are
	// dropped. Idempotent.
	Destroy()
}
