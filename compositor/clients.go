package compositor

import (
	"errors"

	"gocomp/compositor/loop"

	"golang.org/x/sys/unix"
)

// initClients prepares client handling. (Placeholder until the protocol
// runtime lands: connections are accepted and closed.)
func (s *Server) initClients() error { return nil }

// closeClients disconnects every client.
func (s *Server) closeClients() {}

// handleListenerReady runs when connections wait on the listening socket;
// it accepts until EAGAIN.
func (s *Server) handleListenerReady(loop.Events) {
	for {
		fd, err := s.socket.Accept()
		if errors.Is(err, unix.EAGAIN) {
			return
		}
		if err != nil {
			if errors.Is(err, unix.EINTR) || errors.Is(err, unix.ECONNABORTED) {
				continue
			}
			s.log.Error("accept failed", "err", err)
			return
		}
		unix.Close(fd)
	}
}
