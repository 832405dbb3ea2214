package session

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"time"

	"gocomp/compositor/loop"

	"golang.org/x/sys/unix"
)

// The seatd protocol (libseat's, seatd 0.7): messages of a 4-byte header
// {u16 opcode, u16 body size} and a body in host byte order over a unix
// stream socket. Every request has one response; ENABLE_SEAT and
// DISABLE_SEAT come unasked.
const (
	seatdOpenSeat      = 1
	seatdCloseSeat     = 2
	seatdOpenDevice    = 3
	seatdCloseDevice   = 4
	seatdDisableSeat   = 5 // the client's acknowledgement
	seatdSwitchSession = 6

	seatdSeatOpened    = 0x8001
	seatdSeatClosed    = 0x8002
	seatdDeviceOpened  = 0x8003
	seatdDeviceClosed  = 0x8004
	seatdEvDisableSeat = 0x8005
	seatdEvEnableSeat  = 0x8006
	seatdError         = 0xffff
)

// seatdTimeout bounds the wait for a response, and for the seat to be
// enabled after it was opened.
const seatdTimeout = 10 * time.Second

// seatdMessage is one message from seatd.
type seatdMessage struct {
	op   uint16
	body []byte
	fd   int // the fd that came with DEVICE_OPENED, else -1
}

// appendSeatdMessage appends a request with body to b.
func appendSeatdMessage(b []byte, op uint16, body []byte) []byte {
	b = binary.NativeEndian.AppendUint16(b, op)
	b = binary.NativeEndian.AppendUint16(b, uint16(len(body)))
	return append(b, body...)
}

// parseSeatdMessages splits complete messages off the front of b and
// returns them with what is left; fds are handed to DEVICE_OPENED
// messages in order.
func parseSeatdMessages(b []byte, fds *[]int) (msgs []seatdMessage, rest []byte) {
	for len(b) >= 4 {
		op, size := binary.NativeEndian.Uint16(b), int(binary.NativeEndian.Uint16(b[2:]))
		if len(b) < 4+size {
			break
		}
		m := seatdMessage{op: op, body: append([]byte(nil), b[4:4+size]...), fd: -1}
		if op == seatdDeviceOpened && len(*fds) > 0 {
			m.fd, *fds = (*fds)[0], (*fds)[1:]
		}
		msgs = append(msgs, m)
		b = b[4+size:]
	}
	return msgs, b
}

// seatdClient is the session through seatd.
type seatdClient struct {
	log  *slog.Logger
	l    *loop.Loop
	path string
	fd   int
	src  *loop.FDSource

	in      []byte         // bytes read but not yet a whole message
	fds     []int          // fds received but not yet given to a message
	pending []seatdMessage // events read while waiting for a response
	flush   *loop.Idle

	h       Handler
	active  bool
	seat    string
	devices map[int]string
	closed  bool
}

// newSeatd connects to seatd at path, opens the seat and waits until seatd
// enables it.
func newSeatd(cfg Config, path string) (_ Session, err error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("session: seatd: socket: %w", err)
	}
	s := &seatdClient{log: cfg.Log, l: cfg.Loop, path: path, fd: fd, devices: map[int]string{}}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		return nil, fmt.Errorf("session: seatd: connect %s: %w", path, err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, fmt.Errorf("session: seatd: %w", err)
	}
	m, err := s.request(seatdOpenSeat, nil, seatdSeatOpened)
	if err != nil {
		return nil, fmt.Errorf("session: seatd: open seat: %w", err)
	}
	if len(m.body) >= 2 {
		n := int(binary.NativeEndian.Uint16(m.body))
		name := m.body[2:min(2+n, len(m.body))]
		for len(name) > 0 && name[len(name)-1] == 0 {
			name = name[:len(name)-1]
		}
		s.seat = string(name)
	}
	// The seat is ours once seatd enables it (at once, unless another
	// session holds it).
	deadline := time.Now().Add(seatdTimeout)
	for !s.active {
		m, err := s.next(time.Until(deadline))
		if err != nil {
			return nil, fmt.Errorf("session: seatd: seat %s not enabled: %w", s.seat, err)
		}
		s.handle(m)
	}
	if s.src, err = cfg.Loop.AddFD(fd, loop.Readable, s.handleReadable); err != nil {
		return nil, fmt.Errorf("session: seatd: watch socket: %w", err)
	}
	s.log.Info("session: seatd seat opened", "seat", s.seat, "socket", path)
	return s, nil
}

