package client_test

import (
	"bytes"
	"errors"
	"testing"

	"gocomp/protocols/client"
	"gocomp/protocols/client/decorclient"
	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/client/xdgclient"
	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

// decorListener records decoration configures.
type decorListener struct {
	modes []decorclient.ToplevelDecorationV1Mode
}

func (l *decorListener) Configure(_ *decorclient.ToplevelDecorationV1, mode decorclient.ToplevelDecorationV1Mode) {
	l.modes = append(l.modes, mode)
}

// TestDecoration drives the xdg-decoration binding (from Debian's XML,
// with its own constants, and an argument from xdgclient) against the
// scripted server: the request bytes and the configure event.
func TestDecoration(t *testing.T) {
	s, _, _, _ := newScripted(t, client.Options{})
	comp, err1 := wlclient.BindCompositor(s.reg, 6)
	wm, err2 := xdgclient.BindWmBase(s.reg, 6)
	dm, err3 := decorclient.BindDecorationManagerV1(s.reg, 1)
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if wm.Version() != 3 {
		t.Errorf("xdg_wm_base bound at %d; want 3, the offer", wm.Version())
	}
	surf, err := comp.CreateSurface()
	if err != nil {
		t.Fatal(err)
	}
	xs, err := wm.GetXdgSurface(surf)
	if err != nil {
		t.Fatal(err)
	}
	top, err := xs.GetToplevel()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.c.Flush(); err != nil {
		t.Fatal(err)
	}
	s.drain()
	deco, err := dm.GetToplevelDecoration(top)
	if err != nil {
		t.Fatal(err)
	}
	l := &decorListener{}
	deco.SetListener(l)
	if err := deco.SetMode(decorclient.ToplevelDecorationV1ModeServerSide); err != nil {
		t.Fatal(err)
	}
	if err := s.c.Flush(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := unix.Read(s.raw, buf)
	want := append(words(dm.ID(), 16<<16|decorclient.DecorationManagerV1RequestGetToplevelDecoration, deco.ID(), top.ID()),
		words(deco.ID(), 12<<16|decorclient.ToplevelDecorationV1RequestSetMode, 2)...)
	if !bytes.Equal(buf[:n], want) {
		t.Errorf("requests % x\nwant     % x", buf[:n], want)
	}
	s.write(event(deco.ID(), decorclient.ToplevelDecorationV1EventConfigure, func(e *wire.Encoder) { e.PutUint(1) }))
	s.until("configure", func() bool { return len(l.modes) == 1 })
	if l.modes[0] != decorclient.ToplevelDecorationV1ModeClientSide || l.modes[0].String() != "client_side" {
		t.Errorf("configure mode %v; want client_side", l.modes[0])
	}
}
