package evdev

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ev is one event of a test stream.
type ev struct {
	t     Type
	code  uint16
	value int32
}

var (
	synReport  = ev{EvSyn, SynReport, 0}
	synDropped = ev{EvSyn, SynDropped, 0}
)

func key(name string, value int32) ev {
	t, code, ok := CodeByName(name)
	if !ok || t != EvKey {
		panic("no key " + name)
	}
	return ev{EvKey, code, value}
}

// stream encodes events as the kernel's read() returns them, one
// millisecond apart starting at 100 s.
func stream(evs ...ev) []byte {
	b := make([]byte, 0, len(evs)*EventSize)
	for i, e := range evs {
		var r [EventSize]byte
		PutEvent(r[:], Event{Time: 100*time.Second + time.Duration(i)*time.Millisecond, Type: e.t, Code: e.code, Value: e.value})
		b = append(b, r[:]...)
	}
	return b
}

// fakeQuerier returns a fixed state, or err.
type fakeQuerier struct {
	keys   []string
	abs    map[uint16]int32
	slots  []Slot // for a multitouch device: the slots, current slot mtSlot
	mtSlot int32
	err    error
	calls  int
}

func (q *fakeQuerier) QueryState(s *State) error {
	q.calls++
	if q.err != nil {
		return q.err
	}
	for _, k := range q.keys {
		_, code, _ := CodeByName(k)
		setBit(s.Keys[:], code, true)
	}
	for code, v := range q.abs {
		setBit(s.Axes[:], code, true)
		s.Abs[code] = v
	}
	if q.slots != nil {
		s.MT, s.MTSlot, s.NumSlots = true, q.mtSlot, len(q.slots)
		copy(s.Slots[:], q.slots)
	}
	return nil
}

// recorder formats every frame as "kind NAME:value NAME:value".
type recorder struct{ frames []string }

func (r *recorder) HandleFrame(f *Frame) {
	var b strings.Builder
	b.WriteString(f.Kind.String())
	for _, e := range f.Events {
		if e.Type == EvSyn || (e.Type == EvKey && (e.Value < 0 || e.Value > 1)) {
			b.WriteString(" BAD")
		}
		n, _ := CodeName(e.Type, e.Code)
		fmt.Fprintf(&b, " %s:%d", n, e.Value)
	}
	r.frames = append(r.frames, b.String())
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name   string
		chunks [][]ev // one read() each
		state  []string
		err    error
		want   []string
	}{
		{
			name:   "tap",
			chunks: [][]ev{{key("KEY_A", 1), synReport, key("KEY_A", 0), synReport}},
			want:   []string{"report KEY_A:1", "report KEY_A:0"},
		},
		{
			name: "autorepeat dropped, frame with only a repeat not delivered",
			chunks: [][]ev{{key("KEY_LEFTSHIFT", 1), synReport, key("KEY_LEFTSHIFT", 2), {EvSyn, SynReport, 1},
				key("KEY_LEFTSHIFT", 0), synReport}},
			want: []string{"report KEY_LEFTSHIFT:1", "report KEY_LEFTSHIFT:0"},
		},
		{
			name:   "release without press dropped",
			chunks: [][]ev{{key("KEY_B", 0), synReport, key("KEY_C", 1), key("KEY_D", 0), synReport}},
			want:   []string{"report KEY_C:1"},
		},
		{
			name:   "duplicate press dropped",
			chunks: [][]ev{{key("KEY_C", 1), synReport, key("KEY_C", 1), synReport, key("KEY_C", 0), synReport}},
			want:   []string{"report KEY_C:1", "report KEY_C:0"},
		},
		{
			name: "USB keyboard frame keeps MSC_SCAN, pointer frame passes",
			chunks: [][]ev{{{EvMsc, 4, 0x70004}, key("KEY_A", 1), synReport,
				{EvRel, RelX, 3}, {EvRel, RelY, -2}, key("BTN_LEFT", 1), synReport}},
			want: []string{"report MSC_SCAN:458756 KEY_A:1", "report REL_X:3 REL_Y:-2 BTN_LEFT:1"},
		},
		{
			// The pending press of B is discarded with the dropped span; the
			// kernel says C is down now; the press of D read in the same
			// chunk after the resync predates the query and is stale; the
			// release of C in the next read is new.
			name: "SYN_DROPPED in the middle",
			chunks: [][]ev{
				{key("KEY_A", 1), synReport, key("KEY_B", 1), synDropped, key("KEY_A", 0), key("KEY_C", 1), synReport,
					key("KEY_D", 1), {EvRel, RelX, 1}, synReport},
				{key("KEY_C", 0), synReport},
			},
			state: []string{"KEY_C"},
			want: []string{"report KEY_A:1", "resync KEY_A:0 KEY_C:1", "report REL_X:1",
				"report KEY_C:0"},
		},
		{
			name:   "resync with nothing changed is still delivered",
			chunks: [][]ev{{synDropped, key("KEY_A", 1), synReport}},
			want:   []string{"resync"},
		},
		{
			name:   "resync when the query fails releases everything",
			chunks: [][]ev{{key("KEY_A", 1), synReport}, {synDropped, synReport, key("KEY_Z", 1), synReport}},
			err:    errors.New("gone"),
			want:   []string{"report KEY_A:1", "resync KEY_A:0", "report KEY_Z:1"},
		},
		{
			name:   "partial frame at the end is not delivered",
			chunks: [][]ev{{key("KEY_A", 1), synReport, key("KEY_A", 0)}},
			want:   []string{"report KEY_A:1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Whole reads, then the same bytes split at awkward sizes (the
			// splits keep the read boundaries, which matter after a resync).
			for _, split := range []int{0, 1, 7, 23, 25} {
				q := &fakeQuerier{keys: tt.state, err: tt.err}
				d := NewDecoder(q)
				r := &recorder{}
				for _, c := range tt.chunks {
					b := stream(c...)
					if split == 0 || len(tt.chunks) > 1 {
						d.Decode(b, r)
						continue
					}
					for len(b) > 0 {
						n := min(split, len(b))
						d.Decode(b[:n], r)
						b = b[n:]
					}
				}
				if got := strings.Join(r.frames, " | "); got != strings.Join(tt.want, " | ") {
					t.Errorf("split %d: frames = %q; want %q", split, r.frames, tt.want)
				}
			}
		})
	}
}

