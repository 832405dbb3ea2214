// Package seat is gocomp's one seat (seat0): the wl_seat global, the
// keyboards, pointers and touch devices plugged into it (whatever input
// source brought them: the machine's evdev devices, a nested backend's
// host seat), the keyboard, pointer and touch focus, and every
// wl_keyboard, wl_pointer and wl_touch a client holds.
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
// # Virtual keyboards
//
// A VirtualKeyboard (AddVirtualKeyboard; zwp_virtual_keyboard_v1, served
// by BindVirtualKeyboardManager) brings its own keymap, compiled by
// gocomp's XKB engine with Config.KeymapDirs, and its own XKB state. Its
// keys bypass the seat-wide counts, state and bindings and go straight to
// the focused client; a key several keyboards hold is released to the
// client only when the last one lets go. The keyboard that typed last is
// the keymap source: every wl_keyboard records the keymap it last got, and
// one that lacks the source's keymap gets it (then the source's
// modifiers) before the next key or enter, so a client sees a virtual
// keyboard's keymap before its keys and the seat keymap again when a
// physical keyboard types. Removing a virtual keyboard (destroy, client
// gone) releases every key it held.
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
// # Pointer
//
// Pointer devices (Pointer, added with AddPointer) report relative motion
// (accelerated by the adaptive or flat profile, libinput's defaults),
// absolute motion across an output, buttons, scrolling and frames. The
// pointer lives in layout coordinates, clamped to the outputs; its focus is
// the topmost surface under it whose input region holds it, asked of the
// Scene (the compositor), re-checked on every motion and scene change.
// Buttons are counted seat-wide like keys. The first press over a surface
// starts the implicit grab: that surface keeps the pointer, with
// coordinates relative to itself, until the last button is released; a
// press on another toplevel raises and focuses it (Scene.Activate). Every
// group of events ends with wl_pointer.frame (v5+); scrolling sends
// axis_source, axis_value120 (v8+; axis_discrete before) and the relative
// direction (v9). Each wl_pointer keeps a record of the buttons it was
// told are down, as wl_keyboard does for keys.
//
// The cursor shows while the seat has a pointer: the client's surface
// after a valid wl_pointer.set_cursor, otherwise the theme's arrow
// (LoadCursor, $XCURSOR_THEME/$XCURSOR_SIZE); --hide-cursor hides it
// always or after touch input until the pointer moves.
//
// # Touch
//
// Touch devices (Touch, added with AddTouch) report fingers in normalized
// device coordinates, mapped through the calibration matrix (the seat's
// setting, else the device's) to the touch output's screen, and from the
// screen back into the output's picture when the output is turned
// (Scene.OutputTransform; tablets too). A finger goes to the
// surface under it at its down, stays with that surface until it lifts,
// and raises and focuses its toplevel; touch ids are unique seat-wide. An
// unplugged device's fingers are cancelled (wl_touch.cancel), never
// lifted.
//
// # Settings
//
// Settings (keyboard layout and repeat, caps-lock policy, pointer
// acceleration, natural scrolling, left-handed, tapping, the touch output
// and calibration, the cursor) come from flags and a config file and are
// re-read on SIGHUP (Input).
package seat
