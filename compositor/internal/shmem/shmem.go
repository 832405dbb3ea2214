// Package shmem maps client shared-memory pools (wl_shm_pool) and reads
// them without trusting the client: a client may truncate the file behind a
// mapping at any time, and touching the vanished pages raises SIGBUS. Reads
// run with debug.SetPanicOnFault so such a fault becomes an error for that
// client instead of a crash of the compositor.
package shmem

import (
	"errors"
	"fmt"
	"runtime/debug"

	"golang.org/x/sys/unix"
)

// ErrFault reports that a pool's memory could not be read: the client
// shrank the file behind its mapping.
var ErrFault = errors.New("shmem: pool memory not readable (file truncated?)")

// Pool is a read-only shared mapping of a client's pool file. It owns the
// fd.
type Pool struct {
	fd   int
	data []byte
}

// Map maps size bytes of fd read-only and shared; the Pool takes ownership
// of fd (also on error, when it is closed).
func Map(fd int, size int) (*Pool, error) {
	if size <= 0 {
		unix.Close(fd)
		return nil, fmt.Errorf("shmem: invalid pool size %d", size)
	}
	data, err := unix.Mmap(fd, 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("shmem: mmap %d bytes: %w", size, err)
	}
	return &Pool{fd: fd, data: data}, nil
}

// Size returns the mapped size.
func (p *Pool) Size() int { return len(p.data) }

// Resize remaps the pool at a new size, which may only grow.
func (p *Pool) Resize(size int) error {
	if size < len(p.data) {
		return fmt.Errorf("shmem: pool cannot shrink from %d to %d bytes", len(p.data), size)
	}
	if size == len(p.data) {
		return nil
	}
	data, err := unix.Mmap(p.fd, 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("shmem: mmap %d bytes: %w", size, err)
	}
	unix.Munmap(p.data)
	p.data = data
	return nil
}

// Close unmaps the pool and closes its fd. Idempotent, nil-safe.
func (p *Pool) Close() {
	if p == nil || p.data == nil {
		return
	}
	unix.Munmap(p.data)
	unix.Close(p.fd)
	p.data = nil
	p.fd = -1
}

// CopyRows copies height rows of rowBytes bytes, the first at offset and
// each srcStride after the previous, into dst with dstStride between rows.
// The geometry must lie inside the pool (ErrFault is only for pages the
// client truncated away). A fault becomes ErrFault; dst is then partly
// written.
func (p *Pool) CopyRows(dst []byte, dstStride int, offset, srcStride, rowBytes, height int) (err error) {
	if p == nil || p.data == nil {
		return errors.New("shmem: copy from a closed pool")
	}
	if offset < 0 || srcStride < rowBytes || height <= 0 || rowBytes <= 0 ||
		offset+(height-1)*srcStride+rowBytes > len(p.data) ||
		dstStride < rowBytes || (height-1)*dstStride+rowBytes > len(dst) {
		return fmt.Errorf("shmem: copy of %d rows of %d bytes at offset %d (stride %d) out of bounds", height, rowBytes, offset, srcStride)
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(interface{ Addr() uintptr }); ok {
				err = ErrFault
				return
			}
			panic(r)
		}
	}()
	src := p.data[offset:]
	if srcStride == rowBytes && dstStride == rowBytes {
		copy(dst[:height*rowBytes], src[:height*rowBytes])
		return nil
	}
	for y := 0; y < height; y++ {
		copy(dst[y*dstStride:y*dstStride+rowBytes], src[y*srcStride:y*srcStride+rowBytes])
	}
	return nil
}

// ErrNotWritable reports that a pool cannot be written: the client passed
// an fd opened read-only, or a memfd sealed against writes.
var ErrNotWritable = errors.New("shmem: pool not writable (read-only or sealed fd)")

// WriteRows copies height rows of rowBytes bytes from src (srcStride
// apart) into the pool, the first row at offset and each dstStride after
// the previous: a compositor filling a client's buffer (screencopy). The
// pool is mapped writable only for the copy, so the compositor never
// holds a writable mapping of client memory otherwise. ErrNotWritable
// when the fd does not allow it; a fault (the client truncated the file)
// becomes ErrFault, with the pool then partly written.
func (p *Pool) WriteRows(src []byte, srcStride int, offset, dstStride, rowBytes, height int) (err error) {
	if p == nil || p.data == nil {
		return errors.New("shmem: write to a closed pool")
	}
	if offset < 0 || dstStride < rowBytes || height <= 0 || rowBytes <= 0 ||
		offset+(height-1)*dstStride+rowBytes > len(p.data) ||
		srcStride < rowBytes || (height-1)*srcStride+rowBytes > len(src) {
		return fmt.Errorf("shmem: write of %d rows of %d bytes at offset %d (stride %d) out of bounds", height, rowBytes, offset, dstStride)
	}
	end := offset + (height-1)*dstStride + rowBytes
	data, err := unix.Mmap(p.fd, 0, end, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
		return ErrNotWritable
	}
	if err != nil {
		return fmt.Errorf("shmem: mmap %d bytes writable: %w", end, err)
	}
	defer unix.Munmap(data)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(interface{ Addr() uintptr }); ok {
				err = ErrFault
				return
			}
			panic(r)
		}
	}()
	dst := data[offset:]
	for y := 0; y < height; y++ {
		copy(dst[y*dstStride:y*dstStride+rowBytes], src[y*srcStride:y*srcStride+rowBytes])
	}
	return nil
}
