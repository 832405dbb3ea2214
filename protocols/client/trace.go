package client

import (
	"strconv"
	"strings"

	"gocomp/protocols/wire"
)

// Tracing: with Options.Trace set, every request sent and every event
// received is rendered as one line, like libwayland's WAYLAND_DEBUG:
//
//	-> wl_surface@5.attach(wl_buffer@7, 0, 0)
//	<- wl_callback@9.done(4812)
//
// It costs nothing when Trace is nil.

// traceRequest renders the request just queued.
func (c *Conn) traceRequest() {
	msg := c.wc.Out().Last()
	if len(msg) < wire.HeaderSize {
		return
	}
	h, err := wire.ParseHeader(msg)
	if err != nil {
		return
	}
	s, _ := c.lookup(h.Sender)
	if s.obj == nil {
		return
	}
	p := s.obj.Base()
	if int(h.Opcode) >= len(p.iface.Requests) {
		return
	}
	m := &p.iface.Requests[h.Opcode]
	var b strings.Builder
	b.WriteString("-> ")
	wire.FormatMessage(&b, p.String(), m.Name, m.Signature, msg[wire.HeaderSize:h.Size], c.objectName)
	c.opts.Trace(b.String())
}

// traceEvent renders an incoming event.
func (c *Conn) traceEvent(target string, m *Message, args []byte, note string) {
	var b strings.Builder
	b.WriteString("<- ")
	wire.FormatMessage(&b, target, m.Name, m.Signature, args, c.objectName)
	b.WriteString(note)
	c.opts.Trace(b.String())
}

// objectName renders an object argument.
func (c *Conn) objectName(id uint32) string {
	if s, ok := c.lookup(id); ok && s.obj != nil {
		return s.obj.Base().String()
	}
	return "#" + strconv.FormatUint(uint64(id), 10)
}
