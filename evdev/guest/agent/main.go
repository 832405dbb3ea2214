// Command agent runs inside the guest of the evdev test rig. /init starts
// it after loading the kernel modules; it opens the virtio-serial port
// named agentproto.PortName and runs the processes the host asks for,
// streaming their output back (see package agentproto).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"gocomp/evdev/guest/internal/agentproto"
)

// agent serialises replies on the port and tracks running processes.
type agent struct {
	mu    sync.Mutex
	enc   *json.Encoder
	procs map[int]*os.Process
}

func (a *agent) send(r agentproto.Reply) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.enc.Encode(r); err != nil {
		fmt.Fprintln(os.Stderr, "agent: write:", err)
	}
}

// openPort finds the virtio-serial port by name in sysfs and opens its
// node, waiting for the driver to create it.
func openPort() (*os.File, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		names, _ := filepath.Glob("/sys/class/virtio-ports/*/name")
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil || strings.TrimSpace(string(b)) != agentproto.PortName {
				continue
			}
			dev := "/dev/" + filepath.Base(filepath.Dir(n))
			// A blocking fd keeps the port out of Go's edge-triggered
			// netpoller: reads and writes are plain blocking syscalls, so
			// progress never depends on the driver's poll wake-ups.
			if fd, err := syscall.Open(dev, syscall.O_RDWR|syscall.O_CLOEXEC, 0); err == nil {
				return os.NewFile(uintptr(fd), dev), nil
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("agent: no virtio port named %s", agentproto.PortName)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// start runs one process and streams its output; it replies exit when
// both streams are drained and the process has been reaped.
func (a *agent) start(req agentproto.Request) {
	if len(req.Argv) == 0 {
		a.send(agentproto.Reply{Op: agentproto.OpError, ID: req.ID, Err: "empty argv"})
		return
	}
	cmd := exec.Command(req.Argv[0], req.Argv[1:]...)
	cmd.Env = append([]string{"PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/root"}, req.Env...)
	cmd.Dir = req.Dir
	stdout, err1 := cmd.StdoutPipe()
	stderr, err2 := cmd.StderrPipe()
	if err1 != nil || err2 != nil {
		a.send(agentproto.Reply{Op: agentproto.OpError, ID: req.ID, Err: fmt.Sprint(err1, err2)})
		return
	}
	if err := cmd.Start(); err != nil {
		a.send(agentproto.Reply{Op: agentproto.OpError, ID: req.ID, Err: err.Error()})
		return
	}
	a.mu.Lock()
	a.procs[req.ID] = cmd.Process
	a.mu.Unlock()
	a.send(agentproto.Reply{Op: agentproto.OpStarted, ID: req.ID, Pid: cmd.Process.Pid})
	var wg sync.WaitGroup
	stream := func(r io.Reader, op string) {
		defer wg.Done()
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				a.send(agentproto.Reply{Op: op, ID: req.ID, Data: append([]byte(nil), buf[:n]...)})
			}
			if err != nil {
				return
			}
		}
	}
	wg.Add(2)
	go stream(stdout, agentproto.OpStdout)
	go stream(stderr, agentproto.OpStderr)
	go func() {
		wg.Wait()
		err := cmd.Wait()
		r := agentproto.Reply{Op: agentproto.OpExit, ID: req.ID}
		if st, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && st.Signaled() {
			r.Code, r.Signal = -1, int(st.Signal())
		} else {
			r.Code = cmd.ProcessState.ExitCode()
		}
		if err != nil && r.Code == 0 && r.Signal == 0 {
			r.Err = err.Error()
		}
		a.mu.Lock()
		delete(a.procs, req.ID)
		a.mu.Unlock()
		a.send(r)
	}()
}

func (a *agent) signal(req agentproto.Request) {
	a.mu.Lock()
	p := a.procs[req.ID]
	a.mu.Unlock()
	if p == nil {
		a.send(agentproto.Reply{Op: agentproto.OpError, ID: req.ID, Err: "no such process"})
		return
	}
	if err := p.Signal(syscall.Signal(req.Signal)); err != nil {
		a.send(agentproto.Reply{Op: agentproto.OpError, ID: req.ID, Err: err.Error()})
	}
}

func main() {
	port, err := openPort()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	a := &agent{enc: json.NewEncoder(port), procs: map[int]*os.Process{}}
	a.send(agentproto.Reply{Op: agentproto.OpReady})
	sc := bufio.NewScanner(port)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var req agentproto.Request
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			a.send(agentproto.Reply{Op: agentproto.OpError, Err: "bad request: " + err.Error()})
			continue
		}
		switch req.Op {
		case agentproto.OpStart:
			a.start(req)
		case agentproto.OpSignal:
			a.signal(req)
		default:
			a.send(agentproto.Reply{Op: agentproto.OpError, ID: req.ID, Err: "unknown op " + req.Op})
		}
	}
	fmt.Fprintln(os.Stderr, "agent: port closed:", sc.Err())
}
