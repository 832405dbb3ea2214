package compositor

import (
	"errors"
	"time"

	"gocomp/compositor/loop"
	"gocomp/protocols/server"
	"gocomp/protocols/wire"

	"golang.org/x/sys/unix"
)

// acceptRetry is how long the listener rests after accept failed for lack
// of resources (EMFILE and the like), so a full fd table cannot make the
// loop spin.
const acceptRetry = 100 * time.Millisecond

// clientConn is what the server keeps per connected client: the protocol
// client and its loop source.
type clientConn struct {
	c   *server.Client
	src *loop.FDSource
}

// initClients creates the display, the flush hook and the accept back-off
// timer.
func (s *Server) initClients() error {
	s.display = server.NewDisplay(server.Options{OutputLimit: s.cfg.MaxClientBuffer})
	s.conns = make(map[*server.Client]*clientConn)
	s.flushHook = s.loop.AddBeforeWait(func() {
		s.display.FlushClients()
		if s.cfg.AfterFlush != nil {
			s.cfg.AfterFlush()
		}
	})
	s.acceptTimer = s.loop.AddTimer(s.handleAcceptRetry)
	return nil
}

// closeClients disconnects every client and drops the loop hooks.
func (s *Server) closeClients() {
	if s.display == nil {
		return
	}
	s.display.Close()
	s.display.FlushClients()
	for _, cc := range s.conns {
		cc.src.Remove()
	}
	clear(s.conns)
	s.flushHook.Remove()
	s.acceptTimer.Remove()
}

// Display returns the protocol display, for registering globals.
func (s *Server) Display() *server.Display { return s.display }

// handleListenerReady runs when connections wait on the listening socket;
// it accepts until EAGAIN.
func (s *Server) handleListenerReady(loop.Events) {
	for {
		fd, err := s.socket.Accept()
		switch {
		case err == nil:
			s.addClient(fd)
		case errors.Is(err, unix.EAGAIN):
			return
		case errors.Is(err, unix.EINTR), errors.Is(err, unix.ECONNABORTED):
			continue
		default:
			s.log.Error("accept failed; pausing the listener", "err", err, "retry", acceptRetry)
			if err := s.listener.SetMask(0); err == nil {
				s.acceptTimer.Arm(acceptRetry)
			}
			return
		}
	}
}

// handleAcceptRetry runs acceptRetry after accept failed: listen again.
func (s *Server) handleAcceptRetry() {
	if err := s.listener.SetMask(loop.Readable); err != nil {
		s.log.Error("cannot resume listening", "err", err)
	}
}

// addClient starts serving an accepted connection.
func (s *Server) addClient(fd int) {
	cc := &clientConn{}
	c, err := s.display.NewClient(fd, server.ClientHooks{
		Disconnected: s.handleClientGone,
		WantWritable: s.handleWantWritable,
	})
	if err != nil {
		s.log.Error("cannot serve new client", "err", err)
		return
	}
	cc.c = c
	cc.src, err = s.loop.AddFD(c.Fd(), loop.Readable, func(ev loop.Events) { s.handleClientReady(cc, ev) })
	if err != nil {
		s.log.Error("cannot watch new client", "err", err)
		c.Disconnect(err)
		c.Flush()
		return
	}
	s.conns[c] = cc
	if pid, _, _, err := c.Credentials(); err == nil {
		s.log.Debug("client connected", "fd", c.Fd(), "pid", pid)
	}
}

// handleClientReady runs when a client's socket is readable, writable or
// hung up: it reads and dispatches every complete request, and flushes when
// the socket took more output.
func (s *Server) handleClientReady(cc *clientConn, ev loop.Events) {
	if ev&loop.Writable != 0 {
		cc.c.Flush()
	}
	if ev&(loop.Readable|loop.Hangup|loop.Error) != 0 && !cc.c.Closed() {
		cc.c.HandleReadable()
	}
}

// handleWantWritable runs when a client's output backlog appears (the
// socket is full) or drains.
func (s *Server) handleWantWritable(c *server.Client, want bool) {
	cc := s.conns[c]
	if cc == nil {
		return
	}
	mask := loop.Readable
	if want {
		mask |= loop.Writable
	}
	if err := cc.src.SetMask(mask); err != nil {
		c.Disconnect(err)
	}
}

// handleClientGone runs once a client is torn down, before its fd is
// closed; it logs why.
func (s *Server) handleClientGone(c *server.Client, reason error) {
	if cc := s.conns[c]; cc != nil {
		cc.src.Remove()
		delete(s.conns, c)
	}
	var overflow *wire.OverflowError
	var perr *server.ProtocolError
	switch {
	case errors.Is(reason, server.ErrClientClosed) || s.closed:
		s.log.Debug("client disconnected", "reason", reason)
	case errors.As(reason, &overflow):
		s.log.Warn("client disconnected: output buffer full, client is not reading",
			"limit", overflow.Limit, "queued", overflow.Pending, "message", overflow.Need)
	case errors.As(reason, &perr):
		s.log.Warn("client disconnected: protocol error", "err", reason)
	default:
		s.log.Warn("client disconnected", "err", reason)
	}
}

// NumClients reports how many clients are connected.
func (s *Server) NumClients() int { return len(s.conns) }
