package loop

// Idle is a callback that runs once, on the loop goroutine, after the ready
// sources of the current iteration have been dispatched and before the
// loop waits again.
type Idle struct {
	handler func()
	removed bool
}

// AddIdle schedules handler to run once before the next wait. An idle
// callback added by another idle callback runs in the same iteration.
func (l *Loop) AddIdle(handler func()) *Idle {
	i := &Idle{handler: handler}
	l.idles = append(l.idles, i)
	return i
}

// Remove cancels the callback if it has not run. Idempotent, nil-safe.
func (i *Idle) Remove() {
	if i != nil {
		i.removed = true
	}
}

// runIdles runs idle callbacks until none is left.
func (l *Loop) runIdles() {
	for len(l.idles) > 0 {
		l.running, l.idles = l.idles, l.running[:0]
		for k, i := range l.running {
			l.running[k] = nil
			if !i.removed {
				i.removed = true
				i.handler()
			}
		}
		l.running = l.running[:0]
	}
}

// Hook runs on every iteration right before the loop waits.
type Hook struct {
	l       *Loop
	handler func()
	removed bool
}

// AddBeforeWait registers handler to run on every iteration right before
// epoll_wait, after the idle callbacks: the place to flush client output.
// Hooks run in the order they were added.
func (l *Loop) AddBeforeWait(handler func()) *Hook {
	h := &Hook{l: l, handler: handler}
	l.hooks = append(l.hooks, h)
	return h
}

// Remove unregisters the hook. Idempotent, nil-safe.
func (h *Hook) Remove() {
	if h == nil || h.removed {
		return
	}
	h.removed = true
	h.l.hooksDirty = true
}
