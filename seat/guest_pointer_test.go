package seat_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gocomp/evdev/guest"
)

// wev's pointer and touch lines (wev prints "[NN:  wl_pointer] event: args").
var (
	wevEnter  = regexp.MustCompile(`wl_pointer\] enter: serial: \d+; surface: \d+, x, y: ([-\d.]+), ([-\d.]+)`)
	wevMotion = regexp.MustCompile(`wl_pointer\] motion: time: \d+; x, y: ([-\d.]+), ([-\d.]+)`)
	wevButton = regexp.MustCompile(`wl_pointer\] button: serial: \d+; time: \d+; button: (\d+) \(\w+\), state: (\d)`)
	wevAxis   = regexp.MustCompile(`wl_pointer\] axis: time: \d+; axis: (\d) \(\w+\), value: ([-\d.]+)`)
	wevSource = regexp.MustCompile(`wl_pointer\] axis_source: (\d)`)
	wevDiscr  = regexp.MustCompile(`wl_pointer\] axis_discrete: axis: (\d) \(\w+\), discrete: (-?\d+)`)
	wevDown   = regexp.MustCompile(`wl_touch\] down: serial: \d+; time: \d+; surface: \d+; id: (\d+); x, y: ([-\d.]+), ([-\d.]+)`)
	wevTMove  = regexp.MustCompile(`wl_touch\] motion: time: \d+; id: (\d+); x, y: ([-\d.]+), ([-\d.]+)`)
	wevUp     = regexp.MustCompile(`wl_touch\] up: serial: \d+; time: \d+; id: (\d+)`)
	wevTFrame = regexp.MustCompile(`wl_touch\] frame`)
	wevCancel = regexp.MustCompile(`wl_touch\] cancel`)
	wevPFrame = regexp.MustCompile(`wl_pointer\] frame`)
)

// pointerEvents turns wev's output into short event strings.
func pointerEvents(lines []string) []string {
	var out []string
	for _, l := range lines {
		switch {
		case wevEnter.MatchString(l):
			m := wevEnter.FindStringSubmatch(l)
			out = append(out, "enter "+m[1]+" "+m[2])
		case wevMotion.MatchString(l):
			m := wevMotion.FindStringSubmatch(l)
			out = append(out, "motion "+m[1]+" "+m[2])
		case wevButton.MatchString(l):
			m := wevButton.FindStringSubmatch(l)
			out = append(out, "button "+m[1]+" "+m[2])
		case wevAxis.MatchString(l):
			m := wevAxis.FindStringSubmatch(l)
			out = append(out, "axis "+m[1]+" "+m[2])
		case wevSource.MatchString(l):
			out = append(out, "source "+wevSource.FindStringSubmatch(l)[1])
		case wevDiscr.MatchString(l):
			m := wevDiscr.FindStringSubmatch(l)
			out = append(out, "discrete "+m[1]+" "+m[2])
		case wevDown.MatchString(l):
			m := wevDown.FindStringSubmatch(l)
			out = append(out, "down "+m[1]+" "+m[2]+" "+m[3])
		case wevTMove.MatchString(l):
			m := wevTMove.FindStringSubmatch(l)
			out = append(out, "tmotion "+m[1]+" "+m[2]+" "+m[3])
		case wevUp.MatchString(l):
			out = append(out, "up "+wevUp.FindStringSubmatch(l)[1])
		case wevTFrame.MatchString(l):
			out = append(out, "tframe")
		case wevCancel.MatchString(l):
			out = append(out, "cancel")
		case wevPFrame.MatchString(l):
			out = append(out, "frame")
		}
	}
	return out
}

// near reports whether the decimal text s is within 0.01 of want.
func near(s string, want float64) bool {
	v, err := strconv.ParseFloat(s, 64)
	return err == nil && math.Abs(v-want) < 0.01
}

