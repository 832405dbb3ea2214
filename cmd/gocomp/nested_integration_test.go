package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gocomp/protocols/client"
	"gocomp/protocols/client/testclient"
)

// process is a compositor (or any program) a nested test runs, with its
// stderr in a file.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan error
	err  error
	exit bool
}

// startProcess starts argv with extra environment env, its stderr going to
// a file in dir; it is killed at cleanup if still running.
func startProcess(t *testing.T, dir, name string, env []string, argv ...string) *process {
	t.Helper()
	p := &process{name: name, log: filepath.Join(dir, name+".log"), done: make(chan error, 1)}
	f, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.done <- p.cmd.Wait()
		f.Close()
	}()
	t.Cleanup(func() {
		if !p.exit {
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			b, _ := os.ReadFile(p.log)
			t.Logf("%s output:\n%s", name, tail(string(b), 40))
		}
	})
	return p
}

// wait waits up to timeout for the process to exit and returns its exit
// status (failing when it died of a signal or did not exit).
func (p *process) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case p.err = <-p.done:
		p.exit = true
	case <-time.After(timeout):
		t.Fatalf("%s did not exit within %v", p.name, timeout)
	}
	b, _ := os.ReadFile(p.log)
	return exitCode(t, p.err, string(b))
}

// output returns what the process wrote so far.
func (p *process) output() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

// waitSocket waits until the compositor socket name exists in dir.
func waitSocket(t *testing.T, dir, name string, p *process) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return
		}
		select {
		case err := <-p.done:
			p.exit, p.err = true, err
			t.Fatalf("%s exited (%v) before its socket %s appeared:\n%s", p.name, err, name, p.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("socket %s never appeared:\n%s", name, p.output())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitAnswered waits until the WAYLAND_DEBUG log at path shows at least n
// answered frame callbacks, failing at once if the compositor p exits.
func waitAnswered(t *testing.T, path string, n int, timeout time.Duration, p *process) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b, _ := os.ReadFile(path)
		requested, answered := frameCallbacks(string(b))
		if answered >= n {
			return
		}
		select {
		case err := <-p.done:
			p.exit, p.err = true, err
			t.Fatalf("%s exited (%v) after %d of %d frame callbacks answered:\n%s", p.name, err, answered, n, p.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v only %d of %d frame callbacks answered:\n%s", timeout, answered, requested, tail(string(b), 30))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// readPNG decodes a screenshot.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// rgbAt returns img's colour at (x, y) as 0xRRGGBB.
func rgbAt(img image.Image, x, y int) uint32 {
	r, g, b, _ := img.At(x, y).RGBA()
	return (r>>8)<<16 | (g>>8)<<8 | b>>8
}

// simpleShmSize and simpleShmPadding describe weston-simple-shm's window:
// 250x250, a 20-pixel border left as the buffer was filled (white), the
// animated rings inside.
const (
	simpleShmSize    = 250
	simpleShmPadding = 20
)

// checkSimpleShm checks that img is weston-simple-shm's window centred on
// black: black outside the window, its white border exactly where the
// window is, and its rings (many colours) inside. It returns "" or what is
// wrong.
func checkSimpleShm(img image.Image) string {
	b := img.Bounds()
	win := image.Rect(0, 0, simpleShmSize, simpleShmSize).Add(image.Pt((b.Dx()-simpleShmSize)/2, (b.Dy()-simpleShmSize)/2))
	rings := win.Inset(simpleShmPadding)
	colours := map[uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p, c := image.Pt(x, y), rgbAt(img, x, y)
			switch {
			case p.In(rings):
				colours[c] = true
			case p.In(win):
				if c != 0xffffff {
					return fmt.Sprintf("pixel (%d,%d) of the window border %v is %06x; want white", x, y, win, c)
				}
			default:
				if c != 0 {
					return fmt.Sprintf("pixel (%d,%d) outside the window %v is %06x; want black", x, y, win, c)
				}
			}
		}
	}
	if len(colours) < 50 {
		return fmt.Sprintf("the rings %v have %d colours; want the animation's many (>= 50)", rings, len(colours))
	}
	return ""
}

// sameRegion compares r in two images pixel for pixel.
func sameRegion(a, b image.Image, r image.Rectangle) string {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if ca, cb := rgbAt(a, x, y), rgbAt(b, x, y); ca != cb {
				return fmt.Sprintf("pixel (%d,%d) is %06x in one and %06x in the other", x, y, ca, cb)
			}
		}
	}
	return ""
}

// errorLines returns the level=ERROR lines of a gocomp log.
func errorLines(log string) []string {
	var lines []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "level=ERROR") {
			lines = append(lines, l)
		}
	}
	return lines
}

