package compositor

import (
	"encoding/binary"
	"slices"

	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
	"gocomp/protocols/xdgshell"
)

// Kiosk policy: every toplevel is configured fullscreen and activated at
// the size of its output (the first output, or the one it asked for with
// set_fullscreen), whatever else it asks for, and shown centred on that
// output when it is smaller; popups are placed by their positioner
// relative to their parent, without constraint adjustment.

// addWmBaseGlobal advertises xdg_wm_base.
func (s *Server) addWmBaseGlobal() (*server.Global, error) {
	return xdgshell.AddWmBaseGlobal(s.display, wmBaseVersion, s.bindWmBase)
}

// wmBase serves one client's xdg_wm_base.
type wmBase struct {
	s        *Server
	res      *xdgshell.WmBase
	surfaces int // live xdg_surfaces created from it

	pingSerial  uint32
	pingPending bool
}

// bindWmBase runs when a client binds xdg_wm_base.
func (s *Server) bindWmBase(r *xdgshell.WmBase) error {
	r.SetHandler(&wmBase{s: s, res: r})
	return nil
}

// ping asks the client to show it is alive, unless a ping is outstanding.
func (wb *wmBase) ping() {
	if wb.pingPending {
		return
	}
	wb.pingPending = true
	wb.pingSerial = wb.s.display.NextSerial()
	wb.res.SendPing(wb.pingSerial)
}

// Destroy runs on xdg_wm_base.destroy.
func (wb *wmBase) Destroy(r *xdgshell.WmBase) error {
	if wb.surfaces > 0 {
		return server.Errorf(r, uint32(xdgshell.WmBaseErrorDefunctSurfaces), "%d xdg_surfaces still exist", wb.surfaces)
	}
	return nil
}

// CreatePositioner runs on xdg_wm_base.create_positioner.
func (wb *wmBase) CreatePositioner(_ *xdgshell.WmBase, id *xdgshell.Positioner) error {
	id.SetHandler(&positioner{})
	return nil
}

// GetXdgSurface runs on xdg_wm_base.get_xdg_surface.
func (wb *wmBase) GetXdgSurface(r *xdgshell.WmBase, id *xdgshell.Surface, surfaceRes *wayland.Surface) error {
	sf, err := surfaceOf(surfaceRes)
	if err != nil {
		return err
	}
	xs := &xdgSurface{wb: wb, res: id}
	id.SetHandler(xs)
	if sf == nil {
		return nil // the wl_surface is gone: an inert xdg_surface
	}
	if sf.role != nil || (sf.roleName != "" && sf.roleName != xs.roleName()) {
		return server.Errorf(r, uint32(xdgshell.WmBaseErrorRole), "%s already has the role %s", surfaceRes, sf.roleName)
	}
	if sf.hasContent() || (sf.pending.attached && sf.pending.buffer != nil) {
		return server.Errorf(r, uint32(xdgshell.WmBaseErrorInvalidSurfaceState), "%s already has a buffer", surfaceRes)
	}
	sf.setRole(xs)
	xs.sf = sf
	wb.surfaces++
	id.OnDestroy(xs.handleDestroyed)
	return nil
}

// Pong runs on xdg_wm_base.pong.
func (wb *wmBase) Pong(_ *xdgshell.WmBase, serial uint32) error {
	if wb.pingPending && serial == wb.pingSerial {
		wb.pingPending = false
	}
	return nil
}

// xdgSurface serves one xdg_surface; it is the wl_surface's role and hands
// the role's work to its toplevel or popup.
type xdgSurface struct {
	wb  *wmBase
	res *xdgshell.Surface
	sf  *surface // nil once the wl_surface is gone

	toplevel *toplevel
	popup    *popup

	initialCommit bool     // the client made the initial (bufferless) commit
	configured    bool     // a configure was acked since (re)mapping began
	hadBuffer     bool     // a buffer was committed since (re)mapping began
	serials       []uint32 // configures sent and not yet acked
	geometry      rect     // window geometry, zero while unset
	pendingGeom   rect
	geomSet       bool
}

func (xs *xdgSurface) roleName() string { return "xdg_surface" }

