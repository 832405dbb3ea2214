package client_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"gocomp/protocols/client"
	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/internal/benchkit"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	benchkit.ServeIfChild() // BenchmarkSyncRoundTrip's gocomp server
	os.Exit(m.Run())
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
	cAnchor := benchkit.BuildAnchor(b, "testdata/anchor/sync_client.c", "wayland-client")
	sAnchor := benchkit.BuildAnchor(b, "../server/testdata/anchor/sync_server.c", "wayland-server")
	servers := []struct {
		name string
		cmd  func() *exec.Cmd
	}{
		{"gocomp-server", benchkit.ServerCmd},
		{"libwayland-server", func() *exec.Cmd { return exec.Command(sAnchor, "3") }},
	}
	for _, srv := range servers {
		b.Run("gocomp-client/"+srv.name, func(b *testing.B) {
			fd, wait := benchkit.StartPeer(b, srv.cmd())
			c, err := client.NewConn(fd, client.Options{})
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
			fd, wait := benchkit.StartPeer(b, srv.cmd())
			end := os.NewFile(uintptr(fd), "client-end")
			cmd := exec.Command(cAnchor, "3", strconv.Itoa(b.N))
			cmd.ExtraFiles = []*os.File{end}
			us := benchkit.AnchorFigure(b, cmd)
			end.Close()
			wait()
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
	anchor := benchkit.BuildAnchor(b, "testdata/anchor/key_events_client.c", "wayland-client")
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
		ns := benchkit.AnchorFigure(b, exec.Command(anchor, strconv.Itoa(b.N)))
		b.ReportMetric(ns, "ns/event")
	})
}
