package seat

import (
	"fmt"
	"math"
	"time"
)

// AccelProfile is how relative pointer motion is scaled.
type AccelProfile uint8

// The profiles, as libinput users know them.
const (
	// AccelAdaptive scales motion by a factor that grows with the
	// pointer's speed: slow movements are precise, fast ones cover the
	// screen (libinput's default).
	AccelAdaptive AccelProfile = iota
	// AccelFlat scales every movement by the same factor, 1 + speed.
	AccelFlat
)

// String returns the profile's name as --pointer-accel spells it.
func (p AccelProfile) String() string {
	if p == AccelFlat {
		return "flat"
	}
	return "adaptive"
}

// parseAccelProfile parses a --pointer-accel value.
func parseAccelProfile(s string) (AccelProfile, error) {
	switch s {
	case "adaptive":
		return AccelAdaptive, nil
	case "flat":
		return AccelFlat, nil
	}
	return 0, fmt.Errorf("invalid pointer-accel %q (want adaptive or flat)", s)
}

// Parameters of the adaptive profile at speed 0, in device units at
// 1000 dpi per millisecond. Below the threshold motion is slowed down to
// at most 1x (precise aiming), above it the factor rises along the incline
// up to the maximum.
const (
	adaptiveThreshold    = 0.4
	adaptiveMinThreshold = 0.2
	adaptiveMaxFactor    = 2.0
	adaptiveIncline      = 1.1
	// velocityWindow is how far back the velocity estimate looks.
	velocityWindow = 100 * time.Millisecond
	// velocityIdle: a pause this long starts the estimate afresh.
	velocityIdle = 300 * time.Millisecond
	// trackerLen is the number of recent motions the estimate keeps.
	trackerLen = 16
)

// motionSample is one relative motion and when it happened.
type motionSample struct {
	t    time.Duration
	dist float64
}

// accelFilter scales one device's relative motion. Its zero value is the
// adaptive profile at speed 0.
type accelFilter struct {
	profile AccelProfile
	speed   float64 // [-1, 1]

	samples [trackerLen]motionSample // ring of recent motions
	next    int
	count   int
}

// configure sets the profile and speed (clamped to [-1, 1]).
func (f *accelFilter) configure(p AccelProfile, speed float64) {
	f.profile, f.speed = p, math.Max(-1, math.Min(1, speed))
}

// apply returns the scaled motion for (dx, dy) at time t.
func (f *accelFilter) apply(t time.Duration, dx, dy float64) (float64, float64) {
	if f.profile == AccelFlat {
		k := 1 + f.speed
		return dx * k, dy * k
	}
	v := f.velocity(t, math.Hypot(dx, dy))
	k := f.adaptiveFactor(v)
	return dx * k, dy * k
}

// velocity records a motion of dist at t and returns the pointer's speed
// in units per millisecond over the last velocityWindow.
func (f *accelFilter) velocity(t time.Duration, dist float64) float64 {
	if f.count > 0 {
		last := f.samples[(f.next+trackerLen-1)%trackerLen]
		if t-last.t > velocityIdle || t < last.t {
			f.count = 0
		}
	}
	f.samples[f.next] = motionSample{t: t, dist: dist}
	f.next = (f.next + 1) % trackerLen
	f.count = min(f.count+1, trackerLen)
	if f.count < 2 {
		// One sample has no duration: take the usual 8 ms of a 125 Hz
		// mouse.
		return dist / 8
	}
	var total float64
	oldest := t
	for i := 1; i < f.count; i++ {
		s := f.samples[(f.next-i+trackerLen)%trackerLen]
		if t-s.t > velocityWindow {
			break
		}
		total += s.dist
		oldest = f.samples[(f.next-i-1+trackerLen)%trackerLen].t
	}
	ms := float64(t-oldest) / float64(time.Millisecond)
	if ms <= 0 {
		return dist / 8
	}
	return total / ms
}

// adaptiveFactor is the adaptive profile's factor at velocity v.
func (f *accelFilter) adaptiveFactor(v float64) float64 {
	threshold := math.Max(adaptiveMinThreshold, adaptiveThreshold-0.25*f.speed)
	maxFactor := adaptiveMaxFactor + 1.5*f.speed
	incline := adaptiveIncline + 0.75*f.speed
	slow := math.Min(1, 0.3+10*v)
	fast := 1 + (v-threshold)*incline
	k := slow
	if fast > 1 {
		k = fast
	}
	return math.Min(maxFactor, k)
}
