package shmem

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
	"testing"

	"golang.org/x/sys/unix"
)

func memfd(t *testing.T, size int) int {
	t.Helper()
	fd, err := unix.MemfdCreate("shmem-test", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		t.Fatal(err)
	}
	return fd
}

func TestCopyRowsAndResize(t *testing.T) {
	fd := memfd(t, 4096)
	w, err := unix.Mmap(fd, 0, 8192, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(w)
	for i := range 4096 {
		w[i] = byte(i)
	}
	dup, _ := unix.Dup(fd)
	p, err := Map(dup, 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	dst := make([]byte, 6)
	// Rows of 3 bytes at 10, 20: strided source, packed destination.
	if err := p.CopyRows(dst, 3, 10, 10, 3, 2); err != nil {
		t.Fatal(err)
	}
	if want := []byte{10, 11, 12, 20, 21, 22}; !bytes.Equal(dst, want) {
		t.Errorf("CopyRows = %v; want %v", dst, want)
	}
	if err := p.CopyRows(dst, 3, 4092, 3, 3, 2); err == nil {
		t.Error("CopyRows past the end succeeded")
	}
	if err := p.Resize(100); err == nil {
		t.Error("shrinking Resize succeeded")
	}
	unix.Ftruncate(fd, 8192)
	w[5000] = 42
	if err := p.Resize(8192); err != nil {
		t.Fatal(err)
	}
	if err := p.CopyRows(dst[:1], 1, 5000, 1, 1, 1); err != nil || dst[0] != 42 {
		t.Errorf("after Resize: CopyRows = %v, %v; want 42, nil", dst[0], err)
	}
	unix.Close(fd)
}

func TestTruncatedPoolFaults(t *testing.T) {
	fd := memfd(t, 1<<16)
	p, err := Map(fd, 1<<16)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	dst := make([]byte, 1<<16)
	if err := p.CopyRows(dst, 256, 0, 256, 256, 256); err != nil {
		t.Fatal(err)
	}
	unix.Ftruncate(fd, 0) // the hostile client shrinks its file
	err = p.CopyRows(dst, 256, 0, 256, 256, 256)
	if !errors.Is(err, ErrFault) {
		t.Fatalf("CopyRows of a truncated pool: err = %v; want ErrFault", err)
	}
	if debug.SetPanicOnFault(false) {
		t.Error("CopyRows left panic-on-fault set on the goroutine")
	}
}

func TestMapErrors(t *testing.T) {
	if _, err := Map(-1, 0); err == nil {
		t.Error("Map of size 0 succeeded")
	}
	if _, err := Map(-1, 4096); err == nil {
		t.Error("Map of fd -1 succeeded")
	}
	var p *Pool
	p.Close()
}

func TestWriteRows(t *testing.T) {
	fd := memfd(t, 4096)
	dup, _ := unix.Dup(fd)
	p, err := Map(dup, 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// Two rows of 3 bytes into a pool with stride 10 at offset 100.
	if err := p.WriteRows([]byte{1, 2, 3, 4, 5, 6}, 3, 100, 10, 3, 2); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 13)
	if err := p.CopyRows(got, 13, 100, 13, 13, 1); err != nil {
		t.Fatal(err)
	}
	if want := []byte{1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 4, 5, 6}; !bytes.Equal(got, want) {
		t.Errorf("after WriteRows the pool holds %v; want %v", got, want)
	}
	if err := p.WriteRows(make([]byte, 6), 3, 4094, 3, 3, 1); err == nil {
		t.Error("WriteRows past the end succeeded")
	}
	unix.Ftruncate(fd, 0) // the client shrinks its file
	if err := p.WriteRows(make([]byte, 4096), 4096, 0, 4096, 4096, 1); !errors.Is(err, ErrFault) {
		t.Errorf("WriteRows into a truncated pool: %v; want ErrFault", err)
	}
	unix.Close(fd)

	// A pool behind a read-only fd cannot be written.
	rw := memfd(t, 4096)
	ro, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", rw), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(rw)
	q, err := Map(ro, 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if err := q.WriteRows([]byte{1}, 1, 0, 1, 1, 1); !errors.Is(err, ErrNotWritable) {
		t.Errorf("WriteRows through a read-only fd: %v; want ErrNotWritable", err)
	}
}
