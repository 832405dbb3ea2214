package server_test

import (
	"errors"
	"os"
	"testing"

	"gocomp/protocols/server"

	"golang.org/x/sys/unix"
)

// FuzzDispatch feeds arbitrary bytes, with up to three fds attached, to a
// server client that has wl_compositor and wl_shm to bind, and checks that
// the server neither panics nor leaves the client half-alive: it is either
// still connected and goes away cleanly at EOF, or is disconnected with a
// reason, and a protocol error reason means the error event was sent.
func FuzzDispatch(f *testing.F) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		f.Fatal(err)
	}
	defer devnull.Close()
	f.Fuzz(func(t *testing.T, data []byte, nfds uint8) {
		if len(data) > 32<<10 {
			return
		}
		td := newTestDisplay(t, server.Options{OutputLimit: 64 << 10})
		tc := newTestClient(t, td.d)
		var rights []byte
		if n := int(nfds % 4); n > 0 {
			fds := make([]int, n)
			for i := range fds {
				fds[i] = int(devnull.Fd())
			}
			rights = unix.UnixRights(fds...)
		}
		if len(data) > 0 || rights != nil {
			buf := data
			if len(buf) == 0 {
				buf = []byte{0}
			}
			if err := unix.Sendmsg(tc.conn.Fd(), buf, rights, nil, 0); err != nil {
				t.Fatal(err)
			}
		}
		evs := tc.pump()
		if !tc.gone {
			if tc.srv.Err() != nil || tc.srv.Closed() {
				t.Fatalf("client failed (%v) but was not disconnected", tc.srv.Err())
			}
			// Still connected: closing our end must tear it down cleanly.
			if err := unix.Shutdown(tc.conn.Fd(), unix.SHUT_WR); err != nil {
				t.Fatal(err)
			}
			tc.pump()
			if !tc.gone || !tc.srv.Closed() {
				t.Fatalf("client not torn down after EOF")
			}
			return
		}
		var pe *server.ProtocolError
		if errors.As(tc.reason, &pe) {
			if _, code, _, ok := displayError(evs); !ok || code != pe.Code {
				t.Fatalf("disconnected with %v but the client got %+v", tc.reason, evs)
			}
		}
	})
}
