package main

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildGocomp builds the real binary (CGO_ENABLED=0, as shipped) into a
// temporary directory.
func buildGocomp(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gocomp")
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runtimeDir gives the test its own XDG_RUNTIME_DIR (mode 0700).
func runtimeDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", dir)
	t.Setenv("WAYLAND_DISPLAY", "")
	return dir
}

// compositorArgs are the flags every test run of the compositor gets
// first: the tests never open the host's own input or DRM devices (real
// devices are tested in the qemu guest).
var compositorArgs = []string{"--backend", "headless", "--input", "none"}

// compositorCmd is exec.Command for a compositor run with args after
// compositorArgs.
func compositorCmd(bin string, args ...string) *exec.Cmd {
	return exec.Command(bin, append(slices.Clone(compositorArgs), args...)...)
}

// gocompRun is one run of the binary.
type gocompRun struct {
	status         int
	stdout, stderr string
}

func runGocomp(t *testing.T, bin string, timeout time.Duration, args ...string) gocompRun {
	t.Helper()
	cmd := compositorCmd(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(timeout, func() { cmd.Process.Signal(syscall.SIGKILL) })
	defer timer.Stop()
	err := cmd.Wait()
	r := gocompRun{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.status = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("gocomp killed by %v (timeout %v)\nstderr:\n%s", ws.Signal(), timeout, r.stderr)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBinaryExitStatusAndSocketCleanup(t *testing.T) {
	bin := buildGocomp(t)
	dir := runtimeDir(t)
	for _, tc := range []struct {
		args []string
		want int
	}{
		// WAYLAND_SOCKET is set (below) but --backend headless keeps gocomp
		// from using it; the program must not inherit it.
		{[]string{"--backend", "headless", "--", "sh", "-c", `test -S "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY" && test -z "$WAYLAND_SOCKET" && exit 5`}, 5},
		{[]string{"--backend", "headless", "--socket", "custom", "--", "sh", "-c", `test "$WAYLAND_DISPLAY" = custom && exit 0; exit 9`}, 0},
		{[]string{"--backend", "headless", "--", "sh", "-c", "kill -KILL $$"}, 128 + 9},
		{[]string{"--backend", "headless", "--", "/nonexistent/client"}, 1},
		// With --backend auto, WAYLAND_SOCKET asks for a window in a host
		// compositor; fd 3 is no such socket: a clear error.
		{[]string{"--backend", "auto", "--", "true"}, 1},
		{[]string{"--mode", "bad"}, 2},
		{[]string{"--no-such-flag"}, 2},
	} {
		t.Setenv("WAYLAND_SOCKET", "3")
		r := runGocomp(t, bin, 20*time.Second, tc.args...)
		if r.status != tc.want {
			t.Errorf("gocomp %q exited %d; want %d\nstderr:\n%s", tc.args, r.status, tc.want, r.stderr)
		}
		if slices.Equal(tc.args, []string{"--backend", "auto", "--", "true"}) && !strings.Contains(r.stderr, "WAYLAND_SOCKET=3 is not a connected stream socket") {
			t.Errorf("gocomp with a bad WAYLAND_SOCKET: stderr lacks the reason:\n%s", r.stderr)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("left behind in XDG_RUNTIME_DIR: %v", left)
	}
}

// startSession starts gocomp with a program that writes its pid to a file
// and then runs script, and waits until the socket exists and the pid is
// known.
func startSession(t *testing.T, bin, dir string, flags []string, script string) (cmd *exec.Cmd, stderr *bytes.Buffer, pid int) {
	t.Helper()
	pidFile := filepath.Join(t.TempDir(), "pid")
	args := append(slices.Clone(flags), "--", "sh", "-c", `echo $$ > "$0"; `+script, pidFile)
	cmd = compositorCmd(bin, args...)
	stderr = &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "wayland-0")
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(pidFile)
		if p, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			if _, err := os.Stat(sock); err == nil {
				return cmd, stderr, p
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("socket %s or the program's pid never appeared\n%s", sock, stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// exitCode returns the exit status cmd.Wait's err describes (0 for nil),
// failing when gocomp itself died of a signal.
func exitCode(t *testing.T, err error, stderr string) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("wait for gocomp: %v", err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Fatalf("gocomp died of %v\n%s", ws.Signal(), stderr)
	}
	return ee.ExitCode()
}

// reaped reports whether pid is gone from the process table: not running
// and not a zombie waiting for its parent.
func reaped(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return errors.Is(err, os.ErrNotExist)
}

func TestBinarySIGTERMShutsDownCleanly(t *testing.T) {
	bin := buildGocomp(t)
	for _, tc := range []struct {
		name   string
		flags  []string
		script string
		signal syscall.Signal
		want   int    // gocomp's exit status: the program's
		log    string // a log line the shutdown must write
	}{
		// The program dies of the SIGTERM gocomp passes on.
		{"SIGTERM, program dies of it", nil, "exec sleep 60", syscall.SIGTERM, 128 + 15, `reason="signal terminated"`},
		{"SIGINT, program dies of SIGTERM", nil, "exec sleep 60", syscall.SIGINT, 128 + 15, `reason="signal interrupt"`},
		// The program handles SIGTERM and exits with a status of its own.
		{"program exits 3 on SIGTERM", nil, `trap "exit 3" TERM; while :; do sleep 0.05; done`, syscall.SIGTERM, 3, `msg="program exited"`},
		// The program ignores SIGTERM: after the grace period it is killed.
		{"program ignores SIGTERM", []string{"--program-grace", "300ms"}, `trap "" TERM; while :; do sleep 0.05; done`, syscall.SIGTERM, 128 + 9,
			`msg="program did not exit in time: killing it"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := runtimeDir(t)
			cmd, stderr, pid := startSession(t, bin, dir, tc.flags, tc.script)
			start := time.Now()
			cmd.Process.Signal(tc.signal)
			code := exitCode(t, cmd.Wait(), stderr.String())
			// gocomp reaped the program before it exited: no zombie, no
			// orphan left for init.
			if !reaped(pid) {
				st, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
				t.Errorf("program %d not reaped after gocomp exited: %s", pid, st)
			}
			if code != tc.want {
				t.Errorf("gocomp exited %d; want %d (the program's status)\n%s", code, tc.want, stderr)
			}
			if !strings.Contains(stderr.String(), tc.log) {
				t.Errorf("log lacks %s:\n%s", tc.log, stderr)
			}
			if !strings.Contains(stderr.String(), "pid="+strconv.Itoa(pid)+" status="+strconv.Itoa(tc.want)) {
				t.Errorf("log does not record reaping pid %d with status %d:\n%s", pid, tc.want, stderr)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
				t.Errorf("left behind after shutdown: %v", left)
			}
			if tc.want == 128+9 && time.Since(start) < 300*time.Millisecond {
				t.Errorf("program killed after %v; want the 300ms grace first", time.Since(start))
			}
		})
	}
}

func TestWaylandInfo(t *testing.T) {
	bin := buildGocomp(t)
	runtimeDir(t)
	r := runGocomp(t, bin, 30*time.Second, "--mode", "1024x600@75", "--", "wayland-info")
	if r.status != 0 {
		t.Fatalf("wayland-info under gocomp exited %d\nstdout:\n%s\nstderr:\n%s", r.status, r.stdout, r.stderr)
	}
	for _, want := range []string{
		`interface: 'wl_compositor',\s+version:\s+6,`,
		`interface: 'wl_subcompositor',\s+version:\s+1,`,
		`interface: 'wl_shm',\s+version:\s+\d+,[^\n]*\n\s+formats \(fourcc\):\n(\s+\d+ = '\w+'\n)*\s+0 = 'AR24'`,
		`interface: 'wl_shm',\s+version:\s+\d+,[^\n]*\n\s+formats \(fourcc\):\n(\s+\d+ = '\w+'\n)*\s+1 = 'XR24'`,
		`interface: 'wl_output',\s+version:\s+4,`,
		`width: 1024 px, height: 600 px, refresh: 75.000 Hz`,
		`name: HEADLESS-1`,
		`interface: 'xdg_wm_base',\s+version:\s+6,`,
		`interface: 'wl_seat',\s+version:\s+9,`,
		`interface: 'wl_data_device_manager',\s+version:\s+3,`,
	} {
		if !regexp.MustCompile(want).MatchString(r.stdout) {
			t.Errorf("wayland-info output does not match %q:\n%s", want, r.stdout)
		}
	}
}

// frameCallbacks counts, in a WAYLAND_DEBUG=1 client log, the wl_callback
// objects created by wl_surface.frame and how many of them got done.
func frameCallbacks(log string) (requested, done int) {
	frame := regexp.MustCompile(`-> wl_surface@\d+\.frame\(new id wl_callback@(\d+)\)`)
	doneRe := regexp.MustCompile(`wl_callback@(\d+)\.done\(`)
	// Ids are reused: walk the log in order and match each done to the
	// outstanding frame request with its id.
	outstanding := map[string]int{}
	for _, line := range strings.Split(log, "\n") {
		if m := frame.FindStringSubmatch(line); m != nil {
			requested++
			outstanding[m[1]]++
		} else if m := doneRe.FindStringSubmatch(line); m != nil && !strings.Contains(line, "->") {
			if outstanding[m[1]] > 0 {
				outstanding[m[1]]--
				done++
			}
		}
	}
	return requested, done
}

func TestWestonSimpleShm(t *testing.T) {
	bin := buildGocomp(t)
	runtimeDir(t)
	tmp := t.TempDir()
	shot := filepath.Join(tmp, "shot.png")
	clientLog := filepath.Join(tmp, "client.log")
	gocompLog, err := os.Create(filepath.Join(tmp, "gocomp.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer gocompLog.Close()
	cmd := compositorCmd(bin, "--screenshot-on-exit", shot, "--", "sh", "-c", `WAYLAND_DEBUG=1 exec weston-simple-shm 2>"$0"`, clientLog)
	cmd.Stderr = gocompLog
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-done
		}
	}()

	// Let it run at least 3 s and until 100 frames were answered (the
	// count, not the time, is the criterion: a loaded machine is slower),
	// then end the session the way a user does: SIGTERM to gocomp, which
	// writes the screenshot while the client is still on screen.
	deadline := time.Now().Add(60 * time.Second)
	var requested, answered int
	for {
		b, _ := os.ReadFile(clientLog)
		requested, answered = frameCallbacks(string(b))
		if answered >= 100 && time.Since(start) >= 3*time.Second {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s only %d of %d frame callbacks answered:\n%s", answered, requested, tail(string(b), 30))
		}
		select {
		case err := <-done:
			t.Fatalf("gocomp ended early (%v) after %d frames:\n%s", err, answered, tail(string(b), 30))
		case <-time.After(50 * time.Millisecond):
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	// weston-simple-shm dies of the SIGTERM gocomp passes on; gocomp
	// exits with its status.
	if code := exitCode(t, <-done, ""); code != 128+int(syscall.SIGTERM) {
		b, _ := os.ReadFile(gocompLog.Name())
		t.Fatalf("gocomp after SIGTERM exited %d; want %d\n%s", code, 128+int(syscall.SIGTERM), b)
	}
	logText, _ := os.ReadFile(clientLog)
	requested, answered = frameCallbacks(string(logText))
	t.Logf("weston-simple-shm: %d frame callbacks requested, %d answered in %v", requested, answered, time.Since(start).Round(time.Millisecond))
	if strings.Contains(string(logText), "wl_display@1.error") {
		t.Errorf("client got a protocol error:\n%s", tail(string(logText), 30))
	}
	// Every frame callback is answered in order: the answered ones are a
	// prefix of the requested ones (the last request may be outstanding).
	if requested-answered > 1 {
		t.Errorf("%d frame callbacks requested but only %d answered", requested, answered)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 720 {
		t.Errorf("screenshot is %v; want 1280x720", b)
	}
	if why := checkSimpleShm(img); why != "" {
		t.Errorf("screenshot: %s", why)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitFor polls path until it contains every one of want, or fails after
// timeout.
func waitFor(t *testing.T, path string, timeout time.Duration, want ...*regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b, _ := os.ReadFile(path)
		ok := true
		for _, re := range want {
			if !re.Match(b) {
				ok = false
				break
			}
		}
		if ok {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never matched %v within %v:\n%s", path, want, timeout, tail(string(b), 40))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestWevMapsAndStaysConnected(t *testing.T) {
	bin := buildGocomp(t)
	runtimeDir(t)
	tmp := t.TempDir()
	clientLog := filepath.Join(tmp, "wev.log")
	gocompLog := filepath.Join(tmp, "gocomp.log")
	logFile, err := os.Create(gocompLog)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := compositorCmd(bin, "--log-level", "debug", "--", "sh", "-c", `WAYLAND_DEBUG=1 exec wev 2>"$0" >/dev/null`, clientLog)
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-done
		}
	}()

	// Mapped: the configure was acked, then a buffer attached and
	// committed, and gocomp released it (it copied the pixels).
	log := waitFor(t, clientLog, 20*time.Second,
		regexp.MustCompile(`xdg_surface@\d+\.configure\((\d+)\)`),
		regexp.MustCompile(`-> xdg_surface@\d+\.ack_configure\(\d+\)`),
		regexp.MustCompile(`-> wl_surface@\d+\.attach\(wl_buffer@\d+, 0, 0\)`),
		regexp.MustCompile(`wl_buffer@\d+\.release\(\)`))
	configure := regexp.MustCompile(`xdg_toplevel@\d+\.configure\((\d+), (\d+), array\[8\]\)`).FindStringSubmatch(log)
	if configure == nil || configure[1] != "1280" || configure[2] != "720" {
		t.Errorf("toplevel configure %q; want the output size 1280x720 with two states (fullscreen, activated)", configure)
	}
	ack := strings.Index(log, "-> xdg_surface@")
	attach := strings.Index(log, ".attach(wl_buffer@")
	if ack < 0 || attach < ack {
		t.Errorf("buffer attached before the configure was acked:\n%s", tail(log, 40))
	}

	// wev stays connected until the shutdown: checked below from the
	// order of the log lines, which needs no waiting.
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitCode(t, <-done, ""); code != 128+int(syscall.SIGTERM) {
		t.Fatalf("gocomp after SIGTERM exited %d; want %d (wev's death by SIGTERM)", code, 128+int(syscall.SIGTERM))
	}
	b, _ := os.ReadFile(gocompLog)
	shutdown := strings.Index(string(b), "shutting down")
	gone := strings.Index(string(b), "client disconnected")
	if shutdown < 0 || gone < shutdown {
		t.Errorf("want wev to stay connected until the shutdown (shutdown at %d, disconnect at %d):\n%s", shutdown, gone, b)
	}
	if clientText, _ := os.ReadFile(clientLog); strings.Contains(string(clientText), "wl_display@1.error") {
		t.Errorf("wev got a protocol error:\n%s", tail(string(clientText), 20))
	}
}

// TestWaylandInfoXdgOutputAndAccess checks with Debian's wayland-info what
// clients learn of xdg-output (two outputs side by side: logical
// positions, sizes and names), and that --virtual-keyboard deny and
// --screencopy deny remove their globals.
func TestWaylandInfoXdgOutputAndAccess(t *testing.T) {
	bin := buildGocomp(t)
	runtimeDir(t)
	for _, tc := range []struct {
		flags   []string
		present bool
	}{
		{nil, true},
		{[]string{"--virtual-keyboard", "deny", "--screencopy", "deny"}, false},
	} {
		args := append(slices.Clone(tc.flags), "--outputs", "2", "--mode", "800x600@60", "--", "wayland-info")
		r := runGocomp(t, bin, 30*time.Second, args...)
		if r.status != 0 {
			t.Fatalf("wayland-info under gocomp %q exited %d\nstderr:\n%s", args, r.status, r.stderr)
		}
		for _, want := range []string{
			`interface: 'zxdg_output_manager_v1',\s+version:\s+3,`,
			`name: 'HEADLESS-1'\n[^\n]*\n\s+logical_x: 0, logical_y: 0\n\s+logical_width: 800, logical_height: 600`,
			`name: 'HEADLESS-2'\n[^\n]*\n\s+logical_x: 800, logical_y: 0\n\s+logical_width: 800, logical_height: 600`,
		} {
			if !regexp.MustCompile(want).MatchString(r.stdout) {
				t.Errorf("%q: wayland-info output does not match %q:\n%s", tc.flags, want, r.stdout)
			}
		}
		for _, global := range []string{"zwp_virtual_keyboard_manager_v1", "zwlr_screencopy_manager_v1"} {
			if got := strings.Contains(r.stdout, "'"+global+"'"); got != tc.present {
				t.Errorf("%q: global %s advertised %v; want %v", tc.flags, global, got, tc.present)
			}
		}
	}
}
