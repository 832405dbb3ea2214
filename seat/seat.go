package seat

import (
	"errors"
	"fmt"
	"log/slog"

	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
)

// Versions of wl_seat the seat can advertise. Version 10 (the "repeated"
// key state) is opt-in: some clients mishandle it.
const (
	DefaultVersion = 9
	MaxVersion     = 10
)

// Config configures a Seat.
type Config struct {
	// Name is the seat name sent with wl_seat.name; "" means "seat0".
	Name string
	// Version is the wl_seat version to advertise (Version); 0
	// means DefaultVersion.
	Version uint32
	// Keymap is the initial keymap. Required.
	Keymap Keymap
	// RepeatRate (keys per second, 0 disables) and RepeatDelay (ms) are
	// sent with wl_keyboard.repeat_info.
	RepeatRate, RepeatDelay int32
	// Serial returns the next event serial: the display's one counter
	// (server.Display.NextSerial). Required.
	Serial func() uint32
	// Terminate is called when the terminate binding (Ctrl+Alt+BackSpace)
	// fires; nil disables that binding.
	Terminate func()
	// SwitchVT is called with n when a key producing XF86Switch_VT_n
	// (Ctrl+Alt+Fn) is pressed; nil disables those bindings.
	SwitchVT func(vt int)
	// Settings are the settings Keymap and the repeat values come from
	// (see Settings.SeatConfig); ApplySettings compares new settings with
	// them.
	Settings Settings
	// Scene is the compositor's picture, which pointer and touch focus
	// follow; nil means pointer and touch events reach no client (tests of
	// the keyboard alone).
	Scene Scene
	// KeymapDirs is the XKB include path for keymaps clients send
	// (virtual keyboards); Settings.SeatConfig fills it from the
	// environment (includepath.Dirs).
	KeymapDirs []string
	// Cursor is the default cursor image; the zero Cursor means
	// FallbackCursor.
	Cursor Cursor
	// Log receives the seat's records; nil means slog.Default().
	Log *slog.Logger
}

// Seat is the seat: its wl_seat resources, physical keyboards, keyboard
// state, focus and wl_keyboard resources. Create it with New; all methods
// run on the loop goroutine.
type Seat struct {
	name    string
	version uint32
	serial  func() uint32
	log     *slog.Logger

	resources []*wayland.Seat
	// everHad is every capability the seat has had: get_keyboard is an
	// error only when the keyboard capability was never advertised.
	caps, everHad wayland.SeatCapability

	kbd keyboardState
	foc focus
	ptr pointerState
	tch touchState

	scene Scene

	bindings   []binding
	settings   Settings
	keymapDirs []string // include path for client keymaps
	closed     bool
}

// New returns a seat with no input devices. Add its global with
// wayland.AddSeatGlobal(d, version, s.Bind).
func New(cfg Config) (*Seat, error) {
	if cfg.Keymap == nil || cfg.Serial == nil {
		return nil, errors.New("seat: New needs a Keymap and a Serial function")
	}
	if cfg.Name == "" {
		cfg.Name = "seat0"
	}
	if cfg.Version == 0 {
		cfg.Version = DefaultVersion
	}
	if cfg.Version > MaxVersion {
		return nil, fmt.Errorf("seat: version %d above the highest implemented, %d", cfg.Version, MaxVersion)
	}
	s := &Seat{name: cfg.Name, version: cfg.Version, serial: cfg.Serial, log: cfg.Log, settings: cfg.Settings, scene: cfg.Scene, keymapDirs: cfg.KeymapDirs}
	s.ptr.cursor.def = cfg.Cursor
	if !cfg.Cursor.Pixels.Valid() {
		s.ptr.cursor.def = FallbackCursor()
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if err := s.kbd.init(cfg.Keymap, cfg.RepeatRate, cfg.RepeatDelay); err != nil {
		return nil, err
	}
	if cfg.Terminate != nil {
		s.bindings = append(s.bindings, terminateBinding(cfg.Terminate))
	}
	if cfg.SwitchVT != nil {
		s.bindings = append(s.bindings, vtSwitchBindings(cfg.SwitchVT)...)
	}
	return s, nil
}

// Version returns the wl_seat version to advertise.
func (s *Seat) Version() uint32 { return s.version }

// Name returns the seat's name.
func (s *Seat) Name() string { return s.name }

// Capabilities returns the capabilities currently advertised.
func (s *Seat) Capabilities() wayland.SeatCapability { return s.caps }

// Bind runs when a client binds wl_seat (the bind function for
// wayland.AddSeatGlobal): it sends the capabilities, then the name.
func (s *Seat) Bind(r *wayland.Seat) error {
	r.SetHandler(s)
	s.resources = append(s.resources, r)
	r.OnDestroy(func() { s.resources = removeItem(s.resources, r) })
	r.SendCapabilities(s.caps)
	r.SendName(s.name)
	return nil
}

// updateCapabilities recomputes the capability mask and, when it changed,
// sends it to every wl_seat.
func (s *Seat) updateCapabilities() {
	var c wayland.SeatCapability
	if len(s.kbd.devices) > 0 || len(s.kbd.virtuals) > 0 {
		c |= wayland.SeatCapabilityKeyboard
	}
	if len(s.ptr.devices) > 0 {
		c |= wayland.SeatCapabilityPointer
	}
	if len(s.tch.devices) > 0 {
		c |= wayland.SeatCapabilityTouch
	}
	if c == s.caps {
		return
	}
	s.caps = c
	s.everHad |= c
	for _, r := range s.resources {
		r.SendCapabilities(c)
	}
}

// GetKeyboard runs on wl_seat.get_keyboard: the new wl_keyboard gets the
// keymap, the repeat info and, if its client has the focus, enter and
// modifiers.
func (s *Seat) GetKeyboard(r *wayland.Seat, id *wayland.Keyboard) error {
	if s.everHad&wayland.SeatCapabilityKeyboard == 0 {
		return s.missingCapability(r, "keyboard")
	}
	return s.newKeyboardResource(id)
}

// Release runs on wl_seat.release; the resource is destroyed afterwards.
func (s *Seat) Release(*wayland.Seat) error { return nil }

// missingCapability is the protocol error for a Get* the seat never could
// serve.
func (s *Seat) missingCapability(r *wayland.Seat, what string) error {
	return server.Errorf(r, uint32(wayland.SeatErrorMissingCapability), "seat %s has no %s capability", s.name, what)
}

// Close releases the keymap files. Devices and resources are left to their
// owners. Idempotent.
func (s *Seat) Close() error {
	if s == nil || s.closed {
		return nil
	}
	s.closed = true
	s.kbd.keymap.close()
	return nil
}

// String names the seat in logs.
func (s *Seat) String() string { return fmt.Sprintf("seat %s", s.name) }

// removeItem removes the first occurrence of v from list, keeping order.
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

// SceneChanged runs when surfaces moved, mapped, unmapped or restacked, or
// outputs changed: the pointer focus follows what is under the pointer now
// (the keyboard focus follows toplevels only).
func (s *Seat) SceneChanged() {
	if !s.ptr.grabbed {
		s.updatePointerFocus(0)
		s.pointerFrame()
	}
}
