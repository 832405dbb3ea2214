package compositor

import (
	"slices"

	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
)

// subcompositorHandler serves one client's wl_subcompositor.
type subcompositorHandler struct{}

// bindSubcompositor runs when a client binds wl_subcompositor.
func (s *Server) bindSubcompositor(r *wayland.Subcompositor) error {
	r.SetHandler(subcompositorHandler{})
	return nil
}

// Destroy runs on wl_subcompositor.destroy.
func (subcompositorHandler) Destroy(*wayland.Subcompositor) error { return nil }

// GetSubsurface runs on wl_subcompositor.get_subsurface; id is registered.
func (subcompositorHandler) GetSubsurface(r *wayland.Subcompositor, id *wayland.Subsurface, surfaceRes, parentRes *wayland.Surface) error {
	sf, err := surfaceOf(surfaceRes)
	if err != nil {
		return err
	}
	parent, err := surfaceOf(parentRes)
	if err != nil {
		return err
	}
	if sf == nil || parent == nil {
		// The server destroyed one of them already: nothing to attach.
		id.SetHandler(&subsurface{})
		return nil
	}
	if sf == parent {
		return server.Errorf(r, uint32(wayland.SubcompositorErrorBadParent), "%s cannot be its own parent", surfaceRes)
	}
	for p := parent; p != nil && p.sub != nil; p = p.sub.parent {
		if p.sub.parent == sf {
			return server.Errorf(r, uint32(wayland.SubcompositorErrorBadParent), "%s is a descendant of %s", parentRes, surfaceRes)
		}
	}
	sub := &subsurface{res: id, sf: sf, parent: parent, sync: true}
	if !sf.setRole(sub) {
		return server.Errorf(r, uint32(wayland.SubcompositorErrorBadSurface), "%s already has the role %s", surfaceRes, sf.roleName)
	}
	sf.sub = sub
	parent.children = append(parent.children, sub)
	// A new subsurface starts on top of its parent and siblings.
	parent.order = append(parent.order, sf)
	parent.pendingOrder = append(parent.pendingOrder, sf)
	parent.s.restack()
	sub.cached.scale = 1
	sub.cached.inputInfinite = true
	id.SetHandler(sub)
	id.OnDestroy(sub.handleDestroyed)
	return nil
}

// subsurface serves one wl_subsurface: a surface shown relative to its
// parent, whose state (when synchronized) is applied with the parent's.
type subsurface struct {
	res    *wayland.Subsurface
	sf     *surface // nil once the wl_surface is gone
	parent *surface // nil once the parent is gone

	x, y        int32 // position relative to the parent (current)
	pendingX    int32
	pendingY    int32
	positionSet bool
	sync        bool
	cached      surfaceState
	hasCached   bool
}

func (sub *subsurface) roleName() string { return "wl_subsurface" }

func (sub *subsurface) precommit(*surface, *surfaceState) error { return nil }

// committed shows the subsurface if its parent is shown.
func (sub *subsurface) committed(*surface) { sub.place() }

// place maps the surface at its parent's position plus its offset, or
// unmaps it when the parent is hidden.
func (sub *subsurface) place() {
	if sub.sf == nil {
		return
	}
	if sub.parent == nil || !sub.parent.mapped {
		sub.sf.unmap()
		return
	}
	sub.sf.mapAt(sub.parent.x+int(sub.x), sub.parent.y+int(sub.y))
}

// synchronized reports whether commits wait for the parent: set_sync, or
// any ancestor synchronized.
func (sub *subsurface) synchronized() bool {
	for s := sub; s != nil; {
		if s.sync {
			return true
		}
		if s.parent == nil {
			return false
		}
		s = s.parent.sub
	}
	return false
}

// cache keeps a synchronized commit until the parent commits.
func (sub *subsurface) cache(pending *surfaceState) {
	pending.mergeInto(&sub.cached)
	sub.hasCached = true
}