// startOuterAndInner starts an outer headless gocomp (no cursor drawn, so
// that pixels compare exactly) and an inner one in it, nested, running
// program; both write screenshots at exit.
func startOuterAndInner(t *testing.T, bin, dir, tmp string, program ...string) (outer, inner *process) {
	t.Helper()
	outer = startProcess(t, tmp, "outer", nil, append([]string{bin}, append(compositorArgs,
		"--socket", "outer", "--hide-cursor", "--screenshot-on-exit", filepath.Join(tmp, "outer.png"))...)...)
	waitSocket(t, dir, "outer", outer)
	inner = startProcess(t, tmp, "inner", []string{"WAYLAND_DISPLAY=outer"}, append([]string{bin,
		"--backend", "wayland", "--socket", "inner", "--screenshot-on-exit", filepath.Join(tmp, "inner.png"), "--"}, program...)...)
	return outer, inner
}

// stopOuterFirst ends the outer session as a user would close it: the
// inner one loses its host and must end with one clear error line and its
// program's exit path.
func stopOuterFirst(t *testing.T, outer, inner *process) {
	t.Helper()
	outer.cmd.Process.Signal(syscall.SIGTERM)
	if code := outer.wait(t, 20*time.Second); code != 0 {
		t.Errorf("outer gocomp exited %d; want 0", code)
	}
	if code := inner.wait(t, 20*time.Second); code != 1 {
		t.Errorf("inner gocomp exited %d when its host went away; want 1", code)
	}
	errs := errorLines(inner.output())
	if len(errs) != 1 || !strings.Contains(errs[0], "host compositor") {
		t.Errorf("inner gocomp's error lines %q; want one naming the host compositor", errs)
	}
	if strings.Contains(inner.output(), "panic") {
		t.Errorf("inner gocomp panicked:\n%s", inner.output())
	}
}

func TestNestedInGocompShowsWestonSimpleShm(t *testing.T) {
	bin := buildGocomp(t)
	dir := runtimeDir(t)
	tmp := t.TempDir()
	clientLog := filepath.Join(tmp, "client.log")
	outer, inner := startOuterAndInner(t, bin, dir, tmp, "sh", "-c", `WAYLAND_DEBUG=1 exec weston-simple-shm 2>"$0"`, clientLog)
	// The inner answers the client's frame callbacks only after the outer
	// answered its own: 60 answered means the pacing chain works.
	waitAnswered(t, clientLog, 60, 60*time.Second, inner)
	stopOuterFirst(t, outer, inner)
	if why := checkSimpleShm(readPNG(t, filepath.Join(tmp, "outer.png"))); why != "" {
		t.Errorf("the outer screenshot: %s", why)
	}
	if why := checkSimpleShm(readPNG(t, filepath.Join(tmp, "inner.png"))); why != "" {
		t.Errorf("the inner screenshot: %s", why)
	}
	if m := regexp.MustCompile(`window closed" output=WL-1 frames_shown=(\d+)`).FindStringSubmatch(inner.output()); m == nil {
		t.Errorf("the inner gocomp did not report its window's frames")
	} else if n, _ := strconv.Atoi(m[1]); n < 50 {
		t.Errorf("the host showed %d inner frames; want >= 50", n)
	}
}

