package loop

import (
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkPostRoundTrip measures a Post from another goroutine until the
// func has run on the loop: eventfd write, epoll wake, queue drain.
func BenchmarkPostRoundTrip(b *testing.B) {
	l, err := New()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	done := make(chan struct{})
	go l.Run()
	defer l.Post(l.Stop)
	fn := func() { done <- struct{}{} }
	for b.Loop() {
		l.Post(fn)
		<-done
	}
}

// BenchmarkFDDispatch measures one iteration that finds one readable fd
// and calls its handler (which drains it), with the write in the loop.
func BenchmarkFDDispatch(b *testing.B) {
	l, err := New()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	var buf [64]byte
	src, err := l.AddFD(fds[0], Readable, func(Events) {
		for {
			if _, err := unix.Read(fds[0], buf[:]); err != nil {
				return
			}
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Remove()
	msg := []byte{1}
	b.ReportAllocs()
	for b.Loop() {
		unix.Write(fds[1], msg)
		if err := l.Dispatch(-1); err != nil {
			b.Fatal(err)
		}
	}
}
