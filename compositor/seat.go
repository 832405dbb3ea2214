package compositor

import (
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
)

// Seat is what the compositor needs from the seat behind the wl_seat
// global: the bind function and the toplevels as they are mapped and
// unmapped (the kiosk focus follows them). *seat.Seat implements it; give
// it to the server with Config.NewSeat. A seat that also has a
// GlobalVersion() uint32 method chooses the wl_seat version advertised
// (otherwise 9).
type Seat interface {
	// Bind runs when a client binds wl_seat; the resource is registered.
	Bind(r *wayland.Seat) error
	// MapToplevel runs when a toplevel surface becomes visible.
	MapToplevel(surface *wayland.Surface)
	// UnmapToplevel runs when a visible toplevel is hidden or destroyed.
	UnmapToplevel(surface *wayland.Surface)
}

// emptySeat is the seat used when Config.NewSeat is nil: a wl_seat with no
// input devices. It advertises no capabilities, so asking for a pointer,
// keyboard or touch is the missing_capability protocol error.
type emptySeat struct {
	name string
}

// Bind sends the capabilities (none), then the name.
func (st *emptySeat) Bind(r *wayland.Seat) error {
	r.SetHandler(st)
	r.SendCapabilities(0)
	r.SendName(st.name)
	return nil
}

// MapToplevel implements Seat; without a keyboard there is no focus.
func (st *emptySeat) MapToplevel(*wayland.Surface) {}

// UnmapToplevel implements Seat.
func (st *emptySeat) UnmapToplevel(*wayland.Surface) {}

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
