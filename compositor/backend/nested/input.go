package nested

import (
	"bytes"
	"encoding/binary"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

// hostSeat is the host seat as an input source: its keyboard's keys (evdev
// codes) and its pointer's events go to gocomp's seat, which runs them
// through its own keymap and XKB state. It also shows gocomp's cursor as
// the host pointer's.
type hostSeat struct {
	b      *Backend
	sink   backend.InputSink
	kbd    *wlclient.Keyboard
	ptr    *wlclient.Pointer
	keys   backend.Keyboard
	mouse  backend.Pointer
	held   map[uint32]bool        // keys the host keyboard reported down
	caps   wayland.SeatCapability // the host seat's, as last announced
	closed bool

	// The pointer: the window it is over, and a scroll being assembled
	// until the host's frame.
	over        *Output
	enterSerial uint32
	buttons     map[uint32]bool
	axes        [2]axisEvent

	// The cursor gocomp shows, as a host surface.
	cursor     *wlclient.Surface
	cursorBuf  *cursorBuffer // the picture on the cursor surface
	cursorHot  [2]int
	cursorHide bool
}

// axisEvent is one axis's part of a host pointer frame.
type axisEvent struct {
	set      bool
	source   backend.AxisSource
	value    float64
	value120 int32
	stop     bool
}

var _ backend.InputSource = (*hostSeat)(nil)

// Name implements backend.InputSource.
func (s *hostSeat) Name() string { return "host seat" }

// Start implements backend.InputSource: the host keyboard and pointer,
// when the host seat has them, become a keyboard and a pointer of gocomp's
// seat.
func (s *hostSeat) Start(sink backend.InputSink) error {
	s.sink = sink
	s.held, s.buttons = map[uint32]bool{}, map[uint32]bool{}
	s.applyCaps()
	return nil
}

// seatListener follows the host seat's capabilities.
type seatListener struct {
	s *hostSeat
	wlclient.NopSeatListener
}

// Capabilities runs when the host seat gains or loses a keyboard or a
// pointer (possibly before Start: Start applies them).
func (l seatListener) Capabilities(_ *wlclient.Seat, caps wayland.SeatCapability) {
	l.s.caps = caps
	if l.s.sink != nil && !l.s.closed {
		l.s.applyCaps()
	}
}

// applyCaps gets or releases the host keyboard and pointer as the host
// seat's capabilities say.
func (s *hostSeat) applyCaps() {
	seat, caps := s.b.seat, s.caps
	if seat == nil {
		return
	}
	now := loop.Now()
	if caps&wayland.SeatCapabilityKeyboard != 0 && s.kbd == nil {
		if k, err := seat.GetKeyboard(); err == nil {
			s.kbd = k
			k.SetListener(keyboardListener{s})
			s.keys = s.sink.AddKeyboard("host keyboard", nil)
		}
	} else if caps&wayland.SeatCapabilityKeyboard == 0 && s.kbd != nil {
		s.kbd.Release()
		s.kbd = nil
		s.keys.Remove(now)
		clear(s.held)
	}
	if caps&wayland.SeatCapabilityPointer != 0 && s.ptr == nil {
		if p, err := seat.GetPointer(); err == nil {
			s.ptr = p
			p.SetListener(pointerListener{s: s})
			s.mouse = s.sink.AddPointer(backend.PointerInfo{Name: "host pointer"})
		}
	} else if caps&wayland.SeatCapabilityPointer == 0 && s.ptr != nil {
		s.ptr.Release()
		s.ptr = nil
		s.mouse.Remove(now)
		s.over = nil
		clear(s.buttons)
	}
}

// Close implements backend.InputSource: the keys and buttons the host
// devices held are released.
func (s *hostSeat) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	now := loop.Now()
	if s.keys != nil {
		s.keys.Remove(now)
	}
	if s.mouse != nil {
		s.mouse.Remove(now)
	}
	if s.cursorBuf != nil {
		s.cursorBuf.destroy()
		s.cursorBuf = nil
	}
	return nil
}

// keyboardListener feeds the host keyboard to the seat.
type keyboardListener struct{ s *hostSeat }

// Keymap runs when the host sends its keymap: gocomp keeps its own unless
// asked to use the host's. The fd is closed either way.
func (l keyboardListener) Keymap(_ *wlclient.Keyboard, format wayland.KeyboardKeymapFormat, fd int, size uint32) {
	defer unix.Close(fd)
	if l.s.b.cfg.HostKeymap != nil && format == wayland.KeyboardKeymapFormatXkbV1 {
		l.s.b.cfg.HostKeymap(fd, size)
	}
}