// precommit checks the xdg_surface rules before a wl_surface commit.
func (xs *xdgSurface) precommit(sf *surface, next *surfaceState) error {
	if xs.toplevel == nil && xs.popup == nil {
		return server.Errorf(xs.res, uint32(xdgshell.SurfaceErrorNotConstructed), "commit before get_toplevel or get_popup")
	}
	if next.attached && next.buffer != nil && !xs.configured {
		return server.Errorf(xs.res, uint32(xdgshell.SurfaceErrorUnconfiguredBuffer), "buffer attached before the first configure was acked")
	}
	return nil
}

// committed runs after a wl_surface commit: the initial commit earns the
// first configure; later commits map, update or unmap the window.
func (xs *xdgSurface) committed(sf *surface) {
	if xs.geomSet {
		xs.geometry, xs.geomSet = xs.pendingGeom, false
	}
	if !xs.initialCommit {
		xs.initialCommit = true
		xs.sendConfigure()
		return
	}
	if !sf.hasContent() {
		if !xs.hadBuffer {
			return // configured or not, still waiting for a first buffer
		}
		// Unmapped by a null buffer: the client starts over with an
		// initial commit.
		xs.hadBuffer = false
		sf.unmap()
		xs.initialCommit, xs.configured = false, false
		if xs.toplevel != nil {
			xs.toplevel.setMapped(false)
		}
		return
	}
	xs.hadBuffer = true
	switch {
	case xs.toplevel != nil:
		xs.toplevel.place()
	case xs.popup != nil:
		xs.popup.place()
	}
}

// sendConfigure sends the role's configure followed by xdg_surface's.
func (xs *xdgSurface) sendConfigure() {
	switch {
	case xs.toplevel != nil:
		xs.toplevel.sendConfigure()
	case xs.popup != nil:
		xs.popup.sendConfigure()
	default:
		return
	}
	serial := xs.wb.s.display.NextSerial()
	xs.serials = append(xs.serials, serial)
	xs.res.SendConfigure(serial)
}

// surfaceDestroyed runs when the wl_surface goes before its xdg_surface.
func (xs *xdgSurface) surfaceDestroyed() {
	if xs.toplevel != nil {
		xs.toplevel.setMapped(false)
	}
	xs.sf = nil
}

// handleDestroyed runs when the xdg_surface goes.
func (xs *xdgSurface) handleDestroyed() {
	xs.wb.surfaces--
	if xs.sf != nil {
		xs.sf.clearRole()
		xs.sf = nil
	}
}

// Destroy runs on xdg_surface.destroy.
func (xs *xdgSurface) Destroy(r *xdgshell.Surface) error {
	if xs.toplevel != nil || xs.popup != nil {
		return server.Errorf(r, uint32(xdgshell.SurfaceErrorDefunctRoleObject), "destroyed before its role object")
	}
	return nil
}

// constructible checks that the xdg_surface may get a role object.
func (xs *xdgSurface) constructible(r *xdgshell.Surface) error {
	if xs.toplevel != nil || xs.popup != nil {
		return server.Errorf(r, uint32(xdgshell.SurfaceErrorAlreadyConstructed), "already has a role object")
	}
	return nil
}

// GetToplevel runs on xdg_surface.get_toplevel.
func (xs *xdgSurface) GetToplevel(r *xdgshell.Surface, id *xdgshell.Toplevel) error {
	if err := xs.constructible(r); err != nil {
		return err
	}
	tl := &toplevel{xs: xs, res: id}
	id.SetHandler(tl)
	if xs.sf == nil {
		return nil
	}
	tl.surface = xs.sf.res
	xs.toplevel = tl
	s := xs.wb.s
	s.toplevels = append(s.toplevels, tl)
	id.OnDestroy(tl.handleDestroyed)
	xs.wb.ping()
	return nil
}

