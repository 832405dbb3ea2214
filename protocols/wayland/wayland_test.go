package wayland_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os/exec"
	"strconv"
	"testing"

	"gocomp/protocols/internal/benchkit"
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

// peer is a server client on a socketpair plus the raw other end.
type peer struct {
	d   *server.Display
	c   *server.Client
	raw *wire.Conn
}

func newPeer(t testing.TB, opts server.Options) *peer {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{d: server.NewDisplay(opts)}
	if p.c, err = p.d.NewClient(fds[0], server.ClientHooks{}); err != nil {
		t.Fatal(err)
	}
	if p.raw, err = wire.NewConn(fds[1], 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.d.Close(); p.raw.Close() })
	return p
}

// received flushes the server and returns the bytes that reached the peer.
func (p *peer) received(t testing.TB) []byte {
	t.Helper()
	p.d.FlushClients()
	var out []byte
	for {
		if _, err := p.raw.Read(); err != nil {
			if !errors.Is(err, unix.EAGAIN) {
				t.Fatal(err)
			}
			break
		}
		for {
			h, args, ok, err := p.raw.Next()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			out = binary.NativeEndian.AppendUint32(out, h.Sender)
			out = binary.NativeEndian.AppendUint32(out, uint32(h.Size)<<16|uint32(h.Opcode))
			out = append(out, args...)
		}
	}
	return out
}

func words(ws ...uint32) []byte {
	var b []byte
	for _, w := range ws {
		b = binary.NativeEndian.AppendUint32(b, w)
	}
	return b
}

func TestKeyboardEvents(t *testing.T) {
	p := newPeer(t, server.Options{})
	kb, err := wayland.NewKeyboard(p.c, 3)
	if err != nil {
		t.Fatal(err)
	}
	if kb.ID() != server.ServerIDBase {
		t.Fatalf("server-created keyboard has id %#x; want %#x", kb.ID(), server.ServerIDBase)
	}
	kb.SendKey(7, 1000, 30, wayland.KeyboardKeyStatePressed)
	kb.SendRepeatInfo(25, 600) // since 4: a no-op on version 3
	kb.SendModifiers(8, 1, 0, 2, 0)
	id := kb.ID()
	want := append(words(id, 24<<16|wayland.KeyboardEventKey, 7, 1000, 30, 1),
		words(id, 28<<16|wayland.KeyboardEventModifiers, 8, 1, 0, 2, 0)...)
	if got := p.received(t); !bytes.Equal(got, want) {
		t.Errorf("received % x\nwant     % x", got, want)
	}

	kb10, err := wayland.NewKeyboard(p.c, 10)
	if err != nil {
		t.Fatal(err)
	}
	kb10.SendRepeatInfo(25, 600)
	kb10.SendKey(9, 2000, 30, wayland.KeyboardKeyStateRepeated)
	want = append(words(kb10.ID(), 16<<16|wayland.KeyboardEventRepeatInfo, 25, 600),
		words(kb10.ID(), 24<<16|wayland.KeyboardEventKey, 9, 2000, 30, 2)...)
	if got := p.received(t); !bytes.Equal(got, want) {
		t.Errorf("v10: received % x\nwant         % x", got, want)
	}

	kb10.Destroy()
	kb10.SendKey(10, 3000, 30, wayland.KeyboardKeyStateReleased) // destroyed: no-op
	if got := p.received(t); len(got) != 0 {
		t.Errorf("event from a destroyed resource reached the client: % x", got)
	}
}

// TestKeymapFD sends wl_keyboard.keymap and checks that the fd arrives and
// that the caller keeps its own fd.
func TestKeymapFD(t *testing.T) {
	p := newPeer(t, server.Options{})
	kb, err := wayland.NewKeyboard(p.c, 7)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.MemfdCreate("keymap", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	kb.SendKeymap(wayland.KeyboardKeymapFormatXkbV1, fd, 1234)
	got := p.received(t)
	if want := words(kb.ID(), 16<<16|wayland.KeyboardEventKeymap, 1, 1234); !bytes.Equal(got, want) {
		t.Errorf("received % x; want % x", got, want)
	}
	rfd, ok := p.raw.PopFD()
	if !ok {
		t.Fatal("keymap fd did not arrive")
	}
	defer unix.Close(rfd)
	var a, b unix.Stat_t
	if unix.Fstat(fd, &a) != nil || unix.Fstat(rfd, &b) != nil || a.Ino != b.Ino {
		t.Errorf("received fd is not the keymap memfd")
	}
}

// TestCallbackDone: wl_callback.done is a destructor event, so sending it
// destroys the callback, which a client-created id acknowledges with
// delete_id.
func TestCallbackDone(t *testing.T) {
	p := newPeer(t, server.Options{})
	cb := &wayland.Callback{}
	if err := p.c.Register(cb, wayland.CallbackInterface, 5, 1); err != nil {
		t.Fatal(err)
	}
	cb.SendDone(42)
	if !cb.Destroyed() {
		t.Errorf("callback not destroyed by its destructor event")
	}
	want := append(words(5, 12<<16|wayland.CallbackEventDone, 42), words(1, 12<<16|1, 5)...)
	if got := p.received(t); !bytes.Equal(got, want) {
		t.Errorf("received % x; want done(42) then delete_id(5): % x", got, want)
	}
}

func TestEnumStrings(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{wayland.KeyboardKeyStateRepeated.String(), "repeated"},
		{wayland.ShmFormatXrgb8888.String(), "xrgb8888"},
		{wayland.ShmFormat(0x34324152).String(), "rgba8888"}, // DRM fourcc "RA24"
		{wayland.OutputTransform90.String(), "90"},
		{wayland.KeyboardKeyState(9).String(), "wl_keyboard.key_state(9)"},
		{(wayland.SeatCapabilityPointer | wayland.SeatCapabilityKeyboard).String(), "pointer|keyboard"},
		{wayland.SeatCapability(0).String(), "0"},
		{wayland.SeatCapability(8 | 1).String(), "pointer|0x8"},
		{wayland.DataDeviceManagerDNDActionNone.String(), "none"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: String() = %q; want %q", i, tt.got, tt.want)
		}
	}
}

// BenchmarkKeyEvents measures wl_keyboard.key events queued for a client,
// including the amortised sendmsg of every 1024 events to a peer that
// drains its socket. "libwayland" is the C anchor doing the same with
// libwayland-server (testdata/anchor/key_events.c, built with gcc); its
// ns/op includes starting the program, its ns/event does not.
func BenchmarkKeyEvents(b *testing.B) {
	anchor := benchkit.BuildAnchor(b, "testdata/anchor/key_events.c", "wayland-server")
	b.Run("gocomp", func(b *testing.B) {
		p := newPeer(b, server.Options{})
		kb, err := wayland.NewKeyboard(p.c, 10)
		if err != nil {
			b.Fatal(err)
		}
		sink := make([]byte, 64<<10)
		drain := func() {
			p.c.Flush()
			for {
				if _, err := unix.Read(p.raw.Fd(), sink); err != nil {
					break
				}
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			kb.SendKey(uint32(i), uint32(i), 30, wayland.KeyboardKeyStatePressed)
			if i&1023 == 1023 {
				drain()
			}
		}
		drain()
		b.StopTimer()
		if p.c.Err() != nil {
			b.Fatal(p.c.Err())
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
	})
	b.Run("libwayland", func(b *testing.B) {
		ns := benchkit.AnchorFigure(b, exec.Command(anchor, strconv.Itoa(b.N)))
		b.ReportMetric(ns, "ns/event")
	})
}
