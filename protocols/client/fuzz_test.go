package client_test

import (
	"errors"
	"testing"

	"gocomp/protocols/client"
	"gocomp/protocols/client/internal/testproto/testcli"
	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

// Object ids of the fuzz client (the seeds in testdata/fuzz address them).
const (
	fuzzRegistry  = 2
	fuzzComp      = 3
	fuzzFds       = 4 // tst_fds v2, with a listener
	fuzzSeat      = 5
	fuzzDDM       = 6
	fuzzSurface   = 7
	fuzzKeyboard  = 8 // with a listener
	fuzzPointer   = 9 // without one
	fuzzDataDev   = 10
	fuzzFdsNoList = 11 // tst_fds v1, without a listener
)

// fuzzClient connects a client to a raw server end, advertises globals
// and binds objects of several kinds, with and without listeners. The
// caller closes both ends.
func fuzzClient(t *testing.T) (c *client.Conn, raw int) {
	t.Helper()
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	raw = pair[0]
	c, err = client.NewConn(pair[1], client.Options{OutputLimit: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := c.GetRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	var adverts []byte
	for i, iface := range []string{"wl_compositor", "tst_fds", "wl_seat", "wl_data_device_manager"} {
		adverts = append(adverts, event(fuzzRegistry, 0, func(e *wire.Encoder) {
			e.PutUint(uint32(i + 1))
			e.PutString(iface)
			e.PutUint(10)
		})...)
	}
	if _, err := unix.Write(raw, adverts); err != nil {
		t.Fatal(err)
	}
	if err := c.HandleReadable(); err != nil {
		t.Fatal(err)
	}
	comp, err1 := wlclient.BindCompositor(reg, 6)
	fds, err2 := testcli.BindFds(reg, 2)
	seat, err3 := wlclient.BindSeat(reg, 7)
	ddm, err4 := wlclient.BindDataDeviceManager(reg, 3)
	surf, err5 := comp.CreateSurface()
	kbd, err6 := seat.GetKeyboard()
	ptr, err7 := seat.GetPointer()
	dev, err8 := ddm.GetDataDevice(seat)
	fds1 := &testcli.Fds{}
	err9 := reg.Bind(2, fds1, testcli.FdsInterface, 1)
	if err := errors.Join(err1, err2, err3, err4, err5, err6, err7, err8, err9); err != nil {
		t.Fatal(err)
	}
	fds.SetListener(testcli.NopFdsListener{})
	kbd.SetListener(wlclient.NopKeyboardListener{})
	dev.SetListener(wlclient.NopDataDeviceListener{})
	for i, obj := range []client.Object{comp, fds, seat, ddm, surf, kbd, ptr, dev, fds1} {
		if want := uint32(fuzzComp + i); obj.Base().ID() != want {
			t.Fatalf("fuzz object %d has id %d; want %d", i, obj.Base().ID(), want)
		}
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	return c, raw
}

// FuzzClientEvents feeds arbitrary bytes, with up to three fds attached,
// to a client holding objects of several kinds, and checks that it never
// panics, that a failure is one of the documented errors, and that after
// Close no fd the input carried is left open.
func FuzzClientEvents(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, nfds uint8) {
		if len(data) > 32<<10 {
			return
		}
		before := openFDs(t)
		c, raw := fuzzClient(t)
		var rights []byte
		if n := int(nfds % 4); n > 0 {
			fds := make([]int, n)
			for i := range fds {
				fds[i] = raw // any fd will do: the client gets duplicates
			}
			rights = unix.UnixRights(fds...)
		}
		if len(data) > 0 || rights != nil {
			buf := data
			if len(buf) == 0 {
				buf = []byte{0}
			}
			if err := unix.Sendmsg(raw, buf, rights, nil, 0); err != nil {
				t.Fatal(err)
			}
		}
		err := c.HandleReadable()
		var pe *client.ProtocolError
		if err != nil && !errors.Is(err, client.ErrMalformed) && !errors.As(err, &pe) {
			t.Fatalf("HandleReadable: %v; want nil, ErrMalformed or a ProtocolError", err)
		}
		if err == nil {
			// Still healthy: the client's answers go out, and a hang-up is
			// noticed as such.
			if err := c.Flush(); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			unix.Shutdown(raw, unix.SHUT_WR)
			if err := c.HandleReadable(); !errors.Is(err, client.ErrServerClosed) && !errors.Is(err, client.ErrMalformed) {
				t.Fatalf("after hang-up: %v; want ErrServerClosed", err)
			}
		}
		c.Close()
		unix.Close(raw)
		if after := openFDs(t); after != before {
			t.Fatalf("open fds %d -> %d: the client kept fds it was sent", before, after)
		}
	})
}
