package render

import (
	"bytes"

	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gocomp/compositor/backend"
)

// The composite benchmark's scene: a 1920x1080 XRGB8888 output showing a
// full-output XRGB8888 surface and a 250x250 translucent ARGB8888 one at
// (100,100), the work of one frame of an output (the nested backend's host
// buffer, the headless framebuffer). Its anchor is pixman doing the same
// fill, copy and blend (testdata/anchor/composite_pixman.c).
var (
	compositeView = image.Rect(0, 0, 1920, 1080)
	compositeCuts = []struct {
		name   string
		damage image.Rectangle
	}{
		{"full-1920x1080", compositeView},
		{"damage-64x64", image.Rect(100, 100, 164, 164)},
	}
)

// compositeScene returns the output buffer and the layers.
func compositeScene() (backend.Pixels, []Layer) {
	return solid(1920, 1080, backend.XRGB8888, 0), []Layer{
		{Pix: solid(1920, 1080, backend.XRGB8888, 0x336699)},
		{Pix: solid(250, 250, backend.ARGB8888, 0x80402010), X: 100, Y: 100},
	}
}

// buildPixmanAnchor compiles the pixman anchor with gcc.
func buildPixmanAnchor(tb testing.TB) string {
	tb.Helper()
	flags, err := exec.Command("pkg-config", "--cflags", "--libs", "pixman-1").Output()
	if err != nil {
		tb.Fatalf("pkg-config pixman-1: %v (make deps installs libpixman-1-dev)", err)
	}
	bin := filepath.Join(tb.TempDir(), "composite_pixman")
	args := append([]string{"-O2", "-o", bin, "testdata/anchor/composite_pixman.c"}, strings.Fields(string(flags))...)
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		tb.Fatalf("gcc %v: %v\n%s", args, err, out)
	}
	return bin
}

// runPixman runs the anchor for n iterations on damage and returns its
// mean ns per iteration.
func runPixman(tb testing.TB, bin string, n int, damage image.Rectangle, out ...string) float64 {
	tb.Helper()
	args := append([]string{strconv.Itoa(n), strconv.Itoa(damage.Min.X), strconv.Itoa(damage.Min.Y),
		strconv.Itoa(damage.Dx()), strconv.Itoa(damage.Dy())}, out...)
	stdout, err := exec.Command(bin, args...).Output()
	if err != nil {
		tb.Fatalf("%s %v: %v", bin, args, err)
	}
	ns, err := strconv.ParseFloat(strings.TrimSpace(string(stdout)), 64)
	if err != nil {
		tb.Fatalf("%s printed %q", bin, stdout)
	}
	return ns
}

// TestPixmanAnchorDoesTheSameWork checks that the anchor's picture is
// Draw's, channel for channel within the rounding of one blend.
func TestPixmanAnchorDoesTheSameWork(t *testing.T) {
	bin := buildPixmanAnchor(t)
	for _, cut := range compositeCuts {
		dst, layers := compositeScene()
		Draw(dst, compositeView, []image.Rectangle{cut.damage}, layers)
		path := filepath.Join(t.TempDir(), "pixman.raw")
		runPixman(t, bin, 1, cut.damage, path)
		theirs, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(theirs) != len(dst.Data) {
			t.Fatalf("%s: pixman wrote %d bytes; want %d", cut.name, len(theirs), len(dst.Data))
		}
		for i := 0; i < len(theirs); i += 4 {
			for c := range 3 { // B, G, R; X is undefined in XRGB8888
				d := int(dst.Data[i+c]) - int(theirs[i+c])
				if d < -1 || d > 1 {
					t.Fatalf("%s: pixel (%d,%d) channel %d: Draw %d, pixman %d", cut.name, i/4%1920, i/4/1920, c, dst.Data[i+c], theirs[i+c])
				}
			}
		}
		if bytes.Equal(dst.Data, make([]byte, len(dst.Data))) {
			t.Fatalf("%s: Draw drew nothing", cut.name)
		}
	}
}

// BenchmarkComposite times one output frame's compositing for a full and
// a 64x64 damage: gocomp's Draw, then pixman doing the same work in the
// same run; each gocomp result also reports its ratio to pixman's
// (x-pixman below 1: faster than pixman).
func BenchmarkComposite(b *testing.B) {
	bin := buildPixmanAnchor(b)
	for _, cut := range compositeCuts {
		bytesPerFrame := float64(4 * cut.damage.Dx() * cut.damage.Dy())
		var pixmanNs float64
		b.Run(cut.name+"/pixman", func(b *testing.B) {
			pixmanNs = runPixman(b, bin, max(b.N, 1), cut.damage)
			b.ReportMetric(pixmanNs, "ns/op")
			b.ReportMetric(bytesPerFrame/pixmanNs*1e3, "MB/s")
		})
		b.Run(cut.name+"/gocomp", func(b *testing.B) {
			dst, layers := compositeScene()
			rects := []image.Rectangle{cut.damage}
			b.SetBytes(int64(bytesPerFrame))
			b.ReportAllocs()
			for b.Loop() {
				Draw(dst, compositeView, rects, layers)
			}
			if pixmanNs > 0 {
				ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				b.ReportMetric(ns/pixmanNs, "x-pixman")
			}
		})
	}
}
