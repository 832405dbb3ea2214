package xcursor

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// encode writes an Xcursor file with the given images (and one comment
// chunk entry, which readers skip).
func encode(imgs ...Image) []byte {
	le := binary.LittleEndian
	n := len(imgs) + 1
	b := le.AppendUint32([]byte(magic), fileHeaderSize)
	b = le.AppendUint32(b, 0x10000)
	b = le.AppendUint32(b, uint32(n))
	pos := fileHeaderSize + n*tocEntrySize
	var chunks []byte
	b = le.AppendUint32(b, 0xfffe0001) // a comment entry
	b = le.AppendUint32(b, 1)
	b = le.AppendUint32(b, 0)
	for _, img := range imgs {
		b = le.AppendUint32(b, imageType)
		b = le.AppendUint32(b, uint32(img.Size))
		b = le.AppendUint32(b, uint32(pos+len(chunks)))
		for _, v := range []uint32{imageHeader, imageType, uint32(img.Size), 1, uint32(img.Width), uint32(img.Height), uint32(img.HotX), uint32(img.HotY), uint32(img.Delay)} {
			chunks = le.AppendUint32(chunks, v)
		}
		for _, p := range img.Pixels {
			chunks = le.AppendUint32(chunks, p)
		}
	}
	return append(b, chunks...)
}

func solidImage(size, w, h int, px uint32) Image {
	img := Image{Size: size, Width: w, Height: h, HotX: 1, HotY: 2, Delay: 50, Pixels: make([]uint32, w*h)}
	for i := range img.Pixels {
		img.Pixels[i] = px
	}
	return img
}

func TestDecodeAndBest(t *testing.T) {
	want := []Image{solidImage(24, 3, 4, 0xff112233), solidImage(32, 5, 6, 0x80808080), solidImage(48, 7, 8, 0)}
	got, err := Decode(encode(want...))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("decoded %d images; want 3", len(got))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Size != w.Size || g.Width != w.Width || g.Height != w.Height || g.HotX != w.HotX || g.HotY != w.HotY ||
			g.Delay != w.Delay || len(g.Pixels) != len(w.Pixels) || g.Pixels[0] != w.Pixels[0] {
			t.Errorf("image %d = %+v; want %+v", i, g, w)
		}
	}
	for _, tc := range []struct{ size, want int }{{24, 24}, {30, 32}, {10, 24}, {64, 48}} {
		if b := Best(got, tc.size); b.Size != tc.want {
			t.Errorf("Best(%d) has size %d; want %d", tc.size, b.Size, tc.want)
		}
	}
}

func TestDecodeRejectsBadFiles(t *testing.T) {
	good := encode(solidImage(24, 4, 4, 1))
	le := binary.LittleEndian
	patched := func(off int, v uint32) []byte {
		b := append([]byte(nil), good...)
		le.PutUint32(b[off:], v)
		return b
	}
	imgPos := fileHeaderSize + 2*tocEntrySize
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not an Xcursor file"},
		{"wrong magic", append([]byte("Xcuz"), good[4:]...), "not an Xcursor file"},
		{"truncated table", good[:fileHeaderSize+5], "bad header"},
		{"huge table", patched(12, 0xffffffff), "bad header"},
		{"chunk past the end", patched(fileHeaderSize+tocEntrySize+8, 1<<30), "past the end"},
		{"huge image", patched(imgPos+16, 1<<20), "size 1048576x4"},
		{"hotspot outside", patched(imgPos+24, 9), "hotspot 9,2"},
		{"pixels cut short", good[:len(good)-4], "pixels past the end"},
		{"no image", encode(), "no image"},
	} {
		_, err := Decode(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Decode error %v; want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestThemeFollowsInherits(t *testing.T) {
	root := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("default/index.theme", []byte("[Icon Theme]\nInherits=Middle\n"))
	write("Middle/index.theme", []byte("[Icon Theme]\nName=Middle\nInherits = Base, default\n"))
	write("Base/cursors/left_ptr", encode(solidImage(24, 2, 2, 7)))
	write("Middle/cursors/hand2", encode(solidImage(24, 2, 2, 9)))
	th := Theme{Name: "default", Path: []string{filepath.Join(root, "missing"), root}}
	imgs, err := th.Load("left_ptr")
	if err != nil || imgs[0].Pixels[0] != 7 {
		t.Fatalf("Load(left_ptr) = %v, %v; want Base's (through two inherits, with a cycle back to default)", imgs, err)
	}
	if imgs, err := th.Load("hand2"); err != nil || imgs[0].Pixels[0] != 9 {
		t.Errorf("Load(hand2) = %v, %v; want Middle's", imgs, err)
	}
	if _, err := th.Load("watch"); err == nil || !strings.Contains(err.Error(), `no cursor "watch" in theme "default"`) {
		t.Errorf("Load(watch) error %v", err)
	}
	write("Base/cursors/broken", []byte("Xcur"))
	if _, err := th.Load("broken"); err == nil || !strings.Contains(err.Error(), "Base/cursors/broken") {
		t.Errorf("Load(broken) error %v; want it to name the file", err)
	}
}

// TestDebianAdwaita reads the arrow of Debian's Adwaita theme (package
// adwaita-icon-theme), the cursor gocomp shows by default.
func TestDebianAdwaita(t *testing.T) {
	imgs, err := Theme{Name: "Adwaita", Path: []string{"/usr/share/icons"}}.Load("left_ptr")
	if err != nil {
		t.Fatalf("%v (make deps installs adwaita-icon-theme)", err)
	}
	img := Best(imgs, 24)
	opaque := 0
	for _, p := range img.Pixels {
		if p>>24 == 0xff {
			opaque++
		}
	}
	if img.Size != 24 || img.Width < 16 || opaque < 20 || img.HotX >= img.Width/2 || img.HotY >= img.Height/2 {
		t.Errorf("Adwaita left_ptr at 24: %dx%d (size %d), hotspot %d,%d, %d opaque pixels; want an arrow with its tip near the top-left",
			img.Width, img.Height, img.Size, img.HotX, img.HotY, opaque)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encode(solidImage(24, 2, 2, 1), solidImage(32, 3, 1, 2)))
	f.Add([]byte("Xcur"))
	f.Fuzz(func(t *testing.T, data []byte) {
		imgs, err := Decode(data)
		if err != nil {
			return
		}
		for _, img := range imgs {
			if len(img.Pixels) != img.Width*img.Height {
				t.Fatalf("image %dx%d with %d pixels", img.Width, img.Height, len(img.Pixels))
			}
		}
	})
}
