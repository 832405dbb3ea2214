package client

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// Connect connects to a Wayland server and returns the connection.
//
// With name "", the server is found as libwayland clients find it: if
// WAYLAND_SOCKET holds the number of an inherited, connected socket, that
// socket is used (made close-on-exec, and the variable is unset so that
// children do not inherit it); otherwise the socket is $WAYLAND_DISPLAY,
// or "wayland-0" when that is unset. A socket name is an absolute path or
// a name in $XDG_RUNTIME_DIR.
func Connect(name string, opts Options) (*Conn, error) {
	if name == "" {
		if v, ok := os.LookupEnv("WAYLAND_SOCKET"); ok {
			return connectInherited(v, opts)
		}
		name = os.Getenv("WAYLAND_DISPLAY")
		if name == "" {
			name = "wayland-0"
		}
	}
	path, err := socketPath(name)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("client: socket: %w", err)
	}
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("client: connect to %s: %w", path, err)
	}
	c, err := NewConn(fd, opts)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return c, nil
}

// socketPath resolves a socket name to a path.
func socketPath(name string) (string, error) {
	path := name
	if !filepath.IsAbs(name) {
		dir := os.Getenv("XDG_RUNTIME_DIR")
		if dir == "" {
			return "", errors.New("client: XDG_RUNTIME_DIR is not set and the socket name " + strconv.Quote(name) + " is not an absolute path")
		}
		path = filepath.Join(dir, name)
	}
	if len(path) >= len(unix.RawSockaddrUnix{}.Path) {
		return "", fmt.Errorf("client: socket path %q is too long", path)
	}
	return path, nil
}

// connectInherited uses the socket named by WAYLAND_SOCKET.
func connectInherited(v string, opts Options) (*Conn, error) {
	os.Unsetenv("WAYLAND_SOCKET")
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 0 {
		return nil, fmt.Errorf("client: WAYLAND_SOCKET=%q is not a file descriptor", v)
	}
	// An fd that is not a stream socket is not the one a parent meant to
	// hand over: it is left alone (not closed: something else owns it).
	if typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE); err != nil || typ != unix.SOCK_STREAM {
		return nil, fmt.Errorf("client: WAYLAND_SOCKET=%d is not a connected stream socket", fd)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC); err != nil {
		return nil, fmt.Errorf("client: WAYLAND_SOCKET=%d: %w", fd, err)
	}
	c, err := NewConn(fd, opts)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return c, nil
}
