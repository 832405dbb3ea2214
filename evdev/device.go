package evdev

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ErrRemoved is returned (wrapped) by Dispatch once the device is gone:
// unplugged (ENODEV), revoked, or hung up. The releases of held keys have
// been delivered by then; the owner should Close the device.
var ErrRemoved = errors.New("evdev: device removed")

// ID is struct input_id.
type ID struct {
	Bus, Vendor, Product, Version uint16
}

// String formats the id as bus:vendor:product in hex, like libinput.
func (id ID) String() string {
	return fmt.Sprintf("%04x:%04x:%04x", id.Bus, id.Vendor, id.Product)
}

// Options are how Open opens a device.
type Options struct {
	// Sink receives the device's frames from Dispatch. Nil discards them.
	Sink Sink
	// Grab takes the device exclusively (EVIOCGRAB): other readers get
	// nothing until Close or Grab(false).
	Grab bool
	// Writable opens the device read-write, which SetLED needs.
	Writable bool
}

// Device is one open /dev/input/eventN. All methods must be called from the
// goroutine that owns the device (the event loop); Dispatch is meant to be
// the handler of the fd's readiness in an epoll loop.
type Device struct {
	Path  string
	Name  string
	Phys  string // empty when the kernel has none (virtual devices)
	Uniq  string
	ID    ID
	Caps  Capabilities
	Class Class

	fd      int
	sink    Sink
	grabbed bool
	gone    bool
	stream  bool // not a kernel node (NewStream): no ioctls
	// streamAbs are a stream's axis ranges.
	streamAbs map[uint16]AbsInfo
	dec       Decoder
	buf       [64 * EventSize]byte
}

// Open opens the evdev node at path non-blocking, sets its clock to
// CLOCK_MONOTONIC and reads its identity and capabilities.
func Open(path string, opt Options) (*Device, error) {
	mode := unix.O_RDONLY
	if opt.Writable {
		mode = unix.O_RDWR
	}
	fd, err := unix.Open(path, mode|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, openError(path, err)
	}
	return FromFD(fd, path, opt)
}

// FromFD sets up the evdev node open on fd as Open does (a session broker
// such as seatd or logind opened it for the caller): non-blocking,
// CLOCK_MONOTONIC, identity and capabilities read, grabbed if asked. The
// device owns fd from now on, also when FromFD fails (it is closed); path
// names the node. opt.Writable is not looked at: the fd is what it is.
func FromFD(fd int, path string, opt Options) (*Device, error) {
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("evdev: %s: set non-blocking: %w", path, err)
	}
	d := &Device{Path: path, fd: fd, sink: opt.Sink}
	d.dec = Decoder{querier: d, pending: make([]Event, 0, 64)}
	d.dec.frame.Device = d
	if d.sink == nil {
		d.sink = SinkFunc(func(*Frame) {})
	}
	if err := d.init(opt); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return d, nil
}

// errStream is the error of kernel queries on a stream device.
var errStream = errors.New("not a kernel input device")

// StreamInfo describes the device behind a stream (NewStream).
type StreamInfo struct {
	Name string
	Caps Capabilities
	// Abs holds the ranges of the absolute axes, which AbsInfo returns.
	Abs map[uint16]AbsInfo
}

// NewStream returns a device that reads struct input_event records from
// fd, a stream that is not an evdev node: a recording played back, or
// frames a test or benchmark writes into a pipe. It takes fd over (and
// makes it non-blocking); path names it in logs. The device has the name,
// capabilities and axis ranges of info and no kernel state behind it:
// QueryState, SetLED, Grab and Revoke fail, and a SYN_DROPPED in the
// stream resyncs to no key held. End of stream removes the device as an
// unplug does.
func NewStream(fd int, path string, info StreamInfo, opt Options) (*Device, error) {
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, fmt.Errorf("evdev: %s: set non-blocking: %w", path, err)
	}
	d := &Device{Path: path, Name: info.Name, Caps: info.Caps, Class: info.Caps.Classify(), fd: fd, sink: opt.Sink,
		stream: true, streamAbs: info.Abs}
	d.dec = Decoder{querier: d, pending: make([]Event, 0, 64)}
	d.dec.frame.Device = d
	if d.sink == nil {
		d.sink = SinkFunc(func(*Frame) {})
	}
	return d, nil
}

// openError wraps an open failure, naming the fix when it is a permission
// problem or a missing node.
func openError(path string, err error) error {
	switch {
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return fmt.Errorf("evdev: open %s: %w (run as root or join the input group)", path, err)
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENODEV), errors.Is(err, unix.ENXIO):
		return fmt.Errorf("%w: open %s: %w", ErrRemoved, path, err)
	}
	return fmt.Errorf("evdev: open %s: %w", path, err)
}

