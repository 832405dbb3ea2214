package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// Blocking helpers, for tests and simple tools that own no event loop. They
// wait in poll(2) on the connection's own fd, so they must not be used on
// a Conn an event loop drives (nor from a listener): there, use Sync and
// let the loop call HandleReadable and Flush.

// pollSlice bounds one poll when ctx has no deadline, so that a cancelled
// ctx is noticed without a goroutine watching it.
const pollSlice = 100 * time.Millisecond

// WaitFor flushes, waits and dispatches until cond returns true, the
// connection fails or ctx ends. cond runs after every dispatch (and first
// before any waiting).
func (c *Conn) WaitFor(ctx context.Context, cond func() bool) error {
	if c.dispatching {
		return errors.New("client: WaitFor called from a listener")
	}
	for {
		if c.err != nil {
			c.report()
			return c.err
		}
		if cond() {
			return nil
		}
		if err := c.Flush(); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("client: wait: %w", err)
		}
		wait := pollSlice
		if dl, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(dl))
		}
		events := int16(unix.POLLIN)
		if c.wantWrite {
			events |= unix.POLLOUT
		}
		pfd := []unix.PollFd{{Fd: int32(c.wc.Fd()), Events: events}}
		n, err := unix.Poll(pfd, int(max(wait, 0)/time.Millisecond)+1)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("client: poll: %w", err)
		}
		if n > 0 && pfd[0].Revents&^unix.POLLOUT != 0 {
			c.HandleReadable()
		}
	}
}

// Roundtrip sends wl_display.sync and waits for its answer: when it
// returns nil, the server has handled every request sent before and every
// event it sent in reply has been dispatched.
func (c *Conn) Roundtrip(ctx context.Context) error {
	done := false
	if err := c.Sync(func(uint32) { done = true }); err != nil {
		return err
	}
	return c.WaitFor(ctx, func() bool { return done })
}