// Name implements Session.
func (s *seatdClient) Name() string { return Seatd }

// SetHandler implements Session.
func (s *seatdClient) SetHandler(h Handler) { s.h = h }

// Active implements Session.
func (s *seatdClient) Active() bool { return s.active }

// OpenDevice implements Session: seatd opens the node and passes the fd.
func (s *seatdClient) OpenDevice(path string) (int, int, error) {
	body := binary.NativeEndian.AppendUint16(nil, uint16(len(path)+1))
	body = append(append(body, path...), 0)
	m, err := s.request(seatdOpenDevice, body, seatdDeviceOpened)
	if err != nil {
		return -1, 0, fmt.Errorf("session: seatd: open %s: %w", path, err)
	}
	if m.fd < 0 || len(m.body) < 4 {
		if m.fd >= 0 {
			unix.Close(m.fd)
		}
		return -1, 0, fmt.Errorf("session: seatd: open %s: no fd in the reply", path)
	}
	id := int(int32(binary.NativeEndian.Uint32(m.body)))
	s.devices[id] = path
	return m.fd, id, nil
}

// CloseDevice implements Session.
func (s *seatdClient) CloseDevice(id int) error {
	path, ok := s.devices[id]
	if !ok {
		return nil
	}
	delete(s.devices, id)
	if _, err := s.request(seatdCloseDevice, binary.NativeEndian.AppendUint32(nil, uint32(int32(id))), seatdDeviceClosed); err != nil {
		return fmt.Errorf("session: seatd: close %s: %w", path, err)
	}
	return nil
}

// SwitchVT implements Session: seatd switches; its DISABLE_SEAT follows.
func (s *seatdClient) SwitchVT(n int) error {
	if err := s.send(seatdSwitchSession, binary.NativeEndian.AppendUint32(nil, uint32(int32(n)))); err != nil {
		return fmt.Errorf("session: seatd: switch to session %d: %w", n, err)
	}
	return nil
}

