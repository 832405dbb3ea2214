package client

import (
	"fmt"

	"gocomp/protocols/wire"
)

// dispatch routes one event to its object's listener.
func (c *Conn) dispatch(h wire.Header, args []byte) {
	s, ok := c.lookup(h.Sender)
	if !ok {
		c.fail(malformed("event %d for unknown object %d", h.Opcode, h.Sender))
		return
	}
	if s.obj == nil {
		c.skipZombie(h, s, args)
		return
	}
	p := s.obj.Base()
	if int(h.Opcode) >= len(p.iface.Events) {
		c.fail(malformed("%s has no event %d", p, h.Opcode))
		return
	}
	m := &p.iface.Events[h.Opcode]
	if p.version < m.Since {
		c.fail(malformed("%s.%s needs version %d, %s has %d", p.iface.Name, m.Name, m.Since, p, p.version))
		return
	}
	if c.opts.Trace != nil {
		c.traceEvent(p.String(), m, args, "")
	}
	c.dec.Reset(args, c.wc)
	err := p.iface.Dispatch(s.obj, h.Opcode, &c.dec)
	c.dec.CloseFDs()
	if err != nil {
		c.fail(fmt.Errorf("%w: %s.%s: %w", ErrMalformed, p, m.Name, err))
		return
	}
	if m.Destructor {
		c.destroy(p)
	}
}

// skipZombie drops an event for a destroyed object: its fds are closed and
// an object it introduces is registered as a zombie too, so that later
// events to it are dropped as well.
func (c *Conn) skipZombie(h wire.Header, s slot, args []byte) {
	iface := s.zombie
	if int(h.Opcode) >= len(iface.Events) {
		c.fail(malformed("destroyed %s@%d has no event %d", iface.Name, h.Sender, h.Opcode))
		return
	}
	m := &iface.Events[h.Opcode]
	if c.opts.Trace != nil {
		c.traceEvent(fmt.Sprintf("%s@%d", iface.Name, h.Sender), m, args, " (dropped: object destroyed)")
	}
	c.dec.Reset(args, c.wc)
	newID := skipArgs(&c.dec, m.Signature)
	err := c.dec.Finish()
	c.dec.CloseFDs()
	if err != nil {
		c.fail(fmt.Errorf("%w: %s@%d.%s: %w", ErrMalformed, iface.Name, h.Sender, m.Name, err))
		return
	}
	if newID != 0 && m.Creates != nil {
		if newID < ServerIDBase {
			c.fail(malformed("new %s id %d is not a server id", m.Creates.Name, newID))
			return
		}
		if z, ok := c.server[newID]; ok && z.obj != nil {
			c.fail(malformed("new %s id %d is in use by %s", m.Creates.Name, newID, z.obj.Base()))
			return
		}
		c.server[newID] = slot{zombie: m.Creates, version: s.version}
	}
}

// skipArgs decodes arguments by signature, taking their fds, and returns
// the last new_id it met (0 if none).
func skipArgs(d *wire.Decoder, sig string) (newID uint32) {
	for i := 0; i < len(sig); i++ {
		switch sig[i] {
		case 'i', 'u', 'f', 'o':
			d.Uint()
		case 's':
			d.OptStr()
		case 'n':
			newID = d.NewID()
		case 'a':
			d.Array()
		case 'h':
			d.FD()
		}
	}
	return newID
}
