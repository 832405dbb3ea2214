package compositor

import (
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gocomp/compositor/headless"
	"gocomp/compositor/loop"
)

// TestRunRealClientInProcess runs Server.Run with a real Debian client
// (wayland-info, its output captured through a shell redirect) and checks
// its exit status, what it saw, and that the whole server left no fd or
// goroutine behind.
func TestRunRealClientInProcess(t *testing.T) {
	if _, err := exec.LookPath("wayland-info"); err != nil {
		t.Fatal("wayland-info is required (make deps installs wayland-utils):", err)
	}
	dir := runtimeDir(t)
	warmRuntime()
	fds, goroutines := openFDs(t), runtime.NumGoroutine()
	out := filepath.Join(t.TempDir(), "info.txt")

	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	b, err := headless.New(l, headless.Config{Mode: testMode})
	if err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	srv, err := New(l, b, Config{Socket: "in-process", Log: slog.New(slog.NewTextHandler(log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	status, err := srv.Run([]string{"sh", "-c", `wayland-info > "$0"; status=$?; exit $((status + 40))`, out})
	if err != nil {
		t.Fatal(err)
	}
	if status != 40 {
		t.Errorf("Run returned %d; want 40 (wayland-info's 0 + 40, passed through)\n%s", status, log.String())
	}
	srv.Close()
	l.Close()

	info, _ := os.ReadFile(out)
	for _, want := range []string{"'wl_compositor'", "'xdg_wm_base'", "width: 320 px, height: 240 px, refresh: 120.000 Hz"} {
		if !strings.Contains(string(info), want) {
			t.Errorf("wayland-info output lacks %q:\n%s", want, info)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "in-process*")); len(left) != 0 {
		t.Errorf("socket files left behind: %v", left)
	}
	checkNoLeaks(t, fds, goroutines)
}
