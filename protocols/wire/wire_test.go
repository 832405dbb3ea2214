package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// le32 builds native-endian words for expected byte strings.
func words(ws ...uint32) []byte {
	var b []byte
	for _, w := range ws {
		b = binary.NativeEndian.AppendUint32(b, w)
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestEncodeArgs checks the exact bytes of every argument type, padding
// included, and that the Decoder reads them back.
func TestEncodeArgs(t *testing.T) {
	tests := []struct {
		name   string
		put    func(e *Encoder)
		args   []byte // expected argument bytes (after the header)
		decode func(d *Decoder) any
		want   any
	}{
		{"int", func(e *Encoder) { e.PutInt(-2) }, words(0xfffffffe),
			func(d *Decoder) any { return d.Int() }, int32(-2)},
		{"uint", func(e *Encoder) { e.PutUint(0xdeadbeef) }, words(0xdeadbeef),
			func(d *Decoder) any { return d.Uint() }, uint32(0xdeadbeef)},
		{"fixed", func(e *Encoder) { e.PutFixed(FixedFromFloat(-1.5)) }, words(0xfffffe80),
			func(d *Decoder) any { return d.Fixed().Float() }, -1.5},
		{"object", func(e *Encoder) { e.PutObject(7) }, words(7),
			func(d *Decoder) any { return d.Object() }, uint32(7)},
		{"null object", func(e *Encoder) { e.PutObject(0) }, words(0),
			func(d *Decoder) any { return d.Object() }, uint32(0)},
		{"new_id", func(e *Encoder) { e.PutUint(0xff000001) }, words(0xff000001),
			func(d *Decoder) any { return d.NewID() }, uint32(0xff000001)},
		// "abc" + NUL is exactly one word: no padding.
		{"string 3", func(e *Encoder) { e.PutString("abc") }, cat(words(4), []byte("abc\x00")),
			func(d *Decoder) any { return d.Str() }, "abc"},
		// "abcd" + NUL needs 3 bytes of padding.
		{"string 4", func(e *Encoder) { e.PutString("abcd") }, cat(words(5), []byte("abcd\x00\x00\x00\x00")),
			func(d *Decoder) any { return d.Str() }, "abcd"},
		{"empty string", func(e *Encoder) { e.PutString("") }, cat(words(1), []byte{0, 0, 0, 0}),
			func(d *Decoder) any { return d.Str() }, ""},
		{"null string", func(e *Encoder) { e.PutNullString() }, words(0),
			func(d *Decoder) any { s, ok := d.OptStr(); return [2]any{s, ok} }, [2]any{"", false}},
		{"optional string", func(e *Encoder) { e.PutString("x") }, cat(words(2), []byte("x\x00\x00\x00")),
			func(d *Decoder) any { s, ok := d.OptStr(); return [2]any{s, ok} }, [2]any{"x", true}},
		{"array 5", func(e *Encoder) { e.PutArray([]byte{1, 2, 3, 4, 5}) }, cat(words(5), []byte{1, 2, 3, 4, 5, 0, 0, 0}),
			func(d *Decoder) any { return string(d.Array()) }, "\x01\x02\x03\x04\x05"},
		{"empty array", func(e *Encoder) { e.PutArray(nil) }, words(0),
			func(d *Decoder) any { return len(d.Array()) }, 0},
		{"untyped new_id", func(e *Encoder) { e.PutString("wl_seat"); e.PutUint(7); e.PutUint(3) },
			cat(words(8), []byte("wl_seat\x00"), words(7, 3)),
			func(d *Decoder) any { return [3]any{d.Str(), d.Uint(), d.NewID()} }, [3]any{"wl_seat", uint32(7), uint32(3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEncoder(0)
			e.Begin(5, 3)
			tt.put(e)
			if err := e.End(); err != nil {
				t.Fatalf("End: %v", err)
			}
			size := HeaderSize + len(tt.args)
			want := cat(words(5, uint32(size)<<16|3), tt.args)
			if got := e.Bytes(); !bytes.Equal(got, want) {
				t.Fatalf("encoded % x; want % x", got, want)
			}
			h, err := ParseHeader(e.Bytes())
			if err != nil || h != (Header{Sender: 5, Opcode: 3, Size: size}) {
				t.Fatalf("ParseHeader = %+v, %v", h, err)
			}
			var d Decoder
			d.Reset(e.Bytes()[HeaderSize:], nil)
			got := tt.decode(&d)
			if err := d.Finish(); err != nil {
				t.Fatalf("Finish: %v", err)
			}
			if got != tt.want {
				t.Errorf("decoded %v; want %v", got, tt.want)
			}
		})
	}
}

type fdList []int

func (l *fdList) PopFD() (int, bool) {
	if len(*l) == 0 {
		return -1, false
	}
	fd := (*l)[0]
	*l = (*l)[1:]
	return fd, true
}

// TestDecodeErrors feeds malformed arguments and checks the sticky error.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []byte
		decode func(d *Decoder)
		want   error
	}{
		{"short int", []byte{1, 2}, func(d *Decoder) { d.Int() }, ErrShortMessage},
		{"missing second arg", words(1), func(d *Decoder) { d.Uint(); d.Uint() }, ErrShortMessage},
		{"trailing bytes", words(1, 2), func(d *Decoder) { d.Uint() }, ErrTrailingBytes},
		{"string past end", cat(words(9), []byte("abc\x00")), func(d *Decoder) { _ = d.Str() }, ErrShortMessage},
		{"string length near 2^32", words(0xffffffff), func(d *Decoder) { _ = d.Str() }, ErrShortMessage},
		{"string without NUL", cat(words(4), []byte("abcd")), func(d *Decoder) { _ = d.Str() }, ErrBadString},
		{"string with inner NUL", cat(words(4), []byte("a\x00c\x00")), func(d *Decoder) { _ = d.Str() }, ErrBadString},
		{"null string where required", words(0), func(d *Decoder) { _ = d.Str() }, ErrNullString},
		{"null new_id", words(0), func(d *Decoder) { d.NewID() }, ErrNullNewID},
		{"array past end", cat(words(8), []byte{1, 2, 3, 4}), func(d *Decoder) { d.Array() }, ErrShortMessage},
		{"array padding missing", cat(words(2), []byte{1, 2}), func(d *Decoder) { d.Array() }, ErrShortMessage},
		{"fd without fd", nil, func(d *Decoder) { d.FD() }, ErrMissingFD},
		{"error is sticky", words(0, 7), func(d *Decoder) { d.NewID(); d.Uint() }, ErrNullNewID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Decoder
			var none fdList
			d.Reset(tt.args, &none)
			tt.decode(&d)
			if err := d.Finish(); !errors.Is(err, tt.want) {
				t.Errorf("Finish() = %v; want %v", err, tt.want)
			}
		})
	}
}

