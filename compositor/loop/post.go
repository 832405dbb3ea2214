package loop

import (
	"encoding/binary"
	"os"
	"os/signal"
	"sync"

	"golang.org/x/sys/unix"
)

// Post queues fn to run on the loop goroutine and wakes the loop. It is
// safe from any goroutine, including the loop's own; every queued func runs
// before the loop sleeps again, in the order posted. After Close, Post
// drops fn.
func (l *Loop) Post(fn func()) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	wasEmpty := len(l.queue) == 0
	l.queue = append(l.queue, fn)
	if wasEmpty {
		l.writeEventfd()
	}
	l.mu.Unlock()
}

// wake makes the loop's epoll_wait return.
func (l *Loop) wake() {
	l.mu.Lock()
	if !l.closed {
		l.writeEventfd()
	}
	l.mu.Unlock()
}

// writeEventfd adds one to the eventfd counter; l.mu must be held (so the
// fd cannot be closed underneath). A full counter (EAGAIN) is already
// readable, which is all a wake needs.
func (l *Loop) writeEventfd() {
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	_, _ = unix.Write(l.eventfd, one[:])
}

// handleEventfd resets the eventfd; the posted work runs right after the
// ready sources (runPosted).
func (l *Loop) handleEventfd(Events) {
	var buf [8]byte
	_, _ = unix.Read(l.eventfd, buf[:])
}

// runPosted runs queued work until the queue is empty.
func (l *Loop) runPosted() {
	for {
		l.mu.Lock()
		if len(l.queue) == 0 {
			l.mu.Unlock()
			return
		}
		run := l.queue
		l.queue = l.spare[:0]
		l.mu.Unlock()
		for i, fn := range run {
			run[i] = nil
			fn()
		}
		l.spare = run[:0]
	}
}

// signalRelay forwards signals from os/signal into the loop.
type signalRelay struct {
	ch   chan os.Signal
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func (r *signalRelay) stop() {
	r.once.Do(func() {
		signal.Stop(r.ch)
		close(r.done)
		r.wg.Wait()
	})
}

// HandleSignals delivers the given signals to handler on the loop
// goroutine: os/signal receives them in a helper goroutine that posts each
// one into the loop. stop unsubscribes and waits for the helper to end; it
// is idempotent, and Close calls it too.
func (l *Loop) HandleSignals(handler func(os.Signal), sigs ...os.Signal) (stop func()) {
	r := &signalRelay{ch: make(chan os.Signal, 16), done: make(chan struct{})}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return func() {}
	}
	if l.signals == nil {
		l.signals = make(map[*signalRelay]struct{})
	}
	l.signals[r] = struct{}{}
	l.mu.Unlock()
	signal.Notify(r.ch, sigs...)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			select {
			case sig := <-r.ch:
				l.Post(func() { handler(sig) })
			case <-r.done:
				return
			}
		}
	}()
	return func() {
		l.mu.Lock()
		delete(l.signals, r)
		l.mu.Unlock()
		r.stop()
	}
}
