package seat_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"gocomp/evdev/guest"
)

// The guest acceptance tests run gocomp (headless output, real evdev
// keyboards under a real kernel) in one qemu guest with Debian's wev as
// the client, and read wev's report of every wl_keyboard event.

// wevFiles returns wev, the shared libraries ldd lists for it, and
// coreutils' libstdbuf (wev's stdout is a pipe: LD_PRELOAD it with
// _STDBUF_O=L for line buffering).
func wevFiles(t *testing.T) []guest.File {
	t.Helper()
	wev, err := exec.LookPath("wev")
	if err != nil {
		t.Fatalf("wev not installed (make deps): %v", err)
	}
	out, err := exec.Command("ldd", wev).Output()
	if err != nil {
		t.Fatalf("ldd %s: %v", wev, err)
	}
	files := []guest.File{{Path: "/usr/bin/wev", Host: wev}, {Path: stdbufLib, Host: stdbufLib}}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		var lib string
		switch {
		case len(f) >= 3 && f[1] == "=>":
			lib = f[2]
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			lib = f[0]
		default:
			continue
		}
		real, err := filepath.EvalSymlinks(lib)
		if err != nil {
			t.Fatalf("ldd %s lists %s: %v", wev, lib, err)
		}
		files = append(files, guest.File{Path: lib, Host: real})
	}
	return files
}

const stdbufLib = "/usr/libexec/coreutils/libstdbuf.so"

