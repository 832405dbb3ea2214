package compositor

import (
	"image"
	"slices"

	"gocomp/compositor/backend"
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
)

// surfaceRole is what gives a surface its meaning on screen (an xdg
// toplevel, a popup, a subsurface). A surface has at most one role for its
// whole life; the role object may go away earlier, leaving the role name.
type surfaceRole interface {
	// roleName is the protocol name of the role, e.g. "xdg_toplevel".
	roleName() string
	// precommit runs before pending state is applied; an error rejects
	// the commit (e.g. a buffer before the first configure).
	precommit(sf *surface, next *surfaceState) error
	// committed runs after state was applied; it maps, moves or unmaps
	// the surface.
	committed(sf *surface)
}

// surfaceState is the double-buffered state of a wl_surface: requests fill
// the pending copy, commit applies it.
type surfaceState struct {
	attached bool       // attach happened since the last commit
	buffer   *shmBuffer // the attached buffer; nil detaches
	dx, dy   int32      // attach or offset: position change of the content
	// Damage since the last commit, as bounding boxes: surface-local
	// (wl_surface.damage) and buffer-local (damage_buffer).
	surfaceDamage, bufferDamage image.Rectangle
	frames                      []*wayland.Callback

	opaque, input       regionShape
	opaqueSet, inputSet bool
	inputInfinite       bool

	scale     int32
	transform wayland.OutputTransform
}

// surface serves one wl_surface.
type surface struct {
	s   *Server
	res *wayland.Surface

	pending surfaceState
	current surfaceState

	role     surfaceRole
	roleName string

	data       []byte // the committed contents, packed XRGB/ARGB rows
	pix        backend.Pixels
	lastBuffer *shmBuffer // the buffer data was last copied from
	mapped     bool
	x, y       int       // layout position of the surface's top-left corner
	outputs    []*output // the outputs it is shown on: wl_surface.enter was sent
	// attachOffset is the offset (attach x, y or wl_surface.offset) of
	// the last commit, which moves a cursor's hotspot.
	attachOffset image.Point

	inflight []*wayland.Callback // committed frame callbacks not yet done

	sub      *subsurface   // set when the surface is a subsurface
	children []*subsurface // subsurfaces of this surface
	// Stacking of the surface and its subsurfaces, bottom to top; the
	// pending order (place_above/below) applies on this surface's commit.
	order, pendingOrder []*surface
	orderChanged        bool
}

// newSurface gives a freshly created wl_surface its handler and its
// backend view.
func (s *Server) newSurface(res *wayland.Surface) *surface {
	sf := &surface{s: s, res: res}
	sf.order, sf.pendingOrder = []*surface{sf}, []*surface{sf}
	s.surfaces = append(s.surfaces, sf)
	s.restack()
	sf.current.scale, sf.pending.scale = 1, 1
	sf.current.inputInfinite, sf.pending.inputInfinite = true, true
	res.SetHandler(sf)
	res.OnDestroy(sf.handleDestroyed)
	return sf
}

// surfaceOf returns the state behind a wl_surface argument: nil for none
// or a surface the server already destroyed.
func surfaceOf(res *wayland.Surface) (*surface, error) {
	return server.ImplArg[*surface](res, "a wl_surface of this compositor")
}

// setRole gives the surface its role. A surface keeps its role name for
// life: taking a different role later is an error the caller reports with
// its interface's role error code.
func (sf *surface) setRole(role surfaceRole) bool {
	if sf.roleName != "" && sf.roleName != role.roleName() {
		return false
	}
	if sf.role != nil {
		return false
	}
	sf.role, sf.roleName = role, role.roleName()
	return true
}

// clearRole detaches the role object (it was destroyed); the surface is
// unmapped and keeps its role name.
func (sf *surface) clearRole() {
	sf.role = nil
	sf.unmap()
}

// hasContent reports whether the surface has committed a buffer.
func (sf *surface) hasContent() bool { return sf.pix.Data != nil }