func TestDecodeSplitReadsKeepEvents(t *testing.T) {
	var evs []ev
	for _, k := range []string{"KEY_H", "KEY_E", "KEY_L", "KEY_O"} {
		evs = append(evs, key(k, 1), synReport, key(k, 0), synReport)
	}
	b := stream(evs...)
	for split := 1; split <= 2*EventSize+1; split++ {
		d := NewDecoder(nil)
		r := &recorder{}
		for i := 0; i < len(b); i += split {
			d.Decode(b[i:min(i+split, len(b))], r)
		}
		if len(r.frames) != 8 || r.frames[0] != "report KEY_H:1" || r.frames[7] != "report KEY_O:0" {
			t.Fatalf("split %d: frames = %q", split, r.frames)
		}
	}
}

func TestReleaseAll(t *testing.T) {
	d := NewDecoder(nil)
	r := &recorder{}
	d.Decode(stream(key("KEY_LEFTCTRL", 1), synReport, key("KEY_C", 1), synReport, key("BTN_LEFT", 1)), r)
	d.ReleaseAll(0, r)
	d.ReleaseAll(0, r) // nothing left: no frame
	want := []string{"report KEY_LEFTCTRL:1", "report KEY_C:1", "removed KEY_LEFTCTRL:0 KEY_C:0"}
	if strings.Join(r.frames, "|") != strings.Join(want, "|") {
		t.Errorf("frames = %q; want %q", r.frames, want)
	}
	if d.KeyDown(46) {
		t.Error("KEY_C still down after ReleaseAll")
	}
}

func TestOverlongFrameIsTreatedAsDropped(t *testing.T) {
	evs := []ev{key("KEY_A", 1), synReport}
	for i := 0; i < maxFrameEvents+10; i++ {
		evs = append(evs, ev{EvRel, RelX, 1})
	}
	evs = append(evs, synReport)
	q := &fakeQuerier{}
	d := NewDecoder(q)
	r := &recorder{}
	d.Decode(stream(evs...), r)
	want := []string{"report KEY_A:1", "resync KEY_A:0"}
	if strings.Join(r.frames, "|") != strings.Join(want, "|") || q.calls != 1 {
		t.Errorf("frames = %q, %d queries; want %q, 1 query", r.frames, q.calls, want)
	}
}

func TestEventTime(t *testing.T) {
	var got Frame
	d := NewDecoder(nil)
	d.Decode(stream(key("KEY_A", 1), synReport), SinkFunc(func(f *Frame) { got = *f }))
	if got.Time.Microseconds() != 100_001_000 {
		t.Errorf("frame time = %v; want 100.001s", got.Time)
	}
}