// xkbDataFiles returns the XKB data gocomp compiles keymaps from.
func xkbDataFiles(t *testing.T) []guest.File {
	t.Helper()
	files, err := guest.XKBData()
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// wevSession is gocomp running wev in the guest.
type wevSession struct {
	t    *testing.T
	vm   *guest.VM
	p    *guest.Process
	ctx  context.Context
	from int // wev's output lines before this one precede the test's keys
}

// startWev runs `gocomp args... -- wev` and waits until wev has the
// keyboard focus.
func startWev(ctx context.Context, t *testing.T, vm *guest.VM, args ...string) *wevSession {
	t.Helper()
	env := []string{"XDG_RUNTIME_DIR=/tmp/xdg", "LD_PRELOAD=" + stdbufLib, "_STDBUF_O=L",
		"LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu"}
	argv := append(append([]string{"/bin/gocomp", "-log-level", "debug"}, args...), "--", "/usr/bin/wev", "-f", "wl_keyboard")
	p, err := vm.Start(env, argv...)
	if err != nil {
		t.Fatal(err)
	}
	s := &wevSession{t: t, vm: vm, p: p, ctx: ctx}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if _, _, err := p.WaitLine(wctx, 0, func(l string) bool { return strings.Contains(l, "wl_keyboard] enter") }); err != nil {
		t.Fatalf("wev never got the keyboard focus: %v\nstdout:\n%s\nstderr:\n%s", err, p.Stdout(), p.Stderr())
	}
	s.probe()
	return s
}

// probe taps Shift until wev reports it, so that the test's keys start
// on a guest whose keyboard delivers: a guest just booted on a loaded host
// can drop the input of a device it is still setting up. A tap that never
// arrives is retried and logged; the keys of the test itself never are.
func (s *wevSession) probe() {
	s.t.Helper()
	const attempts = 4
	released := func() int {
		n := 0
		for _, e := range wevEvents(s.p.Lines()) {
			if e == "release 50" { // Shift_L: XKB keycode 50
				n++
			}
		}
		return n
	}
	for i := 1; i <= attempts; i++ {
		s.keys("+shift", "-shift")
		deadline := time.Now().Add(5 * time.Second)
		for released() == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if released() == 0 {
			s.t.Logf("probe tap %d of Shift not seen by wev after 5s", i)
			continue
		}
		if i > 1 { // a late earlier tap may still come in
			time.Sleep(2 * time.Second)
		}
		// Up to the modifiers event that follows the release.
		for !strings.HasSuffix(strings.Join(wevEvents(s.p.Lines()), " "), "mods 00000000") && time.Now().Before(deadline.Add(5*time.Second)) {
			time.Sleep(20 * time.Millisecond)
		}
		s.from = len(s.p.Lines())
		return
	}
	s.t.Fatalf("wev saw none of %d Shift taps\nstdout:\n%s\nstderr:\n%s", attempts, s.p.Stdout(), s.p.Stderr())
}

// stop ends gocomp with SIGTERM: gocomp passes it on to wev, whose
// default action is to die of it, reaps it and exits with its status,
// 128+SIGTERM.
func (s *wevSession) stop() {
	s.t.Helper()
	s.p.Signal(syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	if code, err := s.p.WaitStatus(ctx); err != nil || code != 128+int(syscall.SIGTERM) {
		s.t.Errorf("gocomp after SIGTERM: status %d, %v; want %d (wev's death by SIGTERM)", code, err, 128+int(syscall.SIGTERM))
	}
}

// keys sends QMP key events: "+shift" presses, "-shift" releases, "h"
// taps.
func (s *wevSession) keys(seq ...string) {
	s.t.Helper()
	for _, k := range seq {
		var err error
		switch k[0] {
		case '+':
			err = s.vm.SendKeys(s.ctx, guest.Key{QCode: k[1:], Down: true})
		case '-':
			err = s.vm.SendKeys(s.ctx, guest.Key{QCode: k[1:], Down: false})
		default:
			err = s.vm.Tap(s.ctx, k)
		}
		if err != nil {
			s.t.Fatalf("QMP key %s: %v", k, err)
		}
	}
}

var (
	wevKey  = regexp.MustCompile(`\] key: serial: \d+; time: \d+; key: (\d+); state: (\d)`)
	wevSym  = regexp.MustCompile(`^\s+sym: (\S+)`)
	wevMods = regexp.MustCompile(`\] modifiers: `)
	wevDep  = regexp.MustCompile(`^\s+depressed: ([0-9A-F]{8})`)
)

// wevEvents lists the key presses ("sym H"), releases ("release 50": wev
// prints XKB keycodes, evdev + 8) and modifiers ("mods 00000001", the
// depressed mask) wev reported. An event whose detail line wev has not
// written yet ends the list: it is counted once it is complete.
func wevEvents(lines []string) []string {
	var out []string
	for i, l := range lines {
		if m := wevKey.FindStringSubmatch(l); m != nil {
			if m[2] == "0" {
				out = append(out, "release "+m[1])
				continue
			}
			if i+1 == len(lines) {
				break
			}
			sym := "?"
			if s := wevSym.FindStringSubmatch(lines[i+1]); s != nil {
				sym = s[1]
			}
			out = append(out, "sym "+sym)
		} else if wevMods.MatchString(l) {
			if i+1 == len(lines) {
				break
			}
			dep := "?"
			if d := wevDep.FindStringSubmatch(lines[i+1]); d != nil {
				dep = d[1]
			}
			out = append(out, "mods "+dep)
		}
	}
	return out
}

// waitEvents waits until wev has reported n events after the probe (see
// probe) and returns them.
func (s *wevSession) waitEvents(n int) []string {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		evs := wevEvents(s.p.Lines()[s.from:])
		if len(evs) >= n {
			return evs
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("wev reported %d of %d events: %q\nstdout:\n%s\nstderr:\n%s", len(evs), n, evs, s.p.Stdout(), s.p.Stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// count returns how many of evs are e.
func count(evs []string, e string) int {
	n := 0
	for _, x := range evs {
		if x == e {
			n++
		}
	}
	return n
}

// syms keeps the pressed keysyms of events.
func syms(evs []string, skip ...string) []string {
	var out []string
	for _, e := range evs {
		if s, ok := strings.CutPrefix(e, "sym "); ok && !slices.Contains(skip, s) {
			out = append(out, s)
		}
	}
	return out
}

func TestGuestWev(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "gocomp")
	if err := guest.BuildStatic(ctx, "gocomp/cmd/gocomp", bin); err != nil {
		t.Fatal(err)
	}
	files := append([]guest.File{{Path: "/bin/gocomp", Host: bin}}, wevFiles(t)...)
	files = append(files, xkbDataFiles(t)...)
	vm := guest.BootForTest(t, guest.Config{Devices: []string{"virtio-keyboard-pci,id=kbd0"}, Files: files})
	// wev needs XDG_RUNTIME_DIR and shm_open's /dev/shm.
	if out, err := vm.Run(ctx, "sh", "-c", guest.WaylandSetup); err != nil {
		t.Fatalf("guest setup: %v %s", err, out)
	}

	t.Run("Hello, World!", func(t *testing.T) {
		s := startWev(ctx, t, vm)
		defer s.stop()
		s.keys("+shift", "h", "-shift", "e", "l", "l", "o", "comma", "spc",
			"+shift", "w", "-shift", "o", "r", "l", "d", "+shift", "1", "-shift")
		evs := s.waitEvents(13*2 + 3*2 + 6) // 13 taps, 3 Shift presses and releases, 6 modifiers
		want := []string{"H", "e", "l", "l", "o", "comma", "space", "W", "o", "r", "l", "d", "exclam"}
		if got := syms(evs, "Shift_L"); !slices.Equal(got, want) {
			t.Errorf("wev keysyms %q; want %q\nevents %q", got, want, evs)
		}
		// Modifiers around every Shift: Shift press, mods 1, ..., Shift release, mods 0.
		for i, e := range evs {
			if e == "sym Shift_L" && (i+1 >= len(evs) || evs[i+1] != "mods 00000001") {
				t.Errorf("event %d: Shift press not followed by modifiers with Shift: %q", i, evs)
			}
			if e == "release 50" && (i+1 >= len(evs) || evs[i+1] != "mods 00000000") {
				t.Errorf("event %d: Shift release not followed by modifiers without Shift: %q", i, evs)
			}
		}
		t.Logf("wev: %q", evs)
	})

	t.Run("layout de: y gives z", func(t *testing.T) {
		s := startWev(ctx, t, vm, "-xkb-layout", "de")
		defer s.stop()
		s.keys("y")
		evs := s.waitEvents(2)
		if got := syms(evs); !slices.Equal(got, []string{"z"}) {
			t.Errorf("wev keysyms %q; want [z]", got)
		}
		t.Logf("wev: %q", evs)
	})

	for _, tt := range []struct {
		policy string
		want   []string
	}{
		{"release", []string{"y", "Y", "Y", "y"}},
		{"press", []string{"y", "Y", "y", "y"}},
	} {
		t.Run("caps-lock "+tt.policy, func(t *testing.T) {
			s := startWev(ctx, t, vm, "-caps-lock", tt.policy)
			defer s.stop()
			s.keys("y", "caps_lock", "y", "+caps_lock", "y", "-caps_lock", "y")
			evs := s.waitEvents(14)
			for len(syms(evs, "Caps_Lock")) < 4 {
				evs = s.waitEvents(len(evs) + 1)
			}
			if got := syms(evs, "Caps_Lock"); !slices.Equal(got, tt.want) {
				t.Errorf("wev keysyms %q; want %q\nevents %q", got, tt.want, evs)
			}
			t.Logf("wev: %q", evs)
		})
	}

	// gocomp in gocomp: the outer one reads the guest's keyboard, the
	// inner one is a window in it (wayland backend) with its own XKB state
	// and --caps-lock press, and wev runs in the inner one.
	t.Run("nested gocomp", func(t *testing.T) {
		s := startWev(ctx, t, vm, "--socket", "outer", "--",
			"/bin/gocomp", "--backend", "wayland", "--caps-lock", "press", "--socket", "inner", "-log-level", "debug")
		defer s.stop()
		// Its log line may reach us after wev's first events (stderr and
		// stdout are separate streams).
		const inner = `backend=wayland why="--backend wayland"`
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(s.p.Stderr(), inner) && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		if !strings.Contains(s.p.Stderr(), inner) {
			t.Errorf("the inner gocomp did not run on the wayland backend:\n%s", s.p.Stderr())
		}
		s.keys("+shift", "h", "-shift", "e", "l", "l", "o", "comma", "spc",
			"+shift", "w", "-shift", "o", "r", "l", "d", "+shift", "1", "-shift")
		evs := s.waitEvents(13*2 + 3*2 + 6)
		want := []string{"H", "e", "l", "l", "o", "comma", "space", "W", "o", "r", "l", "d", "exclam"}
		if got := syms(evs, "Shift_L"); !slices.Equal(got, want) {
			t.Errorf("wev in the nested gocomp: keysyms %q; want %q\nevents %q", got, want, evs)
		}

		// The inner's caps-lock policy, not the outer's (release), rules.
		s.from = len(s.p.Lines())
		s.keys("y", "caps_lock", "y", "+caps_lock", "y", "-caps_lock", "y")
		evs = s.waitEvents(14)
		// Up to the fourth release of Y (XKB keycode 29): the last event.
		for count(evs, "release 29") < 4 {
			evs = s.waitEvents(len(evs) + 1)
		}
		if got := syms(evs, "Caps_Lock"); !slices.Equal(got, []string{"y", "Y", "y", "y"}) {
			t.Errorf("wev in the nested gocomp with --caps-lock press: keysyms %q; want [y Y y y]\nevents %q", got, evs)
		}

		// Shift is held when another client of the outer gocomp takes the
		// keyboard from the inner's window: wev sees Shift released.
		s.from = len(s.p.Lines())
		s.keys("+shift")
		if evs := s.waitEvents(2); !slices.Equal(evs, []string{"sym Shift_L", "mods 00000001"}) {
			t.Fatalf("after Shift down: %q", evs)
		}
		other, err := vm.Start([]string{"XDG_RUNTIME_DIR=/tmp/xdg", "WAYLAND_DISPLAY=outer",
			"LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu"}, "/usr/bin/wev", "-f", "wl_keyboard")
		if err != nil {
			t.Fatal(err)
		}
		evs = s.waitEvents(4)
		if !slices.Equal(evs[2:4], []string{"release 50", "mods 00000000"}) {
			t.Errorf("after the host window lost the keyboard with Shift held: %q; want Shift released, modifiers cleared", evs)
		}
		s.keys("-shift")
		other.Signal(syscall.SIGKILL)
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		other.WaitStatus(wctx)
		t.Logf("wev: %q", evs)
	})

	t.Run("Ctrl+Alt+BackSpace ends gocomp; the keys never reach wev", func(t *testing.T) {
		s := startWev(ctx, t, vm)
		s.keys("+ctrl", "+alt", "backspace", "-alt", "-ctrl")
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		// gocomp shuts down as on SIGTERM (wev is told too) and exits with
		// wev's status.
		if code, err := s.p.WaitStatus(wctx); err != nil || code != 128+int(syscall.SIGTERM) {
			t.Fatalf("gocomp after Ctrl+Alt+BackSpace: status %d, %v; want %d", code, err, 128+int(syscall.SIGTERM))
		}
		if !strings.Contains(s.p.Stderr(), `msg="shutting down" reason=Ctrl+Alt+BackSpace`) {
			t.Errorf("gocomp ended without its Ctrl+Alt+BackSpace shutdown:\n%s", s.p.Stderr())
		}
		for _, e := range wevEvents(s.p.Lines()) {
			if strings.Contains(e, "BackSpace") || e == "release 22" {
				t.Errorf("wev saw the terminate binding's key: %q", wevEvents(s.p.Lines()))
			}
		}
	})

	t.Run("-no-terminate-binding: BackSpace reaches wev", func(t *testing.T) {
		s := startWev(ctx, t, vm, "-no-terminate-binding")
		defer s.stop()
		s.keys("+ctrl", "+alt", "backspace", "-alt", "-ctrl")
		evs := s.waitEvents(8)
		if got := syms(evs, "Control_L", "Alt_L"); !slices.Equal(got, []string{"BackSpace"}) {
			t.Errorf("wev keysyms %q; want [BackSpace]", got)
		}
	})

	t.Run("unplug with Shift held", func(t *testing.T) {
		s := startWev(ctx, t, vm)
		defer s.stop()
		if err := vm.DeviceAdd(ctx, "virtio-keyboard-pci", "kbd2", nil); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		virtioAdded := func() int {
			n := 0
			for _, l := range strings.Split(s.p.Stderr(), "\n") {
				if strings.Contains(l, "seat: keyboard added") && strings.Contains(l, "QEMU Virtio Keyboard") {
					n++
				}
			}
			return n
		}
		for virtioAdded() < 2 {
			if time.Now().After(deadline) {
				t.Fatalf("gocomp never added the hotplugged keyboard:\n%s", s.p.Stderr())
			}
			time.Sleep(50 * time.Millisecond)
		}
		s.keys("+shift")
		evs := s.waitEvents(2)
		if !slices.Equal(evs, []string{"sym Shift_L", "mods 00000001"}) {
			t.Fatalf("after Shift down: %q", evs)
		}
		if err := vm.DeviceDel(ctx, "kbd2"); err != nil {
			t.Fatal(err)
		}
		evs = s.waitEvents(4)
		if !slices.Equal(evs[2:], []string{"release 50", "mods 00000000"}) {
			t.Errorf("after unplugging the keyboard holding Shift: %q; want Shift release then modifiers cleared", evs)
		}
		t.Logf("wev: %q", evs)
	})
}