// rect is the surface's rectangle in layout coordinates.
func (sf *surface) rect() image.Rectangle {
	return image.Rect(sf.x, sf.y, sf.x+sf.pix.Width, sf.y+sf.pix.Height)
}

// mapAt shows the surface with its top-left corner at (x, y) in layout
// coordinates and places its mapped subsurfaces.
func (sf *surface) mapAt(x, y int) {
	if !sf.hasContent() {
		sf.unmap()
		return
	}
	moved := !sf.mapped || sf.x != x || sf.y != y
	if moved {
		if sf.mapped {
			sf.s.damageLayout(sf.rect())
		}
		sf.x, sf.y, sf.mapped = x, y, true
		sf.s.damageLayout(sf.rect())
		sf.updateOutputs()
		sf.s.seat.SceneChanged()
	}
	for _, c := range sf.children {
		c.place()
	}
}

// updateOutputs sends wl_surface.enter and leave so the client knows the
// outputs the surface is shown on.
func (sf *surface) updateOutputs() {
	r := sf.rect()
	for _, o := range slices.Clone(sf.outputs) {
		if !sf.mapped || !r.Overlaps(o.rect()) {
			sf.leaveOutput(o)
		}
	}
	if !sf.mapped {
		return
	}
	for _, o := range sf.s.outputs {
		if r.Overlaps(o.rect()) && !sf.onOutput(o) {
			sf.outputs = append(sf.outputs, o)
			for _, wo := range o.resources {
				if wo.Client() == sf.res.Client() {
					sf.res.SendEnter(wo)
				}
			}
		}
	}
}

// onOutput reports whether the surface is shown on o.
func (sf *surface) onOutput(o *output) bool { return slices.Contains(sf.outputs, o) }

// leaveOutput sends wl_surface.leave for o if the surface was on it.
func (sf *surface) leaveOutput(o *output) {
	i := slices.Index(sf.outputs, o)
	if i < 0 {
		return
	}
	sf.outputs = slices.Delete(sf.outputs, i, i+1)
	for _, wo := range o.resources {
		if wo.Client() == sf.res.Client() {
			sf.res.SendLeave(wo)
		}
	}
}

// unmap hides the surface and its subsurfaces.
func (sf *surface) unmap() {
	if !sf.mapped {
		return
	}
	sf.s.damageLayout(sf.rect())
	sf.mapped = false
	sf.updateOutputs()
	sf.s.seat.SceneChanged()
	for _, c := range sf.children {
		c.sf.unmap()
	}
}

// scheduleFrame asks the outputs the surface is on (the first output when
// it is on none) for a frame, so its frame callbacks are answered.
func (sf *surface) scheduleFrame() {
	if len(sf.outputs) == 0 {
		if o := sf.s.primaryOutput(); o != nil {
			o.bo.ScheduleFrame()
		}
		return
	}
	for _, o := range sf.outputs {
		o.bo.ScheduleFrame()
	}
}

// handleDestroyed runs when the wl_surface is destroyed, by request or
// because its client left: the view goes, frame callbacks never committed
// are dropped, and role and subsurface links are cut.
func (sf *surface) handleDestroyed() {
	sf.unmap()
	sf.s.surfaces = removeItem(sf.s.surfaces, sf)
	sf.s.stack = removeItem(sf.s.stack, sf)
	sf.s.cursorSurfaceGone(sf)
	for _, cb := range sf.pending.frames {
		cb.Destroy()
	}
	for _, cb := range sf.inflight {
		cb.Destroy()
	}
	sf.pending.frames, sf.inflight = nil, nil
	if sf.sub != nil {
		sf.sub.surfaceGone()
	}
	for _, c := range sf.children {
		c.parentGone()
	}
	sf.children = nil
	if d, ok := sf.role.(interface{ surfaceDestroyed() }); ok {
		d.surfaceDestroyed()
	}
	sf.role = nil
}

