package client_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gocomp/compositor/loop"
	"gocomp/protocols/client"
	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

// syncServerEnv makes the test binary the gocomp server of
// BenchmarkSyncRoundTrip: serve one client on the fd it names, then exit.
const syncServerEnv = "GOCOMP_CLIENT_BENCH_SERVER_FD"

func TestMain(m *testing.M) {
	if v := os.Getenv(syncServerEnv); v != "" {
		fd, err := strconv.Atoi(v)
		if err == nil {
			err = serveOne(fd)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "sync server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serveOne serves the client on fd from a compositor/loop loop, as gocomp
// does, until the client leaves.
func serveOne(fd int) error {
	l, err := loop.New()
	if err != nil {
		return err
	}
	defer l.Close()
	d := server.NewDisplay(server.Options{})
	defer d.Close()
	var src *loop.FDSource
	c, err := d.NewClient(fd, server.ClientHooks{Disconnected: func(*server.Client, error) {
		src.Remove()
		l.Stop()
	}})
	if err != nil {
		return err
	}
	if src, err = l.AddFD(fd, loop.Readable, func(loop.Events) { c.HandleReadable() }); err != nil {
		return err
	}
	l.AddBeforeWait(d.FlushClients)
	return l.Run()
}

// buildAnchor compiles a C anchor with gcc against the pkg-config package
// lib (make deps installs gcc, pkg-config and libwayland-dev).
func buildAnchor(b *testing.B, src, lib string) string {
	b.Helper()
	flags, err := exec.Command("pkg-config", "--cflags", "--libs", lib).Output()
	if err != nil {
		b.Fatalf("pkg-config %s: %v (run make deps)", lib, err)
	}
	bin := filepath.Join(b.TempDir(), strings.TrimSuffix(filepath.Base(src), ".c"))
	args := append([]string{"-O2", "-o", bin, src}, strings.Fields(string(flags))...)
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		b.Fatalf("gcc %v: %v\n%s", args, err, out)
	}
	return bin
}

// startOnFD starts cmd with fd as its fd 3 (the fd is closed here once the
// child has it) and returns a function that waits for it to exit.
func startOnFD(b *testing.B, cmd *exec.Cmd, fd int) (wait func()) {
	b.Helper()
	f := os.NewFile(uintptr(fd), "peer")
	cmd.ExtraFiles = []*os.File{f}
	cmd.Stderr = os.Stderr
	err := cmd.Start()
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	return func() {
		if err := cmd.Wait(); err != nil {
			b.Errorf("%s: %v", cmd.Path, err)
		}
	}
}

// BenchmarkSyncRoundTrip measures wl_display.sync round trips made by a
// client over a unix socketpair, for each pair of client and server:
// gocomp's client (Conn.Roundtrip: sync, flush, poll, read, dispatch the
// callback) or libwayland's (testdata/anchor/sync_client.c doing
// wl_display_roundtrip, the same work), against gocomp's server (this test
// binary in a child process, serving from a compositor/loop loop) or
// libwayland's (protocols/server's anchor, ../server/testdata/anchor).
// The libwayland client reports its own µs/roundtrip; its ns/op includes
// starting the program. protocols/server's BenchmarkSyncRoundTrip measures
// the servers with a raw blocking client in the same run.
func BenchmarkSyncRoundTrip(b *testing.B) {
	cAnchor := buildAnchor(b, "testdata/anchor/sync_client.c", "wayland-client")
	sAnchor := buildAnchor(b, "../server/testdata/anchor/sync_server.c", "wayland-server")
	servers := []struct {
		name string
		cmd  func() *exec.Cmd
	}{
		{"gocomp-server", func() *exec.Cmd {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), syncServerEnv+"=3")
			return cmd
		}},
		{"libwayland-server", func() *exec.Cmd { return exec.Command(sAnchor, "3") }},
	}
	for _, srv := range servers {
		b.Run("gocomp-client/"+srv.name, func(b *testing.B) {
			pair := socketpair(b)
			wait := startOnFD(b, srv.cmd(), pair[0])
			c, err := client.NewConn(pair[1], client.Options{})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if err := c.Roundtrip(ctx); err != nil { // warm up
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := c.Roundtrip(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "µs/roundtrip")
			c.Close()
			wait()
		})
		b.Run("libwayland-client/"+srv.name, func(b *testing.B) {
			pair := socketpair(b)
			wait := startOnFD(b, srv.cmd(), pair[0])
			cmd := exec.Command(cAnchor, "3", strconv.Itoa(b.N))
			var out strings.Builder
			cmd.Stdout = &out
			startOnFD(b, cmd, pair[1])()
			wait()
			us, err := strconv.ParseFloat(strings.TrimSpace(out.String()), 64)
			if err != nil {
				b.Fatalf("anchor printed %q: %v", out.String(), err)
			}
			b.ReportMetric(us, "µs/roundtrip")
		})
	}
}

func socketpair(b testing.TB) [2]int {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	return [2]int{fds[0], fds[1]}
}

// keyCounter counts wl_keyboard.key events.
type keyCounter struct {
	wlclient.NopKeyboardListener
	n int
}

func (k *keyCounter) Key(*wlclient.Keyboard, uint32, uint32, uint32, wayland.KeyboardKeyState) { k.n++ }

// BenchmarkKeyEvents measures decoding and dispatching wl_keyboard.key
// events to a listener: batches of 1024 are written to the client's socket
// and HandleReadable reads and dispatches them (the write is counted).
// An op is one event, so allocs/op is allocations per event. "libwayland"
// is libwayland-client doing the same (testdata/anchor/key_events_client.c,
// prepare_read, read_events, dispatch_pending); its ns/event excludes
// starting the program.
func BenchmarkKeyEvents(b *testing.B) {
	anchor := buildAnchor(b, "testdata/anchor/key_events_client.c", "wayland-client")
	b.Run("gocomp", func(b *testing.B) {
		pair := socketpair(b)
		defer unix.Close(pair[0])
		c, err := client.NewConn(pair[1], client.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		reg, err := c.GetRegistry(nil)
		if err != nil {
			b.Fatal(err)
		}
		seat := &wlclient.Seat{}
		if _, err := unix.Write(pair[0], event(regID, 0, func(e *wire.Encoder) { e.PutUint(1); e.PutString("wl_seat"); e.PutUint(7) })); err != nil {
			b.Fatal(err)
		}
		if err := c.HandleReadable(); err != nil {
			b.Fatal(err)
		}
		if err := reg.Bind(1, seat, wlclient.SeatInterface, 7); err != nil {
			b.Fatal(err)
		}
		kbd, err := seat.GetKeyboard()
		if err != nil {
			b.Fatal(err)
		}
		counter := &keyCounter{}
		kbd.SetListener(counter)
		const batch = 1024
		var buf []byte
		for i := range batch {
			buf = append(buf, event(kbd.ID(), wayland.KeyboardEventKey, func(e *wire.Encoder) {
				e.PutUint(uint32(i))
				e.PutUint(uint32(i))
				e.PutUint(30)
				e.PutUint(1)
			})...)
		}
		size := len(buf) / batch
		b.ReportAllocs()
		b.ResetTimer()
		for done := 0; done < b.N; {
			k := min(batch, b.N-done)
			if _, err := unix.Write(pair[0], buf[:k*size]); err != nil {
				b.Fatal(err)
			}
			if err := c.HandleReadable(); err != nil {
				b.Fatal(err)
			}
			done += k
		}
		b.StopTimer()
		if counter.n != b.N {
			b.Fatalf("listener saw %d keys; want %d", counter.n, b.N)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
	})
	b.Run("libwayland", func(b *testing.B) {
		out, err := exec.Command(anchor, strconv.Itoa(b.N)).Output()
		if err != nil {
			b.Fatalf("%s: %v", anchor, err)
		}
		ns, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		if err != nil {
			b.Fatalf("anchor printed %q: %v", out, err)
		}
		b.ReportMetric(ns, "ns/event")
	})
}
