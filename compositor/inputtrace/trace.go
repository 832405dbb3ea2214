// Package inputtrace measures how long input takes to get through gocomp:
// for every input frame, the kernel's event time, when gocomp had decoded
// it, when the seat had run it through XKB and queued the client events,
// and when those were written to the clients' sockets. It logs one line
// per frame and, every interval and at the end, a summary per device:
// the 50th, 90th and 99th percentiles and the maximum of each stage.
//
// A Tracer belongs to the event loop goroutine. Code that reports to it
// holds a *Tracer that is nil when tracing is off, so the cost of tracing
// off is one nil check per frame.
package inputtrace

import (
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"
)

// Stages of a frame, in order; each is measured from the previous one.
const (
	stageRead  = iota // kernel event time -> decoded by gocomp
	stageSeat         // decoded -> seat done (XKB, events queued)
	stageSend         // seat done -> written to the clients' sockets
	stageTotal        // kernel event time -> written
	numStages
)

var stageNames = [numStages]string{"kernel_to_decode", "decode_to_xkb", "xkb_to_sendmsg", "kernel_to_sendmsg"}

// maxOpen bounds the frames waiting for the next flush; more in one loop
// iteration are summarised but not logged one by one.
const maxOpen = 256

// frame is one input frame on its way.
type frame struct {
	dev                   *device
	kernel, decoded, seat time.Duration
}

// Tracer collects frame timings. Create it with New.
type Tracer struct {
	log     *slog.Logger
	now     func() time.Duration
	devices map[string]*device
	open    [maxOpen]frame
	nopen   int
	dropped int // frames not logged because open was full
	current *frame
}

// device holds one device's histograms.
type device struct {
	name   string
	hists  [numStages]histogram
	frames int
}

// New returns a tracer that logs to log and reads the time with now
// (CLOCK_MONOTONIC, the clock of evdev event times).
func New(log *slog.Logger, now func() time.Duration) *Tracer {
	return &Tracer{log: log, now: now, devices: map[string]*device{}}
}

// FrameDecoded records that a frame of the device called name, which the kernel stamped
// kernel, has been decoded; the seat handles it next. Loop goroutine.
func (t *Tracer) FrameDecoded(name string, kernel time.Duration) {
	d := t.devices[name]
	if d == nil {
		d = &device{name: name}
		t.devices[name] = d
	}
	t.current = nil
	if t.nopen == maxOpen {
		t.dropped++
		return
	}
	f := &t.open[t.nopen]
	t.nopen++
	*f = frame{dev: d, kernel: kernel, decoded: t.now()}
	t.current = f
}

// FrameHandled records that the seat has handled the frame last passed to
// FrameDecoded.
func (t *Tracer) FrameHandled() {
	if t.current != nil {
		t.current.seat = t.now()
		t.current = nil
	}
}

// Flushed records that every client's queued events were written: the
// frames handled since the last flush are complete. Loop goroutine.
func (t *Tracer) Flushed() {
	if t.nopen == 0 {
		return
	}
	sent := t.now()
	for i := range t.open[:t.nopen] {
		f := &t.open[i]
		if f.seat == 0 {
			f.seat = sent
		}
		stages := [numStages]time.Duration{f.decoded - f.kernel, f.seat - f.decoded, sent - f.seat, sent - f.kernel}
		for s, v := range stages {
			f.dev.hists[s].add(v)
		}
		f.dev.frames++
		t.log.Info("input frame", "device", f.dev.name,
			stageNames[stageRead], stages[stageRead], stageNames[stageSeat], stages[stageSeat],
			stageNames[stageSend], stages[stageSend], stageNames[stageTotal], stages[stageTotal])
		*f = frame{}
	}
	t.nopen = 0
	if t.dropped > 0 {
		t.log.Warn("input frames not traced one by one: too many in one loop iteration", "frames", t.dropped)
		t.dropped = 0
	}
}

// Summarize logs, per device, the percentiles of every stage since the
// last summary, then starts the next period.
func (t *Tracer) Summarize() {
	names := make([]string, 0, len(t.devices))
	for n, d := range t.devices {
		if d.frames > 0 {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		d := t.devices[n]
		attrs := []any{"device", n, "frames", d.frames}
		for s := range numStages {
			h := &d.hists[s]
			attrs = append(attrs, stageNames[s], fmt.Sprintf("p50=%v p90=%v p99=%v max=%v",
				h.quantile(0.50), h.quantile(0.90), h.quantile(0.99), h.max))
			*h = histogram{}
		}
		d.frames = 0
		t.log.Info("input latency", attrs...)
	}
}

// histogram counts durations in buckets that grow by about 4.4% each,
// from 1 µs up to about 17 minutes: quantiles are exact to that
// resolution and adding a sample never allocates.
type histogram struct {
	counts [bucketCount]uint32
	n      uint32
	max    time.Duration
}

const (
	bucketsPerDoubling = 16
	bucketCount        = 30 * bucketsPerDoubling // 2^30 µs
)

// bucket returns the bucket of d.
func bucket(d time.Duration) int {
	us := float64(d) / float64(time.Microsecond)
	if us < 1 {
		return 0
	}
	b := int(math.Log2(us)*bucketsPerDoubling) + 1
	return min(b, bucketCount-1)
}

// upper returns the largest duration bucket b holds.
func upper(b int) time.Duration {
	if b == 0 {
		return time.Microsecond
	}
	return time.Duration(math.Exp2(float64(b)/bucketsPerDoubling) * float64(time.Microsecond))
}

func (h *histogram) add(d time.Duration) {
	if d < 0 {
		d = 0 // a clock step; keep the sample
	}
	h.counts[bucket(d)]++
	h.n++
	h.max = max(h.max, d)
}

// quantile returns the upper bound of the bucket holding the q-th
// sample, capped at the largest sample.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint32(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen uint32
	for b, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(upper(b), h.max).Round(time.Microsecond)
		}
	}
	return h.max
}