// Destroy runs on wl_surface.destroy.
func (sf *surface) Destroy(*wayland.Surface) error { return nil }

// Attach runs on wl_surface.attach.
func (sf *surface) Attach(r *wayland.Surface, buffer *wayland.Buffer, x, y int32) error {
	if (x != 0 || y != 0) && r.Version() >= 5 {
		return server.Errorf(r, uint32(wayland.SurfaceErrorInvalidOffset), "attach with offset %d,%d: use wl_surface.offset", x, y)
	}
	b, err := bufferOf(buffer)
	if err != nil {
		return err
	}
	sf.pending.attached = true
	sf.pending.buffer = b
	if r.Version() < 5 {
		// From version 5 the offset comes from wl_surface.offset, which
		// may have come before the attach.
		sf.pending.dx, sf.pending.dy = x, y
	}
	return nil
}

// Damage runs on wl_surface.damage: the part of the surface that
// changes with the next commit, in surface coordinates.
func (sf *surface) Damage(_ *wayland.Surface, x, y, w, h int32) error {
	sf.pending.surfaceDamage = sf.pending.surfaceDamage.Union(damageRect(x, y, w, h))
	return nil
}

// DamageBuffer runs on wl_surface.damage_buffer: the same in buffer
// coordinates.
func (sf *surface) DamageBuffer(_ *wayland.Surface, x, y, w, h int32) error {
	sf.pending.bufferDamage = sf.pending.bufferDamage.Union(damageRect(x, y, w, h))
	return nil
}

// maxDamage bounds damage coordinates so that scaling cannot overflow;
// clients commonly damage (0, 0, INT32_MAX, INT32_MAX) to mean everything.
const maxDamage = 1 << 20

// damageRect turns a damage request into a rectangle, clamped to
// ±maxDamage; an empty size gives an empty rectangle.
func damageRect(x, y, w, h int32) image.Rectangle {
	if w <= 0 || h <= 0 {
		return image.Rectangle{}
	}
	clamp := func(v int64) int { return int(max(-maxDamage, min(maxDamage, v))) }
	return image.Rect(clamp(int64(x)), clamp(int64(y)), clamp(int64(x)+int64(w)), clamp(int64(y)+int64(h)))
}

// damageInBuffer returns the damage of st in buffer coordinates, and
// whether it can be trusted (an untransformed buffer).
func (st *surfaceState) damageInBuffer() (image.Rectangle, bool) {
	if st.transform != wayland.OutputTransformNormal {
		return image.Rectangle{}, false
	}
	d := st.surfaceDamage
	if sc := int(st.scale); sc > 1 && !d.Empty() {
		d = image.Rect(d.Min.X*sc, d.Min.Y*sc, d.Max.X*sc, d.Max.Y*sc)
	}
	return d.Union(st.bufferDamage), true
}

// Frame runs on wl_surface.frame; callback is registered.
func (sf *surface) Frame(_ *wayland.Surface, callback *wayland.Callback) error {
	sf.pending.frames = append(sf.pending.frames, callback)
	return nil
}

// SetOpaqueRegion runs on wl_surface.set_opaque_region.
func (sf *surface) SetOpaqueRegion(_ *wayland.Surface, rg *wayland.Region) error {
	sf.pending.opaqueSet = true
	sf.pending.opaque = nil
	r, err := regionOf(rg)
	if err != nil {
		return err
	}
	if r != nil {
		sf.pending.opaque = r.snapshot()
	}
	return nil
}

// SetInputRegion runs on wl_surface.set_input_region; nil means infinite.
func (sf *surface) SetInputRegion(_ *wayland.Surface, rg *wayland.Region) error {
	sf.pending.inputSet = true
	sf.pending.input = nil
	sf.pending.inputInfinite = rg == nil
	r, err := regionOf(rg)
	if err != nil {
		return err
	}
	if r != nil {
		sf.pending.input = r.snapshot()
	}
	return nil
}

