package evdev

import (
	"testing"
)

// checker is a Sink that holds the decoder to its contract: no SYN_REPORT,
// SYN_DROPPED or SYN_CONFIG inside a frame, key values only 0 or 1, never
// a press of a key it already reported down nor a release of one it did
// not.
type checker struct {
	t    *testing.T
	held State
}

func (c *checker) HandleFrame(f *Frame) {
	for _, e := range f.Events {
		switch e.Type {
		case EvSyn:
			if e.Code == SynReport || e.Code == SynDropped || e.Code == SynConfig {
				c.t.Fatalf("%v frame carries %s", f.Kind, synNames[e.Code])
			}
		case EvKey:
			down := c.held.KeyDown(e.Code)
			switch {
			case e.Value == KeyPressed && !down, e.Value == KeyReleased && down:
				setBit(c.held.Keys[:], e.Code, e.Value == KeyPressed)
			default:
				c.t.Fatalf("%v frame: key %d value %d while down=%v", f.Kind, e.Code, e.Value, down)
			}
		}
	}
	if f.Kind == FrameReport && (len(f.Events) == 0 || len(f.Events) > maxFrameEvents) {
		c.t.Fatalf("report frame with %d events", len(f.Events))
	}
}

// FuzzDecode feeds arbitrary bytes, cut into reads of arbitrary sizes, with
// a querier whose answer comes from the input too.
func FuzzDecode(f *testing.F) {
	f.Add(stream(key("KEY_A", 1), synReport, key("KEY_A", 0), synReport), uint8(24), []byte{0})
	f.Add(stream(key("KEY_A", 1), synReport, synDropped, key("KEY_A", 0), synReport, key("KEY_B", 1), synReport), uint8(7), []byte{0, 0, 0, 0, 0x40})
	f.Fuzz(func(t *testing.T, data []byte, split uint8, kernelKeys []byte) {
		q := &fuzzQuerier{keys: kernelKeys}
		d := NewDecoder(q)
		c := &checker{t: t}
		n := int(split)
		if n == 0 {
			n = len(data) + 1
		}
		for len(data) > 0 {
			k := min(n, len(data))
			d.Decode(data[:k], c)
			data = data[k:]
		}
		if c.held.Keys != d.State().Keys {
			t.Fatal("keys reported down differ from the decoder's state")
		}
		d.ReleaseAll(0, c)
		if c.held.Keys != ([keyBytes]byte{}) {
			t.Fatal("keys still down after ReleaseAll")
		}
	})
}

// fuzzQuerier answers with the key bitmap it was given; an empty bitmap
// stands for a failing query.
type fuzzQuerier struct{ keys []byte }

func (q *fuzzQuerier) QueryState(s *State) error {
	if len(q.keys) == 0 {
		return ErrRemoved
	}
	copy(s.Keys[:], q.keys)
	return nil
}
