package headless

import (
	"testing"

	"gocomp/compositor/backend"
)

// BenchmarkComposite measures one refresh of a 1280x720 output showing a
// full-screen XRGB surface and a 250x250 ARGB one.
func BenchmarkComposite(b *testing.B) {
	_, o := newOutput(b, DefaultMode())
	o.NewSurface().Present(solid(1280, 720, backend.XRGB8888, 0x336699), 0, 0)
	o.NewSurface().Present(solid(250, 250, backend.ARGB8888, 0x80402010), 100, 100)
	b.SetBytes(int64(len(o.fb)))
	for b.Loop() {
		o.addDamage(o.bounds())
		o.composite()
	}
}

// BenchmarkCompositeDamage measures a refresh after a 250x250 client
// (weston-simple-shm's size) committed a new frame on a 1280x720 output:
// only its rectangle is redrawn.
func BenchmarkCompositeDamage(b *testing.B) {
	_, o := newOutput(b, DefaultMode())
	s := o.NewSurface()
	p := solid(250, 250, backend.XRGB8888, 0x336699)
	b.SetBytes(250 * 250 * 4)
	for b.Loop() {
		s.Present(p, 0, 0)
		o.composite()
	}
}
