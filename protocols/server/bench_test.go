package server_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gocomp/compositor/loop"
	"gocomp/protocols/server"

	"golang.org/x/sys/unix"
)

// syncServerEnv makes the test binary act as the gocomp side of
// BenchmarkSyncRoundTrip: serve one client on the fd it names, then exit.
const syncServerEnv = "GOCOMP_SYNC_SERVER_FD"

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

// serveOne runs a display for the client on fd on gocomp's event loop,
// wired as the compositor wires every client (compositor/clients.go): the
// client's fd is a loop source that reads and dispatches to EAGAIN, and a
// before-wait hook flushes every client. It returns when the client leaves.
func serveOne(fd int) error {
	l, err := loop.New()
	if err != nil {
		return err
	}
	defer l.Close()
	d := server.NewDisplay(server.Options{})
	defer d.Close()
	var src *loop.FDSource
	c, err := d.NewClient(fd, server.ClientHooks{
		Disconnected: func(*server.Client, error) {
			src.Remove()
			l.Stop()
		},
		WantWritable: func(_ *server.Client, want bool) {
			if want {
				src.SetMask(loop.Readable | loop.Writable)
			} else {
				src.SetMask(loop.Readable)
			}
		},
	})
	if err != nil {
		return err
	}
	src, err = l.AddFD(fd, loop.Readable, func(ev loop.Events) {
		if ev&loop.Writable != 0 {
			c.Flush()
		}
		if ev&(loop.Readable|loop.Hangup|loop.Error) != 0 {
			c.HandleReadable()
		}
	})
	if err != nil {
		return err
	}
	l.AddBeforeWait(d.FlushClients)
	return l.Run()
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
// in a child process (this test binary, see TestMain) on gocomp's event
// loop;
// "libwayland" runs the C anchor
// (libwayland-server, testdata/anchor/sync_server.c, built with gcc) in a
// child process. "inline" drives gocomp's server from the client goroutine,
// so it counts the CPU work of both sides without any thread hand-off.
func BenchmarkSyncRoundTrip(b *testing.B) {
	anchor := buildAnchor(b)
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
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), syncServerEnv+"=3")
		benchSyncServer(b, cmd)
	})
	b.Run("libwayland", func(b *testing.B) {
		benchSyncServer(b, exec.Command(anchor, "3"))
	})
}

// benchSyncServer starts cmd as a server on its fd 3, one end of a unix
// socketpair, runs the round-trip benchmark on the other end, then closes
// it and waits for the server to exit.
func benchSyncServer(b *testing.B, cmd *exec.Cmd) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	srvEnd := os.NewFile(uintptr(fds[0]), "server-end")
	cmd.ExtraFiles = []*os.File{srvEnd}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		srvEnd.Close()
		unix.Close(fds[1])
		b.Fatal(err)
	}
	srvEnd.Close()
	runSyncBench(b, fds[1])
	unix.Close(fds[1])
	if err := cmd.Wait(); err != nil {
		b.Errorf("sync server %s: %v", cmd.Path, err)
	}
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

// buildAnchor compiles the C anchor server with gcc and pkg-config (make
// deps installs gcc, pkg-config and libwayland-dev).
func buildAnchor(b *testing.B) string {
	b.Helper()
	flags, err := exec.Command("pkg-config", "--cflags", "--libs", "wayland-server").Output()
	if err != nil {
		b.Fatalf("pkg-config wayland-server: %v (run make deps)", err)
	}
	bin := filepath.Join(b.TempDir(), "sync_server")
	args := append([]string{"-O2", "-o", bin, "testdata/anchor/sync_server.c"}, strings.Fields(string(flags))...)
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		b.Fatalf("gcc %v: %v\n%s", args, err, out)
	}
	return bin
}
