package guest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"syscall"

	"gocomp/evdev/guest/internal/agentproto"
)

// Process is a program running in the guest, started by VM.Start. Its
// output is collected as it arrives; the methods are safe for concurrent
// use.
type Process struct {
	vm   *VM
	id   int
	argv []string

	// Guarded by vm.mu.
	pid     int
	stdout  []byte
	stderr  []byte
	lines   []string // complete stdout lines, without "\n"
	partial int      // start in stdout of the incomplete last line
	exited  bool
	code    int
	signal  int
	failure string
}

// handle applies one agent reply. Called with vm.mu held.
func (p *Process) handle(r agentproto.Reply) {
	switch r.Op {
	case agentproto.OpStarted:
		p.pid = r.Pid
	case agentproto.OpStdout:
		p.stdout = append(p.stdout, r.Data...)
		for {
			i := bytes.IndexByte(p.stdout[p.partial:], '\n')
			if i < 0 {
				break
			}
			p.lines = append(p.lines, string(p.stdout[p.partial:p.partial+i]))
			p.partial += i + 1
		}
	case agentproto.OpStderr:
		p.stderr = append(p.stderr, r.Data...)
	case agentproto.OpExit:
		p.exited, p.code, p.signal = true, r.Code, r.Signal
		if r.Err != "" {
			p.failure = r.Err
		}
	case agentproto.OpError:
		p.exited, p.code, p.failure = true, -1, r.Err
	}
}

// String names the process by its command line.
func (p *Process) String() string { return strings.Join(p.argv, " ") }

// Pid returns the guest pid, 0 before the agent has reported it.
func (p *Process) Pid() int {
	p.vm.mu.Lock()
	defer p.vm.mu.Unlock()
	return p.pid
}

// Lines returns the complete stdout lines so far.
func (p *Process) Lines() []string {
	p.vm.mu.Lock()
	defer p.vm.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// Stdout returns all stdout so far.
func (p *Process) Stdout() string {
	p.vm.mu.Lock()
	defer p.vm.mu.Unlock()
	return string(p.stdout)
}

// Stderr returns all stderr so far.
func (p *Process) Stderr() string {
	p.vm.mu.Lock()
	defer p.vm.mu.Unlock()
	return string(p.stderr)
}

// WaitLine waits for the first stdout line at index >= from for which match
// is true and returns its index and text. It fails when the process ends
// without such a line, or ctx ends.
func (p *Process) WaitLine(ctx context.Context, from int, match func(line string) bool) (int, string, error) {
	for {
		p.vm.mu.Lock()
		for i := from; i < len(p.lines); i++ {
			if match(p.lines[i]) {
				line := p.lines[i]
				p.vm.mu.Unlock()
				return i, line, nil
			}
		}
		from = len(p.lines)
		exited, changed, vmErr := p.exited, p.vm.changed, p.vm.err
		p.vm.mu.Unlock()
		if exited {
			return -1, "", fmt.Errorf("guest: %s ended (%s) without the line waited for; stderr: %s", p, p.status(), p.Stderr())
		}
		if vmErr != nil {
			return -1, "", vmErr
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return -1, "", fmt.Errorf("guest: %s: wait for line: %w", p, ctx.Err())
		}
	}
}

// ExitError is a guest process that ended with a status other than 0.
type ExitError struct {
	Process string // the process's description
	Code    int    // its exit status (128+N for death by signal N)
	Stderr  string // all it wrote to stderr
}

// Error implements error.
func (e *ExitError) Error() string {
	return fmt.Sprintf("guest: %s: exit status %d; stderr: %s", e.Process, e.Code, e.Stderr)
}

// Wait waits for the process to end. It returns nil for exit status 0 and
// otherwise an *ExitError.
func (p *Process) Wait(ctx context.Context) error {
	code, err := p.WaitStatus(ctx)
	if err != nil {
		return err
	}
	if code != 0 {
		return &ExitError{Process: p.String(), Code: code, Stderr: p.Stderr()}
	}
	return nil
}

// WaitStatus waits for the process to exit and returns its exit status.
// Death by a signal, a failure to run it, and the guest or ctx ending
// first are errors.
func (p *Process) WaitStatus(ctx context.Context) (int, error) {
	for {
		p.vm.mu.Lock()
		exited, changed, vmErr := p.exited, p.vm.changed, p.vm.err
		code, signal, failure := p.code, p.signal, p.failure
		p.vm.mu.Unlock()
		if exited {
			if failure != "" || signal != 0 {
				return -1, fmt.Errorf("guest: %s: %s; stderr: %s", p, p.status(), p.Stderr())
			}
			return code, nil
		}
		if vmErr != nil {
			return -1, vmErr
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return -1, fmt.Errorf("guest: %s: wait: %w", p, ctx.Err())
		}
	}
}

// status describes how the process ended.
func (p *Process) status() string {
	p.vm.mu.Lock()
	defer p.vm.mu.Unlock()
	switch {
	case !p.exited:
		return "running"
	case p.failure != "":
		return "failed: " + p.failure
	case p.signal != 0:
		return "killed by " + syscall.Signal(p.signal).String()
	}
	return fmt.Sprintf("exit status %d", p.code)
}

// Signal sends sig to the process (SIGSTOP, SIGCONT, SIGTERM, ...).
func (p *Process) Signal(sig syscall.Signal) error {
	return p.vm.request(agentproto.Request{Op: agentproto.OpSignal, ID: p.id, Signal: int(sig)})
}
