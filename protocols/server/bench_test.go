package server_test

import (
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"testing"

	"gocomp/protocols/internal/benchkit"
	"gocomp/protocols/server"

	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	benchkit.ServeIfChild() // BenchmarkSyncRoundTrip's gocomp server
	os.Exit(m.Run())
}

// syncClient is a minimal blocking Wayland client that only does
// wl_display.sync round trips, the same bytes against any server.
type syncClient struct {
	fd  int
	req []byte
	buf []byte
}

func newSyncClient(fd int) *syncClient {
	req := binary.NativeEndian.AppendUint32(nil, 1)       // wl_display
	req = binary.NativeEndian.AppendUint32(req, 12<<16|0) // sync
	req = binary.NativeEndian.AppendUint32(req, 2)        // callback id, reused after delete_id
	return &syncClient{fd: fd, req: req, buf: make([]byte, 24)}
}

// roundTrip sends sync and waits for wl_callback.done and delete_id.
func (s *syncClient) roundTrip() error {
	if _, err := unix.Write(s.fd, s.req); err != nil {
		return err
	}
	for got := 0; got < len(s.buf); {
		n, err := unix.Read(s.fd, s.buf[got:])
		if err != nil {
			return err
		}
		if n == 0 {
			return errors.New("server closed the connection")
		}
		got += n
	}
	if binary.NativeEndian.Uint32(s.buf[0:]) != 2 || binary.NativeEndian.Uint32(s.buf[12:]) != 1 ||
		binary.NativeEndian.Uint32(s.buf[20:]) != 2 {
		return errors.New("unexpected answer to sync")
	}
	return nil
}

// BenchmarkSyncRoundTrip measures a wl_display.sync round trip over a unix
// socketpair from a blocking Go client. "gocomp" runs this package's server
// in a child process (this test binary, see TestMain) on a compositor/loop
// loop (benchkit); "libwayland" runs the C anchor
// (libwayland-server, testdata/anchor/sync_server.c, built with gcc) in a
// child process. "inline" drives gocomp's server from the client goroutine,
// so it counts the CPU work of both sides without any thread hand-off.
func BenchmarkSyncRoundTrip(b *testing.B) {
	anchor := benchkit.BuildAnchor(b, "testdata/anchor/sync_server.c", "wayland-server")
	b.Run("inline", func(b *testing.B) {
		td := newTestDisplay(b, server.Options{})
		tc := newTestClient(b, td.d)
		if err := unix.SetNonblock(tc.conn.Fd(), false); err != nil {
			b.Fatal(err)
		}
		sc := newSyncClient(tc.conn.Fd())
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := unix.Write(sc.fd, sc.req); err != nil {
				b.Fatal(err)
			}
			tc.srv.HandleReadable()
			td.d.FlushClients()
			if _, err := unix.Read(sc.fd, sc.buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gocomp", func(b *testing.B) {
		benchSyncServer(b, benchkit.ServerCmd())
	})
	b.Run("libwayland", func(b *testing.B) {
		benchSyncServer(b, exec.Command(anchor, "3"))
	})
}

// benchSyncServer starts cmd as a server on its fd 3, one end of a unix
// socketpair, runs the round-trip benchmark on the other end, then closes
// it and waits for the server to exit.
func benchSyncServer(b *testing.B, cmd *exec.Cmd) {
	fd, wait := benchkit.StartPeer(b, cmd)
	runSyncBench(b, fd)
	unix.Close(fd)
	wait()
}

func runSyncBench(b *testing.B, fd int) {
	sc := newSyncClient(fd)
	if err := sc.roundTrip(); err != nil { // warm up
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := sc.roundTrip(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "µs/roundtrip")
}
