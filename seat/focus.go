package seat

import "gocomp/protocols/wayland"

// focus is the kiosk focus policy's state: the mapped toplevels in mapping
// order (the last one has the focus) and the surface entered now.
type focus struct {
	stack   []mapped
	current *wayland.Surface
}

// mapped is a toplevel surface on the focus stack.
type mapped struct {
	surface *wayland.Surface
	cancel  func() // removes the destroy hook
}

// ToplevelMapped runs when a toplevel surface is mapped: it goes on top of the
// focus stack and takes the keyboard focus. Mapping a surface already on
// the stack moves it to the top.
func (s *Seat) ToplevelMapped(surface *wayland.Surface) {
	if surface == nil || surface.Destroyed() {
		return
	}
	s.removeFromStack(surface)
	cancel := surface.OnDestroy(func() { s.ToplevelUnmapped(surface) })
	s.foc.stack = append(s.foc.stack, mapped{surface: surface, cancel: cancel})
	s.setFocus(surface)
}

// ToplevelUnmapped runs when a toplevel surface is unmapped or destroyed: it
// leaves the focus stack and, if it had the focus, the focus returns to
// the toplevel mapped before it (or to nothing).
func (s *Seat) ToplevelUnmapped(surface *wayland.Surface) {
	if !s.removeFromStack(surface) {
		return
	}
	var top *wayland.Surface
	if n := len(s.foc.stack); n > 0 {
		top = s.foc.stack[n-1].surface
	}
	s.setFocus(top)
}

// Focus returns the surface that has the keyboard focus, or nil.
func (s *Seat) Focus() *wayland.Surface { return s.foc.current }

// removeFromStack takes surface off the focus stack and reports whether it
// was there.
func (s *Seat) removeFromStack(surface *wayland.Surface) bool {
	for i, m := range s.foc.stack {
		if m.surface == surface {
			if m.cancel != nil {
				m.cancel()
			}
			s.foc.stack = append(s.foc.stack[:i], s.foc.stack[i+1:]...)
			s.foc.stack = s.foc.stack[:len(s.foc.stack):len(s.foc.stack)]
			return true
		}
	}
	return false
}

// setFocus moves the keyboard focus to surface (nil: none): leave for the
// old client, enter with the held keys and modifiers for the new one.
func (s *Seat) setFocus(surface *wayland.Surface) {
	old := s.foc.current
	if surface == old {
		return
	}
	if old != nil {
		s.leaveFocused(old)
	}
	s.foc.current = surface
	if surface == nil {
		return
	}
	c := surface.Client()
	var serial uint32
	for _, kr := range s.kbd.resources {
		if kr.r.Client() != c || kr.r.Destroyed() {
			continue
		}
		if serial == 0 {
			serial = s.serial()
		}
		s.enterResource(kr, surface, serial)
	}
}
