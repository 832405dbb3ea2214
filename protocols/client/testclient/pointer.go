package testclient

import (
	"fmt"
	"slices"

	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"
)

// Pointer records the events of a wl_pointer. Its fields are updated as
// events arrive; read them between waits.
type Pointer struct {
	Proxy *wlclient.Pointer

	// Focus is the surface under the pointer, nil outside; X and Y the
	// position on it in surface coordinates.
	Focus *wlclient.Surface
	X, Y  float64
	// Buttons holds the buttons down, in press order.
	Buttons []uint32
	// EnterSerial is the serial of the last enter (for set_cursor).
	EnterSerial uint32
	// Events lists every event in short form: "enter <surface id> <x> <y>",
	// "leave <surface id>", "motion <x> <y>", "button <code>
	// pressed|released", "axis <axis> <value>", "frame", "axis_source
	// <source>", "axis_stop <axis>", "axis_discrete <axis> <steps>",
	// "axis_value120 <axis> <value>", "axis_relative_direction <axis>
	// <direction>". Serials and times are left out.
	Events []string
}

// Pointer gets a wl_pointer from the seat and starts recording.
func (c *Client) Pointer() (*Pointer, error) {
	if c.Seat == nil {
		return nil, fmt.Errorf("testclient: the server has no wl_seat")
	}
	p, err := c.Seat.GetPointer()
	if err != nil {
		return nil, err
	}
	ptr := &Pointer{Proxy: p}
	p.SetListener(pointerListener{ptr})
	return ptr, nil
}

// pointerListener updates a Pointer.
type pointerListener struct{ *Pointer }

// Release destroys the wl_pointer (wl_pointer.release).
func (p *Pointer) Release() error { return p.Proxy.Release() }

func (p *Pointer) record(format string, args ...any) {
	p.Events = append(p.Events, fmt.Sprintf(format, args...))
}

// Enter runs on wl_pointer.enter.
func (p pointerListener) Enter(_ *wlclient.Pointer, serial uint32, surface *wlclient.Surface, x, y wire.Fixed) {
	p.Focus, p.X, p.Y, p.EnterSerial = surface, x.Float(), y.Float(), serial
	p.record("enter %d %g %g", surface.ID(), p.X, p.Y)
}

// Leave runs on wl_pointer.leave.
func (p pointerListener) Leave(_ *wlclient.Pointer, serial uint32, surface *wlclient.Surface) {
	p.record("leave %d", surface.ID())
	p.Focus = nil
	p.Buttons = p.Buttons[:0]
}

// Motion runs on wl_pointer.motion.
func (p pointerListener) Motion(_ *wlclient.Pointer, time uint32, x, y wire.Fixed) {
	p.X, p.Y = x.Float(), y.Float()
	p.record("motion %g %g", p.X, p.Y)
}

// Button runs on wl_pointer.button.
func (p pointerListener) Button(_ *wlclient.Pointer, serial, time, button uint32, state wayland.PointerButtonState) {
	p.record("button %d %s", button, state)
	i := slices.Index(p.Buttons, button)
	switch {
	case state == wayland.PointerButtonStatePressed && i < 0:
		p.Buttons = append(p.Buttons, button)
	case state == wayland.PointerButtonStateReleased && i >= 0:
		p.Buttons = slices.Delete(p.Buttons, i, i+1)
	}
}

// Axis runs on wl_pointer.axis.
func (p pointerListener) Axis(_ *wlclient.Pointer, time uint32, axis wayland.PointerAxis, value wire.Fixed) {
	p.record("axis %s %g", axis, value.Float())
}

// Frame runs on wl_pointer.frame.
func (p pointerListener) Frame(*wlclient.Pointer) { p.record("frame") }

// AxisSource runs on wl_pointer.axis_source.
func (p pointerListener) AxisSource(_ *wlclient.Pointer, source wayland.PointerAxisSource) {
	p.record("axis_source %s", source)
}

// AxisStop runs on wl_pointer.axis_stop.
func (p pointerListener) AxisStop(_ *wlclient.Pointer, time uint32, axis wayland.PointerAxis) {
	p.record("axis_stop %s", axis)
}

// AxisDiscrete runs on wl_pointer.axis_discrete.
func (p pointerListener) AxisDiscrete(_ *wlclient.Pointer, axis wayland.PointerAxis, discrete int32) {
	p.record("axis_discrete %s %d", axis, discrete)
}

// AxisValue120 runs on wl_pointer.axis_value120.
func (p pointerListener) AxisValue120(_ *wlclient.Pointer, axis wayland.PointerAxis, value120 int32) {
	p.record("axis_value120 %s %d", axis, value120)
}

// AxisRelativeDirection runs on wl_pointer.axis_relative_direction.
func (p pointerListener) AxisRelativeDirection(_ *wlclient.Pointer, axis wayland.PointerAxis, direction wayland.PointerAxisRelativeDirection) {
	p.record("axis_relative_direction %s %s", axis, direction)
}
