package session

import (
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"gocomp/compositor/loop"
)

// TestSeatdEnableBeforeOpened: a seatd that enables the seat before it
// answers OPEN_SEAT (the order is the server's choice) still gives an
// active session at once; the early event is not handled twice.
func TestSeatdEnableBeforeOpened(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seatd.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		defer c.Close()
		hdr := make([]byte, 4)
		if _, err := io.ReadFull(c, hdr); err != nil {
			served <- err
			return
		}
		// ENABLE_SEAT alone first, so the client reads it alone.
		if _, err := c.Write(appendSeatdMessage(nil, seatdEvEnableSeat, nil)); err != nil {
			served <- err
			return
		}
		time.Sleep(200 * time.Millisecond)
		name := append([]byte{6, 0}, "seat0\x00"...)
		if _, err := c.Write(appendSeatdMessage(nil, seatdSeatOpened, name)); err != nil {
			served <- err
			return
		}
		// Then CLOSE_SEAT from Close.
		if _, err := io.ReadFull(c, hdr); err != nil {
			served <- err
			return
		}
		_, err = c.Write(appendSeatdMessage(nil, seatdSeatClosed, nil))
		served <- err
	}()
	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan struct{})
	var s Session
	go func() {
		defer close(done)
		s, err = newSeatd(Config{Loop: l, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, path)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("newSeatd did not return: the early ENABLE_SEAT was read again and again")
	}
	if err != nil {
		t.Fatal(err)
	}
	if !s.Active() {
		t.Error("the session is not active after ENABLE_SEAT")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("fake seatd: %v", err)
	}
}