// GetPopup runs on xdg_surface.get_popup.
func (xs *xdgSurface) GetPopup(r *xdgshell.Surface, id *xdgshell.Popup, parentRes *xdgshell.Surface, pos *xdgshell.Positioner) error {
	if err := xs.constructible(r); err != nil {
		return err
	}
	p := &popup{xs: xs, res: id}
	id.SetHandler(p)
	if xs.sf == nil {
		return nil
	}
	ps, err := positionerOf(pos)
	if err != nil {
		return err
	}
	if ps == nil || !ps.complete() {
		return server.Errorf(xs.wb.res, uint32(xdgshell.WmBaseErrorInvalidPositioner), "popup positioner without size or anchor rectangle")
	}
	if parentRes != nil {
		parent, err := server.ImplArg[*xdgSurface](parentRes, "an xdg_surface of this compositor")
		if err != nil {
			return err
		}
		if parent == nil || parent == xs {
			return server.Errorf(xs.wb.res, uint32(xdgshell.WmBaseErrorInvalidPopupParent), "invalid popup parent %s", parentRes)
		}
		p.parent = parent
	}
	p.layout = *ps
	xs.popup = p
	id.OnDestroy(p.handleDestroyed)
	return nil
}

// SetWindowGeometry runs on xdg_surface.set_window_geometry.
func (xs *xdgSurface) SetWindowGeometry(r *xdgshell.Surface, x, y, w, h int32) error {
	if w <= 0 || h <= 0 {
		return server.Errorf(r, uint32(xdgshell.SurfaceErrorInvalidSize), "window geometry %dx%d", w, h)
	}
	xs.pendingGeom, xs.geomSet = rect{x, y, w, h}, true
	return nil
}

// AckConfigure runs on xdg_surface.ack_configure: serial must be one
// that was sent; older unacked ones are dropped with it.
func (xs *xdgSurface) AckConfigure(r *xdgshell.Surface, serial uint32) error {
	i := slices.Index(xs.serials, serial)
	if i < 0 {
		return server.Errorf(r, uint32(xdgshell.SurfaceErrorInvalidSerial), "ack of unknown configure serial %d", serial)
	}
	xs.serials = slices.Delete(xs.serials, 0, i+1)
	xs.configured = true
	return nil
}

// toplevel serves one xdg_toplevel.
type toplevel struct {
	xs               *xdgSurface
	res              *xdgshell.Toplevel
	title            string
	appID            string
	parent           *toplevel
	sentCapabilities bool
	surface          *wayland.Surface // for the seat's focus
	mapped           bool             // the seat was told it is visible
	// wanted is the output the client asked to be fullscreen on; nil
	// means the first output.
	wanted *output
	// size is the size of the last configure.
	width, height int32
}

// output is where the toplevel is shown: the one it asked for, or the
// first; nil while there is no output.
func (tl *toplevel) output() *output {
	if tl.wanted != nil && !tl.wanted.removed {
		return tl.wanted
	}
	return tl.xs.wb.s.primaryOutput()
}

// place shows the toplevel on its output: its window geometry centred,
// or at the top-left corner when it is larger than the output.
func (tl *toplevel) place() {
	sf := tl.xs.sf
	if sf == nil {
		return
	}
	g := tl.xs.geometry
	if g.w <= 0 || g.h <= 0 {
		g = rect{0, 0, int32(sf.pix.Width), int32(sf.pix.Height)}
	}
	x, y := -int(g.x), -int(g.y)
	if o := tl.output(); o != nil {
		ow, oh := o.size()
		x += o.pos.X + max(0, (ow-int(g.w))/2)
		y += o.pos.Y + max(0, (oh-int(g.h))/2)
	}
	sf.mapAt(x, y)
	tl.setMapped(sf.mapped)
}

// outputsChanged runs after outputs came, went or changed mode: a
// toplevel whose output size changed gets a new configure, and is placed
// again.
func (tl *toplevel) outputsChanged() {
	if tl.wanted != nil && tl.wanted.removed {
		tl.wanted = nil
	}
	w, h := tl.configureSize()
	if tl.xs.toplevel == tl && tl.xs.initialCommit && (w != tl.width || h != tl.height) {
		tl.xs.sendConfigure()
	}
	if tl.mapped {
		tl.place()
	}
}

