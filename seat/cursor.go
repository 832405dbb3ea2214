package seat

import (
	"fmt"
	"strconv"

	"gocomp/compositor/backend"
	"gocomp/compositor/xcursor"
	"gocomp/protocols/wayland"
)

// HideCursor says when the cursor is hidden.
type HideCursor uint8

// The cursor settings.
const (
	// CursorShown: the cursor shows while the seat has a pointer.
	CursorShown HideCursor = iota
	// CursorHidden: never drawn (a touch-only kiosk).
	CursorHidden
	// CursorHiddenAfterTouch: hidden from a touch until the next pointer
	// motion.
	CursorHiddenAfterTouch
)

// String returns the setting as --hide-cursor spells it.
func (h HideCursor) String() string {
	switch h {
	case CursorHidden:
		return "always"
	case CursorHiddenAfterTouch:
		return "touch"
	}
	return "no"
}

// parseHideCursor parses a --hide-cursor value.
func parseHideCursor(s string) (HideCursor, error) {
	switch s {
	case "no", "false":
		return CursorShown, nil
	case "always", "true", "":
		return CursorHidden, nil
	case "touch":
		return CursorHiddenAfterTouch, nil
	}
	return 0, fmt.Errorf("invalid hide-cursor %q (want always, touch or no)", s)
}

// Cursor is a cursor image with its hotspot.
type Cursor struct {
	Pixels     backend.Pixels // ARGB8888, premultiplied
	HotX, HotY int
}

// DefaultCursorSize is the nominal cursor size without $XCURSOR_SIZE.
const DefaultCursorSize = 24

// LoadCursor returns the theme's arrow ("left_ptr") at the size getenv's
// $XCURSOR_THEME and $XCURSOR_SIZE ask for (default: the system's default
// theme at 24), or an error saying why none could be read.
func LoadCursor(getenv func(string) string) (Cursor, error) {
	theme := getenv("XCURSOR_THEME")
	if theme == "" {
		theme = "default"
	}
	size := DefaultCursorSize
	if v := getenv("XCURSOR_SIZE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 512 {
			return Cursor{}, fmt.Errorf("seat: invalid XCURSOR_SIZE %q (want 1..512)", v)
		}
		size = n
	}
	imgs, err := xcursor.Theme{Name: theme, Path: xcursor.DefaultPath(getenv)}.Load("left_ptr")
	if err != nil {
		return Cursor{}, err
	}
	img := xcursor.Best(imgs, size)
	pix := backend.Pixels{Width: img.Width, Height: img.Height, Stride: 4 * img.Width, Format: backend.ARGB8888,
		Data: make([]byte, 4*len(img.Pixels))}
	for i, p := range img.Pixels {
		pix.Data[4*i], pix.Data[4*i+1], pix.Data[4*i+2], pix.Data[4*i+3] = byte(p), byte(p>>8), byte(p>>16), byte(p>>24)
	}
	return Cursor{Pixels: pix, HotX: img.HotX, HotY: img.HotY}, nil
}

// FallbackCursor is a plain arrow drawn here, for when no theme can be
// read: white with a black outline, the hotspot at its tip.
func FallbackCursor() Cursor {
	const w, h = 12, 19
	pix := backend.Pixels{Width: w, Height: h, Stride: 4 * w, Format: backend.ARGB8888, Data: make([]byte, 4*w*h)}
	for y := range h {
		// The arrow's body widens one pixel per row down to row 11, then
		// narrows to its tail.
		width := min(y+1, w)
		if y > 11 {
			width = max(0, 12-2*(y-11))
		}
		for x := range width {
			v := uint32(0xffffffff)
			if x == 0 || x == width-1 || y == h-1 {
				v = 0xff000000
			}
			i := 4 * (y*w + x)
			pix.Data[i], pix.Data[i+1], pix.Data[i+2], pix.Data[i+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		}
	}
	return Cursor{Pixels: pix}
}

// cursorState is what the cursor should look like.
type cursorState struct {
	def           Cursor        // the theme's arrow
	client        *clientCursor // the focused client's choice, nil before it made one
	hiddenByTouch bool
}

// clientCursor is a client's wl_pointer.set_cursor.
type clientCursor struct {
	surface    *wayland.Surface // nil: the client hid the cursor
	hotX, hotY int
}

// cursorVisible reports whether a cursor is to be shown at all.
func (s *Seat) cursorVisible() bool {
	return len(s.ptr.devices) > 0 && s.settings.HideCursor != CursorHidden && !s.ptr.cursor.hiddenByTouch
}

// showCursor tells the scene what the cursor looks like now: nothing
// without a pointer or when hidden; over a client that set one, its
// surface; otherwise the theme's arrow.
func (s *Seat) showCursor() {
	if s.scene == nil {
		return
	}
	ps := &s.ptr
	c := ps.cursor.client
	switch {
	case !s.cursorVisible():
		s.scene.SetCursorImage(nil, 0, 0)
	case ps.focus != nil && c != nil && c.surface == nil:
		s.scene.SetCursorImage(nil, 0, 0)
	case ps.focus != nil && c != nil:
		if err := s.scene.SetCursorSurface(c.surface, c.hotX, c.hotY); err != nil {
			s.scene.SetCursorImage(&ps.cursor.def.Pixels, ps.cursor.def.HotX, ps.cursor.def.HotY)
		}
	default:
		s.scene.SetCursorImage(&ps.cursor.def.Pixels, ps.cursor.def.HotX, ps.cursor.def.HotY)
	}
	s.scene.MoveCursor(ps.x, ps.y)
}

// touchHidesCursor hides the cursor after touch input when configured.
func (s *Seat) touchHidesCursor() {
	if s.settings.HideCursor == CursorHiddenAfterTouch && !s.ptr.cursor.hiddenByTouch {
		s.ptr.cursor.hiddenByTouch = true
		s.showCursor()
	}
}