// Enter runs when a gocomp window gets the host keyboard: the keys the
// host reports down are pressed.
func (l keyboardListener) Enter(_ *wlclient.Keyboard, _ uint32, _ *wlclient.Surface, keys []byte) {
	s := l.s
	now := loop.Now()
	for i := 0; i+4 <= len(keys); i += 4 {
		k := binary.NativeEndian.Uint32(keys[i:])
		if !s.held[k] && k <= 0xffff {
			s.held[k] = true
			s.keys.Key(now, uint16(k), true)
		}
	}
}

// Leave runs when the host keyboard goes elsewhere: every key it held is
// released (clients see the releases; no key is left stuck).
func (l keyboardListener) Leave(*wlclient.Keyboard, uint32, *wlclient.Surface) {
	s := l.s
	now := loop.Now()
	for k := range s.held {
		s.keys.Key(now, uint16(k), false)
	}
	clear(s.held)
}

// Key runs for every host key transition (evdev codes).
func (l keyboardListener) Key(_ *wlclient.Keyboard, _ uint32, t uint32, key uint32, state wayland.KeyboardKeyState) {
	s := l.s
	if key > 0xffff {
		return
	}
	down := state == wayland.KeyboardKeyStatePressed
	if state == wayland.KeyboardKeyStateRepeated || down == s.held[key] {
		return // repeats are gocomp's clients' business
	}
	if down {
		s.held[key] = true
	} else {
		delete(s.held, key)
	}
	s.keys.Key(loop.Now(), uint16(key), down)
}

// Modifiers runs with the host's modifier state, which gocomp does not
// use: its own XKB state follows the keys.
func (keyboardListener) Modifiers(*wlclient.Keyboard, uint32, uint32, uint32, uint32, uint32) {}

// RepeatInfo runs with the host's repeat settings; gocomp has its own.
func (keyboardListener) RepeatInfo(*wlclient.Keyboard, int32, int32) {}

// pointerListener feeds the host pointer to the seat.
type pointerListener struct {
	s *hostSeat
	wlclient.NopPointerListener
}

// moveTo reports the pointer at (x, y) in o's window.
func (s *hostSeat) moveTo(o *Output, x, y wire.Fixed) {
	w, h := float64(o.mode.Width), float64(o.mode.Height)
	s.mouse.MotionAbsolute(loop.Now(), o.name, x.Float()/w, y.Float()/h)
}

// Enter runs when the host pointer enters a gocomp window.
func (l pointerListener) Enter(_ *wlclient.Pointer, serial uint32, surface *wlclient.Surface, x, y wire.Fixed) {
	s := l.s
	s.over, s.enterSerial = s.b.outputFor(surface), serial
	if s.over != nil {
		s.moveTo(s.over, x, y)
	}
	s.applyCursor()
}

// Leave runs when the host pointer leaves: the buttons it held are
// released.
func (l pointerListener) Leave(*wlclient.Pointer, uint32, *wlclient.Surface) {
	s := l.s
	now := loop.Now()
	for b := range s.buttons {
		s.mouse.Button(now, uint16(b), false)
	}
	clear(s.buttons)
	s.over = nil
	s.mouse.Frame()
}

// Motion runs when the host pointer moves in a gocomp window.
func (l pointerListener) Motion(_ *wlclient.Pointer, _ uint32, x, y wire.Fixed) {
	if l.s.over != nil {
		l.s.moveTo(l.s.over, x, y)
	}
}

// Button runs for a host button transition (evdev BTN_* codes).
func (l pointerListener) Button(_ *wlclient.Pointer, _, _ uint32, button uint32, state wayland.PointerButtonState) {
	s := l.s
	down := state == wayland.PointerButtonStatePressed
	if button > 0xffff || down == s.buttons[button] {
		return
	}
	if down {
		s.buttons[button] = true
	} else {
		delete(s.buttons, button)
	}
	s.mouse.Button(loop.Now(), uint16(button), down)
}

// Axis runs with a scroll amount; the frame sends it.
func (l pointerListener) Axis(_ *wlclient.Pointer, _ uint32, axis wayland.PointerAxis, value wire.Fixed) {
	if a := l.s.axis(axis); a != nil {
		a.set, a.value = true, value.Float()
	}
}

// AxisSource runs with what made the frame's scroll.
func (l pointerListener) AxisSource(_ *wlclient.Pointer, source wayland.PointerAxisSource) {
	for i := range l.s.axes {
		l.s.axes[i].source = backend.AxisSource(source)
	}
}

// AxisDiscrete runs with wheel steps (hosts below wl_seat version 8).
func (l pointerListener) AxisDiscrete(_ *wlclient.Pointer, axis wayland.PointerAxis, discrete int32) {
	if a := l.s.axis(axis); a != nil {
		a.value120 = discrete * 120
	}
}

// AxisValue120 runs with high-resolution wheel steps.
func (l pointerListener) AxisValue120(_ *wlclient.Pointer, axis wayland.PointerAxis, value120 int32) {
	if a := l.s.axis(axis); a != nil {
		a.value120 = value120
	}
}

