package main

import (
	"bufio"
	"encoding/binary"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gocomp/compositor/backend/evdevinput"
	"gocomp/evdev"

	"golang.org/x/sys/unix"
)

// The latency benchmarks run gocomp as the binary does (newSession: the
// loop, the seat, the headless backend with the evdev input source, the
// server) and time input from the write of an evdev frame into a pipe
// that an evdev.Device reads (a stream device the evdev source adopted,
// since the machine has no /dev/input) to the read of the client's socket
// in another process: the recorder client, which stamps every read. Beside
// them, the floor: the same write read by another process straight from a
// pipe.

// floorEnv switches the test binary into the floor's reader: it reads fd
// 3 and writes the time of every read to fd 4.
const floorEnv = "GOCOMP_BENCH_FLOOR_READER"

func TestMain(m *testing.M) {
	if os.Getenv(floorEnv) == "1" {
		buf := make([]byte, 4096)
		for {
			n, err := unix.Read(3, buf)
			if n <= 0 && err != unix.EINTR {
				os.Exit(0)
			}
			stamp := binary.NativeEndian.AppendUint64(nil, uint64(evdev.Now()))
			if _, err := unix.Write(4, stamp); err != nil {
				os.Exit(1)
			}
		}
	}
	os.Exit(m.Run())
}

// pipe2 returns a pipe (read end, write end).
func pipe2(b *testing.B) (int, int) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		b.Fatal(err)
	}
	return p[0], p[1]
}

// readStamp reads one 8-byte time stamp from fd.
func readStamp(b *testing.B, fd int) time.Duration {
	var ts [8]byte
	for got := 0; got < len(ts); {
		n, err := unix.Read(fd, ts[got:])
		if err == unix.EINTR {
			continue
		}
		if n <= 0 {
			b.Fatalf("read stamp: %d of 8 bytes, %v", got, err)
		}
		got += n
	}
	return time.Duration(binary.NativeEndian.Uint64(ts[:]))
}

// childFiles wraps fds for exec.Cmd.ExtraFiles; closeAll closes them (once
// the child has its copies). The fds are the files' from then on: nothing
// else may close them.
func childFiles(fds ...int) (files []*os.File, closeAll func()) {
	for _, fd := range fds {
		files = append(files, os.NewFile(uintptr(fd), "child"))
	}
	return files, func() {
		for _, f := range files {
			f.Close()
		}
	}
}

// percentiles puts p50 and p99 of lat on b.
func percentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Nanoseconds()) }
	b.ReportMetric(p(0.50), "p50-ns")
	b.ReportMetric(p(0.99), "p99-ns")
	b.ReportMetric(0, "ns/op")
}

// frame encodes events then SYN_REPORT.
func frame(evs ...evdev.Event) []byte {
	var out []byte
	for _, ev := range append(evs, evdev.Event{Type: evdev.EvSyn, Code: evdev.SynReport}) {
		var e [evdev.EventSize]byte
		evdev.PutEvent(e[:], ev)
		out = append(out, e[:]...)
	}
	return out
}

// BenchmarkInputLatency times a key frame and a pointer motion frame from
// the evdev fd to the focused client's socket through gocomp, with input
// tracing off and on, beside the pipe floor.
func BenchmarkInputLatency(b *testing.B) {
	recorder := filepath.Join(b.TempDir(), "recorder")
	if out, err := exec.Command("go", "build", "-o", recorder, "gocomp/seat/internal/recorder").CombinedOutput(); err != nil {
		b.Fatalf("build the recorder: %v\n%s", err, out)
	}
	key := func(i int) []byte {
		return frame(evdev.Event{Type: evdev.EvKey, Code: 30, Value: int32(1 - i&1)})
	}
	motion := func(i int) []byte {
		return frame(evdev.Event{Type: evdev.EvRel, Code: evdev.RelX, Value: int32(1 - 2*(i&1))})
	}
	b.Run("pipe-floor", benchFloor)
	b.Run("key", func(b *testing.B) { benchGocomp(b, recorder, benchSetup{}, key) })
	b.Run("key+trace-input", func(b *testing.B) { benchGocomp(b, recorder, benchSetup{trace: true}, key) })
	b.Run("key-nested", func(b *testing.B) { benchGocomp(b, recorder, benchSetup{nested: true}, key) })
	b.Run("pointer-motion", func(b *testing.B) { benchGocomp(b, recorder, benchSetup{}, motion) })
}

// benchSetup varies the gocomp a latency benchmark runs.
type benchSetup struct {
	trace  bool // --trace-input
	nested bool // the client is in a nested gocomp (wayland backend) inside the timed one
}