// SetBufferTransform runs on wl_surface.set_buffer_transform.
func (sf *surface) SetBufferTransform(r *wayland.Surface, t wayland.OutputTransform) error {
	if t > wayland.OutputTransformFlipped270 {
		return server.Errorf(r, uint32(wayland.SurfaceErrorInvalidTransform), "invalid transform %d", t)
	}
	sf.pending.transform = t
	return nil
}

// SetBufferScale runs on wl_surface.set_buffer_scale.
func (sf *surface) SetBufferScale(r *wayland.Surface, scale int32) error {
	if scale < 1 {
		return server.Errorf(r, uint32(wayland.SurfaceErrorInvalidScale), "invalid scale %d", scale)
	}
	sf.pending.scale = scale
	return nil
}

// Offset runs on wl_surface.offset.
func (sf *surface) Offset(_ *wayland.Surface, x, y int32) error {
	sf.pending.dx, sf.pending.dy = x, y
	return nil
}

// Commit runs on wl_surface.commit: the pending state becomes current,
// unless the surface is a synchronized subsurface, whose state waits in a
// cache for its parent's commit.
func (sf *surface) Commit(r *wayland.Surface) error {
	if sf.sub != nil && sf.sub.synchronized() {
		sf.sub.cache(&sf.pending)
		return nil
	}
	return sf.apply(&sf.pending)
}

// apply makes next the current state (next is then reset): the buffer's
// pixels are copied and the buffer released at once, frame callbacks are
// queued for the next refresh, the role reacts, and the cached state of
// synchronized subsurfaces follows.
func (sf *surface) apply(next *surfaceState) error {
	if sf.role != nil {
		if err := sf.role.precommit(sf, next); err != nil {
			next.reset()
			return err
		}
	}
	if next.attached {
		if b := next.buffer; b == nil {
			if sf.mapped {
				sf.s.damageLayout(sf.rect())
			}
			sf.pix = backend.Pixels{}
		} else {
			changed, err := sf.copyBuffer(b, next)
			if err != nil {
				next.reset()
				return err
			}
			if sf.mapped {
				sf.s.damageLayout(changed.Add(image.Pt(sf.x, sf.y)))
			}
		}
	}
	if len(next.frames) > 0 {
		sf.inflight = append(sf.inflight, next.frames...)
		clear(next.frames)
		next.frames = next.frames[:0]
		sf.scheduleFrame()
	}
	c := &sf.current
	c.scale, c.transform = next.scale, next.transform
	sf.attachOffset = image.Pt(int(next.dx), int(next.dy))
	if next.opaqueSet {
		c.opaque = next.opaque
	}
	if next.inputSet {
		c.input, c.inputInfinite = next.input, next.inputInfinite
	}
	next.reset()
	if sf.role != nil {
		sf.role.committed(sf)
	}
	if sf.orderChanged {
		sf.orderChanged = false
		sf.order = append(sf.order[:0], sf.pendingOrder...)
		sf.s.restack()
	}
	for _, child := range sf.children {
		if err := child.parentCommitted(); err != nil {
			return err
		}
	}
	return nil
}

// frameDone answers the committed frame callbacks after an output showing
// the surface presented a picture.
func (sf *surface) frameDone(msec uint32) {
	for i, cb := range sf.inflight {
		cb.SendDone(msec)
		sf.inflight[i] = nil
	}
	sf.inflight = sf.inflight[:0]
}