func TestParseHeader(t *testing.T) {
	tests := []struct {
		size  uint32
		valid bool
	}{{0, false}, {4, false}, {8, true}, {12, true}, {14, false}, {4096, true}, {4100, false}, {0xffff, false}}
	for _, tt := range tests {
		_, err := ParseHeader(words(1, tt.size<<16|2))
		var he *HeaderError
		if tt.valid && err != nil || !tt.valid && !errors.As(err, &he) {
			t.Errorf("ParseHeader(size %d) error = %v; want valid=%v", tt.size, err, tt.valid)
		}
	}
}

func TestFixed(t *testing.T) {
	tests := []struct {
		in    float64
		fixed Fixed
		back  float64
		int   int
	}{
		{0, 0, 0, 0},
		{1, 256, 1, 1},
		{-1, -256, -1, -1},
		{0.5, 128, 0.5, 0},
		{-0.5, -128, -0.5, -1},
		{1.0 / 256, 1, 1.0 / 256, 0},
		{1.0 / 1024, 0, 0, 0}, // rounds to nearest 1/256
		{8388607.99609375, math.MaxInt32, 8388607.99609375, 8388607},
		{1e12, math.MaxInt32, 8388607.99609375, 8388607}, // saturates
		{-1e12, math.MinInt32, -8388608, -8388608},
	}
	for _, tt := range tests {
		f := FixedFromFloat(tt.in)
		if f != tt.fixed || f.Float() != tt.back || f.Int() != tt.int {
			t.Errorf("FixedFromFloat(%v) = %d (%v, int %d); want %d (%v, int %d)", tt.in, f, f.Float(), f.Int(), tt.fixed, tt.back, tt.int)
		}
	}
	if got := FixedFromInt(-3); got.Int() != -3 || got.Float() != -3 {
		t.Errorf("FixedFromInt(-3) = %v", got.Float())
	}
}

