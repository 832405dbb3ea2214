package drm_test

import (
	"context"
	"fmt"
	"image"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gocomp/compositor"
	"gocomp/compositor/backend"
	"gocomp/compositor/headless"
	"gocomp/compositor/loop"
	"gocomp/compositor/render"
	"gocomp/evdev/guest"
)

// The acceptance tests of the DRM backend and its sessions run gocomp on
// the real kernel's DRM drivers in a qemu guest: bochs (-vga std) and
// virtio-gpu (virtio-vga with two heads). What the guest's screen shows is
// read with QMP screendump and compared, pixel for pixel, with gocomp's
// own headless rendering of the same scene on the host.

// guestFiles builds gocomp and the guest tool and returns them with the
// Debian clients and data the tests run in the guest.
func guestFiles(ctx context.Context, t *testing.T) []guest.File {
	t.Helper()
	dir := t.TempDir()
	files := []guest.File{}
	for pkg, name := range map[string]string{
		"gocomp/cmd/gocomp": "gocomp",
		"gocomp/compositor/backend/drm/internal/guesttool": "guesttool",
	} {
		bin := filepath.Join(dir, name)
		if err := guest.BuildStatic(ctx, pkg, bin); err != nil {
			t.Fatal(err)
		}
		files = append(files, guest.File{Path: "/bin/" + name, Host: bin})
	}
	for _, prog := range []string{"weston-simple-shm", "wayland-info", "wev", "/usr/sbin/seatd"} {
		f, err := guest.BinaryWithLibs(prog)
		if err != nil {
			t.Fatalf("%s not installed (make deps): %v", prog, err)
		}
		files = append(files, f...)
	}
	xkb, err := guest.XKBData()
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, xkb...)
	files = append(files,
		guest.File{Path: stdbufLib, Host: stdbufLib},
		// A user for the seatd test: uid and gid 1000.
		guest.File{Path: "/etc/passwd", Data: []byte("root:x:0:0:root:/root:/bin/sh\nkiosk:x:1000:1000:kiosk:/tmp:/bin/sh\n")},
		guest.File{Path: "/etc/group", Data: []byte("root:x:0:\nkiosk:x:1000:\n")},
	)
	return files
}

// stdbufLib makes wev's stdout line-buffered (LD_PRELOAD with _STDBUF_O=L).
const stdbufLib = "/usr/libexec/coreutils/libstdbuf.so"

// clientEnv is the environment of gocomp and its clients in the guest.
var clientEnv = []string{"XDG_RUNTIME_DIR=/tmp/xdg", "LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu"}

// rig is a booted guest and the test's context.
type rig struct {
	t   *testing.T
	ctx context.Context
	vm  *guest.VM
}

// boot boots a guest with a virtio keyboard and the given qemu arguments;
// the DRM modules of driver are put in but loaded by the caller.
func boot(ctx context.Context, t *testing.T, driver string, qemuArgs ...string) *rig {
	t.Helper()
	vm := guest.BootForTest(t, guest.Config{
		Devices:      []string{"virtio-keyboard-pci,id=kbd0"},
		Files:        guestFiles(ctx, t),
		LaterModules: guest.DRMModules(driver),
		QEMUArgs:     qemuArgs,
	})
	r := &rig{t: t, ctx: ctx, vm: vm}
	r.sh(guest.WaylandSetup)
	return r
}

// loadDRM loads the driver's modules and waits for /dev/dri/card0.
func (r *rig) loadDRM(driver string) {
	r.t.Helper()
	if err := r.vm.LoadModules(r.ctx, guest.DRMModules(driver)...); err != nil {
		r.t.Fatal(err)
	}
	r.sh("for i in $(seq 100); do [ -e /dev/dri/card0 ] && exit 0; sleep 0.1; done; exit 1")
}

// sh runs a shell command in the guest and returns its output; failure
// ends the test.
func (r *rig) sh(cmd string) string {
	r.t.Helper()
	out, err := r.vm.Run(r.ctx, "sh", "-c", cmd)
	if err != nil {
		r.t.Fatalf("guest: %s: %v\n%s", cmd, err, out)
	}
	return out
}

// vtState is the guest tool's report on VT 1: "mode=M kbmode=K active=A".
func (r *rig) vtState() string {
	r.t.Helper()
	return strings.TrimSpace(r.sh("guesttool vtstate 1"))
}

// textVT is vtState when VT 1 is the console as the kernel left it: text
// mode, Unicode keyboard, active.
const textVT = "mode=0 kbmode=3 active=1"

