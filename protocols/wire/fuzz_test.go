package wire

import (
	"errors"
	"testing"
)

// FuzzDecode decodes arbitrary argument bytes against an arbitrary
// signature (i u f s ? o n a h: int, uint, fixed, string, nullable string,
// object, new_id, array, fd) and checks that decoding never panics and that
// whatever decodes cleanly re-encodes to a message of the same size.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, args []byte, sig string) {
		if len(sig) > 64 {
			return
		}
		fds := fdList{100, 101}
		var d Decoder
		d.Reset(args, &fds)
		e := NewEncoder(0)
		e.Begin(1, 0)
		for i := 0; i < len(sig); i++ {
			switch sig[i] {
			case 'i':
				e.PutInt(d.Int())
			case 'u':
				e.PutUint(d.Uint())
			case 'f':
				e.PutFixed(d.Fixed())
			case 's':
				e.PutString(d.Str())
			case '?':
				if s, ok := d.OptStr(); ok {
					e.PutString(s)
				} else {
					e.PutNullString()
				}
			case 'o':
				e.PutObject(d.Object())
			case 'n':
				e.PutUint(d.NewID())
			case 'a':
				e.PutArray(d.Array())
			case 'h':
				d.FD()
			}
		}
		err := d.Finish()
		d.ReleaseFDs()
		if err != nil {
			if errors.Is(err, ErrMissingFD) && len(fds) != 0 {
				t.Fatalf("ErrMissingFD with fds left")
			}
			e.rollback()
			return
		}
		if endErr := e.End(); endErr != nil {
			if len(args) > MaxMessageSize-HeaderSize {
				return
			}
			t.Fatalf("re-encoding a cleanly decoded message failed: %v", endErr)
		}
		if got := e.Pending() - HeaderSize; got != len(args) {
			t.Fatalf("decoded %d bytes of arguments, re-encoded %d", len(args), got)
		}
	})
}
