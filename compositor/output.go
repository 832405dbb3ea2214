package compositor

import (
	"image"
	"slices"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/render"
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
)

// output is the compositor's side of one backend output: its place in the
// layout, its wl_output global and the objects clients bound from it, and
// the damage its next picture must redraw.
type output struct {
	s    *Server
	bo   backend.Output
	info backend.OutputInfo
	mode backend.Mode
	pos  image.Point // top-left corner in layout coordinates
	// transform turns the output's logical picture into its buffers;
	// scratch holds the logical picture while it is not Normal.
	transform render.Transform
	scratch   backend.Pixels

	global     *server.Global
	resources  []*wayland.Output
	xdgOutputs []*xdgOutput       // zxdg_output_v1 objects describing it
	captures   []*screencopyFrame // screencopy frames waiting for a picture
	drawn      image.Rectangle    // bounds of what the last frame redrew, layout coordinates

	damage  render.Damage     // changed since the last picture
	history render.History    // damage of the pictures before
	redraw  render.Damage     // scratch: what the lent buffer needs
	layers  []render.Layer    // scratch: what is drawn, bottom to top
	turned  []image.Rectangle // scratch: damage in buffer coordinates
	removed bool
	// Idle blanking: the screen is switched off, or shows black.
	poweredOff, blackened bool
}

// size is the size of the output's logical picture: its mode turned by
// its transform.
func (o *output) size() (w, h int) { return o.transform.Size(o.mode.Width, o.mode.Height) }

// rect is the output's rectangle in layout coordinates.
func (o *output) rect() image.Rectangle {
	w, h := o.size()
	return image.Rectangle{Min: o.pos, Max: o.pos.Add(image.Pt(w, h))}
}

// setMode makes mode current, with a logical scratch picture of its size
// when the output is turned.
func (o *output) setMode(mode backend.Mode) {
	o.mode = mode
	o.scratch = backend.Pixels{}
	if o.transform != render.Normal {
		w, h := o.size()
		o.scratch = backend.Pixels{Width: w, Height: h, Stride: 4 * w, Format: backend.XRGB8888, Data: make([]byte, 4*w*h)}
	}
}

// addDamage marks r (layout coordinates) for redrawing and asks the
// backend for a frame when r touches the output.
func (o *output) addDamage(r image.Rectangle) {
	r = r.Intersect(o.rect())
	if r.Empty() {
		return
	}
	o.damage.Add(r)
	o.bo.ScheduleFrame()
}

// OutputAdded implements backend.Handler: the output joins the layout at
// its right end and gets its wl_output global.
func (s *Server) OutputAdded(bo backend.Output) {
	o := &output{s: s, bo: bo, info: bo.Info(), transform: s.cfg.outputTransform(bo.Info().Name)}
	o.setMode(bo.Mode())
	s.outputs = append(s.outputs, o)
	s.layoutOutputs()
	g, err := wayland.AddOutputGlobal(s.display, outputVersion, func(r *wayland.Output) error { return o.bind(r) })
	if err != nil {
		s.log.Error("cannot advertise output", "output", o.info.Name, "err", err)
	}
	o.global = g
	s.cursor.showOn(o)
	o.addDamage(o.rect())
	s.idle.outputAdded(o)
	s.log.Info("output added", "output", o.info.Name, "mode", o.mode.String(), "transform", o.transform.String(), "x", o.pos.X, "y", o.pos.Y)
	s.outputsChanged()
}

// OutputChanged implements backend.Handler: the new mode is announced and
// everything on the output redrawn.
func (s *Server) OutputChanged(bo backend.Output) {
	o := s.outputOf(bo)
	if o == nil {
		return
	}
	o.setMode(bo.Mode())
	o.history.Reset()
	s.layoutOutputs()
	s.log.Info("output mode changed", "output", o.info.Name, "mode", o.mode.String())
	s.outputsChanged()
}