// gocomp starts /bin/gocomp with args (and extra environment) in the guest.
func (r *rig) gocomp(env []string, args ...string) *guest.Process {
	r.t.Helper()
	p, err := r.vm.Start(append(slices.Clone(clientEnv), env...), append([]string{"/bin/gocomp", "--log-level", "debug"}, args...)...)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

// waitStderr waits until p's stderr holds s, failing after d.
func (r *rig) waitStderr(p *guest.Process, s string, d time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(p.Stderr(), s) {
		if time.Now().After(deadline) {
			r.t.Fatalf("gocomp never logged %q within %v:\n%s", s, d, p.Stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends gocomp with SIGTERM and returns its exit status.
func (r *rig) stop(p *guest.Process) int {
	r.t.Helper()
	p.Signal(syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer cancel()
	code, err := p.WaitStatus(ctx)
	if err != nil {
		r.t.Fatalf("gocomp after SIGTERM: %v\n%s", err, p.Stderr())
	}
	return code
}

// screendump reads what head of display device shows ("" for the
// primary display).
func (r *rig) screendump(device string, head int) *image.RGBA {
	r.t.Helper()
	img, err := r.vm.Screendump(r.ctx, device, head)
	if err != nil {
		r.t.Fatal(err)
	}
	return img
}

// waitScreen takes screendumps until ok accepts one, failing after d.
func (r *rig) waitScreen(device string, head int, d time.Duration, what string, ok func(*image.RGBA) bool) *image.RGBA {
	r.t.Helper()
	deadline := time.Now().Add(d)
	for {
		img := r.screendump(device, head)
		if ok(img) {
			return img
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the screen never showed %s within %v", what, d)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// litBounds is the bounding box of the pixels that are not black.
func litBounds(img *image.RGBA) image.Rectangle {
	var b image.Rectangle
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		row := img.Pix[y*img.Stride:][:4*img.Rect.Dx()]
		for x := 0; x < len(row); x += 4 {
			if row[x] != 0 || row[x+1] != 0 || row[x+2] != 0 {
				b = b.Union(image.Rect(x/4, y, x/4+1, y+1))
			}
		}
	}
	return b
}

// reference is gocomp's headless rendering of weston-simple-shm.
type reference struct {
	buffer  *image.RGBA     // what the output buffer held (turned)
	logical *image.RGBA     // the layout picture before turning
	window  image.Rectangle // the window in the logical picture
}

// headlessReference runs gocomp's headless backend on the host with one
// output in mode, turned by tr, showing the real weston-simple-shm, and
// takes its picture once the client has drawn frames.
func headlessReference(t *testing.T, mode backend.Mode, tr render.Transform) reference {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", dir)
	t.Setenv("WAYLAND_DISPLAY", "")
	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	hb, err := headless.New(l, headless.Config{Mode: mode})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := compositor.New(l, hb, compositor.Config{
		Transforms: map[string]render.Transform{"": tr},
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ran := make(chan error, 1)
	go func() {
		_, err := srv.Run([]string{"weston-simple-shm"})
		ran <- err
	}()
	var ref reference
	deadline := time.Now().Add(30 * time.Second)
	for ref.buffer == nil {
		if time.Now().After(deadline) {
			t.Fatal("headless gocomp never showed weston-simple-shm")
		}
		time.Sleep(50 * time.Millisecond)
		done := make(chan struct{})
		l.Post(func() {
			defer close(done)
			out := hb.Outputs()[0]
			logical := srv.Screenshot()
			if out.Refreshes() < 30 || litBounds(logical).Dx() == 0 {
				return
			}
			ref = reference{buffer: pixelsImage(out.Framebuffer()), logical: logical, window: litBounds(logical)}
			srv.Shutdown("picture taken")
		})
		<-done
	}
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	return ref
}

// pixelsImage copies XRGB8888 pixels into an RGBA image.
func pixelsImage(p backend.Pixels) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, p.Width, p.Height))
	for y := range p.Height {
		for x := range p.Width {
			s, d := p.Data[y*p.Stride+4*x:], img.Pix[y*img.Stride+4*x:]
			d[0], d[1], d[2], d[3] = s[2], s[1], s[0], 0xff
		}
	}
	return img
}

// turn maps pixel p of a w x h logical picture to where the transform puts
// it, by the definition of wl_output.transform (counter-clockwise), written
// out per case for the transforms the tests use.
func turn(p image.Point, tr render.Transform, w, h int) image.Point {
	switch tr {
	case render.Normal:
		return p
	case render.Rotate90: // the right column becomes the top row
		return image.Pt(p.Y, w-1-p.X)
	case render.Rotate270: // the left column becomes the top row, reversed
		return image.Pt(h-1-p.Y, p.X)
	}
	panic("turn: transform not used by the tests")
}

// turnRect maps a rectangle of the logical picture: the pixels at its
// corners land at the corners of the result.
func turnRect(r image.Rectangle, tr render.Transform, w, h int) image.Rectangle {
	a, b := turn(r.Min, tr, w, h), turn(r.Max.Sub(image.Pt(1, 1)), tr, w, h)
	return image.Rect(min(a.X, b.X), min(a.Y, b.Y), max(a.X, b.X)+1, max(a.Y, b.Y)+1)
}

// shmPadding is the white frame weston-simple-shm leaves around the
// pattern it animates.
const shmPadding = 20

// animated is the part of the buffer where weston-simple-shm's pattern
// moves: the window's inside, turned.
func (ref reference) animated(tr render.Transform) image.Rectangle {
	inside := ref.window.Inset(shmPadding)
	return turnRect(inside, tr, ref.logical.Rect.Dx(), ref.logical.Rect.Dy())
}

// comparePictures fails t unless got and want have the same size and
// equal pixels outside skip.
func comparePictures(t *testing.T, what string, got, want *image.RGBA, skip image.Rectangle) {
	t.Helper()
	if got.Rect != want.Rect {
		t.Fatalf("%s: %v; want %v", what, got.Rect, want.Rect)
	}
	bad, first := 0, ""
	for y := range got.Rect.Dy() {
		for x := range got.Rect.Dx() {
			if image.Pt(x, y).In(skip) {
				continue
			}
			g, w := got.Pix[y*got.Stride+4*x:][:3], want.Pix[y*want.Stride+4*x:][:3]
			if g[0] != w[0] || g[1] != w[1] || g[2] != w[2] {
				if bad == 0 {
					first = fmt.Sprintf("(%d,%d) is %v; want %v", x, y, g, w)
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d pixels outside the animated %v differ; first: %s", what, bad, skip, first)
	}
}

// checkOrientation checks that img shows weston-simple-shm's pattern
// turned by tr. In the corners of its pattern (outside its rings) the
// client paints each pixel from its x coordinate alone, blue = x + k mod
// 256 for one k per frame; read through the transform's map, the corner
// must show exactly that, whatever the frame.
func checkOrientation(t *testing.T, what string, img *image.RGBA, ref reference, tr render.Transform) {
	t.Helper()
	w, h := ref.logical.Rect.Dx(), ref.logical.Rect.Dy()
	k := -1
	for y := 22; y < 40; y += 3 {
		for x := 22; x < 40; x += 3 {
			p := turn(ref.window.Min.Add(image.Pt(x, y)), tr, w, h)
			blue := int(img.Pix[p.Y*img.Stride+4*p.X+2])
			got := (blue - x) & 0xff
			if k < 0 {
				k = got
			} else if got != k {
				t.Errorf("%s: the pattern's pixel (%d,%d), at %v, has blue %d; the corner's other pixels say x+%d", what, x, y, p, blue, k)
				return
			}
		}
	}
}

// modeRE finds the DRM output's mode in gocomp's log.
var modeRE = regexp.MustCompile(`msg="drm: output" output=(\S+) mode=(\d+)x(\d+)@([\d.]+)`)

// drmMode reads the mode gocomp set from its log.
func drmMode(t *testing.T, stderr string) backend.Mode {
	t.Helper()
	m := modeRE.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no DRM output in gocomp's log:\n%s", stderr)
	}
	w, _ := strconv.Atoi(m[2])
	h, _ := strconv.Atoi(m[3])
	hz, _ := strconv.ParseFloat(m[4], 64)
	return backend.Mode{Width: w, Height: h, RefreshMHz: int(hz*1000 + 0.5)}
}

// fpsRE finds the pictures per second an output held, logged at exit.
var fpsRE = regexp.MustCompile(`msg="drm: output pictures" output=(\S+) pictures=(\d+) seconds=([\d.]+) fps=([\d.]+)`)

// showsShm runs gocomp (args) with weston-simple-shm in the guest and
// compares head of device with the headless reference in the same mode and
// transform: equal pixels outside the animated pattern, and the pattern
// turned as the transform says. It returns gocomp's log.
func (r *rig) showsShm(device string, head int, tr render.Transform, args ...string) string {
	t := r.t
	t.Helper()
	p := r.gocomp(nil, append(args, "--", "/usr/bin/weston-simple-shm")...)
	r.waitStderr(p, `msg="toplevel title"`, 60*time.Second)
	mode := drmMode(t, p.Stderr())
	ref := headlessReference(t, mode, tr)
	img := r.waitScreen(device, head, 30*time.Second, "the window where headless gocomp has it", func(img *image.RGBA) bool {
		return litBounds(img) == turnRect(ref.window, tr, ref.logical.Rect.Dx(), ref.logical.Rect.Dy())
	})
	comparePictures(t, "screendump vs headless gocomp", img, ref.buffer, ref.animated(tr))
	checkOrientation(t, "screendump", img, ref, tr)
	checkOrientation(t, "headless buffer", ref.buffer, ref, tr)
	if code := r.stop(p); code != 128+int(syscall.SIGTERM) {
		t.Errorf("gocomp exited %d; want %d (weston-simple-shm killed by SIGTERM)\n%s", code, 128+int(syscall.SIGTERM), p.Stderr())
	}
	if m := fpsRE.FindStringSubmatch(p.Stderr()); m != nil {
		t.Logf("weston-simple-shm under TCG on %s (%v, %v): %s pictures in %s s, %s fps", m[1], mode, tr, m[2], m[3], m[4])
	}
	return p.Stderr()
}

// errorLines returns the lines of a log at level ERROR.
func errorLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "level=ERROR") {
			out = append(out, l)
		}
	}
	return out
}

// failsCleanly runs gocomp (args) expecting it to refuse with exit status
// 1 and exactly one error line containing want, and the terminal restored.
func (r *rig) failsCleanly(want string, args ...string) {
	t := r.t
	t.Helper()
	p := r.gocomp(nil, args...)
	ctx, cancel := context.WithTimeout(r.ctx, 60*time.Second)
	defer cancel()
	code, err := p.WaitStatus(ctx)
	if err != nil || code != 1 {
		t.Errorf("gocomp %q: status %d, %v; want 1\n%s", args, code, err, p.Stderr())
	}
	if lines := errorLines(p.Stderr()); len(lines) != 1 || !strings.Contains(lines[0], want) {
		t.Errorf("gocomp %q error lines %q; want one containing %q\n%s", args, lines, want, p.Stderr())
	}
	if got := r.vtState(); got != textVT {
		t.Errorf("after gocomp %q the console is %s; want %s", args, got, textVT)
	}
}

// wevKey finds wev's key events: XKB keycode and state.
var wevKey = regexp.MustCompile(`\] key: serial: \d+; time: \d+; key: (\d+); state: (\d)`)

// wevKeys lists wev's key events as "+KC" and "-KC" (XKB keycodes).
func wevKeys(p *guest.Process) []string {
	var out []string
	for _, l := range p.Lines() {
		if m := wevKey.FindStringSubmatch(l); m != nil {
			sign := "-"
			if m[2] == "1" {
				sign = "+"
			}
			out = append(out, sign+m[1])
		}
	}
	return out
}

// waitWev waits until wev reported at least n key events.
func (r *rig) waitWev(p *guest.Process, n int) []string {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if k := wevKeys(p); len(k) >= n {
			return k
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("wev reported %q; want %d key events\n%s", wevKeys(p), n, p.Stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// keys sends QMP key events: "+shift" presses, "-shift" releases, "a"
// taps.
func (r *rig) keys(seq ...string) {
	r.t.Helper()
	for _, k := range seq {
		var err error
		switch k[0] {
		case '+':
			err = r.vm.SendKeys(r.ctx, guest.Key{QCode: k[1:], Down: true})
		case '-':
			err = r.vm.SendKeys(r.ctx, guest.Key{QCode: k[1:], Down: false})
		default:
			err = r.vm.Tap(r.ctx, k)
		}
		if err != nil {
			r.t.Fatal(err)
		}
	}
}

// waitVT waits until VT n is the active one.
func (r *rig) waitVT(n int) {
	r.t.Helper()
	want := fmt.Sprintf("active=%d", n)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.HasSuffix(r.vtState(), want) {
		if time.Now().After(deadline) {
			r.t.Fatalf("VT %d never became active: %s", n, r.vtState())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestGuestBochs runs gocomp on qemu's standard VGA (the bochs DRM
// driver): the picture against headless rendering, turned 90°, idle
// blanking, VT switching, SIGKILL, bad input and seatd.
func TestGuestBochs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	r := boot(ctx, t, guest.Bochs)
	if got := r.vtState(); got != textVT {
		t.Fatalf("the guest console starts as %s; want %s", got, textVT)
	}

	t.Run("no DRM device", func(t *testing.T) {
		r := &rig{t: t, ctx: ctx, vm: r.vm}
		r.failsCleanly("drm: no DRM device", "--backend", "drm")
	})
	r.loadDRM(guest.Bochs)

	t.Run("weston-simple-shm as headless gocomp draws it", func(t *testing.T) {
		r := &rig{t: t, ctx: ctx, vm: r.vm}
		log := r.showsShm("", 0, render.Normal)
		for _, want := range []string{`backend=drm why="/dev/dri/card0 exists"`, "session=direct", "session: virtual terminal taken", "session: virtual terminal restored"} {
			if !strings.Contains(log, want) {
				t.Errorf("gocomp's log lacks %q:\n%s", want, log)
			}
		}
		if got := r.vtState(); got != textVT {
			t.Errorf("after gocomp the console is %s; want %s", got, textVT)
		}
	})

	t.Run("--transform 90 shows the turned picture", func(t *testing.T) {
		r := &rig{t: t, ctx: ctx, vm: r.vm}
		r.showsShm("", 0, render.Rotate90, "--transform", "90")
	})

	t.Run("--idle-timeout switches the screen off; a key brings it back", func(t *testing.T) {
		r := &rig{t: t, ctx: ctx, vm: r.vm}
		p := r.gocomp(nil, "--idle-timeout", "3", "--", "/usr/bin/weston-simple-shm")
		defer r.stop(p)
		r.waitStderr(p, `msg="toplevel title"`, 60*time.Second)
		r.waitScreen("", 0, 30*time.Second, "the window", func(img *image.RGBA) bool { return litBounds(img).Dx() > 0 })
		r.waitScreen("", 0, 30*time.Second, "nothing (blanked)", func(img *image.RGBA) bool { return litBounds(img).Empty() })
		if !strings.Contains(p.Stderr(), `msg="drm: screen power" output=Virtual-1 on=false`) {
			t.Errorf("blanked without DPMS:\n%s", p.Stderr())
		}
		r.keys("shift")
		r.waitScreen("", 0, 30*time.Second, "the window again", func(img *image.RGBA) bool { return litBounds(img).Dx() > 0 })
	})

	t.Run("VT switch: input stops, held keys are released, the picture comes back", func(t *testing.T) {
		r := &rig{t: t, ctx: ctx, vm: r.vm}
		p := r.gocomp([]string{"LD_PRELOAD=" + stdbufLib, "_STDBUF_O=L"}, "--", "/usr/bin/wev", "-f", "wl_keyboard")
		defer r.stop(p)
		if _, _, err := p.WaitLine(ctx, 0, func(l string) bool { return strings.Contains(l, "wl_keyboard] enter") }); err != nil {
			t.Fatalf("wev never got the keyboard: %v\n%s", err, p.Stderr())
		}
		// Probe until the freshly booted keyboard delivers.
		for i := 0; len(wevKeys(p)) < 2 && i < 5; i++ {
			r.keys("shift")
			time.Sleep(2 * time.Second)
		}
		before := r.waitWev(p, 2)
		shown := r.screendump("", 0)

		// Shift held across a switch to VT 2 (by chvt): wev hears it
		// released; keys typed there never reach it.
		r.keys("+shift")
		r.waitWev(p, len(before)+1)
		r.sh("chvt 2")
		r.waitVT(2)
		away := r.waitWev(p, len(before)+2)
		if got := away[len(before):]; !slices.Equal(got, []string{"+50", "-50"}) {
			t.Errorf("wev heard %q around the switch; want Shift pressed, then released by the switch", got)
		}
		r.keys("-shift", "a")
		if sameScreen(r.screendump("", 0), shown) {
			t.Errorf("VT 2 shows gocomp's picture")
		}
		r.sh("chvt 1")
		r.waitVT(1)
		r.waitScreen("", 0, 30*time.Second, "gocomp's picture again", func(img *image.RGBA) bool { return sameScreen(img, shown) })
		// The keyboard works again; "a" from VT 2 never arrives.
		r.keys("b")
		got := r.waitWev(p, len(away)+2)[len(away):]
		if !slices.Equal(got, []string{"+56", "-56"}) { // KEY_B + 8
			t.Errorf("after the switch back wev heard %q; want b (56) only\n%s", got, strings.Join(p.Lines(), "\n"))
		}

		// Ctrl+Alt+F2 is gocomp's binding; on VT 2 the console's own
		// Ctrl+Alt+F1 switches back.
		n := len(wevKeys(p))
		r.keys("+ctrl", "+alt", "f2")
		r.waitVT(2)
		r.keys("-alt", "-ctrl")
		r.keys("+ctrl", "+alt", "f1", "-alt", "-ctrl")
		r.waitVT(1)
		r.waitScreen("", 0, 30*time.Second, "gocomp's picture after Ctrl+Alt+F2, F1", func(img *image.RGBA) bool { return sameScreen(img, shown) })
		for _, k := range wevKeys(p)[n:] {
			if k == "+67" || k == "+68" { // F1, F2
				t.Errorf("wev heard an F key of a VT switch: %q", wevKeys(p)[n:])
			}
		}
		if !strings.Contains(p.Stderr(), "session: virtual terminal released") || !strings.Contains(p.Stderr(), "drm: session resumed") {
			t.Errorf("gocomp's log lacks the switches:\n%s", p.Stderr())
		}
	})

	// SIGKILL leaves the compositor no chance to clean up; SIGQUIT makes
	// the Go runtime crash it (a goroutine dump, exit status 2), as a
	// panic does.
	for _, tc := range []struct {
		how    string
		signal syscall.Signal
		status int
	}{
		{"kill -9", syscall.SIGKILL, 128 + int(syscall.SIGKILL)},
		{"a Go runtime crash (SIGQUIT)", syscall.SIGQUIT, 2},
	} {
		t.Run(tc.how+" of the compositor: the parent restores the console", func(t *testing.T) {
			r := &rig{t: t, ctx: ctx, vm: r.vm}
			p := r.gocomp(nil, "--", "/usr/bin/weston-simple-shm")
			r.waitStderr(p, `msg="toplevel title"`, 60*time.Second)
			if got := r.vtState(); got != "mode=1 kbmode=4 active=1" {
				t.Errorf("gocomp running: console %s; want graphics mode, keyboard off", got)
			}
			m := regexp.MustCompile(`supervising the compositor" pid=(\d+)`).FindStringSubmatch(p.Stderr())
			if m == nil {
				t.Fatalf("no supervised child in the log:\n%s", p.Stderr())
			}
			r.sh(fmt.Sprintf("kill -%d %s", int(tc.signal), m[1]))
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if code, err := p.WaitStatus(ctx); err != nil || code != tc.status {
				t.Errorf("supervisor after %s of its child: %d, %v; want %d\n%s", tc.how, code, err, tc.status, p.Stderr())
			}
			if got := r.vtState(); got != textVT {
				t.Errorf("after %s the console is %s; want %s", tc.how, got, textVT)
			}
		})
	}

	t.Run("bad input: one error line, the console restored", func(t *testing.T) {
		r := &rig{t: t, ctx: ctx, vm: r.vm}
		r.failsCleanly("drm: Virtual-1 has no mode 1234x567@60", "--mode", "1234x567@60")
		r.failsCleanly("no connected connector named HDMI-A-1", "--output", "HDMI-A-1")
		r.sh("echo off > /sys/class/drm/card0-Virtual-1/status")
		r.failsCleanly("drm: /dev/dri/card0: no connected connector", "--backend", "drm")
		r.sh("echo detect > /sys/class/drm/card0-Virtual-1/status")
		holder, err := r.vm.Start(nil, "guesttool", "holdmaster", "/dev/dri/card0")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := holder.WaitLine(ctx, 0, func(l string) bool { return l == "master" }); err != nil {
			t.Fatal(err)
		}
		r.failsCleanly("is held by another DRM master")
		holder.Signal(syscall.SIGTERM)
		holder.Wait(ctx)
		// A terminal another display server has in graphics mode is left
		// alone.
		r.sh("guesttool kdmode 9 1")
		r.failsCleanly("virtual terminal 9 is in graphics mode", "--vt", "9")
		r.sh("guesttool kdmode 9 0")
	})

	t.Run("seatd: an unprivileged gocomp gets its devices", func(t *testing.T) {
		r := &rig{t: t, ctx: ctx, vm: r.vm}
		seatd, err := r.vm.Start(nil, "/usr/sbin/seatd", "-g", "kiosk")
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			seatd.Signal(syscall.SIGTERM)
			seatd.Wait(ctx)
		}()
		r.sh("for i in $(seq 100); do [ -S /run/seatd.sock ] && break; sleep 0.1; done; mkdir -m 700 -p /tmp/xdg-kiosk && chown 1000:1000 /tmp/xdg-kiosk")
		p, err := r.vm.Start([]string{"XDG_RUNTIME_DIR=/tmp/xdg-kiosk", clientEnv[1]},
			"guesttool", "runas", "1000", "1000", "/bin/gocomp", "--log-level", "debug", "--", "/usr/bin/weston-simple-shm")
		if err != nil {
			t.Fatal(err)
		}
		r.waitStderr(p, `msg="toplevel title"`, 60*time.Second)
		r.waitScreen("", 0, 30*time.Second, "the window", func(img *image.RGBA) bool { return litBounds(img).Dx() > 0 })
		for _, want := range []string{"session=seatd", "session: seatd seat opened", `msg="seat: keyboard added" name="QEMU Virtio Keyboard`} {
			if !strings.Contains(p.Stderr(), want) {
				t.Errorf("gocomp's log lacks %q:\n%s", want, p.Stderr())
			}
		}
		if code := r.stop(p); code != 128+int(syscall.SIGTERM) {
			t.Errorf("gocomp exited %d\n%s", code, p.Stderr())
		}
	})
}

// sameScreen reports whether two screendumps are equal.
func sameScreen(a, b *image.RGBA) bool {
	return a.Rect == b.Rect && slices.Equal(a.Pix, b.Pix)
}

// outputRE finds a wl_output's name in wayland-info's report.
var outputRE = regexp.MustCompile(`(?m)^\s+name: (\S+)$`)

// waylandOutputs runs wayland-info in the guest against gocomp's socket
// and returns the names of the wl_outputs it saw, with their x positions.
func (r *rig) waylandOutputs(display string) map[string]string {
	r.t.Helper()
	out := r.sh(strings.Join(append(slices.Clone(clientEnv), "WAYLAND_DISPLAY="+display), " ") + " /usr/bin/wayland-info")
	outputs := map[string]string{}
	for _, block := range strings.Split(out, "interface: ")[1:] {
		if !strings.HasPrefix(block, "'wl_output'") {
			continue
		}
		m := outputRE.FindStringSubmatch(block)
		x := regexp.MustCompile(`x: (-?\d+), y:`).FindStringSubmatch(block)
		if m == nil || x == nil {
			r.t.Fatalf("wayland-info's wl_output without a name or position:\n%s", block)
		}
		outputs[m[1]] = x[1]
	}
	return outputs
}

// displayRE finds the Wayland display gocomp listens on.
var displayRE = regexp.MustCompile(`msg=listening socket=\S+ display=(\S+)`)

// TestGuestVirtio runs gocomp on virtio-gpu (virtio-vga with two heads,
// the second one off at boot): the picture against headless rendering,
// and a second head that qemu turns on and off (through its VNC server's
// SetDesktopSize, as a desktop window resize would), seen by wayland-info
// as a wl_output coming and going.
func TestGuestVirtio(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	vnc := filepath.Join(t.TempDir(), "vnc.sock")
	r := boot(ctx, t, guest.VirtioGPU,
		"-vga", "none", "-device", "virtio-vga,max_outputs=2,id=gpu0",
		"-vnc", "unix:"+vnc+",display=gpu0,head=1")
	r.loadDRM(guest.VirtioGPU)

	t.Run("weston-simple-shm as headless gocomp draws it", func(t *testing.T) {
		r := &rig{t: t, ctx: ctx, vm: r.vm}
		r.showsShm("gpu0", 0, render.Normal)
		if got := r.vtState(); got != textVT {
			t.Errorf("after gocomp the console is %s; want %s", got, textVT)
		}
	})

	t.Run("--transform 270 on virtio-gpu", func(t *testing.T) {
		r := &rig{t: t, ctx: ctx, vm: r.vm}
		r.showsShm("gpu0", 0, render.Rotate270, "--transform", "270")
	})

	t.Run("frames per second held by weston-simple-shm (a report)", func(t *testing.T) {
		r := &rig{t: t, ctx: ctx, vm: r.vm}
		p := r.gocomp(nil, "--", "/usr/bin/weston-simple-shm")
		r.waitStderr(p, `msg="toplevel title"`, 60*time.Second)
		time.Sleep(5 * time.Second)
		if code := r.stop(p); code != 128+int(syscall.SIGTERM) {
			t.Errorf("gocomp exited %d\n%s", code, p.Stderr())
		}
		m := fpsRE.FindStringSubmatch(p.Stderr())
		if m == nil {
			t.Fatalf("gocomp logged no picture count:\n%s", p.Stderr())
		}
		t.Logf("weston-simple-shm under TCG on virtio-gpu %s: %s pictures in %s s, %s fps", m[1], m[2], m[3], m[4])
	})

	t.Run("a second head comes and goes: a wl_output for wayland-info", func(t *testing.T) {
		r := &rig{t: t, ctx: ctx, vm: r.vm}
		p := r.gocomp(nil, "--outputs", "extend", "--", "/usr/bin/weston-simple-shm")
		r.waitStderr(p, `msg="toplevel title"`, 60*time.Second)
		m := displayRE.FindStringSubmatch(p.Stderr())
		if m == nil {
			t.Fatalf("gocomp logged no display:\n%s", p.Stderr())
		}
		display := m[1]
		if got := r.waylandOutputs(display); !maps.Equal(got, map[string]string{"Virtual-1": "0"}) {
			t.Fatalf("before the hotplug wayland-info saw outputs %v; want Virtual-1 at x 0", got)
		}
		first := r.screendump("gpu0", 0)

		if err := guest.SetDesktopSize(ctx, vnc, 1024, 768); err != nil {
			t.Fatal(err)
		}
		r.waitStderr(p, `msg="drm: output" output=Virtual-2`, 30*time.Second)
		x := strconv.Itoa(first.Rect.Dx())
		got := r.waylandOutputs(display)
		t.Logf("wayland-info with the second head: outputs (name: x) %v", got)
		if !maps.Equal(got, map[string]string{"Virtual-1": "0", "Virtual-2": x}) {
			t.Errorf("with the second head wayland-info saw outputs %v; want Virtual-1 at x 0, Virtual-2 at x %s", got, x)
		}
		second := r.waitScreen("gpu0", 1, 30*time.Second, "the second head at 1024x768", func(img *image.RGBA) bool {
			return img.Rect.Dx() == 1024 && img.Rect.Dy() == 768
		})
		if b := litBounds(second); !b.Empty() {
			t.Errorf("the second head, with no client on it, has lit pixels in %v", b)
		}

		if err := guest.SetDesktopSize(ctx, vnc, 0, 0); err != nil {
			t.Fatal(err)
		}
		r.waitStderr(p, `msg="drm: output removed" output=Virtual-2`, 30*time.Second)
		got = r.waylandOutputs(display)
		t.Logf("wayland-info after the second head went: outputs (name: x) %v", got)
		if !maps.Equal(got, map[string]string{"Virtual-1": "0"}) {
			t.Errorf("after the second head went wayland-info saw outputs %v; want Virtual-1 only", got)
		}
		// The client kept drawing on the first head all along.
		r.waitScreen("gpu0", 0, 30*time.Second, "the window still drawn", func(img *image.RGBA) bool {
			return litBounds(img) == litBounds(first) && !sameScreen(img, first)
		})
		if code := r.stop(p); code != 128+int(syscall.SIGTERM) {
			t.Errorf("gocomp exited %d\n%s", code, p.Stderr())
		}
	})

	t.Run("two heads: --outputs first uses one, --outputs mirror shows the picture on both", func(t *testing.T) {
		r := &rig{t: t, ctx: ctx, vm: r.vm}
		if err := guest.SetDesktopSize(ctx, vnc, 1280, 800); err != nil {
			t.Fatal(err)
		}
		defer guest.SetDesktopSize(ctx, vnc, 0, 0)
		r.sh("for i in $(seq 100); do grep -q '^connected' /sys/class/drm/card0-Virtual-2/status && exit 0; sleep 0.1; done; exit 1")
		for _, tc := range []struct {
			layout string
			want   map[string]string
		}{
			{"first", map[string]string{"Virtual-1": "0"}},
			{"mirror", map[string]string{"Virtual-1": "0", "Virtual-2": "0"}},
		} {
			p := r.gocomp(nil, "--outputs", tc.layout, "--", "/usr/bin/weston-simple-shm")
			r.waitStderr(p, `msg="toplevel title"`, 60*time.Second)
			m := displayRE.FindStringSubmatch(p.Stderr())
			if m == nil {
				t.Fatalf("gocomp logged no display:\n%s", p.Stderr())
			}
			got := r.waylandOutputs(m[1])
			t.Logf("--outputs %s: wayland-info saw outputs (name: x) %v", tc.layout, got)
			if !maps.Equal(got, tc.want) {
				t.Errorf("--outputs %s: wayland-info saw outputs %v; want %v", tc.layout, got, tc.want)
			}
			if tc.layout == "mirror" {
				first := r.waitScreen("gpu0", 0, 30*time.Second, "the window on head 0", func(img *image.RGBA) bool { return litBounds(img).Dx() > 0 })
				r.waitScreen("gpu0", 1, 30*time.Second, "the window on head 1 where head 0 has it", func(img *image.RGBA) bool {
					return img.Rect == first.Rect && litBounds(img) == litBounds(first)
				})
			}
			if code := r.stop(p); code != 128+int(syscall.SIGTERM) {
				t.Errorf("gocomp exited %d\n%s", code, p.Stderr())
			}
		}
	})
}
