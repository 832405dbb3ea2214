package client_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gocomp/protocols/client"

	"golang.org/x/sys/unix"
)

// listen makes a listening unix socket at path, closed at cleanup. Nobody
// accepts: connecting only needs the backlog.
func listen(t *testing.T, path string) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 8); err != nil {
		t.Fatal(err)
	}
}

// TestConnect finds the server the ways libwayland clients do.
func TestConnect(t *testing.T) {
	dir := t.TempDir()
	listen(t, filepath.Join(dir, "wayland-0"))
	listen(t, filepath.Join(dir, "named"))
	other := t.TempDir()
	listen(t, filepath.Join(other, "abs"))
	tests := []struct {
		name    string
		env     map[string]string // "" unsets
		socket  string
		wantErr string
	}{
		{"explicit name", map[string]string{"XDG_RUNTIME_DIR": dir}, "named", ""},
		{"absolute path", map[string]string{"XDG_RUNTIME_DIR": ""}, filepath.Join(other, "abs"), ""},
		{"WAYLAND_DISPLAY", map[string]string{"XDG_RUNTIME_DIR": dir, "WAYLAND_DISPLAY": "named"}, "", ""},
		{"wayland-0 by default", map[string]string{"XDG_RUNTIME_DIR": dir, "WAYLAND_DISPLAY": ""}, "", ""},
		{"no XDG_RUNTIME_DIR", map[string]string{"XDG_RUNTIME_DIR": ""}, "named", "XDG_RUNTIME_DIR is not set"},
		{"no such socket", map[string]string{"XDG_RUNTIME_DIR": dir}, "missing", "no such file"},
		{"path too long", map[string]string{"XDG_RUNTIME_DIR": dir}, strings.Repeat("x", 120), "too long"},
		{"bad WAYLAND_SOCKET", map[string]string{"WAYLAND_SOCKET": "three"}, "", "not a file descriptor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("WAYLAND_SOCKET", "")
			os.Unsetenv("WAYLAND_SOCKET")
			for k, v := range tt.env {
				t.Setenv(k, v)
				if v == "" {
					os.Unsetenv(k)
				}
			}
			c, err := client.Connect(tt.socket, client.Options{})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Connect(%q) = %v", tt.socket, err)
				}
				c.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Connect(%q) = %v; want an error containing %q", tt.socket, err, tt.wantErr)
			}
		})
	}
}

// TestConnectInherited: WAYLAND_SOCKET names an inherited socket, which is
// used as it is and marked close-on-exec; the variable is then unset so
// that children do not inherit it.
func TestConnectInherited(t *testing.T) {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0) // inherited: no CLOEXEC
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pair[0])
	t.Setenv("WAYLAND_SOCKET", strconv.Itoa(pair[1]))
	c, err := client.Connect("", client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Fd() != pair[1] {
		t.Errorf("Fd() = %d; want the inherited %d", c.Fd(), pair[1])
	}
	if _, ok := os.LookupEnv("WAYLAND_SOCKET"); ok {
		t.Errorf("WAYLAND_SOCKET still set")
	}
	if flags, err := unix.FcntlInt(uintptr(pair[1]), unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("inherited socket flags %#x, %v; want FD_CLOEXEC", flags, err)
	}
	if err := c.Sync(nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := unix.Read(pair[0], buf)
	if err != nil || n != 12 || !strings.HasPrefix(string(buf[:n]), string(words(1, 12<<16))) {
		t.Errorf("server end read % x, %v; want wl_display.sync", buf[:n], err)
	}
	if errors.Is(c.Err(), client.ErrClosed) {
		t.Errorf("connection closed")
	}
}