// benchFloor is a pipe write read by another process.
func benchFloor(b *testing.B) {
	r, w := pipe2(b)
	sr, sw := pipe2(b)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), floorEnv+"=1")
	var closeChildFiles func()
	cmd.ExtraFiles, closeChildFiles = childFiles(r, sw)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	closeChildFiles()
	f := frame(evdev.Event{Type: evdev.EvKey, Code: 30, Value: 1})
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := evdev.Now()
		unix.Write(w, f)
		stamp := readStamp(b, sr)
		for stamp < t0 { // a read from before this frame (the setup's)
			stamp = readStamp(b, sr)
		}
		lat = append(lat, stamp-t0)
	}
	b.StopTimer()
	unix.Close(w)
	cmd.Wait()
	unix.Close(sr)
	percentiles(b, lat)
}

// runBenchSession runs a gocomp session on a goroutine of its own; stop
// ends it.
func runBenchSession(b *testing.B, opts *runOptions, log *slog.Logger) (s *runSession, stop func()) {
	s, err := newSession(opts, log)
	if err != nil {
		b.Fatal(err)
	}
	ran := make(chan error, 1)
	go func() { _, err := s.srv.Run(nil); ran <- err }()
	return s, func() {
		s.loop.Post(func() { s.srv.Shutdown("benchmark over") })
		<-ran
		s.close()
	}
}

// benchGocomp runs gocomp with the recorder as its client and times
// frames written into an adopted stream device that has a keyboard's and
// a mouse's capabilities. Nested, the recorder is a client of a second
// gocomp that is a window of the first: the time includes the host's
// wl_keyboard event and the nested gocomp's seat.
func benchGocomp(b *testing.B, recorder string, setup benchSetup, next func(i int) []byte) {
	dir, err := os.MkdirTemp("", "gocomp-bench")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o700)
	b.Setenv("XDG_RUNTIME_DIR", dir)
	opts, err := parseRunFlags([]string{"--input", "evdev", "--socket", "bench", "--pointer-accel", "flat"}, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	opts.backend.NoDiscovery = true // no device of this machine: only the stream
	opts.traceInput = setup.trace
	log := slog.New(slog.NewTextHandler(io.Discard, nil)) // records are formatted, then dropped
	s, stop := runBenchSession(b, opts, log)
	defer stop()
	clientDisplay := "bench"
	if setup.nested {
		inner, err := parseRunFlags([]string{"--backend", "wayland", "--socket", "bench-inner"}, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		b.Setenv("WAYLAND_DISPLAY", "bench")
		_, stopInner := runBenchSession(b, inner, log)
		defer stopInner()
		clientDisplay = "bench-inner"
	}
	// The device: a pipe read by evdev.Device.Dispatch, adopted by the
	// evdev source as a discovered device would be.
	devR, devW := pipe2(b)
	defer unix.Close(devW)
	var caps evdev.Capabilities
	for code := uint16(1); code < 128; code++ {
		caps.Set(evdev.EvKey, code)
	}
	for _, c := range []uint16{evdev.BtnLeft, evdev.BtnRight} {
		caps.Set(evdev.EvKey, c)
	}
	caps.Set(evdev.EvRel, evdev.RelX)
	caps.Set(evdev.EvRel, evdev.RelY)
	dev, err := evdev.NewStream(devR, "bench-stream", evdev.StreamInfo{Name: "bench keyboard and mouse", Caps: caps}, evdev.Options{})
	if err != nil {
		b.Fatal(err)
	}
	adopted := make(chan error, 1)
	s.loop.Post(func() { adopted <- s.backend.InputSources()[0].(*evdevinput.Source).Adopt(dev) })
	if err := <-adopted; err != nil {
		b.Fatal(err)
	}
	// The client: the recorder, stamping every read of its socket.
	sr, sw := pipe2(b)
	defer unix.Close(sr)
	cmd := exec.Command(recorder, "-pointer", "-stamp-fd", "3", clientDisplay)
	cmd.Env = append(os.Environ(), "WAYLAND_DISPLAY="+clientDisplay)
	var closeChildFiles func()
	cmd.ExtraFiles, closeChildFiles = childFiles(sw)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	closeChildFiles()
	defer cmd.Wait()
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	var said []string
	for entered := false; !entered; {
		if !lines.Scan() {
			b.Fatalf("the recorder ended before it had the focus: %v; it said %q", lines.Err(), said)
		}
		said = append(said, lines.Text())
		entered = strings.HasPrefix(lines.Text(), "enter ")
	}
	go io.Copy(io.Discard, out)
	// Stamps of the setup's reads come first: drain those already there;
	// any later one is older than the frame it would be paired with and
	// is skipped below.
	unix.SetNonblock(sr, true)
	var junk [4096]byte
	for {
		if n, _ := unix.Read(sr, junk[:]); n <= 0 {
			break
		}
	}
	unix.SetNonblock(sr, false)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		f := next(i)
		t0 := evdev.Now()
		if _, err := unix.Write(devW, f); err != nil {
			b.Fatal(err)
		}
		stamp := readStamp(b, sr)
		for stamp < t0 { // a read from before this frame (the setup's)
			stamp = readStamp(b, sr)
		}
		lat = append(lat, stamp-t0)
	}
	b.StopTimer()
	percentiles(b, lat)
}