// configureSize is the size the toplevel is told to take: its output's.
func (tl *toplevel) configureSize() (int32, int32) {
	o := tl.output()
	if o == nil {
		return 0, 0 // no output yet: the client picks
	}
	w, h := o.size()
	return int32(w), int32(h)
}

// setMapped tells the seat when the toplevel becomes visible or hidden.
func (tl *toplevel) setMapped(mapped bool) {
	if tl.mapped == mapped || tl.surface == nil {
		return
	}
	tl.mapped = mapped
	if mapped {
		tl.xs.wb.s.seat.ToplevelMapped(tl.surface)
	} else {
		tl.xs.wb.s.seat.ToplevelUnmapped(tl.surface)
	}
}

// sendConfigure sends the kiosk configure: the output size, fullscreen and
// activated (bounds and capabilities first, where the version has them).
func (tl *toplevel) sendConfigure() {
	w, h := tl.configureSize()
	tl.width, tl.height = w, h
	if !tl.sentCapabilities {
		tl.sentCapabilities = true
		tl.res.SendWmCapabilities(enumArray(uint32(xdgshell.ToplevelWmCapabilitiesFullscreen)))
	}
	tl.res.SendConfigureBounds(w, h)
	tl.res.SendConfigure(w, h, enumArray(uint32(xdgshell.ToplevelStateFullscreen), uint32(xdgshell.ToplevelStateActivated)))
}

// reconfigure answers a state request with the (unchanged) kiosk state, as
// the protocol wants a configure in reply.
func (tl *toplevel) reconfigure() error {
	if tl.xs.toplevel == tl && tl.xs.initialCommit {
		tl.xs.sendConfigure()
	}
	return nil
}

// handleDestroyed runs when the xdg_toplevel goes: the window is unmapped.
func (tl *toplevel) handleDestroyed() {
	xs := tl.xs
	xs.wb.s.toplevels = removeItem(xs.wb.s.toplevels, tl)
	if xs.toplevel != tl {
		return
	}
	tl.setMapped(false)
	xs.toplevel = nil
	xs.initialCommit, xs.configured, xs.hadBuffer, xs.serials = false, false, false, nil
	if xs.sf != nil {
		xs.sf.unmap()
	}
}

// Destroy runs on xdg_toplevel.destroy.
func (tl *toplevel) Destroy(*xdgshell.Toplevel) error { return nil }

// SetParent runs on xdg_toplevel.set_parent.
func (tl *toplevel) SetParent(r *xdgshell.Toplevel, parentRes *xdgshell.Toplevel) error {
	parent, err := server.ImplArg[*toplevel](parentRes, "an xdg_toplevel of this compositor")
	if err != nil {
		return err
	}
	for p := parent; p != nil; p = p.parent {
		if p == tl {
			return server.Errorf(r, uint32(xdgshell.ToplevelErrorInvalidParent), "parent %s would make a loop", parentRes)
		}
	}
	tl.parent = parent
	return nil
}

// SetTitle runs on xdg_toplevel.set_title.
func (tl *toplevel) SetTitle(_ *xdgshell.Toplevel, title string) error {
	tl.title = title
	tl.xs.wb.s.log.Debug("toplevel title", "surface", tl.res.String(), "title", title)
	return nil
}

// SetAppID runs on xdg_toplevel.set_app_id.
func (tl *toplevel) SetAppID(_ *xdgshell.Toplevel, appID string) error {
	tl.appID = appID
	tl.xs.wb.s.log.Debug("toplevel app id", "surface", tl.res.String(), "app_id", appID)
	return nil
}

// ShowWindowMenu runs on xdg_toplevel.show_window_menu; kiosks have none.
func (tl *toplevel) ShowWindowMenu(*xdgshell.Toplevel, *wayland.Seat, uint32, int32, int32) error {
	return nil
}

// Move runs on xdg_toplevel.move; a fullscreen window does not move.
func (tl *toplevel) Move(*xdgshell.Toplevel, *wayland.Seat, uint32) error { return nil }

