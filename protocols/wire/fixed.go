package wire

import "math"

// Fixed is a signed 24.8 fixed-point number as the wire carries it.
type Fixed int32

// FixedFromInt converts an integer; values outside ±2^23 wrap.
func FixedFromInt(i int) Fixed { return Fixed(int32(i) << 8) }

// FixedFromFloat converts with rounding to the nearest 1/256; values outside
// the representable range saturate.
func FixedFromFloat(f float64) Fixed {
	v := math.Round(f * 256)
	switch {
	case v >= math.MaxInt32:
		return Fixed(math.MaxInt32)
	case v <= math.MinInt32:
		return Fixed(math.MinInt32)
	case v != v: // NaN
		return 0
	}
	return Fixed(int32(v))
}

// Float returns the exact value as a float64.
func (f Fixed) Float() float64 { return float64(f) / 256 }

// Int returns the value truncated toward negative infinity.
func (f Fixed) Int() int { return int(int32(f) >> 8) }
