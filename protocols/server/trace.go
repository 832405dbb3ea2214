package server

import (
	"strconv"
	"strings"

	"gocomp/protocols/wire"
)

// Tracing: with Options.Trace set, every request and event of every client
// is rendered as one line, like libwayland's WAYLAND_DEBUG:
//
//	-> wl_surface@5.attach(wl_buffer@7, 0, 0)
//	<- wl_callback@9.done(4812)
//
// It costs nothing when Trace is nil.

// traceRequest renders an incoming request.
func (c *Client) traceRequest(target string, m *Message, args []byte, note string) {
	var b strings.Builder
	b.WriteString("-> ")
	c.formatMessage(&b, target, m, args)
	b.WriteString(note)
	c.display.opts.Trace(c, b.String())
}

// traceEvent renders the event just queued; hint names the interface when
// the sender is not in the object map (the callback of wl_display.sync).
func (c *Client) traceEvent(hint *Interface) {
	msg := c.conn.Out().Last()
	if len(msg) < wire.HeaderSize {
		return
	}
	h, err := wire.ParseHeader(msg)
	if err != nil {
		return
	}
	iface := hint
	if s, ok := c.objects[h.Sender]; ok {
		if s.obj != nil {
			iface = s.obj.Base().iface
		} else {
			iface = s.zombie
		}
	}
	var b strings.Builder
	b.WriteString("<- ")
	if iface == nil || int(h.Opcode) >= len(iface.Events) {
		b.WriteString("#" + strconv.FormatUint(uint64(h.Sender), 10) + ".event" + strconv.Itoa(int(h.Opcode)))
	} else {
		c.formatMessage(&b, iface.Name+"@"+strconv.FormatUint(uint64(h.Sender), 10), &iface.Events[h.Opcode], msg[wire.HeaderSize:h.Size])
	}
	c.display.opts.Trace(c, b.String())
}

// formatMessage writes target.name(args) decoding args by m.Signature.
// File descriptors show as "fd" (they are not taken from the queue).
func (c *Client) formatMessage(b *strings.Builder, target string, m *Message, args []byte) {
	b.WriteString(target)
	b.WriteByte('.')
	b.WriteString(m.Name)
	b.WriteByte('(')
	var d wire.Decoder
	d.Reset(args, nil)
	first := true
	for i := 0; i < len(m.Signature); i++ {
		ch := m.Signature[i]
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
			id := d.Object()
			switch s, ok := c.objects[id]; {
			case id == 0:
				b.WriteString("nil")
			case ok && s.obj != nil:
				b.WriteString(s.obj.Base().String())
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