// init sets the clock and reads identity and capabilities.
func (d *Device) init(opt Options) error {
	clock := int32(unix.CLOCK_MONOTONIC)
	if err := ioctlPtr(d.fd, eviocSClockID, unsafe.Pointer(&clock)); err != nil {
		return fmt.Errorf("evdev: %s: set monotonic clock: %w", d.Path, err)
	}
	var version int32
	if err := ioctlPtr(d.fd, eviocGVersion, unsafe.Pointer(&version)); err != nil {
		return fmt.Errorf("evdev: %s: not an evdev device: %w", d.Path, err)
	}
	if err := ioctlPtr(d.fd, eviocGID, unsafe.Pointer(&d.ID)); err != nil {
		return fmt.Errorf("evdev: %s: read id: %w", d.Path, err)
	}
	var err error
	if d.Name, err = ioctlString(d.fd, nrGName); err != nil {
		return fmt.Errorf("evdev: %s: read name: %w", d.Path, err)
	}
	// Virtual devices (uinput, virtio) have no phys or uniq: ENOENT.
	if d.Phys, err = ioctlString(d.fd, nrGPhys); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("evdev: %s: read phys: %w", d.Path, err)
	}
	if d.Uniq, err = ioctlString(d.fd, nrGUniq); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("evdev: %s: read uniq: %w", d.Path, err)
	}
	c := &d.Caps
	if err := ioctlBytes(d.fd, nrGBit, c.Types[:]); err != nil {
		return fmt.Errorf("evdev: %s: read event types: %w", d.Path, err)
	}
	for _, b := range []struct {
		t    Type
		bits []byte
	}{{EvKey, c.Keys[:]}, {EvRel, c.Rel[:]}, {EvAbs, c.Abs[:]}, {EvMsc, c.Msc[:]}, {EvSw, c.Switches[:]}, {EvLed, c.LEDs[:]}} {
		if !c.HasType(b.t) {
			continue
		}
		if err := ioctlBytes(d.fd, nrGBit+uintptr(b.t), b.bits); err != nil {
			return fmt.Errorf("evdev: %s: read %v codes: %w", d.Path, b.t, err)
		}
	}
	if err := ioctlBytes(d.fd, nrGProp, c.Props[:]); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("evdev: %s: read properties: %w", d.Path, err)
	}
	d.Class = c.Classify()
	// The decoder starts from the kernel's LEDs, switches and axes, but with
	// nothing held: a key already down at open was never reported pressed,
	// so its release is dropped too.
	var now State
	if err := d.QueryState(&now); err != nil {
		return fmt.Errorf("evdev: %s: %w", d.Path, err)
	}
	now.Keys = [keyBytes]byte{}
	for i := range now.Slots[:now.NumSlots] {
		now.Slots[i].ID = -1 // fingers already down were never reported
	}
	d.dec.state = now
	if opt.Grab {
		if err := d.Grab(true); err != nil {
			return err
		}
	}
	return nil
}

// Fd returns the device's file descriptor, for registering with epoll. It
// stays owned by the device.
func (d *Device) Fd() int { return d.fd }

// Grab takes (true) or releases (false) the device exclusively.
func (d *Device) Grab(on bool) error {
	if d.stream {
		return fmt.Errorf("evdev: %s: grab: %w", d.Path, errStream)
	}
	v := uintptr(0)
	if on {
		v = 1
	}
	if err := ioctlVal(d.fd, eviocGRab, v); err != nil {
		return fmt.Errorf("evdev: %s: grab %v: %w", d.Path, on, err)
	}
	d.grabbed = on
	return nil
}

// Revoke makes the fd useless to everyone holding a copy of it (as a
// session manager does on VT switch): reads fail with ENODEV afterwards.
func (d *Device) Revoke() error {
	if d.stream {
		return fmt.Errorf("evdev: %s: revoke: %w", d.Path, errStream)
	}
	if err := ioctlVal(d.fd, eviocRevoke, 0); err != nil {
		return fmt.Errorf("evdev: %s: revoke: %w", d.Path, err)
	}
	return nil
}

// SetLED lights (on) or darkens LED code (LED_CAPSL, ...). The device must
// have been opened Writable.
func (d *Device) SetLED(code uint16, on bool) error {
	if d.stream {
		return fmt.Errorf("evdev: %s: set %s: %w", d.Path, ledName(code), errStream)
	}
	var b [2 * EventSize]byte
	v := uint32(0)
	if on {
		v = 1
	}
	PutEvent(b[:EventSize], Event{Type: EvLed, Code: code, Value: int32(v)})
	PutEvent(b[EventSize:], Event{Type: EvSyn, Code: SynReport})
	if _, err := unix.Write(d.fd, b[:]); err != nil {
		return fmt.Errorf("evdev: %s: set %s: %w", d.Path, ledName(code), err)
	}
	return nil
}

func ledName(code uint16) string {
	n, _ := CodeName(EvLed, code)
	return n
}