// OutputRemoved implements backend.Handler: the global goes, surfaces
// leave the output and toplevels shown on it move to the first output.
func (s *Server) OutputRemoved(bo backend.Output) {
	o := s.outputOf(bo)
	if o == nil {
		return
	}
	o.removed = true
	o.failCaptures()
	s.outputs = slices.DeleteFunc(s.outputs, func(x *output) bool { return x == o })
	o.global.Remove()
	for _, sf := range s.surfaces {
		sf.leaveOutput(o)
	}
	o.resources = nil
	o.xdgOutputs = nil
	s.layoutOutputs()
	s.log.Info("output removed", "output", o.info.Name)
	s.outputsChanged()
}

// outputsChanged runs after outputs came, went, moved or changed mode:
// clients hear the new geometry and modes, toplevels are reconfigured and
// placed, and every output is redrawn.
func (s *Server) outputsChanged() {
	for _, o := range s.outputs {
		for _, r := range o.resources {
			o.describeWithXdg(r)
		}
	}
	for _, tl := range s.toplevels {
		tl.outputsChanged()
	}
	for _, sf := range s.surfaces {
		sf.updateOutputs()
	}
	for _, o := range s.outputs {
		o.addDamage(o.rect())
	}
	s.seat.SceneChanged()
}

// layoutOutputs places the outputs left to right in the order they were
// added, top edges aligned; or, mirrored, all at the origin.
func (s *Server) layoutOutputs() {
	x := 0
	for _, o := range s.outputs {
		o.pos = image.Pt(x, 0)
		if s.cfg.Layout != LayoutMirror {
			w, _ := o.size()
			x += w
		}
	}
}

// outputOf returns the compositor's side of a backend output.
func (s *Server) outputOf(bo backend.Output) *output {
	for _, o := range s.outputs {
		if o.bo == bo {
			return o
		}
	}
	return nil
}

// primaryOutput is the first output, where toplevels go by default; nil
// while there is none.
func (s *Server) primaryOutput() *output {
	if len(s.outputs) == 0 {
		return nil
	}
	return s.outputs[0]
}

// layoutBounds is the rectangle holding every output.
func (s *Server) layoutBounds() image.Rectangle {
	var b image.Rectangle
	for _, o := range s.outputs {
		b = b.Union(o.rect())
	}
	return b
}

// Frame implements backend.Handler: the damaged part of the output's
// picture is redrawn into the buffer the backend lends and presented.
func (s *Server) Frame(bo backend.Output) {
	o := s.outputOf(bo)
	if o != nil {
		o.drawn = image.Rectangle{}
	}
	if o == nil || o.damage.Empty() {
		bo.Present(nil, nil)
		return
	}
	buf, err := bo.NextBuffer()
	if err != nil {
		s.log.Warn("output frame skipped", "output", o.info.Name, "err", err)
		bo.Present(nil, nil)
		return
	}
	full := !o.history.ForAge(buf.Age, &o.damage, &o.redraw)
	if full {
		o.redraw.Clear()
		o.redraw.Add(o.rect())
	}
	o.layers = o.layers[:0]
	if !o.blackened {
		o.layers = s.appendLayers(o.layers, o.rect())
	}
	render.DrawTransformed(buf.Pixels, o.scratch, o.rect(), o.transform, o.redraw.Rects(), o.layers)
	clear(o.layers)
	o.drawn = o.damage.Bounds()
	o.history.Push(&o.damage)
	if full {
		bo.Present(buf, nil)
	} else {
		bo.Present(buf, o.bufferDamage())
	}
	o.damage.Clear()
}

// bufferDamage returns the output's new damage in buffer coordinates
// (what Present wants); the slice is reused by the next frame.
func (o *output) bufferDamage() []image.Rectangle {
	w, h := o.size()
	o.turned = o.turned[:0]
	for _, r := range o.damage.Rects() {
		o.turned = append(o.turned, o.transform.Rect(r.Sub(o.pos), w, h))
	}
	return o.turned
}

