package compositor

import (
	"fmt"
	"slices"
	"testing"

	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
	"gocomp/protocols/xdgshell"
)

// recordingSeat is a Seat that records the toplevel map/unmap calls.
type recordingSeat struct {
	emptySeat
	calls []string
}

func (rs *recordingSeat) ToplevelMapped(s *wayland.Surface) {
	rs.calls = append(rs.calls, fmt.Sprintf("map %d", s.ID()))
}

func (rs *recordingSeat) ToplevelUnmapped(s *wayland.Surface) {
	rs.calls = append(rs.calls, fmt.Sprintf("unmap %d", s.ID()))
}

func TestSeatFollowsToplevelMapping(t *testing.T) {
	rs := &recordingSeat{emptySeat: emptySeat{name: "test-seat"}}
	h := startServer(t, Config{NewSeat: func(*server.Display, Scene) (Seat, error) { return rs, nil }}, testMode)
	calls := func() []string {
		var out []string
		h.do(func() { out = slices.Clone(rs.calls) })
		return out
	}
	c := h.dial("client")
	w := newWindow(c)
	c.roundtrip()
	if got := calls(); len(got) != 0 {
		t.Fatalf("seat calls before any buffer: %v; want none (not mapped yet)", got)
	}
	buf, _ := w.buffer(4, 4, 0)
	attach := func(b uint32) {
		c.send(w.surface, wayland.SurfaceRequestAttach, b, int32(0), int32(0))
		c.send(w.surface, wayland.SurfaceRequestCommit)
		c.roundtrip()
	}
	attach(buf)
	attach(buf) // still mapped: no second call
	attach(0)   // null buffer: unmapped
	// Mapping again takes a new initial commit and configure.
	c.send(w.surface, wayland.SurfaceRequestCommit)
	cfg, _ := c.waitFor("configure", func(e event) bool { return e.sender == w.xdgSurface && e.opcode == xdgshell.SurfaceEventConfigure })
	c.send(w.xdgSurface, xdgshell.SurfaceRequestAckConfigure, cfg.uint(0))
	attach(buf)
	c.send(w.topLevel, xdgshell.ToplevelRequestDestroy)
	c.roundtrip()
	s := w.surface
	want := []string{fmt.Sprintf("map %d", s), fmt.Sprintf("unmap %d", s), fmt.Sprintf("map %d", s), fmt.Sprintf("unmap %d", s)}
	if got := calls(); !slices.Equal(got, want) {
		t.Errorf("seat calls %v; want %v", got, want)
	}
	// The name comes from the seat given in the config.
	seat := c.bind("wl_seat", 9)
	c.roundtrip()
	names := c.take(func(e event) bool { return e.sender == seat && e.opcode == wayland.SeatEventName })
	if len(names) != 1 || names[0].str(0) != "test-seat" {
		t.Errorf("wl_seat.name events %v; want one saying test-seat", names)
	}
}