func TestEncodeLimits(t *testing.T) {
	e := NewEncoder(64)
	e.Begin(1, 0)
	e.PutArray(make([]byte, 40))
	if err := e.End(); err != nil {
		t.Fatalf("first message: %v", err)
	}
	e.Begin(1, 1)
	e.PutArray(make([]byte, 40))
	err := e.End()
	var oe *OverflowError
	if !errors.As(err, &oe) || oe.Limit != 64 || !strings.Contains(err.Error(), "limit of 64 bytes") {
		t.Fatalf("second message: %v; want *OverflowError naming the 64-byte limit", err)
	}
	if e.Pending() != 52 {
		t.Errorf("Pending() = %d after rollback; want 52", e.Pending())
	}

	e = NewEncoder(0)
	e.Begin(1, 0)
	e.PutArray(make([]byte, 4090))
	if err := e.End(); !errors.Is(err, ErrMessageTooBig) {
		t.Errorf("4 KiB array: %v; want ErrMessageTooBig", err)
	}
	e.Begin(1, 0)
	e.PutString("a\x00b")
	if err := e.End(); !errors.Is(err, ErrBadString) {
		t.Errorf("string with NUL: %v; want ErrBadString", err)
	}
	if e.Pending() != 0 {
		t.Errorf("rolled-back messages left %d bytes", e.Pending())
	}
}

func socketpair(t testing.TB) (a, b int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	return fds[0], fds[1]
}