// send writes one request.
func (s *seatdClient) send(op uint16, body []byte) error {
	b := appendSeatdMessage(nil, op, body)
	for len(b) > 0 {
		n, err := unix.Write(s.fd, b)
		if err == unix.EAGAIN {
			fds := []unix.PollFd{{Fd: int32(s.fd), Events: unix.POLLOUT}}
			if _, err := unix.Poll(fds, int(seatdTimeout/time.Millisecond)); err != nil && err != unix.EINTR {
				return err
			}
			continue
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// request sends a request and waits for its response, want (or an
// error). Events that arrive meanwhile are handled after the caller's work
// (from an idle callback), so handlers never run inside a request.
func (s *seatdClient) request(op uint16, body []byte, want uint16) (seatdMessage, error) {
	if s.closed {
		return seatdMessage{}, errors.New("connection closed")
	}
	if err := s.send(op, body); err != nil {
		return seatdMessage{}, err
	}
	// Events read meanwhile join the queue once the response is in (next
	// would otherwise hand them back at once).
	var events []seatdMessage
	defer func() {
		if len(events) == 0 {
			return
		}
		s.pending = append(s.pending, events...)
		if s.flush == nil && s.src != nil {
			s.flush = s.l.AddIdle(s.flushPending)
		}
	}()
	deadline := time.Now().Add(seatdTimeout)
	for {
		m, err := s.next(time.Until(deadline))
		if err != nil {
			return seatdMessage{}, err
		}
		switch m.op {
		case want:
			return m, nil
		case seatdError:
			if len(m.body) >= 4 {
				return seatdMessage{}, syscall.Errno(binary.NativeEndian.Uint32(m.body))
			}
			return seatdMessage{}, errors.New("seatd reported an error")
		case seatdEvEnableSeat, seatdEvDisableSeat:
			events = append(events, m)
		default:
			if m.fd >= 0 {
				unix.Close(m.fd)
			}
		}
	}
}

// next returns the next message, reading (and waiting up to timeout) when
// none is buffered.
func (s *seatdClient) next(timeout time.Duration) (seatdMessage, error) {
	for {
		if len(s.pending) > 0 && s.src == nil {
			// Before the loop watches the socket, queued events come
			// first (during New).
			m := s.pending[0]
			s.pending = s.pending[1:]
			return m, nil
		}
		msgs, rest := parseSeatdMessages(s.in, &s.fds)
		if len(msgs) > 0 {
			s.in = append(s.in[:0], rest...)
			s.pending = append(s.pending, msgs[1:]...)
			if len(msgs) > 1 && s.flush == nil && s.src != nil {
				s.flush = s.l.AddIdle(s.flushPending)
			}
			return msgs[0], nil
		}
		if timeout <= 0 {
			return seatdMessage{}, os.ErrDeadlineExceeded
		}
		fds := []unix.PollFd{{Fd: int32(s.fd), Events: unix.POLLIN}}
		start := time.Now()
		if _, err := unix.Poll(fds, int(timeout/time.Millisecond)+1); err != nil && err != unix.EINTR {
			return seatdMessage{}, err
		}
		timeout -= time.Since(start)
		if err := s.read(); err != nil {
			return seatdMessage{}, err
		}
	}
}

// read reads what the socket has, with any fds, into the buffers.
func (s *seatdClient) read() error {
	var buf [4096]byte
	oob := make([]byte, unix.CmsgSpace(4*4))
	for {
		n, oobn, _, _, err := unix.Recvmsg(s.fd, buf[:], oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			return nil
		}
		if err != nil {
			return err
		}
		if oobn > 0 {
			cmsgs, err := unix.ParseSocketControlMessage(oob[:oobn])
			if err == nil {
				for _, c := range cmsgs {
					if fds, err := unix.ParseUnixRights(&c); err == nil {
						s.fds = append(s.fds, fds...)
					}
				}
			}
		}
		if n == 0 {
			return errors.New("seatd closed the connection")
		}
		s.in = append(s.in, buf[:n]...)
		if n < len(buf) {
			return nil
		}
	}
}

// handleReadable runs when seatd sent something outside a request: the
// seat being disabled or enabled.
func (s *seatdClient) handleReadable(loop.Events) {
	if err := s.read(); err != nil {
		s.log.Error("session: seatd connection lost", "err", err)
		s.src.Remove()
		return
	}
	msgs, rest := parseSeatdMessages(s.in, &s.fds)
	s.in = append(s.in[:0], rest...)
	s.pending = append(s.pending, msgs...)
	s.flushPending()
}

// flushPending handles the queued events.
func (s *seatdClient) flushPending() {
	s.flush = nil
	for len(s.pending) > 0 && !s.closed {
		m := s.pending[0]
		s.pending = s.pending[1:]
		s.handle(m)
	}
}

// handle acts on one event from seatd.
func (s *seatdClient) handle(m seatdMessage) {
	switch m.op {
	case seatdEvEnableSeat:
		if s.active {
			return
		}
		s.active = true
		s.log.Info("session: seatd enabled the seat", "seat", s.seat)
		if s.h != nil {
			s.h.Enable()
		}
	case seatdEvDisableSeat:
		if s.active {
			s.active = false
			s.log.Info("session: seatd disabled the seat", "seat", s.seat)
			if s.h != nil {
				s.h.Disable()
			}
		}
		// The devices are unused now: seatd may revoke them.
		if err := s.send(seatdDisableSeat, nil); err != nil {
			s.log.Error("session: seatd: acknowledge disable", "err", err)
		}
	default:
		if m.fd >= 0 {
			unix.Close(m.fd)
		}
	}
}

// Close implements Session: the devices and the seat are closed.
func (s *seatdClient) Close() error {
	if s == nil || s.closed {
		return nil
	}
	var errs []error
	for id := range s.devices {
		errs = append(errs, s.CloseDevice(id))
	}
	if s.fd >= 0 && s.seat != "" {
		if _, err := s.request(seatdCloseSeat, nil, seatdSeatClosed); err != nil {
			errs = append(errs, fmt.Errorf("session: seatd: close seat: %w", err))
		}
	}
	s.closed = true
	s.flush.Remove()
	s.src.Remove()
	for _, fd := range s.fds {
		unix.Close(fd)
	}
	for _, m := range s.pending {
		if m.fd >= 0 {
			unix.Close(m.fd)
		}
	}
	if s.fd >= 0 {
		errs = append(errs, unix.Close(s.fd))
		s.fd = -1
	}
	return errors.Join(errs...)
}

var _ Session = (*seatdClient)(nil)
