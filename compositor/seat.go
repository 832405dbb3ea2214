package compositor

import (
	"image"
	"math"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/render"
	"gocomp/protocols/server"
	"gocomp/protocols/virtualkeyboard"
	"gocomp/protocols/wayland"
)

// Seat is what the compositor needs from the seat behind the wl_seat
// global. The seat package's *seat.Seat implements it; give it to the
// server with Config.NewSeat. It is also the sink every input source of
// the backend reports its devices to.
type Seat interface {
	backend.InputSink
	// Version is the wl_seat version to advertise.
	Version() uint32
	// Bind runs when a client binds wl_seat; the resource is registered.
	Bind(r *wayland.Seat) error
	// ToplevelMapped runs when a toplevel surface becomes visible (the
	// kiosk keyboard focus follows it).
	ToplevelMapped(surface *wayland.Surface)
	// ToplevelUnmapped runs when a visible toplevel is hidden or
	// destroyed.
	ToplevelUnmapped(surface *wayland.Surface)
	// SceneChanged runs after surfaces were mapped, unmapped, moved or
	// restacked, or outputs changed: what lies under the pointer may have
	// changed.
	SceneChanged()
	// Close releases the seat's resources (keymap files); the server calls
	// it last, after the backend's input sources are closed.
	Close() error
}

// VirtualKeyboardSeat is a Seat that also serves virtual keyboards
// (zwp_virtual_keyboard_manager_v1); *seat.Seat is one. The server
// advertises the global only for such a seat.
type VirtualKeyboardSeat interface {
	Seat
	// BindVirtualKeyboardManager runs when a client binds the global; the
	// resource is registered.
	BindVirtualKeyboardManager(r *virtualkeyboard.VirtualKeyboardManagerV1) error
}

// Scene is what the seat may ask the compositor about the picture. The
// *Server given to Config.NewSeat implements it. Coordinates are layout
// coordinates: outputs side by side, the first one's top-left corner at
// (0, 0).
type Scene interface {
	// SurfaceAt returns the topmost mapped surface, subsurfaces included,
	// whose input region holds the point (x, y), and the point in that
	// surface's coordinates; ok is false when no surface is there.
	SurfaceAt(x, y float64) (surface *wayland.Surface, sx, sy float64, ok bool)
	// SurfaceOrigin returns where a mapped surface's top-left corner is;
	// ok is false when it is not mapped.
	SurfaceOrigin(surface *wayland.Surface) (x, y int, ok bool)
	// LayoutBounds is the rectangle holding every output (empty when
	// there is none).
	LayoutBounds() image.Rectangle
	// OutputBounds returns the rectangle of the output called name, or of
	// the first output for ""; ok is false when there is no such output.
	OutputBounds(name string) (r image.Rectangle, ok bool)
	// OutputTransform returns the transform of the output called name,
	// or of the first output for ""; ok is false when there is no such
	// output. A touchscreen glued to that output's panel reports points
	// of its buffer: t.Invert().Point(x, y, w, h), with (w, h) the output
	// mode's size, maps such a point into the output's logical picture,
	// whose top-left corner is OutputBounds(name).Min.
	OutputTransform(name string) (t render.Transform, ok bool)
	// SetCursorImage sets the pointer's image (nil hides the cursor) with
	// its hotspot.
	SetCursorImage(img *backend.Pixels, hotX, hotY int)
	// SetCursorSurface makes a client's surface the cursor, with the
	// hotspot at (hotX, hotY) in its coordinates; the surface takes the
	// cursor role, so a surface with another role is an error (the
	// caller's wl_pointer.role protocol error). Its commits update the
	// cursor from then on; nil hides the cursor.
	SetCursorSurface(surface *wayland.Surface, hotX, hotY int) error
	// Activate raises the toplevel surface belongs to (with its popups)
	// above the others and gives it the keyboard focus.
	Activate(surface *wayland.Surface)
	// MoveCursor puts the cursor's hotspot at (x, y).
	MoveCursor(x, y float64)
}

var _ Scene = (*Server)(nil)

// SurfaceAt implements Scene.
func (s *Server) SurfaceAt(x, y float64) (*wayland.Surface, float64, float64, bool) {
	px, py := int(math.Floor(x)), int(math.Floor(y))
	for i := len(s.stack) - 1; i >= 0; i-- {
		sf := s.stack[i]
		if !sf.mapped || !image.Pt(px, py).In(sf.rect()) {
			continue
		}
		lx, ly := px-sf.x, py-sf.y
		if sf.current.inputInfinite || sf.current.input.contains(int32(lx), int32(ly)) {
			return sf.res, x - float64(sf.x), y - float64(sf.y), true
		}
	}
	return nil, 0, 0, false
}

