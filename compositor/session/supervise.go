package session

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// SupervisedEnv is the environment variable through which a supervising
// parent tells the compositor it runs supervised, and on which virtual
// terminal: the direct session takes that one.
const SupervisedEnv = "GOCOMP_SUPERVISED_VT"

// SupervisedVT returns the virtual terminal a supervising parent gave the
// compositor, or 0 when it does not run supervised.
func SupervisedVT(getenv func(string) string) int {
	n, err := strconv.Atoi(getenv(SupervisedEnv))
	if err != nil || n < 1 || n > maxVT {
		return 0
	}
	return n
}

// Supervise runs the compositor as a child process (this program again,
// with args and SupervisedEnv set to vt) and puts virtual terminal vt back
// however the child ends: its saved keyboard mode, text mode, automatic
// switching, even after SIGKILL or a crash, which leave the direct
// session no chance to do it itself. It returns the child's exit status
// (128+signal when a signal ended it). SIGTERM and SIGHUP are passed on to
// the child; SIGINT and SIGQUIT are ignored, as the child, in the same
// process group, gets those from the terminal itself. If the parent is
// killed, the child gets SIGTERM.
func Supervise(vt int, args []string, log *slog.Logger) (int, error) {
	if vt == 0 {
		var err error
		if vt, err = CurrentVT(); err != nil {
			return 1, err
		}
	}
	tty, st, err := SaveTerminal(vt)
	if err != nil {
		return 1, err
	}
	defer unix.Close(tty)
	// The child's death signal is tied to the thread that started it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	signal.Ignore(syscall.SIGINT, syscall.SIGQUIT)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	cmd := exec.Command("/proc/self/exe", args...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = append(os.Environ(), SupervisedEnv+"="+strconv.Itoa(vt))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return 1, fmt.Errorf("session: start the supervised compositor: %w", err)
	}
	log.Debug("session: supervising the compositor", "pid", cmd.Process.Pid, "vt", vt)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var waitErr error
	for done := false; !done; {
		select {
		case sig := <-sigs:
			cmd.Process.Signal(sig)
		case waitErr = <-exited:
			done = true
		}
	}
	restoreErr := RestoreTerminal(tty, st)
	status := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(waitErr, &exitErr):
		ws := exitErr.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			status = 128 + int(ws.Signal())
			log.Error("compositor killed by a signal; terminal restored", "signal", ws.Signal().String(), "vt", vt)
		} else {
			status = ws.ExitStatus()
		}
	case waitErr != nil:
		return 1, fmt.Errorf("session: wait for the supervised compositor: %w", waitErr)
	}
	return status, restoreErr
}
