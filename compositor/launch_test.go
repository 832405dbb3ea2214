package compositor

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gocomp/compositor/loop"
)

// waitProgram reaps p only when SIGCHLD has reached the loop (*chld
// counts them), as the server does.
func waitProgram(t *testing.T, p *Program, l *loop.Loop, chld *int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if *chld > 0 {
			*chld = 0
			exited, err := p.Reap()
			if err != nil {
				t.Fatal(err)
			}
			if exited {
				return p.ExitStatus()
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("program did not exit")
		}
		if err := l.Dispatch(time.Second); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLaunchEnvironmentAndStatus(t *testing.T) {
	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	chld := 0
	stop := l.HandleSignals(func(os.Signal) { chld++ }, syscall.SIGCHLD)
	defer stop()

	t.Setenv("WAYLAND_SOCKET", "7")
	t.Setenv("WAYLAND_DISPLAY", "inherited")
	out := filepath.Join(t.TempDir(), "env")
	p, err := Launch([]string{"sh", "-c", `echo "$WAYLAND_DISPLAY ${WAYLAND_SOCKET-unset}" > "$0"; exit 7`, out}, "wayland-9")
	if err != nil {
		t.Fatal(err)
	}
	if got := waitProgram(t, p, l, &chld); got != 7 {
		t.Errorf("exit status %d; want 7", got)
	}
	env, _ := os.ReadFile(out)
	if got := strings.TrimSpace(string(env)); got != "wayland-9 unset" {
		t.Errorf("program saw %q; want WAYLAND_DISPLAY=wayland-9 and no WAYLAND_SOCKET", got)
	}

	p, err = Launch([]string{"sh", "-c", "kill -TERM $$"}, "wayland-9")
	if err != nil {
		t.Fatal(err)
	}
	if got := waitProgram(t, p, l, &chld); got != 128+int(syscall.SIGTERM) {
		t.Errorf("killed program status %d; want %d", got, 128+int(syscall.SIGTERM))
	}
	if _, err := Launch([]string{"/nonexistent/program"}, "x"); err == nil {
		t.Error("Launch of a missing program succeeded")
	}
	if _, err := Launch(nil, "x"); err == nil {
		t.Error("Launch of nothing succeeded")
	}
}
