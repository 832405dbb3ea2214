package evdev

import "time"

// EventSize is the size of one struct input_event on 64-bit Linux:
// sec int64, usec int64, type u16, code u16, value s32.
const EventSize = 24

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