// QueryState reads the keys held, LEDs lit, switches on and single-touch
// axis values from the kernel. As a side effect the kernel drops the key,
// LED and switch events still queued on this fd.
func (d *Device) QueryState(s *State) error {
	if d.stream {
		return errStream
	}
	if err := ioctlBytes(d.fd, nrGKey, s.Keys[:]); err != nil {
		return fmt.Errorf("read key state: %w", err)
	}
	if d.Caps.HasType(EvLed) {
		if err := ioctlBytes(d.fd, nrGLED, s.LEDs[:]); err != nil {
			return fmt.Errorf("read LED state: %w", err)
		}
	}
	if d.Caps.HasType(EvSw) {
		if err := ioctlBytes(d.fd, nrGSW, s.Switches[:]); err != nil {
			return fmt.Errorf("read switch state: %w", err)
		}
	}
	if d.Caps.HasType(EvAbs) {
		for code := uint16(0); code <= AbsMax; code++ {
			if !trackedAxis(code) || !d.Caps.Has(EvAbs, code) {
				continue
			}
			var ai AbsInfo
			if err := ioctlAbs(d.fd, code, &ai); err != nil {
				return fmt.Errorf("read axis %d: %w", code, err)
			}
			setBit(s.Axes[:], code, true)
			s.Abs[code] = ai.Value
		}
		if err := d.queryMT(s); err != nil {
			return err
		}
	}
	return nil
}

// queryMT reads the current slot and the tracked axes of every
// multitouch slot.
func (d *Device) queryMT(s *State) error {
	if !d.Caps.Has(EvAbs, AbsMTSlot) {
		return nil
	}
	var ai AbsInfo
	if err := ioctlAbs(d.fd, AbsMTSlot, &ai); err != nil {
		return fmt.Errorf("read the current multitouch slot: %w", err)
	}
	s.MT, s.MTSlot = true, ai.Value
	s.NumSlots = min(int(ai.Maximum)+1, MaxSlots)
	var buf [1 + MaxSlots]int32
	for _, code := range mtCodes {
		if !d.Caps.Has(EvAbs, code) {
			continue
		}
		if err := ioctlMTSlots(d.fd, code, buf[:1+s.NumSlots]); err != nil {
			return fmt.Errorf("read multitouch slots of axis %d: %w", code, err)
		}
		for i := range s.NumSlots {
			s.Slots[i].set(code, buf[1+i])
		}
	}
	return nil
}

// AbsInfo reads the range and current value of absolute axis code.
func (d *Device) AbsInfo(code uint16) (AbsInfo, error) {
	var ai AbsInfo
	if d.stream {
		if ai, ok := d.streamAbs[code]; ok {
			return ai, nil
		}
		return ai, fmt.Errorf("evdev: %s: read axis %d: %w", d.Path, code, errStream)
	}
	if err := ioctlAbs(d.fd, code, &ai); err != nil {
		return ai, fmt.Errorf("evdev: %s: read axis %d: %w", d.Path, code, err)
	}
	return ai, nil
}

// KeyDown reports whether key code is held as far as the frames delivered
// so far say.
func (d *Device) KeyDown(code uint16) bool { return d.dec.KeyDown(code) }

// Dispatch reads the fd until it is drained and hands every frame to the
// sink. It returns nil when the fd is drained: at EAGAIN, or after a read
// that did not fill the buffer, since evdev's read copies every queued event
// that fits, so a short read has emptied the kernel's queue (events that
// arrive later make the level-triggered epoll report the fd again). That
// saves a second read per input frame. When the device has gone (unplugged,
// revoked) it first delivers a FrameRemoved with the release of every key
// still held and returns an error wrapping ErrRemoved; the owner then
// removes the fd from its loop and calls Close.
func (d *Device) Dispatch() error {
	if d.gone {
		return fmt.Errorf("%w: %s", ErrRemoved, d.Path)
	}
	for {
		n, err := unix.Read(d.fd, d.buf[:])
		if n > 0 {
			d.dec.Decode(d.buf[:n], d.sink)
			if n < len(d.buf) {
				return nil
			}
			continue
		}
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return nil
		case err == nil: // EOF: not something evdev does, treat as gone
			err = unix.ENODEV
		}
		d.gone = true
		d.dec.ReleaseAll(Now(), d.sink)
		if errors.Is(err, unix.ENODEV) {
			return fmt.Errorf("%w: %s", ErrRemoved, d.Path)
		}
		return fmt.Errorf("%w: %s: read: %w", ErrRemoved, d.Path, err)
	}
}

// Close releases held keys (delivering a FrameRemoved if any were held),
// ungrabs and closes the fd. It is idempotent and safe on nil.
func (d *Device) Close() error {
	if d == nil || d.fd < 0 {
		return nil
	}
	if !d.gone {
		d.gone = true
		d.dec.ReleaseAll(Now(), d.sink)
	}
	err := unix.Close(d.fd) // closing also ends a grab
	d.fd = -1
	if err != nil {
		return fmt.Errorf("evdev: close %s: %w", d.Path, err)
	}
	return nil
}

// Now returns the current time on the clock that device events carry
// (CLOCK_MONOTONIC, which Open selects), comparable with Event.Time and
// Frame.Time.
func Now() time.Duration {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return time.Duration(ts.Nano())
}
