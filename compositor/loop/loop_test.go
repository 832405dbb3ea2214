package loop

import (
	"cmp"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func newLoop(t *testing.T) *Loop {
	t.Helper()
	l, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	})
	return l
}

func socketpair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// dispatchUntil runs iterations until cond holds, failing after 5 s.
func dispatchUntil(t *testing.T, l *Loop, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 5 s")
		}
		if err := l.Dispatch(100 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFDReadable(t *testing.T) {
	l := newLoop(t)
	a, b := socketpair(t)
	var got []byte
	var ready Events
	src, err := l.AddFD(a, Readable, func(ev Events) {
		ready = ev
		buf := make([]byte, 16)
		for {
			n, err := unix.Read(a, buf)
			if err != nil || n == 0 {
				return
			}
			got = append(got, buf[:n]...)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Dispatch(0); err != nil {
		t.Fatal(err)
	}
	if ready != 0 {
		t.Fatalf("handler ran with %v before any data was written", ready)
	}
	unix.Write(b, []byte("hello, loop"))
	dispatchUntil(t, l, func() bool { return len(got) == len("hello, loop") })
	if string(got) != "hello, loop" || ready != Readable {
		t.Fatalf("read %q with %v; want %q with readable", got, ready, "hello, loop")
	}

	// Writable on demand, then hangup.
	var sawWritable bool
	src.handler = func(ev Events) {
		if ev&Writable != 0 {
			sawWritable = true
			src.SetMask(Readable | Hangup)
		}
		ready = ev
	}
	if err := src.SetMask(Readable | Writable); err != nil {
		t.Fatal(err)
	}
	dispatchUntil(t, l, func() bool { return sawWritable })
	unix.Close(b)
	dispatchUntil(t, l, func() bool { return ready&Hangup != 0 })
	src.Remove()
	src.Remove()
	var nilSrc *FDSource
	nilSrc.Remove()
}

func TestTimersFireInOrder(t *testing.T) {
	l := newLoop(t)
	var order []int
	start := time.Now() // before arming: the 50 ms timer counts from its Arm
	delays := []int{30, 10, 50, 20, 40}
	deadlines := map[int]int64{}
	for _, ms := range delays {
		tm := l.AddTimer(func() { order = append(order, ms) })
		tm.Arm(time.Duration(ms) * time.Millisecond)
		deadlines[ms] = tm.deadline
	}
	// Timers fire by deadline: 10, 20, 30, 40, 50 ms, unless the test was
	// descheduled for more than 10 ms between two Arms, which moves a
	// deadline past the next one's.
	want := slices.Clone(delays)
	slices.SortFunc(want, func(a, b int) int { return cmp.Compare(deadlines[a], deadlines[b]) })
	cancelled := l.AddTimer(func() { order = append(order, -1) })
	cancelled.Arm(15 * time.Millisecond)
	cancelled.Disarm()
	removed := l.AddTimer(func() { order = append(order, -2) })
	removed.Arm(25 * time.Millisecond)
	removed.Remove()
	removed.Arm(time.Millisecond) // no effect after Remove
	dispatchUntil(t, l, func() bool { return len(order) == 5 })
	if !slices.Equal(order, want) {
		t.Fatalf("timers fired in order %v; want %v", order, want)
	}
	if el := time.Since(start); el < 50*time.Millisecond {
		t.Fatalf("last timer fired after %v; want >= 50ms", el)
	}
	l.Dispatch(30 * time.Millisecond)
	if len(order) != 5 {
		t.Fatalf("disarmed or removed timer fired: %v", order)
	}
}

func TestTimerRearmAndCancelInBatch(t *testing.T) {
	l := newLoop(t)
	var fired []string
	var b *Timer
	a := l.AddTimer(func() { fired = append(fired, "a"); b.Disarm() })
	b = l.AddTimer(func() { fired = append(fired, "b") })
	count := 0
	var c *Timer
	c = l.AddTimer(func() {
		count++
		if count < 3 {
			c.Arm(0) // re-arms for a later iteration, never starves the loop
		}
	})
	a.Arm(5 * time.Millisecond)
	b.Arm(5*time.Millisecond + time.Microsecond)
	c.Arm(0)
	time.Sleep(10 * time.Millisecond)
	dispatchUntil(t, l, func() bool { return count == 3 && len(fired) > 0 })
	l.Dispatch(20 * time.Millisecond)
	if !slices.Equal(fired, []string{"a"}) {
		t.Fatalf("fired %v; want [a] (a disarms b, due in the same batch)", fired)
	}
	if b.Armed() {
		t.Fatal("b still armed after Disarm")
	}
}

func TestPostFromManyGoroutines(t *testing.T) {
	l := newLoop(t)
	const goroutines, each = 8, 500
	perG := make([][]int, goroutines)
	total := 0
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				l.Post(func() { perG[g] = append(perG[g], i); total++ })
			}
		}()
	}
	go func() { wg.Wait(); l.Post(func() { l.Stop() }) }()
	if err := l.Run(); err != nil {
		t.Fatal(err)
	}
	if total != goroutines*each {
		t.Fatalf("ran %d posted funcs; want %d", total, goroutines*each)
	}
	for g, got := range perG {
		if !slices.IsSorted(got) || len(got) != each {
			t.Fatalf("goroutine %d: %d funcs, sorted=%v; want %d in posting order", g, len(got), slices.IsSorted(got), each)
		}
	}
}

func TestPostFromLoopRunsBeforeSleep(t *testing.T) {
	l := newLoop(t)
	var steps []string
	l.Post(func() {
		steps = append(steps, "first")
		l.Post(func() { steps = append(steps, "nested") })
	})
	if err := l.Dispatch(-1); err != nil { // must not block: work is queued
		t.Fatal(err)
	}
	if !slices.Equal(steps, []string{"first", "nested"}) {
		t.Fatalf("steps %v; want [first nested] in one iteration", steps)
	}
}

func TestSignalDelivery(t *testing.T) {
	l := newLoop(t)
	var got []os.Signal
	var onLoop bool
	stop := l.HandleSignals(func(s os.Signal) {
		got = append(got, s)
		onLoop = true
	}, syscall.SIGUSR1, syscall.SIGUSR2)
	defer stop()
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	dispatchUntil(t, l, func() bool { return len(got) == 1 })
	syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	dispatchUntil(t, l, func() bool { return len(got) == 2 })
	if got[0] != syscall.SIGUSR1 || got[1] != syscall.SIGUSR2 || !onLoop {
		t.Fatalf("got %v; want [SIGUSR1 SIGUSR2]", got)
	}
	stop()
	stop()
}

func TestRemoveDuringDispatch(t *testing.T) {
	l := newLoop(t)
	a1, a2 := socketpair(t)
	b1, b2 := socketpair(t)
	c1, c2 := socketpair(t)
	calls := map[string]int{}
	var srcA, srcB, srcC *FDSource
	var err error
	// Whichever of A and B runs first removes both: the other's event,
	// already collected in the same batch, must not be delivered.
	removeBoth := func(name string) func(Events) {
		return func(Events) { calls[name]++; srcA.Remove(); srcB.Remove() }
	}
	if srcA, err = l.AddFD(a1, Readable, removeBoth("a")); err != nil {
		t.Fatal(err)
	}
	if srcB, err = l.AddFD(b1, Readable, removeBoth("b")); err != nil {
		t.Fatal(err)
	}
	// C removes itself and, in the same handler, adds a new source on the
	// fd of the removed one (slot reuse must not inherit the old event).
	var replaced *FDSource
	srcC, err = l.AddFD(c1, Readable, func(Events) {
		calls["c"]++
		srcC.Remove()
		replaced, err = l.AddFD(c1, Readable, func(Events) { calls["c-new"]++; replaced.Remove() })
		if err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range []int{a2, b2, c2} {
		unix.Write(fd, []byte{1})
	}
	// All three are ready before the wait: one batch.
	if err := l.Dispatch(time.Second); err != nil {
		t.Fatal(err)
	}
	if calls["a"]+calls["b"] != 1 || calls["c"] != 1 || calls["c-new"] != 0 {
		t.Fatalf("calls %v; want exactly one of a/b, c once, c-new not yet", calls)
	}
	if err := l.Dispatch(time.Second); err != nil {
		t.Fatal(err)
	}
	if calls["a"]+calls["b"] != 1 || calls["c-new"] != 1 {
		t.Fatalf("calls after second iteration %v; want a/b still 1, c-new 1", calls)
	}
}

func TestIdleAndBeforeWaitOrder(t *testing.T) {
	l := newLoop(t)
	a, b := socketpair(t)
	var steps []string
	l.AddBeforeWait(func() { steps = append(steps, "hook") })
	src, _ := l.AddFD(a, Readable, func(Events) {
		var buf [8]byte
		unix.Read(a, buf[:])
		steps = append(steps, "fd")
		l.Post(func() { steps = append(steps, "post") })
		l.AddIdle(func() {
			steps = append(steps, "idle")
			l.AddIdle(func() { steps = append(steps, "idle2") })
		})
		cancelled := l.AddIdle(func() { steps = append(steps, "cancelled") })
		cancelled.Remove()
	})
	defer src.Remove()
	unix.Write(b, []byte{1})
	l.Dispatch(time.Second)
	l.Dispatch(0)
	want := []string{"hook", "fd", "post", "idle", "idle2", "hook"}
	if !slices.Equal(steps, want) {
		t.Fatalf("steps %v; want %v", steps, want)
	}
}

func TestIdleLoopDoesNotSpin(t *testing.T) {
	l := newLoop(t)
	far := l.AddTimer(func() { t.Error("far timer fired") })
	far.Arm(time.Hour)
	a, _ := socketpair(t)
	src, _ := l.AddFD(a, Readable, func(Events) { t.Error("idle fd reported ready") })
	defer src.Remove()
	l.AddBeforeWait(func() {})

	done := make(chan error, 1)
	go func() { done <- l.Run() }()
	time.Sleep(20 * time.Millisecond) // let Run settle into epoll_wait
	before := l.Wakeups()
	time.Sleep(200 * time.Millisecond)
	after := l.Wakeups()
	l.Stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("idle loop woke %d times in 200 ms; want 0", after-before)
	}
}

func TestCloseStopsSignalGoroutines(t *testing.T) {
	// os/signal starts one watcher goroutine for good on first use.
	warm := make(chan os.Signal, 1)
	signal.Notify(warm, syscall.SIGUSR2)
	signal.Stop(warm)
	before := runtime.NumGoroutine()
	l, err := New()
	if err != nil {
		t.Fatal(err)
	}
	l.HandleSignals(func(os.Signal) {}, syscall.SIGUSR1)
	l.HandleSignals(func(os.Signal) {}, syscall.SIGUSR2)
	l.Close()
	l.Post(func() {}) // dropped, must not write a closed fd
	// Close waits for the relays' WaitGroup, but a relay goroutine still
	// counts for a moment after its deferred Done: poll, failing after 5 s.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		n := runtime.NumGoroutine()
		if n <= before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after Close; want <= %d", n, before)
		}
	}
	if err := l.Dispatch(0); err == nil {
		t.Fatal("Dispatch on a closed loop succeeded")
	}
}

func TestEventsString(t *testing.T) {
	for _, tc := range []struct {
		e    Events
		want string
	}{{0, "none"}, {Readable, "readable"}, {Readable | Hangup, "readable|hangup"}, {Writable | Error | 64, "writable|error|0x40"}} {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("Events(%d).String() = %q; want %q", uint32(tc.e), got, tc.want)
		}
	}
}

func TestStopBeforeRun(t *testing.T) {
	l := newLoop(t)
	l.Stop()
	done := make(chan error, 1)
	go func() { done <- l.Run() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		l.Stop()
		t.Fatal("Run did not return after an earlier Stop")
	}
}
