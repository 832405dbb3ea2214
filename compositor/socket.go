package compositor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// maxAutoSockets is how many wayland-N names ListenSocket tries.
const maxAutoSockets = 32

// Socket is the listening Wayland socket with its lock file, as libwayland
// lays them out: $XDG_RUNTIME_DIR/wayland-N and wayland-N.lock, the lock
// held with flock for the socket's lifetime.
type Socket struct {
	// Name is the value for WAYLAND_DISPLAY: the name relative to
	// $XDG_RUNTIME_DIR, or an absolute path.
	Name string
	// Path is the socket's file system path.
	Path string

	fd       int
	lockPath string
	lockFD   int
}

// RuntimeDir returns $XDG_RUNTIME_DIR after checking that it is set and is
// a directory with mode 0700.
func RuntimeDir() (string, error) {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		return "", errors.New("compositor: XDG_RUNTIME_DIR is not set (it must name a directory with mode 0700)")
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("compositor: XDG_RUNTIME_DIR: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("compositor: XDG_RUNTIME_DIR %s is not a directory", dir)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		return "", fmt.Errorf("compositor: XDG_RUNTIME_DIR %s has mode %#o; want 0700", dir, perm)
	}
	return dir, nil
}

// ListenSocket creates the listening socket. With name "" it takes the
// first free wayland-N (N from 0); otherwise name is used as given,
// relative to $XDG_RUNTIME_DIR unless absolute. A socket file left behind
// by a dead compositor is replaced only when its lock is free. The socket
// is non-blocking and close-on-exec.
func ListenSocket(name string) (*Socket, error) {
	if name != "" && filepath.IsAbs(name) {
		return listenAt(name, name)
	}
	dir, err := RuntimeDir()
	if err != nil {
		return nil, err
	}
	if name != "" {
		return listenAt(name, filepath.Join(dir, name))
	}
	for n := 0; n < maxAutoSockets; n++ {
		name := "wayland-" + strconv.Itoa(n)
		s, err := listenAt(name, filepath.Join(dir, name))
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errSocketInUse) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("compositor: no free socket name in %s (wayland-0 .. wayland-%d all in use)", dir, maxAutoSockets-1)
}

var errSocketInUse = errors.New("in use by another compositor")

func listenAt(name, path string) (*Socket, error) {
	if len(path) >= len(unix.RawSockaddrUnix{}.Path) {
		return nil, fmt.Errorf("compositor: socket path %s is too long", path)
	}
	s := &Socket{Name: name, Path: path, fd: -1, lockPath: path + ".lock", lockFD: -1}
	var err error
	s.lockFD, err = unix.Open(s.lockPath, unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC, 0o660)
	if err != nil {
		return nil, fmt.Errorf("compositor: open lock %s: %w", s.lockPath, err)
	}
	if err := unix.Flock(s.lockFD, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		unix.Close(s.lockFD)
		if err == unix.EWOULDBLOCK {
			return nil, fmt.Errorf("compositor: socket %s: %w", path, errSocketInUse)
		}
		return nil, fmt.Errorf("compositor: lock %s: %w", s.lockPath, err)
	}
	// We hold the lock, so a socket file here is stale.
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.Close()
		return nil, fmt.Errorf("compositor: remove stale socket: %w", err)
	}
	s.fd, err = unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("compositor: socket: %w", err)
	}
	if err := unix.Bind(s.fd, &unix.SockaddrUnix{Name: path}); err != nil {
		unix.Close(s.fd)
		s.fd = -1
		s.Close()
		return nil, fmt.Errorf("compositor: bind %s: %w", path, err)
	}
	if err := unix.Listen(s.fd, 128); err != nil {
		s.Close()
		return nil, fmt.Errorf("compositor: listen on %s: %w", path, err)
	}
	return s, nil
}

// FD returns the listening descriptor.
func (s *Socket) FD() int { return s.fd }

// Accept returns the next pending connection (non-blocking, close-on-exec),
// or unix.EAGAIN when none is left.
func (s *Socket) Accept() (int, error) {
	fd, _, err := unix.Accept4(s.fd, unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK)
	return fd, err
}

// Close closes the socket, removes the socket file and the lock file, and
// releases the lock. It is idempotent and safe on nil.
func (s *Socket) Close() error {
	if s == nil {
		return nil
	}
	var errs []error
	if s.fd >= 0 {
		unix.Close(s.fd)
		s.fd = -1
		if err := os.Remove(s.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if s.lockFD >= 0 {
		// Remove before unlocking so no other compositor takes a lock on
		// a file that is about to vanish.
		if err := os.Remove(s.lockPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
		unix.Close(s.lockFD)
		s.lockFD = -1
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("compositor: close socket: %w", err)
	}
	return nil
}