func TestNestedInGocompShowsFoot(t *testing.T) {
	bin := buildGocomp(t)
	dir := runtimeDir(t)
	tmp := t.TempDir()
	ready := filepath.Join(tmp, "ready")
	outer, inner := startOuterAndInner(t, bin, dir, tmp, "foot", "-o", "main.font=monospace:size=12", "-o", "cursor.blink=no",
		"sh", "-c", `printf 'gocomp-foot-ready\n$ '; touch "$0"; exec sleep 120`, ready)
	waitSocket(t, tmp, "ready", inner) // the shell printed its text
	// foot draws the text it read when it draws, and the outer shows the
	// inner's picture a frame later: capture both until the text and the
	// cursor show, the same in both.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var shots [2]*testclient.Client
	for i, name := range []string{"inner", "outer"} {
		c, err := testclient.Dial(ctx, filepath.Join(dir, name), client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		shots[i] = c
	}
	capture := func(c *testclient.Client) *image.RGBA {
		t.Helper()
		outs, err := c.Outputs(ctx)
		if err != nil || len(outs) == 0 {
			t.Fatalf("outputs: %v, %v", outs, err)
		}
		img, f, err := c.Capture(ctx, testclient.CaptureRequest{Output: outs[0]})
		if err != nil || f.Failed {
			t.Fatalf("capture: %v (failed %v)", err, f != nil && f.Failed)
		}
		return img
	}
	for {
		in, out := capture(shots[0]), capture(shots[1])
		if g, cc, _ := footText(in); g >= 100 && cc >= 20 && sameRegion(out, in, in.Bounds()) == "" {
			break
		}
	}
	stopOuterFirst(t, outer, inner)
	outerShot, innerShot := readPNG(t, filepath.Join(tmp, "outer.png")), readPNG(t, filepath.Join(tmp, "inner.png"))
	// The outer shows exactly the pixels the inner composed, the text and
	// the prompt with the text cursor among them.
	if why := sameRegion(outerShot, innerShot, footTextRegion); why != "" {
		t.Errorf("the outer does not show the inner's text region: %s", why)
	}
	if glyph, cursorCell, bg := footText(outerShot); glyph < 100 || cursorCell < 20 {
		t.Errorf("the text region shows %d light pixels of text and %d of the cursor after the prompt on background %06x; want foot's text and cursor", glyph, cursorCell, bg)
	}
	if why := sameRegion(outerShot, innerShot, outerShot.Bounds()); why != "" {
		t.Errorf("the outer screenshot differs from the inner's: %s", why)
	}
}

// footTextRegion holds foot's first two lines at the top left: the
// shell's text, then the prompt and the text cursor after it.
var footTextRegion = image.Rect(0, 0, 320, 48)

// footText counts the light pixels of foot's text (first line) and of the
// cursor cell after the prompt (second line) in img, on the background
// colour, which it returns too.
func footText(img image.Image) (glyph, cursorCell int, bg uint32) {
	bg = rgbAt(img, 1000, 600)
	for y := footTextRegion.Min.Y; y < footTextRegion.Max.Y; y++ {
		for x := footTextRegion.Min.X; x < footTextRegion.Max.X; x++ {
			if c := rgbAt(img, x, y); c != bg && c&0xff > 0x80 {
				if y < 20 {
					glyph++
				} else if x >= 16 && x < 32 {
					cursorCell++
				}
			}
		}
	}
	return glyph, cursorCell, bg
}

func TestNestedInWeston(t *testing.T) {
	bin := buildGocomp(t)
	dir := runtimeDir(t)
	tmp := t.TempDir()
	weston := startProcess(t, tmp, "weston", nil, "weston", "--backend=headless-backend.so", "--socket=weston", "--idle-time=0")
	waitSocket(t, dir, "weston", weston)
	clientLog := filepath.Join(tmp, "client.log")
	inner := startProcess(t, tmp, "inner", []string{"WAYLAND_DISPLAY=weston"}, bin, "--socket", "inner",
		"--screenshot-on-exit", filepath.Join(tmp, "inner.png"), "--", "sh", "-c", `WAYLAND_DEBUG=1 exec weston-simple-shm 2>"$0"`, clientLog)
	waitAnswered(t, clientLog, 60, 60*time.Second, inner)
	inner.cmd.Process.Signal(syscall.SIGTERM)
	if code := inner.wait(t, 20*time.Second); code != 128+int(syscall.SIGTERM) {
		t.Errorf("nested gocomp after SIGTERM exited %d; want %d (its program's death by SIGTERM)", code, 128+int(syscall.SIGTERM))
	}
	log := inner.output()
	if !strings.Contains(log, "backend=wayland") {
		t.Errorf("gocomp in weston did not choose the wayland backend:\n%s", log)
	}
	if errs := errorLines(log); len(errs) != 0 {
		t.Errorf("errors in weston: %q", errs)
	}
	if m := regexp.MustCompile(`window closed" output=WL-1 frames_shown=(\d+)`).FindStringSubmatch(log); m == nil {
		t.Errorf("gocomp did not report its window's frames")
	} else if n, _ := strconv.Atoi(m[1]); n < 50 {
		t.Errorf("weston called back %d frames; want >= 50", n)
	}
	if why := checkSimpleShm(readPNG(t, filepath.Join(tmp, "inner.png"))); why != "" {
		t.Errorf("the nested screenshot: %s", why)
	}
	weston.cmd.Process.Signal(syscall.SIGTERM)
	weston.wait(t, 20*time.Second)
}
