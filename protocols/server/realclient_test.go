package server_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocomp/protocols/server"
	"gocomp/protocols/wayland"

	"golang.org/x/sys/unix"
)

// serveSocket listens on a unix socket in a fresh XDG_RUNTIME_DIR and
// serves d until done is closed, with a poll loop shaped like the
// compositor's: flush every client, wait, accept or read.
func serveSocket(t *testing.T, d *server.Display, done <-chan struct{}) (runtimeDir, name string) {
	t.Helper()
	runtimeDir = t.TempDir()
	if err := os.Chmod(runtimeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	name = "wayland-test"
	lfd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(lfd, &unix.SockaddrUnix{Name: filepath.Join(runtimeDir, name)}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(lfd, 8); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 1)
	go func() {
		var err error
		// The listening socket is closed before the cleanup below hears
		// of the end, so that no later test sees an fd of this one close.
		defer func() {
			unix.Close(lfd)
			errs <- err
		}()
		var clients []*server.Client
		for {
			select {
			case <-done:
				d.Close()
				return
			default:
			}
			d.FlushClients()
			pfds := []unix.PollFd{{Fd: int32(lfd), Events: unix.POLLIN}}
			live := clients[:0]
			for _, c := range clients {
				if !c.Closed() {
					live = append(live, c)
					pfds = append(pfds, unix.PollFd{Fd: int32(c.Fd()), Events: unix.POLLIN})
				}
			}
			clients = live
			if _, err = unix.Poll(pfds, 50); err != nil && !errors.Is(err, unix.EINTR) {
				return
			}
			err = nil
			for i, c := range clients {
				if pfds[i+1].Revents != 0 {
					c.HandleReadable()
				}
			}
			if pfds[0].Revents&unix.POLLIN != 0 {
				var fd int
				if fd, _, err = unix.Accept4(lfd, unix.SOCK_CLOEXEC); err != nil {
					return
				}
				var c *server.Client
				if c, err = d.NewClient(fd, server.ClientHooks{}); err != nil {
					return
				}
				clients = append(clients, c)
			}
		}
	}()
	t.Cleanup(func() {
		if err := <-errs; err != nil {
			t.Errorf("server loop: %v", err)
		}
	})
	return runtimeDir, name
}

// TestWaylandInfo serves Debian's wayland-info (libwayland-client) from the
// runtime alone, with wl_compositor, wl_shm and wl_output globals, and
// checks what it reports.
func TestWaylandInfo(t *testing.T) {
	var trace strings.Builder
	d := server.NewDisplay(server.Options{Trace: func(_ *server.Client, line string) {
		trace.WriteString(line + "\n")
	}})
	if _, err := wayland.AddCompositorGlobal(d, 6, func(r *wayland.Compositor) error {
		r.SetHandler(&compositor{})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := wayland.AddShmGlobal(d, 1, func(r *wayland.Shm) error {
		r.SetHandler(&shm{})
		r.SendFormat(wayland.ShmFormatArgb8888)
		r.SendFormat(wayland.ShmFormatXrgb8888)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := wayland.AddOutputGlobal(d, 4, func(r *wayland.Output) error {
		r.SendGeometry(0, 0, 340, 190, wayland.OutputSubpixelUnknown, "gocomp", "test", wayland.OutputTransformNormal)
		r.SendMode(wayland.OutputModeCurrent|wayland.OutputModePreferred, 1280, 720, 60000)
		r.SendScale(1)
		r.SendName("TEST-1")
		r.SendDone()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	dir, name := serveSocket(t, d, done)
	defer close(done)

	cmd := exec.Command("wayland-info")
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+dir, "WAYLAND_DISPLAY="+name)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("wayland-info: %v (make deps installs wayland-utils)", err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("wayland-info: %v\n%s\ntrace:\n%s", err, out.String(), trace.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("wayland-info hung\n%s\ntrace:\n%s", out.String(), trace.String())
	}
	for _, want := range []string{"'wl_compositor', ", "'wl_shm', ", "0 = 'AR24'", "1 = 'XR24'", "'wl_output', ", "width: 1280 px, height: 720 px, refresh: 60.000 Hz", "flags: current preferred", "name: TEST-1", "make: 'gocomp'"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("wayland-info output lacks %q:\n%s", want, out.String())
		}
	}
}
