package compositor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// runtimeDir points XDG_RUNTIME_DIR at a fresh 0700 directory.
func runtimeDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", dir)
	return dir
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func TestRuntimeDirErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	open := filepath.Join(dir, "open")
	os.Mkdir(open, 0o755)
	for _, tc := range []struct {
		value, want string
	}{
		{"", "XDG_RUNTIME_DIR is not set"},
		{filepath.Join(dir, "missing"), "no such file"},
		{file, "is not a directory"},
		{open, "mode 0755; want 0700"},
	} {
		t.Setenv("XDG_RUNTIME_DIR", tc.value)
		_, err := ListenSocket("")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ListenSocket with XDG_RUNTIME_DIR=%q: err = %v; want it to say %q", tc.value, err, tc.want)
		}
	}
}

func TestListenSocketPicksFirstFreeName(t *testing.T) {
	dir := runtimeDir(t)
	// wayland-0 is held by a live compositor (its lock is taken).
	lock0, err := unix.Open(filepath.Join(dir, "wayland-0.lock"), unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(lock0)
	if err := unix.Flock(lock0, unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "wayland-0"), nil, 0o600)
	// wayland-1 was left behind by a dead one: socket file, free lock.
	os.WriteFile(filepath.Join(dir, "wayland-1"), []byte("stale"), 0o600)
	os.WriteFile(filepath.Join(dir, "wayland-1.lock"), nil, 0o600)

	s, err := ListenSocket("")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "wayland-1" {
		t.Fatalf("socket name %q; want wayland-1 (0 locked, 1 stale)", s.Name)
	}
	if fi, err := os.Lstat(s.Path); err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("%s is not a socket: %v %v", s.Path, fi, err)
	}
	s2, err := ListenSocket("")
	if err != nil {
		t.Fatal(err)
	}
	if s2.Name != "wayland-2" {
		t.Errorf("second socket name %q; want wayland-2", s2.Name)
	}
	if _, err := ListenSocket("wayland-1"); !errors.Is(err, errSocketInUse) {
		t.Errorf("ListenSocket(wayland-1) while held: err = %v; want in use", err)
	}

	// A client can connect.
	c, _ := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err := unix.Connect(c, &unix.SockaddrUnix{Name: s.Path}); err != nil {
		t.Fatalf("connect: %v", err)
	}
	unix.Close(c)
	fd, err := s.Accept()
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	unix.Close(fd)
	if _, err := s.Accept(); !errors.Is(err, unix.EAGAIN) {
		t.Errorf("second accept: err = %v; want EAGAIN", err)
	}

	for _, s := range []*Socket{s, s2} {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if exists(s.Path) || exists(s.Path+".lock") {
			t.Errorf("%s or its lock still exists after Close", s.Path)
		}
	}
	if !exists(filepath.Join(dir, "wayland-0")) {
		t.Error("the live compositor's wayland-0 was removed")
	}
	var nilSocket *Socket
	nilSocket.Close()
}

func TestListenSocketNamedAndAbsolute(t *testing.T) {
	dir := runtimeDir(t)
	s, err := ListenSocket("gocomp-test")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path != filepath.Join(dir, "gocomp-test") || s.Name != "gocomp-test" {
		t.Errorf("socket %q at %q; want gocomp-test in %s", s.Name, s.Path, dir)
	}
	if _, err := ListenSocket(strings.Repeat("x", 200)); err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("200-byte name: err = %v; want too long", err)
	}
	abs := filepath.Join(t.TempDir(), "abs")
	t.Setenv("XDG_RUNTIME_DIR", "") // not needed for an absolute path
	a, err := ListenSocket(abs)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Name != abs || a.Path != abs {
		t.Errorf("absolute socket %q at %q; want %q", a.Name, a.Path, abs)
	}
}
