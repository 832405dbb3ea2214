package loop

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// Events is a set of readiness conditions of a file descriptor.
type Events uint32

// The readiness conditions. Hangup and Error are always reported, whether
// or not the mask asks for them.
const (
	Readable Events = 1 << iota // EPOLLIN
	Writable                    // EPOLLOUT
	Hangup                      // EPOLLHUP or EPOLLRDHUP
	Error                       // EPOLLERR
)

// String lists the conditions, e.g. "readable|hangup".
func (e Events) String() string {
	if e == 0 {
		return "none"
	}
	var parts []string
	for _, f := range []struct {
		bit  Events
		name string
	}{{Readable, "readable"}, {Writable, "writable"}, {Hangup, "hangup"}, {Error, "error"}} {
		if e&f.bit != 0 {
			parts = append(parts, f.name)
			e &^= f.bit
		}
	}
	if e != 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint32(e)))
	}
	return strings.Join(parts, "|")
}

func toEpoll(e Events) uint32 {
	var m uint32
	if e&Readable != 0 {
		m |= unix.EPOLLIN
	}
	if e&Writable != 0 {
		m |= unix.EPOLLOUT
	}
	if e&Hangup != 0 {
		m |= unix.EPOLLRDHUP
	}
	return m
}

func fromEpoll(m uint32) Events {
	var e Events
	if m&unix.EPOLLIN != 0 {
		e |= Readable
	}
	if m&unix.EPOLLOUT != 0 {
		e |= Writable
	}
	if m&(unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 {
		e |= Hangup
	}
	if m&unix.EPOLLERR != 0 {
		e |= Error
	}
	return e
}

// FDSource is a file descriptor watched by the loop.
type FDSource struct {
	l       *Loop
	fd      int
	slot    int32
	gen     int32
	mask    Events
	handler func(ready Events)
	removed bool
}

// AddFD watches fd for the conditions in mask (level-triggered). The
// handler runs on the loop goroutine with the conditions that hold; it
// should read (or write) until EAGAIN, and it may remove any source,
// including its own. The loop does not take ownership of fd: remove the
// source before closing it.
func (l *Loop) AddFD(fd int, mask Events, handler func(ready Events)) (*FDSource, error) {
	if l.epfd < 0 {
		return nil, fmt.Errorf("loop: add fd %d: loop is closed", fd)
	}
	s := &FDSource{l: l, fd: fd, mask: mask, handler: handler}
	if n := len(l.free); n > 0 {
		s.slot = l.free[n-1]
		l.free = l.free[:n-1]
	} else {
		s.slot = int32(len(l.slots))
		l.slots = append(l.slots, nil)
		l.gens = append(l.gens, 0)
	}
	s.gen = l.gens[s.slot]
	ev := unix.EpollEvent{Events: toEpoll(mask), Fd: s.slot, Pad: s.gen}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		l.free = append(l.free, s.slot)
		return nil, fmt.Errorf("loop: add fd %d: %w", fd, err)
	}
	l.slots[s.slot] = s
	return s, nil
}

// FD returns the watched file descriptor.
func (s *FDSource) FD() int { return s.fd }

// Mask returns the conditions currently watched.
func (s *FDSource) Mask() Events { return s.mask }

// SetMask changes the watched conditions, e.g. adds Writable after a write
// returned EAGAIN and drops it once the output is flushed. Setting the
// current mask again costs nothing.
func (s *FDSource) SetMask(mask Events) error {
	if s == nil || s.removed {
		return fmt.Errorf("loop: set mask: source removed")
	}
	if mask == s.mask {
		return nil
	}
	ev := unix.EpollEvent{Events: toEpoll(mask), Fd: s.slot, Pad: s.gen}
	if err := unix.EpollCtl(s.l.epfd, unix.EPOLL_CTL_MOD, s.fd, &ev); err != nil {
		return fmt.Errorf("loop: set mask of fd %d: %w", s.fd, err)
	}
	s.mask = mask
	return nil
}

// Remove stops watching the fd; an event already collected for it in the
// current batch is dropped. It does not close the fd. Remove is idempotent
// and safe on nil.
func (s *FDSource) Remove() {
	if s == nil || s.removed {
		return
	}
	s.removed = true
	l := s.l
	if l.epfd >= 0 {
		// The fd may already be closed (EBADF); nothing is left to undo.
		_ = unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, s.fd, nil)
		l.slots[s.slot] = nil
		l.gens[s.slot]++
		l.free = append(l.free, s.slot)
	}
}