// Resize runs on xdg_toplevel.resize; the edge is checked, the size kept.
func (tl *toplevel) Resize(r *xdgshell.Toplevel, _ *wayland.Seat, _ uint32, edges xdgshell.ToplevelResizeEdge) error {
	switch edges {
	case xdgshell.ToplevelResizeEdgeNone, xdgshell.ToplevelResizeEdgeTop, xdgshell.ToplevelResizeEdgeBottom,
		xdgshell.ToplevelResizeEdgeLeft, xdgshell.ToplevelResizeEdgeTopLeft, xdgshell.ToplevelResizeEdgeBottomLeft,
		xdgshell.ToplevelResizeEdgeRight, xdgshell.ToplevelResizeEdgeTopRight, xdgshell.ToplevelResizeEdgeBottomRight:
		return nil
	}
	return server.Errorf(r, uint32(xdgshell.ToplevelErrorInvalidResizeEdge), "invalid resize edge %d", edges)
}

// checkSize validates set_min_size and set_max_size arguments.
func checkSize(r *xdgshell.Toplevel, w, h int32) error {
	if w < 0 || h < 0 {
		return server.Errorf(r, uint32(xdgshell.ToplevelErrorInvalidSize), "negative size %dx%d", w, h)
	}
	return nil
}

// SetMaxSize runs on xdg_toplevel.set_max_size.
func (tl *toplevel) SetMaxSize(r *xdgshell.Toplevel, w, h int32) error { return checkSize(r, w, h) }

// SetMinSize runs on xdg_toplevel.set_min_size.
func (tl *toplevel) SetMinSize(r *xdgshell.Toplevel, w, h int32) error { return checkSize(r, w, h) }

// SetMaximized runs on xdg_toplevel.set_maximized.
func (tl *toplevel) SetMaximized(*xdgshell.Toplevel) error { return tl.reconfigure() }

// UnsetMaximized runs on xdg_toplevel.unset_maximized.
func (tl *toplevel) UnsetMaximized(*xdgshell.Toplevel) error { return tl.reconfigure() }

// SetFullscreen runs on xdg_toplevel.set_fullscreen: the toplevel moves to
// the output it names (or stays where it is).
func (tl *toplevel) SetFullscreen(_ *xdgshell.Toplevel, out *wayland.Output) error {
	o, err := outputArg(out)
	if err != nil {
		return err
	}
	if o != nil && o != tl.wanted {
		tl.wanted = o
		if tl.mapped {
			tl.place()
		}
	}
	return tl.reconfigure()
}

// UnsetFullscreen runs on xdg_toplevel.unset_fullscreen.
func (tl *toplevel) UnsetFullscreen(*xdgshell.Toplevel) error { return tl.reconfigure() }

// SetMinimized runs on xdg_toplevel.set_minimized; kiosk windows stay.
func (tl *toplevel) SetMinimized(*xdgshell.Toplevel) error { return nil }

// popup serves one xdg_popup.
type popup struct {
	xs     *xdgSurface
	res    *xdgshell.Popup
	parent *xdgSurface
	layout positioner
	x, y   int32 // position relative to the parent's window geometry
}

// sendConfigure places the popup by its positioner and tells the client.
func (p *popup) sendConfigure() {
	p.x, p.y = p.layout.position()
	p.res.SendConfigure(p.x, p.y, p.layout.width, p.layout.height)
}

// place maps the popup relative to its parent, if the parent is shown.
func (p *popup) place() {
	sf := p.xs.sf
	if sf == nil {
		return
	}
	if p.parent == nil || p.parent.sf == nil || !p.parent.sf.mapped {
		sf.unmap()
		return
	}
	ps := p.parent.sf
	g := p.parent.geometry
	sf.mapAt(ps.x+int(g.x)+int(p.x)-int(p.xs.geometry.x), ps.y+int(g.y)+int(p.y)-int(p.xs.geometry.y))
}

// handleDestroyed runs when the xdg_popup goes.
func (p *popup) handleDestroyed() {
	xs := p.xs
	if xs.popup != p {
		return
	}
	xs.popup = nil
	xs.initialCommit, xs.configured, xs.hadBuffer, xs.serials = false, false, false, nil
	if xs.sf != nil {
		xs.sf.unmap()
	}
}

// Destroy runs on xdg_popup.destroy.
func (p *popup) Destroy(*xdgshell.Popup) error { return nil }

