// Package loop is gocomp's event loop: one goroutine waits in a
// level-triggered epoll over file descriptors, one timerfd carrying every
// timer, and one eventfd through which other goroutines post work.
//
// The goroutine that calls Run (or Dispatch) owns the loop and everything
// its handlers touch; no handler needs a lock. Every method except Post,
// Stop, HandleSignals and Wakeups must be called from that goroutine.
//
// One iteration waits in epoll_wait, dispatches every ready source, runs the
// posted work, runs the idle callbacks and then the before-wait hooks (where
// the compositor flushes its clients), and waits again. A loop with nothing
// to do sleeps in epoll_wait with no timeout: it never polls.
package loop

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// maxEvents is how many ready fds one epoll_wait reports; more stay ready
// (level-triggered) and come back on the next, immediate, wait.
const maxEvents = 128

// Loop is an epoll-based event loop. Create it with New and release it
// with Close.
type Loop struct {
	epfd    int
	timerfd int
	eventfd int

	// fd sources live in slots; the epoll data carries slot and generation
	// so that an event for a removed (or replaced) source is never
	// delivered.
	slots  []*FDSource
	gens   []int32 // generation of each slot, bumped on removal
	free   []int32
	events []unix.EpollEvent

	timers     timerHeap
	expired    []*Timer
	programmed int64 // deadline loaded into the timerfd; 0 = disarmed

	idles   []*Idle
	running []*Idle

	hooks      []*Hook
	hooksDirty bool

	// post queue: the only state shared with other goroutines.
	mu      sync.Mutex
	queue   []func()
	spare   []func()
	closed  bool
	signals map[*signalRelay]struct{}

	stopped atomic.Bool
	wakeups atomic.Uint64
}

// New creates a loop with its epoll, timerfd and eventfd.
func New() (*Loop, error) {
	l := &Loop{epfd: -1, timerfd: -1, eventfd: -1, events: make([]unix.EpollEvent, maxEvents)}
	var err error
	if l.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return nil, fmt.Errorf("loop: epoll_create1: %w", err)
	}
	if l.timerfd, err = unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_CLOEXEC|unix.TFD_NONBLOCK); err != nil {
		l.Close()
		return nil, fmt.Errorf("loop: timerfd_create: %w", err)
	}
	if l.eventfd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		l.Close()
		return nil, fmt.Errorf("loop: eventfd: %w", err)
	}
	if _, err = l.AddFD(l.timerfd, Readable, l.handleTimerfd); err != nil {
		l.Close()
		return nil, err
	}
	if _, err = l.AddFD(l.eventfd, Readable, l.handleEventfd); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Close stops the signal relays, removes every source and closes the
// loop's own descriptors. File descriptors added with AddFD are not closed:
// they belong to whoever added them. Close is idempotent.
func (l *Loop) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	relays := l.signals
	l.signals = nil
	l.queue = nil
	l.mu.Unlock()
	for r := range relays {
		r.stop()
	}
	for _, s := range l.slots {
		if s != nil {
			s.removed = true
		}
	}
	l.slots = nil
	for _, t := range l.timers {
		t.index = -1
	}
	l.timers = nil
	var errs []error
	for _, fd := range []*int{&l.eventfd, &l.timerfd, &l.epfd} {
		if *fd >= 0 {
			if err := unix.Close(*fd); err != nil {
				errs = append(errs, err)
			}
			*fd = -1
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("loop: close: %w", err)
	}
	return nil
}

// Run dispatches until Stop is called. It returns nil after Stop, or the
// first error epoll_wait reports. A Stop before Run makes Run return at
// once.
func (l *Loop) Run() error {
	defer l.stopped.Store(false)
	for !l.stopped.Load() {
		if err := l.Dispatch(-1); err != nil {
			return err
		}
	}
	return nil
}

// Stop makes the current (or next) Run return after the current
// iteration. It is safe from any goroutine.
func (l *Loop) Stop() {
	l.stopped.Store(true)
	l.wake()
}

// Wakeups reports how many times epoll_wait has returned. Tests use it to
// prove that an idle loop sleeps.
func (l *Loop) Wakeups() uint64 { return l.wakeups.Load() }

// Dispatch runs one iteration: pending idle callbacks, the before-wait
// hooks, one epoll_wait of at most timeout (negative: no limit; it returns
// at once when idle work is pending), the ready sources, the posted work and
// the idle callbacks. A wait interrupted by a signal counts as an empty
// iteration.
func (l *Loop) Dispatch(timeout time.Duration) error {
	if l.epfd < 0 {
		return errors.New("loop: dispatch on a closed loop")
	}
	l.runIdles()
	l.runHooks()
	if err := l.programTimerfd(); err != nil {
		return err
	}
	ms := -1
	if timeout >= 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	if len(l.idles) > 0 || l.stopped.Load() {
		ms = 0
	}
	n, err := unix.EpollWait(l.epfd, l.events, ms)
	if err == unix.EINTR {
		n, err = 0, nil
	}
	if err != nil {
		return fmt.Errorf("loop: epoll_wait: %w", err)
	}
	l.wakeups.Add(1)
	for i := 0; i < n; i++ {
		ev := l.events[i]
		idx := int(ev.Fd)
		if idx < 0 || idx >= len(l.slots) {
			continue
		}
		s := l.slots[idx]
		if s == nil || s.gen != ev.Pad {
			continue // removed by an earlier handler in this batch
		}
		s.handler(fromEpoll(ev.Events))
	}
	l.runPosted()
	l.runIdles()
	return nil
}

// runHooks calls every before-wait hook, in the order they were added.
func (l *Loop) runHooks() {
	n := len(l.hooks)
	for i := 0; i < n; i++ {
		if h := l.hooks[i]; !h.removed {
			h.handler()
		}
	}
	if l.hooksDirty {
		l.hooksDirty = false
		kept := l.hooks[:0]
		for _, h := range l.hooks {
			if !h.removed {
				kept = append(kept, h)
			}
		}
		clear(l.hooks[len(kept):])
		l.hooks = kept
	}
}