// newConn wraps fd in a Conn with output limit limit, closed at cleanup.
func newConn(t testing.TB, fd, limit int) *Conn {
	t.Helper()
	c, err := NewConn(fd, limit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// connPair returns the two ends of a socketpair as Conns.
func connPair(t testing.TB, limit int) (a, b *Conn) {
	t.Helper()
	fa, fb := socketpair(t)
	return newConn(t, fa, limit), newConn(t, fb, limit)
}

// sameFile reports whether two fds refer to the same open file.
func sameFile(t *testing.T, a, b int) bool {
	var sa, sb unix.Stat_t
	if err := unix.Fstat(a, &sa); err != nil {
		t.Fatal(err)
	}
	if err := unix.Fstat(b, &sb); err != nil {
		t.Fatal(err)
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino
}

// TestConnFDs sends a message with three fds and checks they arrive in
// order, as the same files, and that the sender's copies are closed.
func TestConnFDs(t *testing.T) {
	a, b := connPair(t, 0)
	var files []*os.File
	for range 3 {
		f, err := os.CreateTemp(t.TempDir(), "fd")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files = append(files, f)
	}
	out := a.Out()
	out.Begin(3, 1)
	for _, f := range files {
		out.PutFD(int(f.Fd()))
	}
	out.PutUint(42)
	if err := out.End(); err != nil {
		t.Fatal(err)
	}
	if pending, err := a.Flush(); pending || err != nil {
		t.Fatalf("Flush = %v, %v", pending, err)
	}
	if out.PendingFDs() != 0 {
		t.Fatalf("%d fds still queued after Flush", out.PendingFDs())
	}
	if _, err := b.Read(); err != nil {
		t.Fatal(err)
	}
	h, args, ok, err := b.Next()
	if !ok || err != nil || h.Sender != 3 || h.Opcode != 1 {
		t.Fatalf("Next = %+v, %v, %v", h, ok, err)
	}
	var d Decoder
	d.Reset(args, b)
	got := []int{d.FD(), d.FD(), d.FD()}
	if v := d.Uint(); v != 42 {
		t.Errorf("uint after fds = %d", v)
	}
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
	for i, fd := range got {
		if !sameFile(t, fd, int(files[i].Fd())) {
			t.Errorf("fd %d does not refer to file %d", i, i)
		}
	}
	d.CloseFDs()
	if _, err := b.Read(); !errors.Is(err, unix.EAGAIN) {
		t.Errorf("Read on empty socket = %v; want EAGAIN", err)
	}
}

// TestFDSplit queues 60 one-fd messages and checks that no sendmsg carries
// more than 28 fds and that every message's fd arrives no later than the
// message itself.
func TestFDSplit(t *testing.T) {
	fa, fb := socketpair(t)
	defer unix.Close(fb)
	a := newConn(t, fa, 0)
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	const n = 60
	for i := range n {
		a.Out().Begin(1, 0)
		a.Out().PutUint(uint32(i))
		a.Out().PutFD(int(devnull.Fd()))
		if err := a.Out().End(); err != nil {
			t.Fatal(err)
		}
	}
	if pending, err := a.Flush(); pending || err != nil {
		t.Fatalf("Flush = %v, %v", pending, err)
	}
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(253*4))
	var bytesIn, fdsIn, calls int
	for bytesIn < n*12 {
		nb, noob, _, _, err := unix.Recvmsg(fb, buf, oob, unix.MSG_DONTWAIT)
		if err != nil {
			t.Fatalf("recvmsg after %d bytes: %v", bytesIn, err)
		}
		calls++
		msgs, err := unix.ParseSocketControlMessage(oob[:noob])
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, m := range msgs {
			fds, err := unix.ParseUnixRights(&m)
			if err != nil {
				t.Fatal(err)
			}
			got += len(fds)
			for _, fd := range fds {
				unix.Close(fd)
			}
		}
		if got > MaxFDsPerSend {
			t.Errorf("one recvmsg carried %d fds; want <= %d", got, MaxFDsPerSend)
		}
		fdsIn += got
		bytesIn += nb
		if complete := bytesIn / 12; fdsIn < complete {
			t.Errorf("after %d bytes (%d messages) only %d fds arrived", bytesIn, complete, fdsIn)
		}
	}
	if fdsIn != n || calls < 3 {
		t.Errorf("received %d fds in %d recvmsg calls; want %d fds in at least 3", fdsIn, calls, n)
	}

	a.Out().Begin(1, 0)
	for range MaxFDsPerSend + 1 {
		a.Out().PutFD(int(devnull.Fd()))
	}
	if err := a.Out().End(); !errors.Is(err, ErrTooManyFDs) {
		t.Errorf("29-fd message: %v; want ErrTooManyFDs", err)
	}
}

// TestSplitRead delivers one message in three pieces.
func TestSplitRead(t *testing.T) {
	fa, fb := socketpair(t)
	defer unix.Close(fa)
	b := newConn(t, fb, 0)
	msg := cat(words(9, 20<<16|2), words(8), []byte("wl_seat\x00"))
	for i, piece := range [][]byte{msg[:3], msg[3:11], msg[11:]} {
		if _, err := unix.Write(fa, piece); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Read(); err != nil {
			t.Fatalf("piece %d: Read: %v", i, err)
		}
		h, args, ok, err := b.Next()
		if err != nil {
			t.Fatalf("piece %d: Next: %v", i, err)
		}
		if ok != (i == 2) {
			t.Fatalf("piece %d: Next ok = %v", i, ok)
		}
		if ok {
			var d Decoder
			d.Reset(args, b)
			if s := d.Str(); s != "wl_seat" || d.Finish() != nil || h.Sender != 9 || h.Opcode != 2 {
				t.Errorf("decoded %+v %q %v", h, s, d.Finish())
			}
		}
	}
	unix.Close(fa)
	if _, err := b.Read(); err != io.EOF {
		t.Errorf("Read after peer close = %v; want io.EOF", err)
	}
}

// TestManyMessages pushes more than one input buffer's worth of messages
// through, so the buffer compacts, and checks their order.
func TestManyMessages(t *testing.T) {
	a, b := connPair(t, 0)
	const n = 10000
	next := uint32(0)
	for sent := uint32(0); sent < n || next < n; {
		for ; sent < n && a.Out().Pending() < 50000; sent++ {
			a.Out().Begin(sent, uint16(sent))
			a.Out().PutUint(sent)
			if err := a.Out().End(); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.Flush(); err != nil {
			t.Fatal(err)
		}
		for {
			_, err := b.Read()
			if errors.Is(err, unix.EAGAIN) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			for {
				h, args, ok, err := b.Next()
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				if h.Sender != next || binary.NativeEndian.Uint32(args) != next {
					t.Fatalf("message %d arrived as %d", next, h.Sender)
				}
				next++
			}
		}
	}
}

// TestDrained: a short read without fds means the queue was empty, but a
// read that stops at an fd boundary is not a drained socket.
func TestDrained(t *testing.T) {
	fa, fb := socketpair(t)
	defer unix.Close(fa)
	b := newConn(t, fb, 0)
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	msg := words(1, 12<<16, 2)
	if err := unix.Sendmsg(fa, msg, unix.UnixRights(int(devnull.Fd())), nil, 0); err != nil {
		t.Fatal(err)
	}
	if err := unix.Sendmsg(fa, msg, nil, nil, 0); err != nil {
		t.Fatal(err)
	}
	reads, drained := 0, false
	for !drained {
		if _, err := b.Read(); err != nil {
			t.Fatalf("read %d: %v (Drained was false)", reads, err)
		}
		reads++
		drained = b.Drained()
	}
	if b.Buffered() != 24 || b.QueuedFDs() != 1 {
		t.Errorf("after draining: %d bytes, %d fds buffered; want 24, 1", b.Buffered(), b.QueuedFDs())
	}
	if _, err := b.Read(); !errors.Is(err, unix.EAGAIN) {
		t.Errorf("Read after Drained = %v; want EAGAIN", err)
	}
}

// BenchmarkEncodeKey encodes wl_keyboard.key-shaped messages (four uints)
// into an Encoder, emptying it every 4096 messages as a flush would.
func BenchmarkEncodeKey(b *testing.B) {
	e := NewEncoder(0)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e.Begin(0xff000001, 3)
		e.PutUint(uint32(i))
		e.PutUint(uint32(i))
		e.PutUint(30)
		e.PutUint(1)
		if err := e.End(); err != nil {
			b.Fatal(err)
		}
		if i&4095 == 4095 {
			e.head = len(e.buf)
			e.compact()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkDecode decodes a wl_registry.bind-shaped message.
func BenchmarkDecode(b *testing.B) {
	args := cat(words(1, 14), []byte("wl_compositor\x00\x00\x00"), words(6, 3))
	var d Decoder
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d.Reset(args, nil)
		d.Uint()
		d.Str()
		d.Uint()
		d.NewID()
		if err := d.Finish(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFormatMessage renders each argument kind, nulls, an unnamed object
// and a message cut short.
func TestFormatMessage(t *testing.T) {
	name := func(id uint32) string { return fmt.Sprintf("obj@%d", id) }
	tests := []struct {
		sig    string
		args   []byte
		object func(uint32) string
		want   string
	}{
		{"iuf", words(0xffffffff, 7, 384), nil, "t@1.m(-1, 7, 1.5)"},
		{"s?s", cat(words(3), []byte("hi\x00\x00"), words(0)), nil, `t@1.m("hi", nil)`},
		{"o?o", words(9, 0), name, "t@1.m(obj@9, nil)"},
		{"o", words(9), nil, "t@1.m(#9)"},
		{"nah", cat(words(5, 2), []byte{1, 2, 0, 0}), nil, "t@1.m(new id 5, array[2], fd)"},
		{"sun", cat(words(3), []byte("ab\x00\x00"), words(1, 4)), nil, `t@1.m("ab", 1, new id 4)`},
		{"uu", words(1), nil, "t@1.m(1, 0 <malformed>)"},
	}
	for _, tt := range tests {
		var b strings.Builder
		FormatMessage(&b, "t@1", "m", tt.sig, tt.args, tt.object)
		if got := b.String(); got != tt.want {
			t.Errorf("FormatMessage(%q) = %q; want %q", tt.sig, got, tt.want)
		}
	}
}

// TestEncoderFail: a message failed by its builder is dropped whole, with
// its fds, and the next message encodes normally.
func TestEncoderFail(t *testing.T) {
	e := NewEncoder(0)
	e.Begin(1, 0)
	e.PutUint(1)
	e.PutFD(0)
	bad := errors.New("bad argument")
	e.Fail(bad)
	if err := e.End(); err != bad {
		t.Fatalf("End after Fail = %v; want %v", err, bad)
	}
	if e.Pending() != 0 || e.PendingFDs() != 0 {
		t.Fatalf("failed message left %d bytes, %d fds", e.Pending(), e.PendingFDs())
	}
	e.Begin(1, 0)
	if err := e.End(); err != nil || e.Pending() != 8 {
		t.Fatalf("next message: %v, %d bytes", err, e.Pending())
	}
}
