package seat

import (
	"strings"
	"testing"

	"gocomp/xkb/compile"

	"golang.org/x/sys/unix"
)

func TestKeymapText(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"xkb_keymap {};\x00", "xkb_keymap {};", ""},
		{"xkb_keymap {};", "xkb_keymap {};", ""},                    // no NUL: taken whole
		{"xkb_keymap {};\x00\x00\x00", "xkb_keymap {};", ""},        // size rounded up with NULs
		{"xkb_keymap {};\x00junk", "", "after its terminating NUL"}, // regression: trailing data must not be ignored silently
		{"\x00", "", "empty"},
		{" \n\t\x00", "", "empty"},
		{"xkb_keymap {\xff};\x00", "", "UTF-8"},
	} {
		got, err := keymapText([]byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("keymapText(%q) err = %v; want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("keymapText(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestReadKeymapFD(t *testing.T) {
	fd, err := unix.MemfdCreate("keymap-test", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	unix.Write(fd, []byte("abc\x00"))
	for _, tc := range []struct {
		size uint32
		want string
		err  string
	}{
		{4, "abc\x00", ""},
		{2, "ab", ""},
		{5, "", "fewer than the size 5"},
		{0, "", "size is 0"},
		{maxClientKeymap + 1, "", "above the limit"},
	} {
		got, err := readKeymapFD(fd, tc.size)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("readKeymapFD(size %d) err = %v; want %q", tc.size, err, tc.err)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("readKeymapFD(size %d) = %q, %v; want %q", tc.size, got, err, tc.want)
		}
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	if _, err := readKeymapFD(p[0], 4); err == nil {
		t.Error("readKeymapFD of a pipe succeeded; want an error (it cannot be read at an offset)")
	}
}

// FuzzClientKeymap feeds arbitrary bytes through what a virtual
// keyboard's keymap goes through, without include files: the decoder and
// the compiler must return an error or a keymap, never panic, and a
// keymap they accept must serialize.
func FuzzClientKeymap(f *testing.F) {
	f.Add([]byte("xkb_keymap { xkb_keycodes { <A> = 38; }; xkb_types { }; xkb_compatibility { }; xkb_symbols { key <A> { [ a ] }; }; };\x00"))
	f.Add([]byte("xkb_keymap {};\x00junk"))
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		text, err := keymapText(b)
		if err != nil {
			return
		}
		km, err := compile.FromText("fuzz", text, nil)
		if err != nil {
			return
		}
		_ = NewXKBKeymap(km, 0).Text()
	})
}
