package compositor

import (
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
)

// Seat is the wl_seat global. It has no input devices yet: it advertises
// no capabilities, and asking for a pointer, keyboard or touch is the
// protocol error the spec prescribes. The keyboard arrives with the seat
// package, which will take over the Get* requests and the capability mask.
type Seat struct {
	name         string
	capabilities wayland.SeatCapability
	resources    []*wayland.Seat
}

// newSeat returns the seat called name.
func newSeat(name string) *Seat { return &Seat{name: name} }

// bind runs when a client binds wl_seat: capabilities, then the name.
func (st *Seat) bind(r *wayland.Seat) error {
	r.SetHandler(st)
	st.resources = append(st.resources, r)
	r.OnDestroy(func() { st.resources = removeItem(st.resources, r) })
	r.SendCapabilities(st.capabilities)
	r.SendName(st.name)
	return nil
}

// missingCapability is the error for a Get* the seat cannot serve.
func (st *Seat) missingCapability(r *wayland.Seat, what string) error {
	return server.Errorf(r, uint32(wayland.SeatErrorMissingCapability), "seat %s has no %s capability", st.name, what)
}

// GetPointer runs on wl_seat.get_pointer.
func (st *Seat) GetPointer(r *wayland.Seat, id *wayland.Pointer) error {
	return st.missingCapability(r, "pointer")
}

// GetKeyboard runs on wl_seat.get_keyboard.
func (st *Seat) GetKeyboard(r *wayland.Seat, id *wayland.Keyboard) error {
	return st.missingCapability(r, "keyboard")
}

// GetTouch runs on wl_seat.get_touch.
func (st *Seat) GetTouch(r *wayland.Seat, id *wayland.Touch) error {
	return st.missingCapability(r, "touch")
}

// Release runs on wl_seat.release.
func (st *Seat) Release(*wayland.Seat) error { return nil }

// removeItem removes the first occurrence of v from list.
func removeItem[T comparable](list []T, v T) []T {
	for i, x := range list {
		if x == v {
			copy(list[i:], list[i+1:])
			var zero T
			list[len(list)-1] = zero
			return list[:len(list)-1]
		}
	}
	return list
}