// Grab runs on xdg_popup.grab; without input devices there is nothing to
// grab.
func (p *popup) Grab(*xdgshell.Popup, *wayland.Seat, uint32) error { return nil }

// Reposition runs on xdg_popup.reposition.
func (p *popup) Reposition(r *xdgshell.Popup, pos *xdgshell.Positioner, token uint32) error {
	ps, err := positionerOf(pos)
	if err != nil {
		return err
	}
	if ps == nil || !ps.complete() {
		return server.Errorf(p.xs.wb.res, uint32(xdgshell.WmBaseErrorInvalidPositioner), "reposition with an incomplete positioner")
	}
	p.layout = *ps
	if p.xs.popup == p && p.xs.initialCommit {
		r.SendRepositioned(token)
		p.xs.sendConfigure()
	}
	return nil
}

// positioner serves one xdg_positioner: the rules that place a popup.
type positioner struct {
	width, height int32
	anchorRect    rect
	anchorSet     bool
	anchor        xdgshell.PositionerAnchor
	gravity       xdgshell.PositionerGravity
	offX, offY    int32
}

// positionerOf returns the state behind an xdg_positioner argument (nil
// for none or a destroyed one).
func positionerOf(res *xdgshell.Positioner) (*positioner, error) {
	return server.ImplArg[*positioner](res, "an xdg_positioner of this compositor")
}

// complete reports whether size and anchor rectangle are set, as a popup
// needs.
func (ps *positioner) complete() bool { return ps.width > 0 && ps.height > 0 && ps.anchorSet }

// position computes the popup's top-left corner relative to the parent's
// window geometry: the anchor point on the anchor rectangle, the popup
// extending from it in the gravity's direction, plus the offset.
func (ps *positioner) position() (int32, int32) {
	r := ps.anchorRect
	ax, ay := r.x+r.w/2, r.y+r.h/2
	switch ps.anchor {
	case xdgshell.PositionerAnchorTop, xdgshell.PositionerAnchorTopLeft, xdgshell.PositionerAnchorTopRight:
		ay = r.y
	case xdgshell.PositionerAnchorBottom, xdgshell.PositionerAnchorBottomLeft, xdgshell.PositionerAnchorBottomRight:
		ay = r.y + r.h
	}
	switch ps.anchor {
	case xdgshell.PositionerAnchorLeft, xdgshell.PositionerAnchorTopLeft, xdgshell.PositionerAnchorBottomLeft:
		ax = r.x
	case xdgshell.PositionerAnchorRight, xdgshell.PositionerAnchorTopRight, xdgshell.PositionerAnchorBottomRight:
		ax = r.x + r.w
	}
	x, y := ax-ps.width/2, ay-ps.height/2
	switch ps.gravity {
	case xdgshell.PositionerGravityTop, xdgshell.PositionerGravityTopLeft, xdgshell.PositionerGravityTopRight:
		y = ay - ps.height
	case xdgshell.PositionerGravityBottom, xdgshell.PositionerGravityBottomLeft, xdgshell.PositionerGravityBottomRight:
		y = ay
	}
	switch ps.gravity {
	case xdgshell.PositionerGravityLeft, xdgshell.PositionerGravityTopLeft, xdgshell.PositionerGravityBottomLeft:
		x = ax - ps.width
	case xdgshell.PositionerGravityRight, xdgshell.PositionerGravityTopRight, xdgshell.PositionerGravityBottomRight:
		x = ax
	}
	return x + ps.offX, y + ps.offY
}

// invalidInput is the positioner's error for bad arguments.
func invalidInput(r *xdgshell.Positioner, format string, args ...any) error {
	return server.Errorf(r, uint32(xdgshell.PositionerErrorInvalidInput), format, args...)
}

// Destroy runs on xdg_positioner.destroy.
func (ps *positioner) Destroy(*xdgshell.Positioner) error { return nil }

// SetSize runs on xdg_positioner.set_size.
func (ps *positioner) SetSize(r *xdgshell.Positioner, w, h int32) error {
	if w <= 0 || h <= 0 {
		return invalidInput(r, "size %dx%d", w, h)
	}
	ps.width, ps.height = w, h
	return nil
}

