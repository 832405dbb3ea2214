package inputtrace

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// clock is a fake CLOCK_MONOTONIC.
type clock struct{ t time.Duration }

func (c *clock) now() time.Duration { return c.t }

func TestFramesAreTimedStageByStage(t *testing.T) {
	var out bytes.Buffer
	c := &clock{t: 10 * time.Second}
	tr := New(slog.New(slog.NewTextHandler(&out, nil)), c.now)
	// Two frames of one keyboard in one loop iteration, one of another.
	c.t += 200 * time.Microsecond
	tr.FrameDecoded("kbd-a", 10*time.Second)
	c.t += 30 * time.Microsecond
	tr.FrameHandled()
	tr.FrameDecoded("kbd-a", 10*time.Second+100*time.Microsecond)
	c.t += 20 * time.Microsecond
	tr.FrameHandled()
	tr.FrameDecoded("kbd-b", 10*time.Second)
	tr.FrameHandled()
	c.t += 50 * time.Microsecond
	tr.Flushed()
	tr.Flushed() // nothing open: nothing logged
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		`device=kbd-a kernel_to_decode=200µs decode_to_xkb=30µs xkb_to_sendmsg=70µs kernel_to_sendmsg=300µs`,
		`device=kbd-a kernel_to_decode=130µs decode_to_xkb=20µs xkb_to_sendmsg=50µs kernel_to_sendmsg=200µs`,
		`device=kbd-b kernel_to_decode=250µs decode_to_xkb=0s xkb_to_sendmsg=50µs kernel_to_sendmsg=300µs`,
	}
	if len(lines) != len(want) {
		t.Fatalf("logged %d lines; want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, w := range want {
		if !strings.Contains(lines[i], `msg="input frame" `+w) {
			t.Errorf("line %d = %s\nwant it to contain %s", i, lines[i], w)
		}
	}
	out.Reset()
	tr.Summarize()
	sum := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(sum) != 2 || !strings.Contains(sum[0], "device=kbd-a frames=2 ") || !strings.Contains(sum[1], "device=kbd-b frames=1 ") {
		t.Fatalf("summary:\n%s\nwant one line for kbd-a (2 frames), one for kbd-b (1)", out.String())
	}
	// Quantiles are bucket bounds: at most 4.5% above the sample.
	for _, tc := range []struct {
		line         int
		stage, quant string
		want         time.Duration
	}{
		{0, "kernel_to_decode", "p50", 130 * time.Microsecond},
		{0, "kernel_to_decode", "p90", 200 * time.Microsecond},
		{0, "kernel_to_decode", "max", 200 * time.Microsecond},
		{0, "kernel_to_sendmsg", "p50", 200 * time.Microsecond},
		{0, "kernel_to_sendmsg", "p99", 300 * time.Microsecond},
		{1, "xkb_to_sendmsg", "p50", 50 * time.Microsecond},
		{1, "decode_to_xkb", "max", 0},
	} {
		got := summaryValue(t, sum[tc.line], tc.stage, tc.quant)
		if got < tc.want || float64(got) > float64(tc.want)*1.045 {
			t.Errorf("summary %s %s = %v; want %v (within 4.5%%)\n%s", tc.stage, tc.quant, got, tc.want, sum[tc.line])
		}
	}
	out.Reset()
	tr.Summarize() // a new period: nothing since
	if out.Len() != 0 {
		t.Errorf("empty period logged: %s", out.String())
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.50, 500 * time.Microsecond}, {0.90, 900 * time.Microsecond}, {0.99, 990 * time.Microsecond}, {1, 1000 * time.Microsecond}} {
		got := h.quantile(tc.q)
		// The bucket's upper bound is within one bucket (2^(1/16), 4.4%)
		// above the exact value.
		if got < tc.want || float64(got) > float64(tc.want)*1.045 {
			t.Errorf("quantile(%v) = %v; want %v within 4.5%%", tc.q, got, tc.want)
		}
	}
	if h.max != time.Millisecond {
		t.Errorf("max = %v; want 1ms", h.max)
	}
}

func TestTracingAllocatesNothingPerFrame(t *testing.T) {
	c := &clock{}
	tr := New(slog.New(slog.DiscardHandler), c.now)
	tr.FrameDecoded("kbd", 0) // the device's first frame creates its record
	tr.FrameHandled()
	tr.Flushed()
	allocs := testing.AllocsPerRun(100, func() {
		c.t += time.Microsecond
		tr.FrameDecoded("kbd", c.t-time.Microsecond)
		tr.FrameHandled()
	})
	tr.Flushed()
	if allocs != 0 {
		t.Errorf("%v allocations per traced frame before the flush; want 0", allocs)
	}
}

// summaryValue reads stage's quantile (p50, p90, p99, max) from a summary
// line.
func summaryValue(t *testing.T, line, stage, quant string) time.Duration {
	t.Helper()
	i := strings.Index(line, stage+`="`)
	if i < 0 {
		t.Fatalf("no %s in %s", stage, line)
	}
	field := line[i+len(stage)+2:]
	field = field[:strings.IndexByte(field, '"')]
	for _, kv := range strings.Fields(field) {
		if v, ok := strings.CutPrefix(kv, quant+"="); ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
	}
	t.Fatalf("no %s in %s", quant, field)
	return 0
}
