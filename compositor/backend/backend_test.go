package backend

import "testing"

func TestModeString(t *testing.T) {
	for _, tc := range []struct {
		m    Mode
		want string
	}{
		{Mode{1280, 720, 60000}, "1280x720@60"},
		{Mode{1920, 1080, 59940}, "1920x1080@59.940"},
	} {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("%#v.String() = %q; want %q", tc.m, got, tc.want)
		}
	}
}

func TestPixelsValid(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Pixels
		want bool
	}{
		{"packed", Pixels{Width: 2, Height: 2, Stride: 8, Data: make([]byte, 16)}, true},
		{"padded rows, short last row", Pixels{Width: 2, Height: 2, Stride: 12, Data: make([]byte, 20)}, true},
		{"one byte short", Pixels{Width: 2, Height: 2, Stride: 8, Data: make([]byte, 15)}, false},
		{"stride below width", Pixels{Width: 2, Height: 2, Stride: 4, Data: make([]byte, 16)}, false},
		{"empty", Pixels{}, false},
	} {
		if got := tc.p.Valid(); got != tc.want {
			t.Errorf("%s: Valid() = %v; want %v", tc.name, got, tc.want)
		}
	}
}
