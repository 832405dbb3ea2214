// Package benchkit holds what the protocol benchmarks share: the C
// anchors (libwayland doing the same work as the Go code measured), built
// with gcc, and gocomp's server run in a child process.
package benchkit

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gocomp/compositor/loop"
	"gocomp/protocols/server"

	"golang.org/x/sys/unix"
)

// BuildAnchor compiles the C anchor src with gcc -O2 against the
// pkg-config package lib ("wayland-server" or "wayland-client") into a
// temporary directory and returns the program's path. make deps installs
// gcc, pkg-config and libwayland-dev.
func BuildAnchor(tb testing.TB, src, lib string) string {
	tb.Helper()
	flags, err := exec.Command("pkg-config", "--cflags", "--libs", lib).Output()
	if err != nil {
		tb.Fatalf("pkg-config %s: %v (run make deps)", lib, err)
	}
	bin := filepath.Join(tb.TempDir(), strings.TrimSuffix(filepath.Base(src), ".c"))
	args := append([]string{"-O2", "-o", bin, src}, strings.Fields(string(flags))...)
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		tb.Fatalf("gcc %v: %v\n%s", args, err, out)
	}
	return bin
}

// AnchorFigure runs cmd, an anchor that prints one number (its own
// measurement, taken without its start-up), and returns the number.
func AnchorFigure(tb testing.TB, cmd *exec.Cmd) float64 {
	tb.Helper()
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("%s: %v", cmd.Path, err)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		tb.Fatalf("%s printed %q: %v", cmd.Path, out, err)
	}
	return v
}

// serverEnv names the fd a test binary started by ServerCmd serves.
const serverEnv = "GOCOMP_BENCH_SERVER_FD"

// ServeIfChild makes a test binary started by ServerCmd act as gocomp's
// server: it serves the one client on its fd 3 and exits. Call it first
// in TestMain; in the parent it returns at once.
func ServeIfChild() {
	v := os.Getenv(serverEnv)
	if v == "" {
		return
	}
	fd, err := strconv.Atoi(v)
	if err == nil {
		err = serveOne(fd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchkit server:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// ServerCmd returns the command that runs this test binary as gocomp's
// server for the client on its fd 3 (see ServeIfChild).
func ServerCmd() *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serverEnv+"=3")
	return cmd
}

// serveOne serves the client on fd with gocomp's server runtime from a
// compositor/loop loop, as the compositor does, until the client leaves.
func serveOne(fd int) error {
	l, err := loop.New()
	if err != nil {
		return err
	}
	defer l.Close()
	d := server.NewDisplay(server.Options{})
	defer d.Close()
	var src *loop.FDSource
	c, err := d.NewClient(fd, server.ClientHooks{Disconnected: func(_ *server.Client, reason error) {
		src.Remove()
		l.Stop()
		if !errors.Is(reason, server.ErrClientClosed) {
			fmt.Fprintln(os.Stderr, "benchkit server: client disconnected:", reason)
		}
	}})
	if err != nil {
		return err
	}
	if src, err = l.AddFD(fd, loop.Readable, func(loop.Events) { c.HandleReadable() }); err != nil {
		return err
	}
	l.AddBeforeWait(d.FlushClients)
	return l.Run()
}

// StartPeer starts cmd with one end of a new unix socketpair as its fd 3
// and returns the other end, and a function that waits for cmd to exit
// (close the end first if the peer runs until the hang-up).
func StartPeer(tb testing.TB, cmd *exec.Cmd) (fd int, wait func()) {
	tb.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	peer := os.NewFile(uintptr(fds[0]), "peer-end")
	cmd.ExtraFiles = []*os.File{peer}
	cmd.Stderr = os.Stderr
	err = cmd.Start()
	peer.Close()
	if err != nil {
		unix.Close(fds[1])
		tb.Fatalf("%s: %v", cmd.Path, err)
	}
	return fds[1], func() {
		if err := cmd.Wait(); err != nil {
			tb.Errorf("%s: %v", cmd.Path, err)
		}
	}
}
