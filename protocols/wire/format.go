package wire

import (
	"strconv"
	"strings"
)

// Signatures describe a message's arguments with one letter each: i int,
// u uint, f fixed, s string, o object, n new_id, a array, h fd; '?'
// precedes a nullable argument. An untyped new_id (wl_registry.bind) is
// written "sun": interface name, version, id.

// FormatMessage writes target.name(args) to b in the style of libwayland's
// WAYLAND_DEBUG, decoding args by the signature sig. object renders a
// non-null object id (nil renders "#id"). File descriptors show as "fd";
// they are not taken from any queue. A message that does not decode ends
// with " <malformed>" inside the parentheses. For tracing; it allocates.
func FormatMessage(b *strings.Builder, target, name, sig string, args []byte, object func(id uint32) string) {
	b.WriteString(target)
	b.WriteByte('.')
	b.WriteString(name)
	b.WriteByte('(')
	var d Decoder
	d.Reset(args, nil)
	first := true
	for i := 0; i < len(sig); i++ {
		ch := sig[i]
		if ch == '?' {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		switch ch {
		case 'i':
			b.WriteString(strconv.FormatInt(int64(d.Int()), 10))
		case 'u':
			b.WriteString(strconv.FormatUint(uint64(d.Uint()), 10))
		case 'f':
			b.WriteString(strconv.FormatFloat(d.Fixed().Float(), 'g', -1, 64))
		case 's':
			if s, ok := d.OptStr(); ok {
				b.WriteString(strconv.Quote(s))
			} else {
				b.WriteString("nil")
			}
		case 'o':
			switch id := d.Object(); {
			case id == 0:
				b.WriteString("nil")
			case object != nil:
				b.WriteString(object(id))
			default:
				b.WriteString("#" + strconv.FormatUint(uint64(id), 10))
			}
		case 'n':
			b.WriteString("new id " + strconv.FormatUint(uint64(d.Uint()), 10))
		case 'a':
			b.WriteString("array[" + strconv.Itoa(len(d.Array())) + "]")
		case 'h':
			b.WriteString("fd")
		}
	}
	if d.Finish() != nil {
		b.WriteString(" <malformed>")
	}
	b.WriteByte(')')
}