// copyBuffer snapshots the buffer's pixels into the surface's own memory
// and releases the buffer: the client may reuse it right away. When the
// same buffer comes back at the same size, only its damaged rectangle is
// copied (the protocol promises the rest is unchanged); any other buffer is
// copied whole. It returns the rectangle whose pixels changed, in surface
// coordinates, together with the area the old contents covered when the
// size changed.
func (sf *surface) copyBuffer(b *shmBuffer, next *surfaceState) (image.Rectangle, error) {
	if sc := int(next.scale); sc > 1 && (b.width%sc != 0 || b.height%sc != 0) && sf.res.Version() >= 6 {
		return image.Rectangle{}, server.Errorf(sf.res, uint32(wayland.SurfaceErrorInvalidSize),
			"buffer %dx%d is not a multiple of scale %d", b.width, b.height, sc)
	}
	old := image.Rect(0, 0, sf.pix.Width, sf.pix.Height)
	full := image.Rect(0, 0, b.width, b.height)
	region := full
	if b == sf.lastBuffer && sf.pix.Width == b.width && sf.pix.Height == b.height && sf.pix.Format == b.format {
		if d, ok := next.damageInBuffer(); ok {
			region = d.Intersect(full)
		}
	}
	n := 4 * b.width * b.height
	if region == full && cap(sf.data) < n {
		sf.data = make([]byte, n)
	}
	data := sf.data[:n]
	if !region.Empty() {
		stride := 4 * b.width
		dst := data[region.Min.Y*stride+region.Min.X*4:]
		off := b.offset + region.Min.Y*b.stride + region.Min.X*4
		if err := b.copyRows(dst, stride, off, 4*region.Dx(), region.Dy()); err != nil {
			return image.Rectangle{}, err
		}
	}
	sf.data = data
	sf.lastBuffer = b
	sf.pix = backend.Pixels{Width: b.width, Height: b.height, Stride: 4 * b.width, Format: b.format, Data: data}
	b.res.SendRelease()
	if region == full {
		return full.Union(old), nil
	}
	return region, nil
}

// reset clears the per-commit fields after a commit; scale, transform and
// the input-region default carry over as the protocol says.
func (st *surfaceState) reset() {
	st.attached, st.buffer, st.dx, st.dy = false, nil, 0, 0
	st.surfaceDamage, st.bufferDamage = image.Rectangle{}, image.Rectangle{}
	st.opaqueSet, st.inputSet = false, false
	st.opaque, st.input = nil, nil
}

// mergeInto moves this state's changes on top of dst (a subsurface
// cache), as a later commit would.
func (st *surfaceState) mergeInto(dst *surfaceState) {
	if st.attached {
		dst.attached, dst.buffer = true, st.buffer
	}
	dst.dx += st.dx
	dst.dy += st.dy
	dst.surfaceDamage = dst.surfaceDamage.Union(st.surfaceDamage)
	dst.bufferDamage = dst.bufferDamage.Union(st.bufferDamage)
	dst.frames = append(dst.frames, st.frames...)
	st.frames = st.frames[:0]
	if st.opaqueSet {
		dst.opaqueSet, dst.opaque = true, st.opaque
	}
	if st.inputSet {
		dst.inputSet, dst.input, dst.inputInfinite = true, st.input, st.inputInfinite
	}
	dst.scale, dst.transform = st.scale, st.transform
	st.reset()
}

// restack recomputes the stacking of every surface, bottom to top:
// top-level surfaces in creation order, each with its subsurfaces around
// it as their parents ordered them. Mapped surfaces whose place in the
// stack changed are redrawn.
func (s *Server) restack() {
	old := s.stack
	next := make([]*surface, 0, len(s.surfaces))
	var walk func(sf *surface)
	walk = func(sf *surface) {
		for _, e := range sf.order {
			if e == sf {
				next = append(next, sf)
			} else {
				walk(e)
			}
		}
	}
	for _, sf := range s.surfaces {
		if sf.sub == nil || sf.sub.parent == nil {
			walk(sf)
		}
	}
	s.stack = next
	if slices.Equal(old, next) {
		return
	}
	for _, sf := range next {
		if sf.mapped {
			s.damageLayout(sf.rect())
		}
	}
	s.seat.SceneChanged()
}

// removeItem removes the first occurrence of v from list.
func removeItem[T comparable](list []T, v T) []T {
	if i := slices.Index(list, v); i >= 0 {
		return slices.Delete(list, i, i+1)
	}
	return list
}
