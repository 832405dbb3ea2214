package evdev

import (
	"encoding/binary"
	"time"
)

// longSize is the size of a C long (__kernel_ulong_t): 8 bytes on 64-bit
// Linux, 4 on 32-bit (arm, i386).
const longSize = 4 << (^uintptr(0) >> 63)

// EventSize is the size of one struct input_event: seconds and
// microseconds as longs, then type u16, code u16 and value s32 — 24 bytes
// on 64-bit Linux, 16 on 32-bit.
const EventSize = 2*longSize + 8

// PutEvent encodes ev into b[:EventSize] as the kernel lays out a struct
// input_event on this platform (what read() returns and write() takes).
func PutEvent(b []byte, ev Event) {
	_ = b[EventSize-1]
	sec, usec := uint64(ev.Time/time.Second), uint64(ev.Time%time.Second/time.Microsecond)
	if longSize == 8 {
		binary.NativeEndian.PutUint64(b[0:], sec)
		binary.NativeEndian.PutUint64(b[8:], usec)
	} else {
		binary.NativeEndian.PutUint32(b[0:], uint32(sec))
		binary.NativeEndian.PutUint32(b[4:], uint32(usec))
	}
	binary.NativeEndian.PutUint16(b[2*longSize:], uint16(ev.Type))
	binary.NativeEndian.PutUint16(b[2*longSize+2:], ev.Code)
	binary.NativeEndian.PutUint32(b[2*longSize+4:], uint32(ev.Value))
}

// readEvent decodes the struct input_event at b[:EventSize].
func readEvent(b []byte) Event {
	_ = b[EventSize-1]
	var sec, usec int64
	if longSize == 8 {
		sec, usec = int64(binary.NativeEndian.Uint64(b[0:])), int64(binary.NativeEndian.Uint64(b[8:]))
	} else {
		sec, usec = int64(binary.NativeEndian.Uint32(b[0:])), int64(binary.NativeEndian.Uint32(b[4:]))
	}
	return Event{
		Time:  time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond,
		Type:  Type(binary.NativeEndian.Uint16(b[2*longSize:])),
		Code:  binary.NativeEndian.Uint16(b[2*longSize+2:]),
		Value: int32(binary.NativeEndian.Uint32(b[2*longSize+4:])),
	}
}

// Event is one decoded evdev event.
type Event struct {
	// Time is the kernel's timestamp: CLOCK_MONOTONIC since boot for a
	// Device (it sets the clock right after open), whatever the stream
	// carried for a bare Decoder. Synthetic events carry the time of the
	// frame they belong to.
	Time  time.Duration
	Type  Type
	Code  uint16
	Value int32
}

// Key values of EV_KEY events.
const (
	KeyReleased int32 = 0
	KeyPressed  int32 = 1
	keyRepeated int32 = 2 // kernel autorepeat: dropped by the decoder
)

// FrameKind says where a frame came from.
type FrameKind uint8

const (
	// FrameReport is a frame the device sent, ended by SYN_REPORT.
	FrameReport FrameKind = iota
	// FrameResync is made by the decoder after SYN_DROPPED: its events are
	// the difference between what the decoder had reported and the state
	// the kernel reports now (keys, LEDs, switches). It is delivered even
	// when empty, so an owner can log the recovery.
	FrameResync
	// FrameRemoved is made when the device goes away (unplugged, revoked,
	// closed): the release of every key still held.
	FrameRemoved
)

// String returns "report", "resync" or "removed".
func (k FrameKind) String() string {
	switch k {
	case FrameReport:
		return "report"
	case FrameResync:
		return "resync"
	case FrameRemoved:
		return "removed"
	}
	return "FrameKind(?)"
}

// Frame is one group of events that belong together, as the kernel ends
// them with SYN_REPORT. The SYN_REPORT itself is not in Events.
//
// Frames handed to a Sink are owned by the decoder: Events is reused for the
// next frame, so a sink that keeps events must copy them.
type Frame struct {
	// Device is the device the frame came from; nil for a bare Decoder.
	Device *Device
	Kind   FrameKind
	// Time is the timestamp of the frame's SYN_REPORT (for synthetic frames:
	// of the report that ended the dropped span, or the removal time).
	Time   time.Duration
	Events []Event
}

// Sink receives decoded frames on the goroutine that feeds the decoder (for
// a Device: the one calling Dispatch, the event loop).
type Sink interface {
	// HandleFrame is called once per frame. f and f.Events are valid only
	// during the call.
	HandleFrame(f *Frame)
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(f *Frame)

// HandleFrame calls fn(f).
func (fn SinkFunc) HandleFrame(f *Frame) { fn(f) }
