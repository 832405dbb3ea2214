package wire

import (
	"encoding/binary"
	"fmt"
	"io"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	// inBufSize holds several maximum-size messages, so one recvmsg
	// usually drains a burst.
	inBufSize = 32 << 10
	// maxRecvFDs is the kernel's SCM_MAX_FD: the most fds one recvmsg can carry.
	maxRecvFDs = 253
	// maxQueuedFDs bounds received fds that no message has claimed yet.
	maxQueuedFDs = 1024
)

// Conn is one end of a Wayland connection over a non-blocking unix stream
// socket. It owns the fd from NewConn until Close.
//
// Reading: call Read until it returns unix.EAGAIN, and after each Read call
// Next until it reports no complete message. Received fds queue in arrival
// order and are taken by the Decoder (Conn is its FDSource).
//
// Writing: encode with Out; Flush sends with sendmsg until the queue is empty
// or the socket is full and reports whether output is still pending (then
// wait for the fd to become writable and Flush again).
//
// A Conn is not safe for concurrent use; one goroutine owns it.
type Conn struct {
	fd int

	in             []byte
	inStart, inEnd int
	inFDs          []int
	inFDHead       int
	roob           []byte

	out  Encoder
	woob []byte

	msg unix.Msghdr
	iov unix.Iovec

	lastFDs  bool // the last Read received ancillary data
	lastFull bool // the last Read filled all free buffer space
}

// NewConn takes ownership of fd, a connected unix stream socket, sets it
// non-blocking and returns a Conn whose output queue holds at most outLimit
// bytes (DefaultOutputLimit when outLimit <= 0).
func NewConn(fd int, outLimit int) (*Conn, error) {
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, fmt.Errorf("wire: set fd %d non-blocking: %w", fd, err)
	}
	c := &Conn{
		fd:   fd,
		in:   make([]byte, inBufSize),
		roob: make([]byte, unix.CmsgSpace(maxRecvFDs*4)),
		woob: make([]byte, unix.CmsgSpace(MaxFDsPerSend*4)),
	}
	c.out.init(outLimit)
	return c, nil
}

// Fd returns the socket fd (for the event loop; do not read or close it).
func (c *Conn) Fd() int { return c.fd }

// Out returns the output encoder.
func (c *Conn) Out() *Encoder { return &c.out }

// Buffered returns the number of received bytes not yet returned by Next.
func (c *Conn) Buffered() int { return c.inEnd - c.inStart }

// QueuedFDs returns the number of received fds not yet taken.
func (c *Conn) QueuedFDs() int { return len(c.inFDs) - c.inFDHead }

// Read performs one recvmsg into the free part of the input buffer and queues
// any fds that came with it. It returns unix.EAGAIN when nothing is waiting,
// io.EOF when the peer closed, or another error. Views returned by Next and
// Decoder.Array before the call are invalid after it.
func (c *Conn) Read() (int, error) {
	// Keep at least one maximum-size message of free space.
	if c.inStart == c.inEnd {
		c.inStart, c.inEnd = 0, 0
	} else if c.inStart > 0 && len(c.in)-c.inEnd < MaxMessageSize {
		c.inEnd = copy(c.in, c.in[c.inStart:c.inEnd])
		c.inStart = 0
	}
	if c.inEnd == len(c.in) {
		return 0, ErrInputFull
	}
	c.iov.Base = &c.in[c.inEnd]
	c.iov.SetLen(len(c.in) - c.inEnd)
	c.msg = unix.Msghdr{Iov: &c.iov, Control: &c.roob[0]}
	c.msg.SetIovlen(1)
	c.msg.SetControllen(len(c.roob))
	var n uintptr
	for {
		var errno unix.Errno
		n, _, errno = unix.Syscall(unix.SYS_RECVMSG, uintptr(c.fd), uintptr(unsafe.Pointer(&c.msg)),
			unix.MSG_DONTWAIT|unix.MSG_CMSG_CLOEXEC)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return 0, errno
		}
		break
	}
	c.lastFDs = c.msg.Controllen > 0
	err := c.queueFDs(c.roob[:c.msg.Controllen])
	if err == nil && c.msg.Flags&unix.MSG_CTRUNC != 0 {
		err = ErrControlTruncated
	}
	if err != nil {
		return int(n), err
	}
	if n == 0 {
		return 0, io.EOF
	}
	c.lastFull = int(n) == len(c.in)-c.inEnd
	c.inEnd += int(n)
	return int(n), nil
}

// Drained reports whether the last Read emptied the socket's receive queue:
// it returned less than it had room for and no file descriptors. A unix
// stream socket fills the whole buffer from its queue unless the queue runs
// out or an skb with different ancillary data ends the read, so after a
// short read without fds another recvmsg would only return EAGAIN. Callers
// use it to skip that syscall.
func (c *Conn) Drained() bool { return !c.lastFull && !c.lastFDs }