// TestGuestPointerAndTouch runs gocomp on the guest's real mice (usb-mouse,
// virtio-mouse), tablet (usb-tablet) and a uinput multitouch screen, with
// Debian's wev as the client, and reads wev's report of every wl_pointer
// and wl_touch event.
func TestGuestPointerAndTouch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin, touch := filepath.Join(dir, "gocomp"), filepath.Join(dir, "uinputtouch")
	for pkg, out := range map[string]string{"gocomp/cmd/gocomp": bin, "gocomp/evdev/internal/uinputtouch": touch} {
		if err := guest.BuildStatic(ctx, pkg, out); err != nil {
			t.Fatal(err)
		}
	}
	files := append([]guest.File{{Path: "/bin/gocomp", Host: bin}, {Path: "/bin/uinputtouch", Host: touch}}, wevFiles(t)...)
	files = append(files, xkbDataFiles(t)...)
	vm := guest.BootForTest(t, guest.Config{
		Devices: []string{"virtio-keyboard-pci,id=kbd0", "usb-mouse,id=umouse,bus=xhci.0",
			"virtio-mouse-pci,id=vmouse", "usb-tablet,id=tablet,bus=xhci.0"},
		Files: files,
	})
	if out, err := vm.Run(ctx, "sh", "-c", "mkdir -m 700 -p /tmp/xdg && mkdir -p /dev/shm && mount -t tmpfs shm /dev/shm"); err != nil {
		t.Fatalf("guest setup: %v %s", err, out)
	}
	// The touchscreen exists before gocomp starts. Gesture 1: two fingers
	// down at once, one moves, both lift. Gesture 2: a finger stays down.
	ts, err := vm.Start(nil, "/bin/uinputtouch", "gocomp test touchscreen",
		"d 0 10 1024 1024; d 1 11 3072 2048; s; m 1 3100 2100; s; u 0; u 1; s",
		"d 0 20 2048 2048; s")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ts.WaitLine(ctx, 0, func(l string) bool { return l == "ready" }); err != nil {
		t.Fatalf("uinputtouch: %v\n%s", err, ts.Stderr())
	}
	env := []string{"XDG_RUNTIME_DIR=/tmp/xdg", "LD_PRELOAD=" + stdbufLib, "_STDBUF_O=L", "WAYLAND_DEBUG=client",
		"LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu"}
	p, err := vm.Start(env, "/bin/gocomp", "-log-level", "debug", "-pointer-accel", "flat",
		"--", "/usr/bin/wev", "-f", "wl_pointer", "-f", "wl_touch")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		p.Signal(syscall.SIGTERM)
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		p.WaitStatus(wctx)
	}()
	// Every pointer device and the touchscreen joined the seat, and wev's
	// window is mapped.
	deadline := time.Now().Add(60 * time.Second)
	for _, name := range []string{"QEMU QEMU USB Mouse", "QEMU Virtio Mouse", "QEMU QEMU USB Tablet", "gocomp test touchscreen"} {
		for !strings.Contains(p.Stderr(), name) {
			if time.Now().After(deadline) {
				t.Fatalf("gocomp never added %q:\n%s", name, p.Stderr())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if _, _, err := p.WaitLine(ctx, 0, func(l string) bool { return strings.Contains(l, "xdg_toplevel") || strings.Contains(l, "wl_") }); err != nil {
		t.Fatalf("wev printed nothing: %v\n%s", err, p.Stderr())
	}
	waitEvents := func(from int, what string, done func([]string) bool) []string {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			evs := pointerEvents(p.Lines()[from:])
			if done(evs) {
				return evs
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: wev reported %q\nstdout tail:\n%s\nstderr:\n%s", what, evs, strings.Join(p.Lines()[max(0, len(p.Lines())-30):], "\n"), p.Stderr())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	has := func(prefix string) func([]string) bool {
		return func(evs []string) bool {
			for _, e := range evs {
				if strings.HasPrefix(e, prefix) {
					return true
				}
			}
			return false
		}
	}
	// wev's window fills the 1280x720 output: surface coordinates are
	// output coordinates. The tablet spans it with 0..32767.
	const w, h = 1280.0, 720.0
	tab := func(x, y int) []guest.InputEvent {
		return []guest.InputEvent{guest.AbsEvent("x", x), guest.AbsEvent("y", y)}
	}
	// send selects the QEMU mouse called name and injects evs into it.
	send := func(name string, evs ...guest.InputEvent) {
		t.Helper()
		if err := vm.SelectMouse(ctx, name); err != nil {
			t.Fatal(err)
		}
		if err := vm.SendInput(ctx, evs...); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("tablet click at a known position", func(t *testing.T) {
		from := len(p.Lines())
		send("Tablet", tab(8192, 24576)...)
		wx, wy := 8192*w/32767, 24576*h/32767
		evs := waitEvents(from, "tablet motion", func(evs []string) bool { return has("enter")(evs) || has("motion")(evs) })
		last := evs[len(evs)-1]
		for _, e := range evs {
			if strings.HasPrefix(e, "enter") || strings.HasPrefix(e, "motion") {
				last = e
			}
		}
		f := strings.Fields(last)
		if !near(f[1], wx) || !near(f[2], wy) {
			t.Errorf("pointer at %s; want %.3f, %.3f", last, wx, wy)
		}
		from = len(p.Lines())
		for _, down := range []bool{true, false} {
			send("Tablet", guest.BtnEvent("left", down))
		}
		evs = waitEvents(from, "click", func(evs []string) bool { return has("button 272 0")(evs) })
		if want := []string{"button 272 1", "frame", "button 272 0", "frame"}; strings.Join(evs, "|") != strings.Join(want, "|") {
			t.Errorf("click: %q; want %q", evs, want)
		}
		t.Logf("wev: %q", evs)
	})
	t.Run("wheel step", func(t *testing.T) {
		from := len(p.Lines())
		for _, down := range []bool{true, false} {
			send("Tablet", guest.BtnEvent("wheel-down", down))
		}
		evs := waitEvents(from, "wheel", has("axis"))
		for len(evs) > 0 && !strings.HasPrefix(evs[0], "source") {
			evs = evs[1:] // an enter's frame when the subtest runs alone
		}
		// One detent down: source wheel and 15 axis units.
		want := []string{"source 0", "axis 0 15.000000", "frame"}
		if strings.Join(evs, "|") != strings.Join(want, "|") {
			t.Errorf("wheel: %q; want %q", evs, want)
		}
		// wev prints no high-resolution value; libwayland's protocol log
		// shows it: axis_value120 of 120 for a wl_pointer of version 8 and
		// up, axis_discrete of 1 below (what wev binds decides which). The
		// log comes on stderr, which may reach us after stdout's events.
		log := p.Stderr()
		m := regexp.MustCompile(`wl_registry@\d+\.bind\(\d+, "wl_seat", (\d+),`).FindStringSubmatch(log)
		if m == nil {
			t.Fatalf("wev's wl_seat bind not in its protocol log:\n%s", tailText(log, 40))
		}
		v, _ := strconv.Atoi(m[1])
		wantLog := `wl_pointer@\d+\.axis_discrete\(0, 1\)`
		if v >= 8 {
			wantLog = `wl_pointer@\d+\.axis_value120\(0, 120\)`
		}
		re := regexp.MustCompile(wantLog)
		for deadline := time.Now().Add(10 * time.Second); !re.MatchString(log) && time.Now().Before(deadline); log = p.Stderr() {
			time.Sleep(50 * time.Millisecond)
		}
		if !re.MatchString(log) {
			t.Errorf("wev bound wl_seat v%d; within 10 s its protocol log had no %s:\n%s", v, wantLog, tailText(log, 20))
		}
		t.Logf("wev bound wl_seat v%d; the wheel step arrived as %s", v, wantLog)
	})
	t.Run("relative mice", func(t *testing.T) {
		for _, mouse := range []string{"HID Mouse", "Virtio Mouse"} {
			from := len(p.Lines())
			send(mouse, guest.RelEvent("x", 30), guest.RelEvent("y", -20))
			evs := waitEvents(from, mouse, has("motion"))
			f := strings.Fields(firstWith(evs, "motion"))
			x, _ := strconv.ParseFloat(f[1], 64)
			y, _ := strconv.ParseFloat(f[2], 64)
			from2 := len(p.Lines())
			send(mouse, guest.RelEvent("x", -30), guest.RelEvent("y", 20))
			back := waitEvents(from2, mouse+" back", has("motion"))
			b := strings.Fields(firstWith(back, "motion"))
			bx, _ := strconv.ParseFloat(b[1], 64)
			by, _ := strconv.ParseFloat(b[2], 64)
			// Flat acceleration at speed 0 moves exactly as the device:
			// +30,-20 then back.
			if math.Abs((x-bx)-30) > 0.01 || math.Abs((by-y)-20) > 0.01 {
				t.Errorf("%s: moved %v,%v then %v,%v; want a step of 30,-20 and back", mouse, x, y, bx, by)
			}
		}
	})
	t.Run("two fingers at once", func(t *testing.T) {
		from := len(p.Lines())
		ts.Signal(syscall.SIGUSR1)
		// A pointer frame of the subtest before may still come first.
		touchOnly := func(evs []string) []string {
			for len(evs) > 0 && !strings.HasPrefix(evs[0], "down ") {
				evs = evs[1:]
			}
			return evs
		}
		evs := touchOnly(waitEvents(from, "touch", func(evs []string) bool { return len(touchOnly(evs)) >= 8 }))
		px := func(v int) float64 { return float64(v) * w / 4095 }
		py := func(v int) float64 { return float64(v) * h / 4095 }
		want := []string{
			fmt.Sprintf("down 0 %.3f %.3f", px(1024), py(1024)), fmt.Sprintf("down 1 %.3f %.3f", px(3072), py(2048)), "tframe",
			fmt.Sprintf("tmotion 1 %.3f %.3f", px(3100), py(2100)), "tframe",
			"up 0", "up 1", "tframe",
		}
		if len(evs) != len(want) {
			t.Fatalf("touch: %q; want %q", evs, want)
		}
		for i := range want {
			g, w := strings.Fields(evs[i]), strings.Fields(want[i])
			ok := len(g) == len(w) && g[0] == w[0]
			for j := 1; ok && j < len(w); j++ {
				wv, _ := strconv.ParseFloat(w[j], 64)
				ok = near(g[j], wv)
			}
			if !ok {
				t.Errorf("touch event %d: %q; want %q\nall: %q", i, evs[i], want[i], evs)
			}
		}
	})
	t.Run("unplug with a button held and a finger down", func(t *testing.T) {
		from := len(p.Lines())
		send("HID Mouse", guest.BtnEvent("left", true))
		waitEvents(from, "press", has("button 272 1"))
		mark := vm.QMPEventMark()
		if _, err := vm.QMP(ctx, "device_del", map[string]any{"id": "umouse"}); err != nil {
			t.Fatal(err)
		}
		if _, err := vm.WaitQMPEvent(ctx, mark, "DEVICE_DELETED", nil); err != nil {
			t.Fatal(err)
		}
		evs := waitEvents(from, "release on unplug", has("button 272 0"))
		t.Logf("wev: %q", evs)
		from = len(p.Lines())
		ts.Signal(syscall.SIGUSR2) // a finger goes down and stays
		waitEvents(from, "finger down", has("down 0"))
		ts.Signal(syscall.SIGTERM) // the touchscreen goes with it
		evs = waitEvents(from, "cancel on unplug", has("cancel"))
		for _, e := range evs {
			if strings.HasPrefix(e, "up") {
				t.Errorf("an up for the unplugged finger: %q; want a cancel only", evs)
			}
		}
	})
}

// tailText returns the last n lines of s.
func tailText(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// firstWith returns the first of evs that starts with prefix ("" if none):
// an event of the subtest before may come first.
func firstWith(evs []string, prefix string) string {
	for _, e := range evs {
		if strings.HasPrefix(e, prefix) {
			return e
		}
	}
	return ""
}
