package compositor

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"syscall"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
)

// DefaultMaxClientBuffer bounds each client's queued output unless
// Config.MaxClientBuffer says otherwise.
const DefaultMaxClientBuffer = 1 << 20

// Config configures a Server.
type Config struct {
	// Socket is the socket name (relative to $XDG_RUNTIME_DIR, or an
	// absolute path); "" takes the first free wayland-N.
	Socket string
	// MaxClientBuffer bounds the bytes queued for one client; a client
	// that would exceed it is disconnected. 0 means DefaultMaxClientBuffer.
	MaxClientBuffer int
	// Log receives the server's log records; nil means slog.Default().
	Log *slog.Logger
	// NewSeat creates the seat behind the wl_seat global, given the
	// display (for its serial counter). nil means a seat without input
	// devices.
	NewSeat func(d *server.Display) (Seat, error)
}

// Server is a running compositor. Create it with New; it lives on the loop
// goroutine.
type Server struct {
	loop   *loop.Loop
	output backend.Output
	cfg    Config
	log    *slog.Logger

	socket   *Socket
	listener *loop.FDSource

	stopSignals func()

	display     *server.Display
	conns       map[*server.Client]*clientConn
	flushHook   *loop.Hook
	acceptTimer *loop.Timer

	seat     Seat
	outputs  map[*server.Client][]*wayland.Output
	entered  map[*surface]struct{} // surfaces shown on the output
	surfaces []*surface            // every wl_surface, in creation order

	program    *Program
	exitStatus int
	runErr     error
	signalled  bool // shut down by SIGTERM/SIGINT: exit status 0
	closed     bool
}

// New creates the listening socket and registers it with l. out is the
// output surfaces are presented on. From New until Close, SIGTERM, SIGINT
// and SIGCHLD are handled on the loop (see Run).
func New(l *loop.Loop, out backend.Output, cfg Config) (*Server, error) {
	if cfg.MaxClientBuffer == 0 {
		cfg.MaxClientBuffer = DefaultMaxClientBuffer
	}
	if cfg.MaxClientBuffer < 4096 {
		return nil, fmt.Errorf("compositor: client buffer limit %d bytes is below the 4096-byte maximum message size", cfg.MaxClientBuffer)
	}
	s := &Server{loop: l, output: out, cfg: cfg, log: cfg.Log}
	if s.log == nil {
		s.log = slog.Default()
	}
	// Signals are handled from before the socket exists, so a SIGTERM
	// sent as soon as it appears is a clean shutdown.
	s.stopSignals = l.HandleSignals(s.handleSignal, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	sock, err := ListenSocket(cfg.Socket)
	if err != nil {
		s.stopSignals()
		return nil, err
	}
	s.socket = sock
	s.listener, err = l.AddFD(sock.FD(), loop.Readable, s.handleListenerReady)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("compositor: watch listening socket: %w", err)
	}
	if err := s.initClients(); err != nil {
		s.Close()
		return nil, err
	}
	s.seat = &emptySeat{name: "seat0"}
	if cfg.NewSeat != nil {
		if s.seat, err = cfg.NewSeat(s.display); err != nil {
			s.Close()
			return nil, fmt.Errorf("compositor: create seat: %w", err)
		}
	}
	s.outputs = make(map[*server.Client][]*wayland.Output)
	s.entered = make(map[*surface]struct{})
	if err := s.addGlobals(); err != nil {
		s.Close()
		return nil, err
	}
	s.log.Info("listening", "socket", sock.Path, "display", sock.Name)
	return s, nil
}

// SocketName is the WAYLAND_DISPLAY value clients connect with.
func (s *Server) SocketName() string { return s.socket.Name }

// SocketPath is the listening socket's path.
func (s *Server) SocketPath() string { return s.socket.Path }

// Loop returns the event loop the server runs on.
func (s *Server) Loop() *loop.Loop { return s.loop }

// Run launches argv (when not empty) with WAYLAND_DISPLAY set and runs the
// loop until the program exits, SIGTERM or SIGINT arrives (the program
// then gets SIGTERM too), or Stop is called. It returns the program's exit
// status (128+signal when a signal killed it), or 0 when the server was
// shut down by a signal or stopped otherwise.
func (s *Server) Run(argv []string) (status int, err error) {
	if len(argv) > 0 {
		p, err := Launch(argv, s.socket.Name)
		if err != nil {
			return 1, err
		}
		s.program = p
		s.log.Info("launched program", "argv", argv, "pid", p.Pid())
	}
	if err := s.loop.Run(); err != nil {
		return 1, err
	}
	if s.runErr != nil {
		return 1, s.runErr
	}
	return s.exitStatus, nil
}

// Stop ends Run after the current iteration. Call it on the loop goroutine.
func (s *Server) Stop() {
	s.loop.Stop()
}

// handleSignal runs on the loop goroutine when SIGTERM, SIGINT or SIGCHLD
// has arrived.
func (s *Server) handleSignal(sig os.Signal) {
	switch sig {
	case syscall.SIGCHLD:
		s.reapProgram()
	default:
		s.log.Info("shutting down", "signal", sig.String())
		s.signalled = true
		// The launched program is part of this session: end it too.
		if s.program != nil {
			if err := s.program.Signal(syscall.SIGTERM); err != nil {
				s.log.Warn("cannot signal program", "pid", s.program.Pid(), "err", err)
			}
		}
		s.Stop()
	}
}

// reapProgram collects the launched program's status if it has exited and
// then stops the server with it.
func (s *Server) reapProgram() {
	if s.program == nil {
		return
	}
	exited, err := s.program.Reap()
	if err != nil {
		s.runErr = err
		s.Stop()
		return
	}
	if !exited {
		return
	}
	if s.signalled {
		s.log.Debug("program exited during shutdown", "pid", s.program.Pid(), "status", s.program.ExitStatus())
		return
	}
	s.exitStatus = s.program.ExitStatus()
	s.log.Info("program exited", "pid", s.program.Pid(), "status", s.exitStatus)
	s.Stop()
}

// Close disconnects every client, stops listening and removes the socket
// and its lock file. It does not close the loop or the output. Idempotent.
func (s *Server) Close() error {
	if s == nil || s.closed {
		return nil
	}
	s.closed = true
	s.stopSignals()
	s.closeClients()
	s.listener.Remove()
	return errors.Join(s.socket.Close())
}
