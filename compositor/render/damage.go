package render

import "image"

// maxRects bounds a Damage's rectangle list; past it the damage becomes
// its bounding box. A few rectangles cover the common cases (a cursor and
// a window, two windows on one output) without making every frame scan a
// long list.
const maxRects = 8

// Damage is the part of a picture that needs redrawing: a short list of
// rectangles that do not overlap. The zero value is empty.
type Damage struct {
	rects []image.Rectangle
}

// Add adds r. Rectangles that overlap r are merged with it.
func (d *Damage) Add(r image.Rectangle) {
	if r.Empty() {
		return
	}
	for {
		merged := false
		for i := 0; i < len(d.rects); i++ {
			if d.rects[i].Overlaps(r) {
				r = r.Union(d.rects[i])
				d.rects[i] = d.rects[len(d.rects)-1]
				d.rects = d.rects[:len(d.rects)-1]
				merged = true
				i--
			}
		}
		if !merged {
			break
		}
	}
	d.rects = append(d.rects, r)
	if len(d.rects) > maxRects {
		b := d.Bounds()
		d.rects = append(d.rects[:0], b)
	}
}

// AddDamage adds every rectangle of o.
func (d *Damage) AddDamage(o *Damage) {
	for _, r := range o.rects {
		d.Add(r)
	}
}

// Clear empties d, keeping its storage.
func (d *Damage) Clear() { d.rects = d.rects[:0] }

// Empty reports whether nothing is damaged.
func (d *Damage) Empty() bool { return len(d.rects) == 0 }

// Rects returns the rectangles; the slice is valid until the next change.
func (d *Damage) Rects() []image.Rectangle { return d.rects }

// Bounds returns the smallest rectangle holding every damaged one.
func (d *Damage) Bounds() image.Rectangle {
	var b image.Rectangle
	for _, r := range d.rects {
		b = b.Union(r)
	}
	return b
}

// Clip limits d to r.
func (d *Damage) Clip(r image.Rectangle) {
	out := d.rects[:0]
	for _, x := range d.rects {
		if x = x.Intersect(r); !x.Empty() {
			out = append(out, x)
		}
	}
	d.rects = out
}

// Translate moves every rectangle by p.
func (d *Damage) Translate(p image.Point) {
	for i := range d.rects {
		d.rects[i] = d.rects[i].Add(p)
	}
}

// historyLen is how many past frames History remembers: enough for the
// triple buffering any backend uses.
const historyLen = 4

// History remembers the damage of an output's last frames, so a buffer of
// age n (see backend.Buffer) is brought up to date by redrawing what
// changed in the n-1 frames since it was drawn, plus the new damage.
type History struct {
	frames [historyLen]Damage // frames[0] is the newest
	count  int
}

// ForAge returns, in out, what a buffer of the given age must redraw to
// show a picture whose new damage is current; everything (ok false) when
// the age is unknown or older than the history.
func (h *History) ForAge(age int, current *Damage, out *Damage) (ok bool) {
	out.Clear()
	if age <= 0 || age-1 > h.count {
		return false
	}
	out.AddDamage(current)
	for i := 0; i < age-1; i++ {
		out.AddDamage(&h.frames[i])
	}
	return true
}

// Push records current as the newest frame's damage.
func (h *History) Push(current *Damage) {
	last := h.frames[historyLen-1]
	copy(h.frames[1:], h.frames[:historyLen-1])
	last.Clear()
	last.AddDamage(current)
	h.frames[0] = last
	if h.count < historyLen {
		h.count++
	}
}

// Reset forgets the history (after a mode change every buffer is new).
func (h *History) Reset() {
	for i := range h.frames {
		h.frames[i].Clear()
	}
	h.count = 0
}
