package compositor

import (
	"fmt"

	"gocomp/compositor/render"
)

// Layout is how the outputs share the compositor's picture.
type Layout uint8

// The layouts.
const (
	// LayoutExtend places the outputs left to right in the order they
	// came, top edges aligned: one wide picture.
	LayoutExtend Layout = iota
	// LayoutMirror places every output at the origin: each shows the top-
	// left part of the same picture, as large as it is.
	LayoutMirror
)

// String returns the layout's name as ParseLayout reads it.
func (l Layout) String() string {
	switch l {
	case LayoutExtend:
		return "extend"
	case LayoutMirror:
		return "mirror"
	}
	return fmt.Sprintf("Layout(%d)", uint8(l))
}

// ParseLayout reads a layout name: extend or mirror.
func ParseLayout(s string) (Layout, error) {
	for _, l := range []Layout{LayoutExtend, LayoutMirror} {
		if s == l.String() {
			return l, nil
		}
	}
	return 0, fmt.Errorf("compositor: unknown output layout %q (want extend or mirror)", s)
}

// outputTransform returns the transform configured for the output called
// name.
func (cfg *Config) outputTransform(name string) render.Transform {
	if t, ok := cfg.Transforms[name]; ok {
		return t
	}
	return cfg.Transforms[""]
}
