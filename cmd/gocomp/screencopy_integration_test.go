package main

import (
	"fmt"
	"image"
	"image/color"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// sameOutsideRings compares a with b, a whole picture of
// weston-simple-shm's session, pixel for pixel within r except inside the
// animated rings; it returns "" or the first difference.
func sameOutsideRings(a, b image.Image, r image.Rectangle) string {
	full := b.Bounds()
	win := image.Rect(0, 0, simpleShmSize, simpleShmSize).Add(image.Pt((full.Dx()-simpleShmSize)/2, (full.Dy()-simpleShmSize)/2))
	rings := win.Inset(simpleShmPadding)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if image.Pt(x, y).In(rings) {
				continue
			}
			if ca, cb := rgbAt(a, x, y), rgbAt(b, x, y); ca != cb {
				return fmt.Sprintf("pixel (%d,%d) is %06x in one and %06x in the other", x, y, ca, cb)
			}
		}
	}
	return ""
}

// TestGrimScreenshots takes screenshots of a headless gocomp showing
// weston-simple-shm with Debian's grim (screencopy and xdg-output): the
// whole output must equal what gocomp itself writes with
// --screenshot-on-exit, except the rings that move between the two
// pictures, and `grim -g` must give the region asked for.
func TestGrimScreenshots(t *testing.T) {
	bin := buildGocomp(t)
	dir := runtimeDir(t)
	tmp := t.TempDir()
	exitShot := filepath.Join(tmp, "exit.png")
	gc := startProcess(t, tmp, "gocomp", nil, append([]string{bin}, append(compositorArgs,
		"--socket", "grim", "--screenshot-on-exit", exitShot, "--", "weston-simple-shm")...)...)
	waitSocket(t, dir, "grim", gc)

	env := []string{"WAYLAND_DISPLAY=grim"}
	grim := func(args ...string) image.Image {
		t.Helper()
		cmd := exec.Command("grim", args...)
		cmd.Env = append(cmd.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("grim %q: %v\n%s", args, err, out)
		}
		return readPNG(t, args[len(args)-1])
	}
	// The window is up once a screenshot shows it.
	var full image.Image
	deadline := time.Now().Add(20 * time.Second)
	for {
		full = grim(filepath.Join(tmp, "full.png"))
		why := checkSimpleShm(full)
		if why == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("grim's screenshot never showed weston-simple-shm: %s", why)
		}
		time.Sleep(100 * time.Millisecond)
	}
	regions := []struct {
		geometry string
		r        image.Rectangle
	}{
		{"10,10 100x100", image.Rect(10, 10, 110, 110)},
		{"500,220 60x60", image.Rect(500, 220, 560, 280)}, // across the window's corner
	}
	crops := make([]image.Image, len(regions))
	for i, reg := range regions {
		crops[i] = grim("-g", reg.geometry, filepath.Join(tmp, fmt.Sprintf("region%d.png", i)))
	}

	gc.cmd.Process.Signal(syscall.SIGTERM)
	gc.wait(t, 20*time.Second)
	exit := readPNG(t, exitShot)
	if full.Bounds() != exit.Bounds() {
		t.Fatalf("grim's picture is %v, gocomp's %v", full.Bounds(), exit.Bounds())
	}
	if why := sameOutsideRings(full, exit, full.Bounds()); why != "" {
		t.Errorf("grim's screenshot and gocomp's --screenshot-on-exit: %s", why)
	}
	for i, reg := range regions {
		c := crops[i]
		if c.Bounds().Dx() != reg.r.Dx() || c.Bounds().Dy() != reg.r.Dy() {
			t.Errorf("grim -g %q is %v; want %dx%d", reg.geometry, c.Bounds(), reg.r.Dx(), reg.r.Dy())
			continue
		}
		// Shift the crop to layout coordinates and compare it with both
		// whole pictures.
		shifted := shiftedImage{c, reg.r.Min}
		if why := sameOutsideRings(shifted, exit, reg.r); why != "" {
			t.Errorf("grim -g %q against gocomp's screenshot: %s", reg.geometry, why)
		}
		if why := sameOutsideRings(shifted, full, reg.r); why != "" {
			t.Errorf("grim -g %q against grim's whole screenshot: %s", reg.geometry, why)
		}
	}
}

// shiftedImage shows img with its top-left pixel at at.
type shiftedImage struct {
	image.Image
	at image.Point
}

func (s shiftedImage) Bounds() image.Rectangle { return s.Image.Bounds().Add(s.at) }

func (s shiftedImage) At(x, y int) color.Color { return s.Image.At(x-s.at.X, y-s.at.Y) }
