package server_test

import (
	"errors"
	"testing"

	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"
)

// surfaceA and surfaceB are two implementations of wl_surface, as two
// factories of one interface would give (wl_buffer from wl_shm or from
// another buffer protocol).
type surfaceA struct{ wayland.SurfaceHandler }
type surfaceB struct{ wayland.SurfaceHandler }

func TestImplAndImplArg(t *testing.T) {
	td := newTestDisplay(t, server.Options{})
	tc := newTestClient(t, td.d)
	tc.send(1, 1, func(e *wire.Encoder) { e.PutUint(2) }) // get_registry
	tc.pump()
	tc.bind(2, 1, "wl_compositor", 6, 3)
	for _, id := range []uint32{4, 5, 6} {
		tc.send(3, wayland.CompositorRequestCreateSurface, func(e *wire.Encoder) { e.PutUint(id) })
	}
	tc.pump()
	if len(td.comp.surfaces) != 3 {
		t.Fatalf("handler saw %d surfaces; want 3", len(td.comp.surfaces))
	}
	sa, sb, bare := td.comp.surfaces[0], td.comp.surfaces[1], td.comp.surfaces[2]
	a, b := &surfaceA{}, &surfaceB{}
	sa.SetHandler(a)
	sb.SetHandler(b)

	if got, ok := server.Impl[*surfaceA](sa); !ok || got != a {
		t.Errorf("Impl[*surfaceA](%s) = %p, %v; want %p, true", sa, got, ok, a)
	}
	if got, ok := server.Impl[*surfaceA](sb); ok || got != nil {
		t.Errorf("Impl[*surfaceA](%s) = %p, %v; want nil, false (it is a surfaceB)", sb, got, ok)
	}
	if _, ok := server.Impl[*surfaceA](bare); ok {
		t.Errorf("Impl of a resource without a handler reported ok")
	}
	var nilSurface *wayland.Surface
	if _, ok := server.Impl[*surfaceA](nilSurface); ok {
		t.Errorf("Impl of a nil *wayland.Surface reported ok")
	}

	tests := []struct {
		name    string
		arg     server.Object
		want    *surfaceA
		wantErr string // "" for no error
	}{
		{"same type", sa, a, ""},
		{"nil argument", nilSurface, nil, ""},
		{"untyped nil", nil, nil, ""},
		{"other implementation", sb, nil, "wl_surface@5 is not a surfaceA"},
		{"no handler yet", bare, nil, "wl_surface@6 is not a surfaceA"},
	}
	for _, tt := range tests {
		got, err := server.ImplArg[*surfaceA](tt.arg, "a surfaceA")
		if got != tt.want {
			t.Errorf("%s: ImplArg = %p; want %p", tt.name, got, tt.want)
		}
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s: ImplArg error %v; want none", tt.name, err)
			}
			continue
		}
		var pe *server.ProtocolError
		if !errors.As(err, &pe) || pe.Code != server.ErrorInvalidObject || pe.Message != tt.wantErr {
			t.Errorf("%s: ImplArg error %#v; want invalid_object %q", tt.name, err, tt.wantErr)
		}
	}

	sa.Destroy()
	if got, err := server.ImplArg[*surfaceA](sa, "a surfaceA"); got != nil || err != nil {
		t.Errorf("ImplArg of a destroyed resource = %p, %v; want nil, nil", got, err)
	}
	if _, ok := server.Impl[*surfaceA](sa); ok {
		t.Errorf("Impl of a destroyed resource reported ok")
	}
}
