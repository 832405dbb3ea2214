package seat

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"gocomp/compositor/loop"
	"gocomp/evdev"
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"
	"gocomp/xkb/rules"

	"golang.org/x/sys/unix"
)

// The latency benchmark measures, in one run: a key frame written into a
// pipe standing in for an evdev fd, through the event loop, the evdev
// decoder, the seat and the XKB state, to the key event read from the
// focused client's socket by another process; and beside it the floor, a
// pipe write read by another process. Both readers are this test binary
// re-executed in reader mode: it timestamps every read (CLOCK_MONOTONIC,
// shared by the processes) and writes the stamp back, so the return trip
// is not measured.

// readerEnv switches the test binary into reader mode.
const readerEnv = "GOCOMP_SEAT_BENCH_READER"

func TestMain(m *testing.M) {
	if os.Getenv(readerEnv) == "1" {
		benchReader()
		return
	}
	os.Exit(m.Run())
}

// benchReader reads fd 3 until EOF; after each read it writes the time on
// fd 4.
func benchReader() {
	buf := make([]byte, 1<<16)
	var ts [8]byte
	unix.SetNonblock(3, false) // a client socket comes non-blocking
	for {
		n, err := unix.Read(3, buf)
		if n <= 0 {
			if err == unix.EINTR {
				continue
			}
			os.Exit(0)
		}
		binary.NativeEndian.PutUint64(ts[:], uint64(evdev.Now()))
		if _, err := unix.Write(4, ts[:]); err != nil {
			os.Exit(1)
		}
	}
}

// startReader starts a reader process on fd; stamps come back on the
// returned fd.
func startReader(b *testing.B, fd int) (stamps int, wait func()) {
	b.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), readerEnv+"=1")
	cmd.ExtraFiles = []*os.File{os.NewFile(uintptr(fd), "input"), os.NewFile(uintptr(p[1]), "stamps")}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	unix.Close(p[1])
	return p[0], func() { cmd.Wait(); unix.Close(p[0]) }
}

// readStamp reads one timestamp.
func readStamp(b *testing.B, fd int) time.Duration {
	var ts [8]byte
	if n, err := unix.Read(fd, ts[:]); n != 8 {
		b.Fatalf("read stamp: %d bytes, %v", n, err)
	}
	return time.Duration(binary.NativeEndian.Uint64(ts[:]))
}

// keyFrame encodes EV_KEY code value + SYN_REPORT.
func keyFrame(buf []byte, code uint16, value int32) []byte {
	buf = buf[:0]
	for _, ev := range [2][3]uint32{{uint32(evdev.EvKey), uint32(code), uint32(value)}, {0, 0, 0}} {
		var e [evdev.EventSize]byte
		evdev.PutEvent(e[:], evdev.Event{Type: evdev.Type(ev[0]), Code: uint16(ev[1]), Value: int32(ev[2])})
		buf = append(buf, e[:]...)
	}
	return buf
}

// report puts p50 and p99 of lat on b.
func report(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Nanoseconds()) }
	b.ReportMetric(p(0.50), "p50-ns")
	b.ReportMetric(p(0.99), "p99-ns")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkPipeFloor is a pipe write read by another process.
func BenchmarkPipeFloor(b *testing.B) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		b.Fatal(err)
	}
	stamps, wait := startReader(b, p[0])
	unix.Close(p[0])
	frame := keyFrame(nil, 30, 1)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := evdev.Now()
		unix.Write(p[1], frame)
		lat = append(lat, readStamp(b, stamps)-t0)
	}
	b.StopTimer()
	unix.Close(p[1])
	wait()
	report(b, lat)
}

// BenchmarkKeyLatency is a key frame from a (pipe) evdev fd to the focused
// client's socket, with n connected clients (one focused) plus one client
// that never reads.
func BenchmarkKeyLatency(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("clients=%d+1stalled", n), func(b *testing.B) { benchKeyLatency(b, n) })
	}
}

// benchServer is the compositor core on a real loop: display, seat,
// clients on socketpairs.
type benchServer struct {
	l        *loop.Loop
	d        *server.Display
	s        *Seat
	surfaces map[*server.Client]*wayland.Surface
}

type benchCompositor struct{ bs *benchServer }

func (c benchCompositor) CreateSurface(r *wayland.Compositor, id *wayland.Surface) error {
	c.bs.surfaces[r.Client()] = id
	return nil
}
func (c benchCompositor) CreateRegion(r *wayland.Compositor, id *wayland.Region) error { return nil }

