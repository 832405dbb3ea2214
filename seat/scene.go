package seat

import (
	"image"

	"gocomp/compositor/backend"
	"gocomp/compositor/render"
	"gocomp/protocols/wayland"
)

// Scene is what the seat asks the compositor about the picture: which
// surface lies under a point, where surfaces and outputs are, and what the
// cursor looks like. compositor.Scene (implemented by *compositor.Server)
// has these methods; coordinates are layout coordinates.
type Scene interface {
	// SurfaceAt returns the topmost mapped surface whose input region
	// holds (x, y), with the point in its coordinates.
	SurfaceAt(x, y float64) (surface *wayland.Surface, sx, sy float64, ok bool)
	// SurfaceOrigin returns a mapped surface's top-left corner.
	SurfaceOrigin(surface *wayland.Surface) (x, y int, ok bool)
	// LayoutBounds is the rectangle holding every output.
	LayoutBounds() image.Rectangle
	// OutputBounds returns the rectangle of the output called name, or of
	// the first output for "".
	OutputBounds(name string) (image.Rectangle, bool)
	// OutputTransform returns how the output called name (the first for
	// "") turns its picture onto its screen.
	OutputTransform(name string) (render.Transform, bool)
	// SetCursorImage shows img as the cursor (nil hides it).
	SetCursorImage(img *backend.Pixels, hotX, hotY int)
	// SetCursorSurface makes a client's surface the cursor (its role
	// becomes the cursor's); an error when it has another role.
	SetCursorSurface(surface *wayland.Surface, hotX, hotY int) error
	// MoveCursor puts the cursor's hotspot at (x, y).
	MoveCursor(x, y float64)
	// Activate raises the toplevel of surface and gives it the keyboard
	// focus (through ToplevelMapped).
	Activate(surface *wayland.Surface)
}