// parentCommitted runs when the parent applied a commit: the pending
// position takes effect, and the cached state of a synchronized
// subsurface is applied.
func (sub *subsurface) parentCommitted() error {
	if sub.sf == nil {
		return nil
	}
	if sub.positionSet {
		sub.x, sub.y, sub.positionSet = sub.pendingX, sub.pendingY, false
	}
	if sub.hasCached && sub.synchronized() {
		sub.hasCached = false
		return sub.sf.apply(&sub.cached)
	}
	sub.place()
	return nil
}

// surfaceGone runs when the subsurface's wl_surface is destroyed.
func (sub *subsurface) surfaceGone() {
	sub.detach()
	sub.sf = nil
}

// parentGone runs when the parent wl_surface is destroyed: the subsurface
// is hidden until it is destroyed.
func (sub *subsurface) parentGone() {
	if sub.sf != nil {
		sub.sf.unmap()
	}
	sub.parent = nil
}

// detach unlinks the subsurface from its parent.
func (sub *subsurface) detach() {
	if p := sub.parent; p != nil {
		p.children = removeItem(p.children, sub)
		p.order = removeItem(p.order, sub.sf)
		p.pendingOrder = removeItem(p.pendingOrder, sub.sf)
		sub.parent = nil
		p.s.restack()
	}
}

// handleDestroyed runs when the wl_subsurface goes: the surface is
// unmapped and loses its role object.
func (sub *subsurface) handleDestroyed() {
	for _, cb := range sub.cached.frames {
		cb.Destroy()
	}
	sub.cached = surfaceState{}
	sub.detach()
	if sub.sf != nil {
		sub.sf.sub = nil
		sub.sf.clearRole()
		sub.sf = nil
	}
}

// Destroy runs on wl_subsurface.destroy.
func (sub *subsurface) Destroy(*wayland.Subsurface) error { return nil }

// SetPosition runs on wl_subsurface.set_position; it applies on the
// parent's next commit.
func (sub *subsurface) SetPosition(_ *wayland.Subsurface, x, y int32) error {
	sub.pendingX, sub.pendingY, sub.positionSet = x, y, true
	return nil
}

// PlaceAbove runs on wl_subsurface.place_above; it applies on the
// parent's next commit.
func (sub *subsurface) PlaceAbove(r *wayland.Subsurface, sibling *wayland.Surface) error {
	return sub.restackAt(r, sibling, 1)
}

// PlaceBelow runs on wl_subsurface.place_below; it applies on the
// parent's next commit.
func (sub *subsurface) PlaceBelow(r *wayland.Subsurface, sibling *wayland.Surface) error {
	return sub.restackAt(r, sibling, 0)
}

// restackAt moves the subsurface in its parent's pending order right above
// (after = 1) or below (after = 0) the reference, which must be the parent
// or another subsurface of it.
func (sub *subsurface) restackAt(r *wayland.Subsurface, sibling *wayland.Surface, after int) error {
	if sub.sf == nil || sub.parent == nil {
		return nil
	}
	ref, err := surfaceOf(sibling)
	if err != nil {
		return err
	}
	if ref == nil {
		return nil
	}
	if ref == sub.sf || (ref != sub.parent && (ref.sub == nil || ref.sub.parent != sub.parent)) {
		return server.Errorf(r, uint32(wayland.SubsurfaceErrorBadSurface), "%s is not a sibling or the parent", sibling)
	}
	p := sub.parent
	p.pendingOrder = removeItem(p.pendingOrder, sub.sf)
	i := slices.Index(p.pendingOrder, ref)
	p.pendingOrder = slices.Insert(p.pendingOrder, i+after, sub.sf)
	p.orderChanged = true
	return nil
}

// SetSync runs on wl_subsurface.set_sync.
func (sub *subsurface) SetSync(*wayland.Subsurface) error {
	sub.sync = true
	return nil
}

// SetDesync runs on wl_subsurface.set_desync: cached state is applied now
// unless an ancestor is still synchronized.
func (sub *subsurface) SetDesync(*wayland.Subsurface) error {
	sub.sync = false
	if sub.sf != nil && sub.hasCached && !sub.synchronized() {
		sub.hasCached = false
		return sub.sf.apply(&sub.cached)
	}
	return nil
}
