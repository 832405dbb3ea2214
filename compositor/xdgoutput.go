package compositor

import (
	"gocomp/protocols/wayland"
	"gocomp/protocols/xdgoutput"
)

// xdgOutputManagerVersion is the zxdg_output_manager_v1 version served.
const xdgOutputManagerVersion = 3

// xdgOutput is one zxdg_output_v1: the logical geometry, name and
// description of the output behind the wl_output it was created for.
type xdgOutput struct {
	res *xdgoutput.OutputV1
	wl  *wayland.Output // the wl_output it describes
}

// bindXdgOutputManager runs when a client binds zxdg_output_manager_v1.
func (s *Server) bindXdgOutputManager(r *xdgoutput.OutputManagerV1) error {
	r.SetHandler(xdgOutputManager{s})
	return nil
}

// xdgOutputManager serves one zxdg_output_manager_v1.
type xdgOutputManager struct{ s *Server }

// Destroy runs on zxdg_output_manager_v1.destroy; existing xdg outputs
// stay.
func (xdgOutputManager) Destroy(*xdgoutput.OutputManagerV1) error { return nil }

// GetXdgOutput runs on get_xdg_output: the new object is described at
// once, ending with done (version 1 and 2) or the wl_output's done
// (version 3). For a wl_output whose output is gone it stays inert.
func (m xdgOutputManager) GetXdgOutput(r *xdgoutput.OutputManagerV1, id *xdgoutput.OutputV1, wl *wayland.Output) error {
	id.SetHandler(xdgOutputHandler{})
	o, err := outputArg(wl)
	if err != nil || o == nil {
		return err
	}
	x := &xdgOutput{res: id, wl: wl}
	o.xdgOutputs = append(o.xdgOutputs, x)
	id.OnDestroy(func() { o.xdgOutputs = removeItem(o.xdgOutputs, x) })
	o.describeXdg(x, true)
	x.done()
	return nil
}

// describeXdg sends x the output's logical position and size and, when
// first is set (the object is new), its name and description (version 2
// and later; the name never changes, nor does our description).
func (o *output) describeXdg(x *xdgOutput, first bool) {
	r := o.rect()
	x.res.SendLogicalPosition(int32(r.Min.X), int32(r.Min.Y))
	x.res.SendLogicalSize(int32(r.Dx()), int32(r.Dy()))
	if first {
		x.res.SendName(o.info.Name)
		x.res.SendDescription(o.info.Description)
	}
}

// done ends an atomic group of x's events: zxdg_output_v1.done below
// version 3, wl_output.done from version 3 (the xdg event is deprecated
// there), unless the wl_output is too old to have done.
func (x *xdgOutput) done() {
	if x.endsWithWlDone() {
		x.wl.SendDone()
		return
	}
	x.res.SendDone()
}

// endsWithWlDone reports whether wl_output.done ends x's groups (version 3
// on a wl_output that has done), rather than zxdg_output_v1.done.
func (x *xdgOutput) endsWithWlDone() bool {
	return x.res.Version() >= 3 && x.wl.Version() >= wayland.OutputEventDoneSince
}

// xdgOutputHandler serves one zxdg_output_v1.
type xdgOutputHandler struct{}

// Destroy runs on zxdg_output_v1.destroy; the destroy hook forgets it.
func (xdgOutputHandler) Destroy(*xdgoutput.OutputV1) error { return nil }
