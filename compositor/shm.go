package compositor

import (
	"errors"

	"gocomp/compositor/backend"
	"gocomp/compositor/internal/shmem"
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
)

// maxBufferSide bounds buffer width and height: the compositor keeps a
// copy of every committed buffer, and 8192x8192 (256 MiB) is beyond any
// output it drives.
const maxBufferSide = 8192

// shmFormats are the formats wl_shm advertises; both map directly onto the
// backend formats.
var shmFormats = []wayland.ShmFormat{wayland.ShmFormatArgb8888, wayland.ShmFormatXrgb8888}

// bindShm runs when a client binds wl_shm: it advertises the formats.
func (s *Server) bindShm(r *wayland.Shm) error {
	r.SetHandler(shmHandler{})
	for _, f := range shmFormats {
		r.SendFormat(f)
	}
	return nil
}

// shmHandler serves one client's wl_shm.
type shmHandler struct{}

// CreatePool runs on wl_shm.create_pool; it owns fd.
func (shmHandler) CreatePool(r *wayland.Shm, id *wayland.ShmPool, fd int, size int32) error {
	if size <= 0 {
		closeFD(fd)
		return server.Errorf(r, uint32(wayland.ShmErrorInvalidStride), "invalid pool size %d", size)
	}
	mem, err := shmem.Map(fd, int(size))
	if err != nil {
		return server.Errorf(r, uint32(wayland.ShmErrorInvalidFD), "cannot map pool: %v", err)
	}
	p := &shmPool{mem: mem, refs: 1}
	id.SetHandler(p)
	id.OnDestroy(p.unref)
	return nil
}

// Release runs on wl_shm.release.
func (shmHandler) Release(*wayland.Shm) error { return nil }

// shmPool is one wl_shm_pool's mapping. The pool object and every buffer
// made from it hold a reference; the mapping goes when the last one does.
type shmPool struct {
	mem  *shmem.Pool
	refs int
}

func (p *shmPool) unref() {
	p.refs--
	if p.refs == 0 {
		p.mem.Close()
	}
}

// CreateBuffer runs on wl_shm_pool.create_buffer; id is registered.
func (p *shmPool) CreateBuffer(r *wayland.ShmPool, id *wayland.Buffer, offset, width, height, stride int32, format wayland.ShmFormat) error {
	var bf backend.Format
	switch format {
	case wayland.ShmFormatArgb8888:
		bf = backend.ARGB8888
	case wayland.ShmFormatXrgb8888:
		bf = backend.XRGB8888
	default:
		return server.Errorf(r, uint32(wayland.ShmErrorInvalidFormat), "unsupported format %v", format)
	}
	if width > maxBufferSide || height > maxBufferSide {
		return server.Errorf(r, uint32(wayland.ShmErrorInvalidStride), "buffer %dx%d larger than %dx%d", width, height, maxBufferSide, maxBufferSide)
	}
	if offset < 0 || width <= 0 || height <= 0 || int64(stride) < 4*int64(width) ||
		int64(offset)+int64(stride)*int64(height-1)+4*int64(width) > int64(p.mem.Size()) {
		return server.Errorf(r, uint32(wayland.ShmErrorInvalidStride),
			"invalid buffer geometry: offset %d, %dx%d, stride %d in a %d-byte pool", offset, width, height, stride, p.mem.Size())
	}
	b := &shmBuffer{res: id, pool: p, offset: int(offset), width: int(width), height: int(height), stride: int(stride), format: bf}
	p.refs++
	id.SetHandler(b)
	id.OnDestroy(p.unref)
	return nil
}

// Destroy runs on wl_shm_pool.destroy; buffers keep the mapping alive.
func (p *shmPool) Destroy(*wayland.ShmPool) error { return nil }

// Resize runs on wl_shm_pool.resize; pools only grow.
func (p *shmPool) Resize(r *wayland.ShmPool, size int32) error {
	if int(size) < p.mem.Size() {
		return server.Errorf(r, uint32(wayland.ShmErrorInvalidStride), "cannot shrink pool from %d to %d bytes", p.mem.Size(), size)
	}
	if err := p.mem.Resize(int(size)); err != nil {
		return server.Errorf(r, uint32(wayland.ShmErrorInvalidFD), "cannot remap pool: %v", err)
	}
	return nil
}

// shmBuffer is one wl_buffer: a rectangle of pixels in a pool.
type shmBuffer struct {
	res                           *wayland.Buffer
	pool                          *shmPool
	offset, width, height, stride int
	format                        backend.Format
}

// bufferOf returns the state behind a wl_buffer argument: nil for none
// or a destroyed buffer; a buffer that is not a wl_shm buffer is the
// invalid_object protocol error.
func bufferOf(res *wayland.Buffer) (*shmBuffer, error) {
	return server.ImplArg[*shmBuffer](res, "a wl_shm buffer")
}

// Destroy runs on wl_buffer.destroy.
func (b *shmBuffer) Destroy(*wayland.Buffer) error { return nil }

// copyRows copies height rows of rowBytes bytes starting at pool offset
// off (the buffer's stride apart) into dst (dstStride apart). A client that
// truncated the pool file behind the buffer gets a protocol error on the
// buffer instead of crashing the compositor.
func (b *shmBuffer) copyRows(dst []byte, dstStride, off, rowBytes, height int) error {
	err := b.pool.mem.CopyRows(dst, dstStride, off, b.stride, rowBytes, height)
	if errors.Is(err, shmem.ErrFault) {
		return server.Errorf(b.res, uint32(wayland.ShmErrorInvalidFD), "error accessing shm buffer: pool file was truncated")
	}
	if err != nil {
		return server.Errorf(b.res, uint32(wayland.ShmErrorInvalidStride), "%v", err)
	}
	return nil
}
