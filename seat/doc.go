// Package seat is gocomp's one seat (seat0): the wl_seat global, the
// physical keyboards plugged into it, the keyboard focus and every
// wl_keyboard a client holds.
//
// # Keys, from device to client
//
// A physical keyboard (Keyboard, added with AddKeyboard) reports key
// transitions. The seat counts every key seat-wide: a key is down while any
// keyboard holds it, and only the first press (0->1) and the last release
// (1->0) go further. Those transitions feed the seat's single XKB state and
// are then notified: compositor bindings see the press first and may eat it
// (the release of an eaten key is eaten too); otherwise the key is sent to
// every wl_keyboard of the client owning the focused surface, followed by
// wl_keyboard.modifiers when the serialized modifiers changed.
//
// Each wl_keyboard resource keeps its own record of the keys it was told are
// down. A press is sent only to a resource that does not have the key down
// and a release only to one that does, so no client ever sees an unmatched
// press or release, whatever the order of focus changes, hotplug and new
// resources.
//
// # Focus
//
// Focus follows the kiosk policy: the most recently mapped toplevel has the
// keyboard focus; when it is unmapped (or destroyed) focus returns to the
// one mapped before it. Moving focus sends leave to the old client (no key
// releases follow it: leave resets the client's keys) and enter to the new
// one with the keys currently down, minus those eaten by bindings, then
// modifiers.
//
// # Notify and send
//
// Methods named notify* decide what should happen (focus, bindings, the
// per-resource records); methods named send* only write events to one
// resource. There is one serial counter, the display's.
//
// # Threading
//
// A Seat belongs to the event loop goroutine: every method must be called
// there. Nothing in it is locked.
//
// # Pointer and touch
//
// wl_pointer and wl_touch are not implemented yet: the seat never advertises
// those capabilities, so get_pointer and get_touch are the missing_capability
// protocol error. They are meant to live beside keyboard.go as pointer.go and
// touch.go, each with its own device list and focus, sharing the seat's
// resources, capabilities and serial.
package seat
