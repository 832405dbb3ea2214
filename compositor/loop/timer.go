package loop

import (
	"container/heap"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// Timer runs a handler on the loop goroutine once its deadline passes. All
// timers share the loop's one timerfd, which always holds the earliest
// deadline. A timer fires once per Arm.
type Timer struct {
	l        *Loop
	handler  func()
	deadline int64 // CLOCK_MONOTONIC nanoseconds
	index    int   // position in the heap; -1 when not armed
	pending  bool  // expired and about to run in this batch
	removed  bool
}

// AddTimer creates a disarmed timer.
func (l *Loop) AddTimer(handler func()) *Timer {
	return &Timer{l: l, handler: handler, index: -1}
}

// Now returns CLOCK_MONOTONIC, the clock of the loop's timers, of input
// event times and of presentation times.
func Now() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		panic("loop: clock_gettime(CLOCK_MONOTONIC): " + err.Error())
	}
	return time.Duration(ts.Nano())
}

// Arm (re)arms the timer to fire d from now; d <= 0 fires on the next
// iteration.
func (t *Timer) Arm(d time.Duration) {
	if t == nil || t.removed {
		return
	}
	t.pending = false
	t.deadline = int64(Now() + max(d, 0))
	if t.index >= 0 {
		heap.Fix(&t.l.timers, t.index)
	} else if t.l.epfd >= 0 {
		heap.Push(&t.l.timers, t)
	}
}

// Armed reports whether the timer is waiting to fire.
func (t *Timer) Armed() bool { return t != nil && (t.index >= 0 || t.pending) }

// Disarm cancels the timer, even one that expired in the batch being
// dispatched but has not run yet.
func (t *Timer) Disarm() {
	if t == nil {
		return
	}
	t.pending = false
	if t.index >= 0 {
		heap.Remove(&t.l.timers, t.index)
	}
}

// Remove disarms the timer for good. It is idempotent and safe on nil.
func (t *Timer) Remove() {
	if t == nil {
		return
	}
	t.Disarm()
	t.removed = true
}

// programTimerfd loads the earliest deadline into the timerfd if it changed.
func (l *Loop) programTimerfd() error {
	var next int64
	if len(l.timers) > 0 {
		next = max(l.timers[0].deadline, 1) // 0 would disarm
	}
	if next == l.programmed {
		return nil
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(next)}
	if err := unix.TimerfdSettime(l.timerfd, unix.TFD_TIMER_ABSTIME, &spec, nil); err != nil {
		return fmt.Errorf("loop: timerfd_settime: %w", err)
	}
	l.programmed = next
	return nil
}

// handleTimerfd runs when the timerfd expired: every timer whose deadline
// has passed fires, earliest first. Timers armed by these handlers wait for
// a later iteration even when already due, so a timer re-arming itself with
// zero delay cannot starve the loop.
func (l *Loop) handleTimerfd(Events) {
	var buf [8]byte
	for {
		if _, err := unix.Read(l.timerfd, buf[:]); err != nil {
			break // EAGAIN: expirations consumed
		}
	}
	l.programmed = -1 // force a reload before the next wait
	now := int64(Now())
	for len(l.timers) > 0 && l.timers[0].deadline <= now {
		t := heap.Pop(&l.timers).(*Timer)
		t.pending = true
		l.expired = append(l.expired, t)
	}
	for i, t := range l.expired {
		l.expired[i] = nil
		if t.pending {
			t.pending = false
			t.handler()
		}
	}
	l.expired = l.expired[:0]
}

// timerHeap orders armed timers by deadline.
type timerHeap []*Timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].deadline < h[j].deadline }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*Timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