// addClient connects a client that binds the seat, gets a keyboard and
// creates a surface; it returns the server side and the client's fd.
func (bs *benchServer) addClient(b *testing.B) (*server.Client, int) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	var src *loop.FDSource
	c, err := bs.d.NewClient(fds[0], server.ClientHooks{
		Disconnected: func(*server.Client, error) { src.Remove() },
		WantWritable: func(_ *server.Client, want bool) {
			if want {
				src.SetMask(loop.Readable | loop.Writable)
			} else {
				src.SetMask(loop.Readable)
			}
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	src, err = bs.l.AddFD(c.Fd(), loop.Readable, func(ev loop.Events) {
		if ev&loop.Writable != 0 {
			c.Flush()
		}
		if ev&(loop.Readable|loop.Hangup|loop.Error) != 0 {
			c.HandleReadable()
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	conn, err := wire.NewConn(fds[1], 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	send := func(id uint32, op uint16, args ...any) {
		e := conn.Out()
		e.Begin(id, op)
		for _, a := range args {
			switch v := a.(type) {
			case uint32:
				e.PutUint(v)
			case string:
				e.PutString(v)
			}
		}
		if err := e.End(); err != nil {
			b.Fatal(err)
		}
	}
	send(1, wayland.DisplayRequestGetRegistry, uint32(2))
	send(2, wayland.RegistryRequestBind, uint32(1), "wl_compositor", uint32(4), uint32(3))
	send(2, wayland.RegistryRequestBind, uint32(2), "wl_seat", uint32(9), uint32(4))
	send(4, wayland.SeatRequestGetKeyboard, uint32(5))
	send(3, wayland.CompositorRequestCreateSurface, uint32(6))
	if _, err := conn.Flush(); err != nil {
		b.Fatal(err)
	}
	for bs.surfaces[c] == nil {
		if err := bs.l.Dispatch(time.Second); err != nil {
			b.Fatal(err)
		}
	}
	return c, conn.Fd()
}

// drain reads and discards what is waiting on fd (closing received fds).
func drain(fd int) {
	buf := make([]byte, 1<<16)
	oob := make([]byte, unix.CmsgSpace(28*4))
	for {
		n, oobn, _, _, err := unix.Recvmsg(fd, buf, oob, unix.MSG_DONTWAIT)
		if oobn > 0 {
			msgs, _ := unix.ParseSocketControlMessage(oob[:oobn])
			for _, m := range msgs {
				fds, _ := unix.ParseUnixRights(&m)
				for _, f := range fds {
					unix.Close(f)
				}
			}
		}
		if n <= 0 || err != nil {
			return
		}
	}
}

func benchKeyLatency(b *testing.B, n int) {
	l, err := loop.New()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	d := server.NewDisplay(server.Options{})
	defer d.Close()
	l.AddBeforeWait(d.FlushClients)
	st := Settings{Names: rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}, RepeatRate: 25, RepeatDelay: 600}
	cfg, err := st.SeatConfig(os.Getenv)
	if err != nil {
		b.Fatal(err)
	}
	cfg.Serial = d.NextSerial
	s, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	bs := &benchServer{l: l, d: d, s: s, surfaces: map[*server.Client]*wayland.Surface{}}
	wayland.AddCompositorGlobal(d, 4, func(r *wayland.Compositor) error { r.SetHandler(benchCompositor{bs}); return nil })
	wayland.AddSeatGlobal(d, 9, s.Bind)

	// The evdev fd: a pipe, decoded as a device's fd is.
	var evp [2]int
	if err := unix.Pipe2(evp[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		b.Fatal(err)
	}
	defer unix.Close(evp[1])
	defer unix.Close(evp[0])
	kb := s.AddKeyboard("bench", nil)
	dec := evdev.NewDecoder(nil)
	sink := evdev.SinkFunc(func(f *evdev.Frame) {
		for i := range f.Events {
			if ev := &f.Events[i]; ev.Type == evdev.EvKey {
				kb.Key(ev.Time, ev.Code, ev.Value != 0)
			}
		}
	})
	// The pipe stands in for an evdev fd (evdev.Open needs a real device), so
	// this reads it the way evdev.Device.Dispatch reads a device: until a
	// short read or EAGAIN.
	var rbuf [64 * evdev.EventSize]byte
	src, err := l.AddFD(evp[0], loop.Readable, func(loop.Events) {
		for {
			m, err := unix.Read(evp[0], rbuf[:])
			if m > 0 {
				dec.Decode(rbuf[:m], sink)
				if m < len(rbuf) {
					return
				}
				continue
			}
			if err == unix.EINTR {
				continue
			}
			return
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Remove()

	var clientFDs []int
	var focused *server.Client
	for range n + 1 {
		c, fd := bs.addClient(b)
		clientFDs = append(clientFDs, fd)
		if focused == nil {
			focused = c
		}
	}
	s.ToplevelMapped(bs.surfaces[focused])
	l.Dispatch(0) // flush keymaps and enter
	for _, fd := range clientFDs[:n] {
		drain(fd) // the last client never reads
	}
	stamps, wait := startReader(b, clientFDs[0])
	done := make(chan error, 1)
	go func() { done <- l.Run() }()
	defer func() {
		l.Post(l.Stop)
		<-done
		d.Close() // the reader sees EOF on the focused client's socket
		for _, fd := range clientFDs {
			unix.Close(fd)
		}
		wait()
	}()

	frames := [2][]byte{keyFrame(nil, 30, 1), keyFrame(nil, 30, 0)}
	wakes0 := l.Wakeups()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		t0 := evdev.Now()
		if _, err := unix.Write(evp[1], frames[i&1]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, readStamp(b, stamps)-t0)
	}
	b.StopTimer()
	b.ReportMetric(float64(l.Wakeups()-wakes0)/float64(b.N), "wakes/frame")
	report(b, lat)
}
