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

// formatMessage writes target.name(args) decoding args by m.Signature,
// naming object arguments after the client's objects.
func (c *Client) formatMessage(b *strings.Builder, target string, m *Message, args []byte) {
	wire.FormatMessage(b, target, m.Name, m.Signature, args, func(id uint32) string {
		if s, ok := c.objects[id]; ok && s.obj != nil {
			return s.obj.Base().String()
		}
		return "#" + strconv.FormatUint(uint64(id), 10)
	})
}
