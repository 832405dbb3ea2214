package compositor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Program is a client program launched by the compositor.
type Program struct {
	proc   *os.Process
	pid    int
	exited bool
	status int
}

// Launch starts argv[0] (looked up in PATH) with argv, the compositor's
// environment minus WAYLAND_SOCKET and with WAYLAND_DISPLAY=display, and
// the compositor's stdin, stdout and stderr. The caller reaps it with Reap
// when SIGCHLD arrives (subscribe to SIGCHLD before calling Launch so an
// early exit is not missed).
func Launch(argv []string, display string) (*Program, error) {
	if len(argv) == 0 {
		return nil, errors.New("compositor: launch: no program given")
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("compositor: launch: %w", err)
	}
	env := make([]string, 0, len(os.Environ())+1)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "WAYLAND_SOCKET=") || strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "WAYLAND_DISPLAY="+display)
	proc, err := os.StartProcess(path, argv, &os.ProcAttr{
		Env:   env,
		Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
	})
	if err != nil {
		return nil, fmt.Errorf("compositor: launch %s: %w", argv[0], err)
	}
	return &Program{proc: proc, pid: proc.Pid}, nil
}

// Pid returns the program's process id.
func (p *Program) Pid() int { return p.pid }

// Reap collects the program's exit status without blocking. It reports
// whether the program has exited; only this program is waited for, so
// other children of the process are left to their owners.
func (p *Program) Reap() (exited bool, err error) {
	if p.exited {
		return true, nil
	}
	var ws unix.WaitStatus
	pid, err := unix.Wait4(p.pid, &ws, unix.WNOHANG, nil)
	if err != nil {
		return false, fmt.Errorf("compositor: wait for pid %d: %w", p.pid, err)
	}
	if pid != p.pid || !(ws.Exited() || ws.Signaled()) {
		return false, nil
	}
	p.setStatus(ws)
	return true, nil
}

// Wait blocks until the program has exited and collects its status; it
// returns at once when Reap already did.
func (p *Program) Wait() error {
	for !p.exited {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(p.pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("compositor: wait for pid %d: %w", p.pid, err)
		}
		if pid == p.pid && (ws.Exited() || ws.Signaled()) {
			p.setStatus(ws)
		}
	}
	return nil
}

// setStatus records the status of the exited program.
func (p *Program) setStatus(ws unix.WaitStatus) {
	p.exited = true
	if ws.Signaled() {
		p.status = 128 + int(ws.Signal())
	} else {
		p.status = ws.ExitStatus()
	}
	p.proc.Release()
}

// Exited reports whether the program has exited and been reaped.
func (p *Program) Exited() bool { return p.exited }

// ExitStatus is the program's exit code, or 128+signal if a signal killed
// it. It is meaningful once Reap reported an exit.
func (p *Program) ExitStatus() int { return p.status }

// Signal sends sig to the program unless it has been reaped.
func (p *Program) Signal(sig syscall.Signal) error {
	if p.exited {
		return nil
	}
	return p.proc.Signal(sig)
}
