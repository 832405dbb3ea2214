package compositor

import (
	"fmt"
	"strings"
	"testing"

	"gocomp/protocols/wayland"
	"gocomp/protocols/xdgoutput"
)

// describeEvents names the events of the wl_output out and the
// zxdg_output_v1 xo in the client's queue, in order, and takes them.
func describeEvents(c *tclient, out, xo uint32) []string {
	var evs []string
	for _, e := range c.take(func(e event) bool { return e.sender == out || e.sender == xo }) {
		switch {
		case e.sender == xo && e.opcode == xdgoutput.OutputV1EventLogicalPosition:
			evs = append(evs, fmt.Sprintf("xdg position %d,%d", int32(e.uint(0)), int32(e.uint(1))))
		case e.sender == xo && e.opcode == xdgoutput.OutputV1EventLogicalSize:
			evs = append(evs, fmt.Sprintf("xdg size %dx%d", int32(e.uint(0)), int32(e.uint(1))))
		case e.sender == xo && e.opcode == xdgoutput.OutputV1EventName:
			evs = append(evs, "xdg name "+e.str(0))
		case e.sender == xo && e.opcode == xdgoutput.OutputV1EventDescription:
			evs = append(evs, "xdg description")
		case e.sender == xo && e.opcode == xdgoutput.OutputV1EventDone:
			evs = append(evs, "xdg done")
		case e.sender == out && e.opcode == wayland.OutputEventDone:
			evs = append(evs, "wl_output done")
		}
	}
	return evs
}

// TestXdgOutputDoneByVersion checks the groups of xdg-output events and
// what ends them: zxdg_output_v1.done below version 3, wl_output.done
// from version 3; names and descriptions from version 2.
func TestXdgOutputDoneByVersion(t *testing.T) {
	h := startServer(t, Config{}, testMode)
	for _, tc := range []struct {
		version uint32
		want    []string
	}{
		{1, []string{"xdg position 0,0", "xdg size 320x240", "xdg done"}},
		{2, []string{"xdg position 0,0", "xdg size 320x240", "xdg name HEADLESS-1", "xdg description", "xdg done"}},
		{3, []string{"xdg position 0,0", "xdg size 320x240", "xdg name HEADLESS-1", "xdg description", "wl_output done"}},
	} {
		c := h.dial(fmt.Sprintf("v%d", tc.version))
		out := c.bind("wl_output", 4)
		mgr := c.bind("zxdg_output_manager_v1", tc.version)
		c.roundtrip()
		c.take(func(e event) bool { return e.sender == out }) // the wl_output's own description
		xo := c.newID()
		c.send(mgr, xdgoutput.OutputManagerV1RequestGetXdgOutput, xo, out)
		c.roundtrip()
		if got := describeEvents(c, out, xo); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("version %d: events %q; want %q", tc.version, got, tc.want)
		}
	}
}
