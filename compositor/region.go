package compositor

import (
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
)

// rect is an integer rectangle in surface coordinates.
type rect struct{ x, y, w, h int32 }

func (r rect) contains(x, y int32) bool {
	return x >= r.x && y >= r.y && int64(x) < int64(r.x)+int64(r.w) && int64(y) < int64(r.y)+int64(r.h)
}

// regionOp is one wl_region.add or subtract.
type regionOp struct {
	r   rect
	add bool
}

// regionShape is a region as the sequence of additions and subtractions
// that built it; a point is inside when the last operation covering it was
// an addition. A nil shape is empty. Shapes are immutable once built, so
// surfaces share them by reference.
type regionShape []regionOp

// contains reports whether (x, y) lies in the region.
func (s regionShape) contains(x, y int32) bool {
	in := false
	for _, op := range s {
		if op.r.contains(x, y) {
			in = op.add
		}
	}
	return in
}

// region serves one wl_region.
type region struct {
	shape regionShape
}

// newRegion gives a freshly created wl_region its handler.
func newRegion(res *wayland.Region) { res.SetHandler(&region{}) }

// regionOf returns the state behind a wl_region argument (nil for none).
func regionOf(res *wayland.Region) (*region, error) {
	return server.ImplArg[*region](res, "a wl_region of this compositor")
}

// snapshot returns the region's current shape; later edits do not change
// it (edits copy on write).
func (rg *region) snapshot() regionShape { return rg.shape[:len(rg.shape):len(rg.shape)] }

// Destroy runs on wl_region.destroy.
func (rg *region) Destroy(*wayland.Region) error { return nil }

// Add runs on wl_region.add.
func (rg *region) Add(_ *wayland.Region, x, y, w, h int32) error {
	return rg.push(rect{x, y, w, h}, true)
}

// Subtract runs on wl_region.subtract.
func (rg *region) Subtract(_ *wayland.Region, x, y, w, h int32) error {
	return rg.push(rect{x, y, w, h}, false)
}

// maxRegionOps bounds a region's history so a client cannot make the
// compositor's memory grow without bound through one object.
const maxRegionOps = 4096

func (rg *region) push(r rect, add bool) error {
	if r.w <= 0 || r.h <= 0 {
		return nil // an empty rectangle changes nothing
	}
	if len(rg.shape) >= maxRegionOps {
		return server.Errorf(nil, server.ErrorNoMemory, "region has more than %d rectangles", maxRegionOps)
	}
	rg.shape = append(rg.shape, regionOp{r, add})
	return nil
}
