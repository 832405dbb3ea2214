package compositor

import (
	"slices"

	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
)

// bindOutput runs when a client binds wl_output: it describes the output
// (geometry, mode, scale, name, description) and ends with done.
func (s *Server) bindOutput(r *wayland.Output) error {
	r.SetHandler(outputHandler{})
	c := r.Client()
	s.outputs[c] = append(s.outputs[c], r)
	r.OnDestroy(func() {
		list := s.outputs[c]
		if i := slices.Index(list, r); i >= 0 {
			list = slices.Delete(list, i, i+1)
		}
		if len(list) == 0 {
			delete(s.outputs, c)
		} else {
			s.outputs[c] = list
		}
	})
	o := s.output
	mode := o.Mode()
	pw, ph := o.PhysicalSize()
	r.SendGeometry(0, 0, int32(pw), int32(ph), wayland.OutputSubpixelUnknown, o.Make(), o.Model(), wayland.OutputTransformNormal)
	r.SendMode(wayland.OutputModeCurrent|wayland.OutputModePreferred, int32(mode.Width), int32(mode.Height), int32(mode.RefreshMHz))
	r.SendScale(1)
	r.SendName(o.Name())
	r.SendDescription(o.Description())
	r.SendDone()
	// Surfaces of this client already on the output enter the new object.
	for sf := range s.entered {
		if sf.res.Client() == c {
			sf.res.SendEnter(r)
		}
	}
	return nil
}

// outputsOf returns the wl_output objects a client has bound.
func (s *Server) outputsOf(c *server.Client) []*wayland.Output { return s.outputs[c] }

// outputHandler serves one wl_output.
type outputHandler struct{}

// Release runs on wl_output.release.
func (outputHandler) Release(*wayland.Output) error { return nil }
