package testclient_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"gocomp/protocols/client"
	"gocomp/protocols/client/testclient"
	"gocomp/protocols/wayland"
)

// runtimeDir makes a private XDG_RUNTIME_DIR (mode 0700, as Wayland
// servers demand) for the test.
func runtimeDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", dir)
	return dir
}

// startServer starts cmd, a compositor that will listen on path, waits
// for the socket to appear and stops the compositor (SIGTERM, then
// SIGKILL after 5 s) when the test ends.
func startServer(t *testing.T, cmd *exec.Cmd, path string) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", cmd.Path, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Errorf("%s ignored SIGTERM", cmd.Path)
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(cmd.Path), out.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		select {
		case err := <-exited:
			t.Fatalf("%s exited before listening: %v\n%s", cmd.Path, err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not create %s\n%s", cmd.Path, path, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// openFDs counts this process's open fds.
func openFDs(t testing.TB) int {
	t.Helper()
	n, err := testclient.OpenFDs()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// showWindow runs the sequence every compositor must support: bind,
// toplevel, configure and ack, an shm buffer attached and committed, then
// two more frames, each ending with its frame callback, and the first
// buffer released when a later one replaced it.
func showWindow(t *testing.T, ctx context.Context, c *testclient.Client) *testclient.Window {
	t.Helper()
	if !slices.Contains(c.ShmFormats, wayland.ShmFormatXrgb8888) {
		t.Errorf("wl_shm formats %v lack xrgb8888", c.ShmFormats)
	}
	w, err := c.NewWindow(ctx, "testclient", 200, 100, 0xff0000)
	if err != nil {
		t.Fatalf("NewWindow: %v", err)
	}
	if len(w.Configures) == 0 {
		t.Fatalf("no configure recorded")
	}
	for i, color := range []uint32{0x00ff00, 0x0000ff} {
		if err := w.Draw(ctx, color); err != nil {
			t.Fatalf("frame %d: %v", i+1, err)
		}
	}
	if err := c.WaitFor(ctx, func() bool { return w.Released >= 1 }); err != nil {
		t.Fatalf("waiting for wl_buffer.release: %v (frames %d, releases %d)", err, w.Frames, w.Released)
	}
	if w.Frames < 2 {
		t.Errorf("frames done %d; want at least 2", w.Frames)
	}
	return w
}

// TestWeston runs the window sequence against Debian's weston 10 on its
// headless backend: a server implementation that is not ours.
func TestWeston(t *testing.T) {
	dir := runtimeDir(t)
	startServer(t, exec.Command("weston", "--backend=headless-backend.so", "--socket=wl-test"), filepath.Join(dir, "wl-test"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	before := openFDs(t)
	c, err := testclient.Dial(ctx, "wl-test", client.Options{})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	w := showWindow(t, ctx, c)
	if err := w.Destroy(); err != nil {
		t.Fatal(err)
	}
	if err := c.Roundtrip(ctx); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if after := openFDs(t); after != before {
		t.Errorf("open fds %d -> %d after Close", before, after)
	}
}

// buildGocomp builds cmd/gocomp into the test's temporary directory.
func buildGocomp(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gocomp")
	cmd := exec.Command("go", "build", "-o", bin, "gocomp/cmd/gocomp")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestGocompBinary runs the window sequence against gocomp itself, built
// and started as users start it (with --input none), then asks its seat,
// which has no keyboard, for one: the missing_capability protocol error
// must reach us as a *client.ProtocolError. (TestGocompKeyboard covers
// keymaps.)
func TestGocompBinary(t *testing.T) {
	bin := buildGocomp(t)
	dir := runtimeDir(t)
	// No input (the machine's devices are not the test's): the seat has
	// no keyboard, and asking for one is its protocol error.
	startServer(t, exec.Command(bin, "--backend", "headless", "--input", "none", "--socket", "gocomp-test"), filepath.Join(dir, "gocomp-test"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	before := openFDs(t)
	c, err := testclient.Dial(ctx, "gocomp-test", client.Options{})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	showWindow(t, ctx, c)
	if c.Seat == nil {
		t.Fatal("gocomp advertises no wl_seat")
	}
	if c.SeatCaps != 0 {
		t.Errorf("seat capabilities %v with --input none; want none", c.SeatCaps)
	}
	if _, err := c.Keyboard(); err != nil {
		t.Fatal(err)
	}
	err = c.Roundtrip(ctx)
	var pe *client.ProtocolError
	if !errors.As(err, &pe) || pe.Interface != "wl_seat" || pe.ObjectID != c.Seat.ID() ||
		pe.Code != uint32(wayland.SeatErrorMissingCapability) {
		t.Errorf("get_keyboard on a seat without keyboards: %v; want wl_seat's missing_capability error", err)
	}
	c.Close()
	if after := openFDs(t); after != before {
		t.Errorf("open fds %d -> %d after Close", before, after)
	}
}