// Presented implements backend.Handler: the frame callbacks of surfaces
// shown on the output are answered (on the first output also those of
// surfaces shown nowhere, so hidden clients keep their pace), and the
// screencopy frames waiting on it are filled.
func (s *Server) Presented(bo backend.Output, t time.Duration) {
	o := s.outputOf(bo)
	if o == nil {
		return
	}
	msec := uint32(t / time.Millisecond)
	primary := o == s.primaryOutput()
	for _, sf := range s.surfaces {
		if len(sf.inflight) == 0 {
			continue
		}
		if sf.onOutput(o) || (primary && len(sf.outputs) == 0) {
			sf.frameDone(msec)
		}
	}
	s.finishCaptures(o, t, o.drawn)
}

// appendLayers appends what is visible in r, bottom to top: the mapped
// surfaces, then the software cursor.
func (s *Server) appendLayers(layers []render.Layer, r image.Rectangle) []render.Layer {
	layers = s.appendSurfaceLayers(layers, r)
	if c := s.cursor.layer(); c.Rect().Overlaps(r) {
		layers = append(layers, c)
	}
	return layers
}

// appendSurfaceLayers appends the mapped surfaces visible in r, bottom to
// top.
func (s *Server) appendSurfaceLayers(layers []render.Layer, r image.Rectangle) []render.Layer {
	for _, sf := range s.stack {
		if sf.mapped && sf.rect().Overlaps(r) {
			layers = append(layers, render.Layer{Pix: sf.pix, X: sf.x, Y: sf.y})
		}
	}
	return layers
}

// damageLayout marks r (layout coordinates) for redrawing on every output
// it touches.
func (s *Server) damageLayout(r image.Rectangle) {
	if r.Empty() {
		return
	}
	for _, o := range s.outputs {
		o.addDamage(r)
	}
}

// bind runs when a client binds this output's wl_output: it describes the
// output and enters the client's surfaces already on it.
func (o *output) bind(r *wayland.Output) error {
	r.SetHandler(&outputBinding{o: o})
	if o.removed {
		return nil // an inert object: the output went before the bind
	}
	o.resources = append(o.resources, r)
	r.OnDestroy(func() { o.resources = removeItem(o.resources, r) })
	o.describe(r)
	c := r.Client()
	for _, sf := range o.s.surfaces {
		if sf.res.Client() == c && sf.onOutput(o) {
			sf.res.SendEnter(r)
		}
	}
	return nil
}

// describe sends the output's geometry, mode, scale, name and description,
// then done.
func (o *output) describe(r *wayland.Output) {
	m, info := o.mode, o.info
	r.SendGeometry(int32(o.pos.X), int32(o.pos.Y), int32(info.PhysicalWidthMM), int32(info.PhysicalHeightMM),
		wayland.OutputSubpixelUnknown, info.Make, info.Model, wayland.OutputTransform(o.transform))
	r.SendMode(wayland.OutputModeCurrent|wayland.OutputModePreferred, int32(m.Width), int32(m.Height), int32(m.RefreshMHz))
	r.SendScale(1)
	r.SendName(info.Name)
	r.SendDescription(info.Description)
	r.SendDone()
}

// describeWithXdg describes the output to wl_output r and to the
// zxdg_output_v1 objects made for r: the xdg events come before
// wl_output.done, which ends the group for xdg outputs of version 3 (on a
// wl_output that has done); the others get their own done after it.
func (o *output) describeWithXdg(r *wayland.Output) {
	for _, x := range o.xdgOutputs {
		if x.wl == r {
			o.describeXdg(x, false)
		}
	}
	o.describe(r)
	for _, x := range o.xdgOutputs {
		if x.wl == r && !x.endsWithWlDone() {
			x.res.SendDone()
		}
	}
}

// outputBinding serves one wl_output object; it knows its output, so
// requests naming a wl_output (xdg_toplevel.set_fullscreen) find it.
type outputBinding struct{ o *output }

// Release runs on wl_output.release.
func (*outputBinding) Release(*wayland.Output) error { return nil }

// outputArg returns the output behind a wl_output argument: nil for none,
// a destroyed object or an output that is gone.
func outputArg(r *wayland.Output) (*output, error) {
	b, err := server.ImplArg[*outputBinding](r, "a wl_output of this compositor")
	if err != nil || b == nil || b.o.removed {
		return nil, err
	}
	return b.o, nil
}