// AxisStop runs when a finger or continuous scroll stops.
func (l pointerListener) AxisStop(_ *wlclient.Pointer, _ uint32, axis wayland.PointerAxis) {
	if a := l.s.axis(axis); a != nil {
		a.stop = true
	}
}

// Frame runs at the end of a host pointer frame: the scroll assembled is
// sent, then the seat's frame.
func (l pointerListener) Frame(*wlclient.Pointer) {
	s := l.s
	now := loop.Now()
	for i := range s.axes {
		a := &s.axes[i]
		if a.set {
			s.mouse.Axis(now, backend.Axis(i), a.source, a.value, a.value120)
		}
		if a.stop {
			s.mouse.AxisStop(now, backend.Axis(i))
		}
		*a = axisEvent{}
	}
	s.mouse.Frame()
}

// axis returns the frame's record of axis, or nil for an unknown axis.
func (s *hostSeat) axis(axis wayland.PointerAxis) *axisEvent {
	if int(axis) >= len(s.axes) {
		return nil
	}
	return &s.axes[axis]
}

// setCursor makes img (nil: none) the host pointer's cursor over gocomp's
// windows. The compositor gives every output the same cursor: a picture
// already on the cursor surface is not sent again.
func (s *hostSeat) setCursor(img *backend.Pixels, hotX, hotY int) {
	s.cursorHide = img == nil
	s.cursorHot = [2]int{hotX, hotY}
	if img != nil && !s.cursorBuf.shows(img) {
		s.drawCursor(img)
	}
	s.applyCursor()
}

// drawCursor copies img into a host buffer on the cursor surface.
func (s *hostSeat) drawCursor(img *backend.Pixels) {
	b := s.b
	if s.cursor == nil {
		var err error
		if s.cursor, err = b.compositor.CreateSurface(); err != nil {
			return
		}
	}
	format := wayland.ShmFormatArgb8888
	if img.Format == backend.XRGB8888 {
		format = wayland.ShmFormatXrgb8888
	}
	proxy, mem, err := newShmBuffer(b.shm, img.Width, img.Height, format)
	if err != nil {
		b.log.Warn("nested: cannot show the cursor", "err", err)
		return
	}
	for y := range img.Height {
		copy(mem[4*y*img.Width:][:4*img.Width], img.Data[y*img.Stride:])
	}
	cb := &cursorBuffer{proxy: proxy, mem: mem, width: img.Width, height: img.Height, format: img.Format}
	proxy.SetListener(cb)
	s.cursor.Attach(proxy, 0, 0)
	s.cursor.Damage(0, 0, int32(img.Width), int32(img.Height))
	s.cursor.Commit()
	s.cursorBuf.retire()
	s.cursorBuf = cb
}

// cursorBuffer is a host buffer holding one cursor picture. One that is
// no longer the cursor is destroyed once the host has released it: the
// host may read it until then. (A host that copies buffers releases them
// at once, before they are retired.)
type cursorBuffer struct {
	proxy             *wlclient.Buffer
	mem               []byte // the picture, rows of 4*width bytes
	width, height     int
	format            backend.Format
	released, retired bool
}

// shows reports whether b holds the picture img. Nil-safe.
func (b *cursorBuffer) shows(img *backend.Pixels) bool {
	if b == nil || b.mem == nil || b.width != img.Width || b.height != img.Height || b.format != img.Format {
		return false
	}
	row := 4 * img.Width
	for y := range img.Height {
		if !bytes.Equal(b.mem[y*row:][:row], img.Data[y*img.Stride:][:row]) {
			return false
		}
	}
	return true
}

// Release runs when the host no longer reads the buffer.
func (b *cursorBuffer) Release(*wlclient.Buffer) {
	b.released = true
	if b.retired {
		b.destroy()
	}
}

// retire marks b no longer the cursor; it goes now if the host is done
// with it. Nil-safe.
func (b *cursorBuffer) retire() {
	if b == nil {
		return
	}
	b.retired = true
	if b.released {
		b.destroy()
	}
}

// destroy releases the host object and the mapping. Idempotent.
func (b *cursorBuffer) destroy() {
	if b.mem == nil {
		return
	}
	b.proxy.Destroy()
	unix.Munmap(b.mem)
	b.mem = nil
}

// applyCursor shows the cursor (or none) on the host pointer while it is
// over a gocomp window.
func (s *hostSeat) applyCursor() {
	if s.ptr == nil || s.over == nil {
		return
	}
	if s.cursorHide || s.cursor == nil {
		s.ptr.SetCursor(s.enterSerial, nil, 0, 0)
		return
	}
	s.ptr.SetCursor(s.enterSerial, s.cursor, int32(s.cursorHot[0]), int32(s.cursorHot[1]))
}