// TestResyncAxes: after SYN_DROPPED the single-touch axes are brought to
// the kernel's values; an axis the decoder did not know yet is reported,
// one that has not changed is not, and multitouch axes are left alone.
func TestResyncAxes(t *testing.T) {
	const absPressure, absMTPositionX = 0x18, 0x35
	q := &fakeQuerier{abs: map[uint16]int32{AbsX: 100, AbsY: 50}}
	d := NewDecoder(q)
	r := &recorder{}
	// First resync: learns X and Y.
	d.Decode(stream(synDropped, synReport), r)
	// Y moves and is reported; the pressure axis was never announced by
	// the querier and passes untracked.
	d.Decode(stream(ev{EvAbs, AbsY, 60}, ev{EvAbs, absPressure, 7}, synReport), r)
	// X moves during a dropped span; in the same read after the resync a
	// stale X is dropped and a multitouch event passes.
	q.abs = map[uint16]int32{AbsX: 120, AbsY: 60}
	d.Decode(stream(synDropped, ev{EvAbs, AbsX, 110}, synReport,
		ev{EvAbs, AbsX, 115}, ev{EvAbs, absMTPositionX, 3}, synReport), r)
	// Nothing changed but a multitouch axis, which is not tracked.
	q.abs = map[uint16]int32{AbsX: 120, AbsY: 60, absMTPositionX: 9}
	d.Decode(stream(synDropped, synReport), r)
	want := []string{
		"resync ABS_X:100 ABS_Y:50",
		"report ABS_Y:60 ABS_PRESSURE:7",
		"resync ABS_X:120",
		"report ABS_MT_POSITION_X:3",
		"resync",
	}
	if strings.Join(r.frames, " | ") != strings.Join(want, " | ") {
		t.Errorf("frames = %q; want %q", r.frames, want)
	}
}

// TestResyncMultitouchSlots: after SYN_DROPPED the decoder brings the
// slots the consumer knows up to the kernel's: a finger that went down
// while events were lost is announced, one that lifted is lifted, one that
// moved moves, untouched slots say nothing, and the current slot is
// restored last.
func TestResyncMultitouchSlots(t *testing.T) {
	free := Slot{ID: -1}
	q := &fakeQuerier{slots: []Slot{free, free, free, free}}
	d := NewDecoder(q)
	r := &recorder{}
	d.Decode(stream(synDropped, synReport), r) // learns the four free slots
	// Two fingers go down in slots 0 and 1, slot 1 is current.
	d.Decode(stream(ev{EvAbs, AbsMTSlot, 0}, ev{EvAbs, AbsMTTrackingID, 10}, ev{EvAbs, AbsMTPositionX, 100}, ev{EvAbs, AbsMTPositionY, 200},
		ev{EvAbs, AbsMTSlot, 1}, ev{EvAbs, AbsMTTrackingID, 11}, ev{EvAbs, AbsMTPositionX, 300}, ev{EvAbs, AbsMTPositionY, 400}, synReport), r)
	// Events are lost: finger 10 lifted, finger 11 moved in y, finger 12
	// went down in slot 3, which is current now. A stale event in the same
	// read after the resync is dropped: the kernel's state includes it.
	q.slots = []Slot{free, {ID: 11, X: 300, Y: 450}, free, {ID: 12, X: 5, Y: 6}}
	q.mtSlot = 3
	d.Decode(stream(synDropped, synReport, ev{EvAbs, AbsMTPositionX, 7}, synReport), r)
	want := []string{
		"resync",
		"report ABS_MT_SLOT:0 ABS_MT_TRACKING_ID:10 ABS_MT_POSITION_X:100 ABS_MT_POSITION_Y:200 " +
			"ABS_MT_SLOT:1 ABS_MT_TRACKING_ID:11 ABS_MT_POSITION_X:300 ABS_MT_POSITION_Y:400",
		"resync ABS_MT_SLOT:0 ABS_MT_TRACKING_ID:-1 ABS_MT_SLOT:1 ABS_MT_POSITION_Y:450 " +
			"ABS_MT_SLOT:3 ABS_MT_TRACKING_ID:12 ABS_MT_POSITION_X:5 ABS_MT_POSITION_Y:6",
	}
	if strings.Join(r.frames, " | ") != strings.Join(want, " | ") {
		t.Errorf("frames =\n%q\nwant\n%q", r.frames, want)
	}
	// Without the kernel's state (the query fails) every finger lifts.
	q.err = errors.New("gone")
	r.frames = nil
	d.Decode(stream(synDropped, synReport), r)
	if got, want := r.frames, []string{"resync ABS_MT_SLOT:1 ABS_MT_TRACKING_ID:-1 ABS_MT_SLOT:3 ABS_MT_TRACKING_ID:-1"}; !slices.Equal(got, want) {
		t.Errorf("after a failed query: %q; want %q", got, want)
	}
}

// TestEventLayout pins struct input_event's size to the platform's: two C
// longs (struct timeval's size) then type, code and value.
func TestEventLayout(t *testing.T) {
	if want := int(unsafe.Sizeof(unix.Timeval{})) + 8; EventSize != want {
		t.Fatalf("EventSize = %d; want sizeof(struct timeval) + 8 = %d", EventSize, want)
	}
	ev := Event{Time: 1234*time.Second + 567*time.Microsecond, Type: EvKey, Code: 30, Value: -2}
	var b [EventSize]byte
	PutEvent(b[:], ev)
	if got := readEvent(b[:]); got != ev {
		t.Errorf("readEvent(PutEvent(%+v)) = %+v", ev, got)
	}
}