// queueFDs appends the fds of every SCM_RIGHTS message in oob.
func (c *Conn) queueFDs(oob []byte) error {
	var err error
	hdr := unix.CmsgLen(0)
	for len(oob) >= hdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < hdr || l > len(oob) {
			break
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_RIGHTS {
			for p := hdr; p+4 <= l; p += 4 {
				fd := int(int32(binary.NativeEndian.Uint32(oob[p:])))
				if c.QueuedFDs() >= maxQueuedFDs {
					unix.Close(fd)
					err = ErrTooManyQueuedFDs
					continue
				}
				if c.inFDHead > 0 && len(c.inFDs) == cap(c.inFDs) {
					m := copy(c.inFDs, c.inFDs[c.inFDHead:])
					c.inFDs, c.inFDHead = c.inFDs[:m], 0
				}
				c.inFDs = append(c.inFDs, fd)
			}
		}
		next := unix.CmsgSpace(l - hdr)
		if next >= len(oob) {
			break
		}
		oob = oob[next:]
	}
	return err
}

// PopFD takes the oldest received fd; the caller owns it.
func (c *Conn) PopFD() (int, bool) {
	if c.inFDHead == len(c.inFDs) {
		return -1, false
	}
	fd := c.inFDs[c.inFDHead]
	c.inFDHead++
	if c.inFDHead == len(c.inFDs) {
		c.inFDs, c.inFDHead = c.inFDs[:0], 0
	}
	return fd, true
}

// Next returns the next complete message: its header and a view of its
// arguments, valid until the next Read. ok is false when no complete message
// is buffered. A *HeaderError means the stream is corrupt.
func (c *Conn) Next() (h Header, args []byte, ok bool, err error) {
	avail := c.inEnd - c.inStart
	if avail < HeaderSize {
		return Header{}, nil, false, nil
	}
	h, err = ParseHeader(c.in[c.inStart:c.inEnd])
	if err != nil {
		return h, nil, false, err
	}
	if avail < h.Size {
		return h, nil, false, nil
	}
	args = c.in[c.inStart+HeaderSize : c.inStart+h.Size : c.inStart+h.Size]
	c.inStart += h.Size
	return h, args, true, nil
}

// Flush sends queued output with sendmsg until the queue is empty or the
// socket would block. pending reports whether output remains (the caller
// waits for writability). At most MaxFDsPerSend fds go with each sendmsg,
// and never after the bytes of the message that carries them.
func (c *Conn) Flush() (pending bool, err error) {
	e := &c.out
	defer e.compact()
	for e.head < len(e.buf) {
		nfd := len(e.fds) - e.fdHead
		end := len(e.buf)
		if nfd > MaxFDsPerSend {
			nfd = MaxFDsPerSend
			// Hold back the bytes of the message whose fds go next time.
			end = e.fds[e.fdHead+nfd].msg
		}
		data := e.buf[e.head:end]
		c.iov.Base = &data[0]
		c.iov.SetLen(len(data))
		c.msg = unix.Msghdr{Iov: &c.iov}
		c.msg.SetIovlen(1)
		if nfd > 0 {
			clen := unix.CmsgLen(nfd * 4)
			h := (*unix.Cmsghdr)(unsafe.Pointer(&c.woob[0]))
			h.Level, h.Type = unix.SOL_SOCKET, unix.SCM_RIGHTS
			h.SetLen(clen)
			for i := 0; i < nfd; i++ {
				binary.NativeEndian.PutUint32(c.woob[unix.CmsgLen(0)+4*i:], uint32(e.fds[e.fdHead+i].fd))
			}
			c.msg.Control = &c.woob[0]
			c.msg.SetControllen(unix.CmsgSpace(nfd * 4))
		}
		n, _, errno := unix.Syscall(unix.SYS_SENDMSG, uintptr(c.fd), uintptr(unsafe.Pointer(&c.msg)),
			unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL)
		switch errno {
		case 0:
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return true, nil
		default:
			return true, fmt.Errorf("wire: sendmsg: %w", errno)
		}
		// The kernel takes the fds with the first byte it accepts.
		for i := 0; i < nfd; i++ {
			unix.Close(e.fds[e.fdHead+i].fd)
		}
		e.fdHead += nfd
		e.head += int(n)
	}
	return false, nil
}

// Close closes the socket and every fd still queued in either direction.
func (c *Conn) Close() error {
	for fd, ok := c.PopFD(); ok; fd, ok = c.PopFD() {
		unix.Close(fd)
	}
	c.out.discard()
	c.inStart, c.inEnd = 0, 0
	if c.fd < 0 {
		return nil
	}
	err := unix.Close(c.fd)
	c.fd = -1
	if err != nil {
		return fmt.Errorf("wire: close: %w", err)
	}
	return nil
}