// SurfaceOrigin implements Scene.
func (s *Server) SurfaceOrigin(res *wayland.Surface) (int, int, bool) {
	sf, ok := server.Impl[*surface](res)
	if !ok || !sf.mapped {
		return 0, 0, false
	}
	return sf.x, sf.y, true
}

// LayoutBounds implements Scene.
func (s *Server) LayoutBounds() image.Rectangle { return s.layoutBounds() }

// OutputBounds implements Scene.
func (s *Server) OutputBounds(name string) (image.Rectangle, bool) {
	for _, o := range s.outputs {
		if name == "" || o.info.Name == name {
			return o.rect(), true
		}
	}
	return image.Rectangle{}, false
}

// OutputTransform implements Scene.
func (s *Server) OutputTransform(name string) (render.Transform, bool) {
	for _, o := range s.outputs {
		if name == "" || o.info.Name == name {
			return o.transform, true
		}
	}
	return render.Normal, false
}

// emptySeat is the seat used when Config.NewSeat is nil: a wl_seat with no
// input devices. It advertises no capabilities, so asking for a pointer,
// keyboard or touch is the missing_capability protocol error, and devices
// input sources bring are ignored.
type emptySeat struct {
	name string
}

// Version implements Seat.
func (st *emptySeat) Version() uint32 { return seatVersion }

// Bind sends the capabilities (none), then the name.
func (st *emptySeat) Bind(r *wayland.Seat) error {
	r.SetHandler(st)
	r.SendCapabilities(0)
	r.SendName(st.name)
	return nil
}

// AddPointer implements backend.InputSink: the pointer goes nowhere.
func (st *emptySeat) AddPointer(backend.PointerInfo) backend.Pointer { return ignoredPointer{} }

// AddTouch implements backend.InputSink: the touch device goes nowhere.
func (st *emptySeat) AddTouch(backend.TouchInfo) backend.Touch { return ignoredTouch{} }

// AddKeyboard implements backend.InputSink: the keyboard goes nowhere.
func (st *emptySeat) AddKeyboard(string, backend.LEDSetter) backend.Keyboard {
	return ignoredKeyboard{}
}

// ToplevelMapped implements Seat; without a keyboard there is no focus.
func (st *emptySeat) ToplevelMapped(*wayland.Surface) {}

// ToplevelUnmapped implements Seat.
func (st *emptySeat) ToplevelUnmapped(*wayland.Surface) {}

// SceneChanged implements Seat.
func (st *emptySeat) SceneChanged() {}

// Close implements Seat.
func (st *emptySeat) Close() error { return nil }

// missingCapability is the error for a Get* the seat cannot serve.
func (st *emptySeat) missingCapability(r *wayland.Seat, what string) error {
	return server.Errorf(r, uint32(wayland.SeatErrorMissingCapability), "seat %s has no %s capability", st.name, what)
}

// GetPointer runs on wl_seat.get_pointer.
func (st *emptySeat) GetPointer(r *wayland.Seat, _ *wayland.Pointer) error {
	return st.missingCapability(r, "pointer")
}

// GetKeyboard runs on wl_seat.get_keyboard.
func (st *emptySeat) GetKeyboard(r *wayland.Seat, _ *wayland.Keyboard) error {
	return st.missingCapability(r, "keyboard")
}

// GetTouch runs on wl_seat.get_touch.
func (st *emptySeat) GetTouch(r *wayland.Seat, _ *wayland.Touch) error {
	return st.missingCapability(r, "touch")
}

// Release runs on wl_seat.release.
func (st *emptySeat) Release(*wayland.Seat) error { return nil }

// ignoredKeyboard is a keyboard of the empty seat.
type ignoredKeyboard struct{}

func (ignoredKeyboard) Key(time.Duration, uint16, bool) {}
func (ignoredKeyboard) Remove(time.Duration)            {}

// ignoredPointer is a pointer of the empty seat.
type ignoredPointer struct{}

func (ignoredPointer) Motion(time.Duration, float64, float64)                 {}
func (ignoredPointer) MotionAbsolute(time.Duration, string, float64, float64) {}
func (ignoredPointer) Button(time.Duration, uint16, bool)                     {}
func (ignoredPointer) Axis(time.Duration, backend.Axis, backend.AxisSource, float64, int32) {
}
func (ignoredPointer) AxisStop(time.Duration, backend.Axis) {}
func (ignoredPointer) Frame()                               {}
func (ignoredPointer) Remove(time.Duration)                 {}

// ignoredTouch is a touch device of the empty seat.
type ignoredTouch struct{}

func (ignoredTouch) Down(time.Duration, int32, float64, float64)   {}
func (ignoredTouch) Motion(time.Duration, int32, float64, float64) {}
func (ignoredTouch) Up(time.Duration, int32)                       {}
func (ignoredTouch) Frame()                                        {}
func (ignoredTouch) Cancel()                                       {}
func (ignoredTouch) Remove(time.Duration)                          {}