// SetAnchorRect runs on xdg_positioner.set_anchor_rect.
func (ps *positioner) SetAnchorRect(r *xdgshell.Positioner, x, y, w, h int32) error {
	if w < 0 || h < 0 {
		return invalidInput(r, "anchor rectangle %dx%d", w, h)
	}
	ps.anchorRect, ps.anchorSet = rect{x, y, w, h}, true
	return nil
}

// SetAnchor runs on xdg_positioner.set_anchor.
func (ps *positioner) SetAnchor(r *xdgshell.Positioner, a xdgshell.PositionerAnchor) error {
	if a > xdgshell.PositionerAnchorBottomRight {
		return invalidInput(r, "anchor %d", a)
	}
	ps.anchor = a
	return nil
}

// SetGravity runs on xdg_positioner.set_gravity.
func (ps *positioner) SetGravity(r *xdgshell.Positioner, g xdgshell.PositionerGravity) error {
	if g > xdgshell.PositionerGravityBottomRight {
		return invalidInput(r, "gravity %d", g)
	}
	ps.gravity = g
	return nil
}

// SetConstraintAdjustment runs on xdg_positioner.set_constraint_adjustment;
// popups are not constrained yet.
func (ps *positioner) SetConstraintAdjustment(*xdgshell.Positioner, uint32) error { return nil }

// SetOffset runs on xdg_positioner.set_offset.
func (ps *positioner) SetOffset(_ *xdgshell.Positioner, x, y int32) error {
	ps.offX, ps.offY = x, y
	return nil
}

// SetReactive runs on xdg_positioner.set_reactive.
func (ps *positioner) SetReactive(*xdgshell.Positioner) error { return nil }

// SetParentSize runs on xdg_positioner.set_parent_size.
func (ps *positioner) SetParentSize(*xdgshell.Positioner, int32, int32) error { return nil }

// SetParentConfigure runs on xdg_positioner.set_parent_configure.
func (ps *positioner) SetParentConfigure(*xdgshell.Positioner, uint32) error { return nil }

// enumArray encodes enum values as a wl_array of 32-bit words.
func enumArray(values ...uint32) []byte {
	b := make([]byte, 0, 4*len(values))
	for _, v := range values {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// Activate implements Scene: the toplevel surface belongs to (through
// subsurface parents and popup parents) goes on top of the stack with its
// popups, and gets the keyboard focus.
func (s *Server) Activate(res *wayland.Surface) {
	sf, ok := server.Impl[*surface](res)
	if !ok {
		return
	}
	tl := toplevelOf(sf)
	if tl == nil || !tl.mapped || tl.xs.sf == nil {
		return
	}
	root := tl.xs.sf
	var raised []*surface
	for _, x := range s.surfaces {
		if x == root || (x.sub == nil && belongsTo(x, tl)) {
			raised = append(raised, x)
		}
	}
	s.surfaces = slices.DeleteFunc(s.surfaces, func(x *surface) bool { return slices.Contains(raised, x) })
	s.surfaces = append(s.surfaces, raised...)
	s.restack()
	s.seat.ToplevelMapped(tl.surface)
}

// toplevelOf returns the toplevel a surface is part of: its own, its
// subsurface parent's, or its popup parent's; nil for none.
func toplevelOf(sf *surface) *toplevel {
	for depth := 0; sf != nil && depth < 64; depth++ {
		for sf.sub != nil && sf.sub.parent != nil {
			sf = sf.sub.parent
		}
		xs, ok := sf.role.(*xdgSurface)
		if !ok {
			return nil
		}
		if xs.toplevel != nil {
			return xs.toplevel
		}
		if xs.popup == nil || xs.popup.parent == nil {
			return nil
		}
		sf = xs.popup.parent.sf
	}
	return nil
}

// belongsTo reports whether the top-level surface sf is a popup of tl.
func belongsTo(sf *surface, tl *toplevel) bool {
	xs, ok := sf.role.(*xdgSurface)
	return ok && xs.popup != nil && toplevelOf(sf) == tl
}
