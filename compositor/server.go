package compositor

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
	"gocomp/compositor/render"
	"gocomp/protocols/server"
)

// DefaultMaxClientBuffer bounds each client's queued output unless
// Config.MaxClientBuffer says otherwise.
const DefaultMaxClientBuffer = 1 << 20

// DefaultProgramGrace is how long the launched program has to exit after
// SIGTERM before it is killed, unless Config.ProgramGrace says otherwise.
const DefaultProgramGrace = 3 * time.Second

// Config configures a Server.
type Config struct {
	// Socket is the socket name (relative to $XDG_RUNTIME_DIR, or an
	// absolute path); "" takes the first free wayland-N.
	Socket string
	// MaxClientBuffer bounds the bytes queued for one client; a client
	// that would exceed it is disconnected. 0 means DefaultMaxClientBuffer.
	MaxClientBuffer int
	// ProgramGrace is how long the launched program may take to exit
	// after SIGTERM at shutdown before it gets SIGKILL; 0 means
	// DefaultProgramGrace.
	ProgramGrace time.Duration
	// Screenshot, when not empty, is the PNG file the layout is written to
	// when the session begins to end: at shutdown before the program is
	// told to exit (so its windows are in the picture), or when the
	// program exits by itself.
	Screenshot string
	// AfterFlush, when not nil, runs right after every client's queued
	// events were written, before the loop waits (input tracing marks
	// events as sent there).
	AfterFlush func()
	// Layout places the outputs: side by side (LayoutExtend, the
	// default) or all showing the same picture (LayoutMirror).
	Layout Layout
	// IdleTimeout, when positive, blanks the outputs after that long
	// without input (switching their screens off where the backend can);
	// the next input brings them back.
	IdleTimeout time.Duration
	// Transforms turn outputs by name (backend.OutputInfo.Name); the ""
	// entry turns every output not named. Outputs without an entry are
	// not turned.
	Transforms map[string]render.Transform
	// Log receives the server's log records; nil means slog.Default().
	Log *slog.Logger
	// NoVirtualKeyboard leaves out zwp_virtual_keyboard_manager_v1, so no
	// client can type through a virtual keyboard (--virtual-keyboard
	// deny). The global needs a seat implementing VirtualKeyboardSeat.
	NoVirtualKeyboard bool
	// NoScreencopy leaves out zwlr_screencopy_manager_v1, so no client can
	// read the outputs' pixels (--screencopy deny).
	NoScreencopy bool
	// NewSeat creates the seat behind the wl_seat global, given the
	// display (for its serial counter) and the scene it asks about
	// surfaces. nil means a seat without input devices.
	NewSeat func(d *server.Display, scene Scene) (Seat, error)
}

// Server is a running compositor. Create it with New; it lives on the loop
// goroutine.
type Server struct {
	loop    *loop.Loop
	backend backend.Backend
	cfg     Config
	log     *slog.Logger

	socket   *Socket
	listener *loop.FDSource

	stopSignals func()

	display     *server.Display
	conns       map[*server.Client]*clientConn
	flushHook   *loop.Hook
	acceptTimer *loop.Timer

	seat      Seat
	outputs   []*output   // in layout order, left to right
	surfaces  []*surface  // every wl_surface, in creation order
	stack     []*surface  // every wl_surface, bottom to top
	toplevels []*toplevel // every xdg_toplevel with a surface
	cursor    cursor
	idle      idle
	captures  captureScratch

	program        *Program
	graceTimer     *loop.Timer // SIGKILL for a program slow to exit
	exitStatus     int
	runErr         error
	shutdown       bool // shutting down: the program was told to exit
	screenshotDone bool
	closed         bool
}

// New creates the listening socket and registers it with l, advertises the
// globals, starts the backend b (its outputs become wl_output globals) and
// its input sources (their devices join the seat). From New until Close,
// SIGTERM, SIGINT and SIGCHLD are handled on the loop (see Run). New takes
// b over: Close closes it.
func New(l *loop.Loop, b backend.Backend, cfg Config) (*Server, error) {
	if cfg.MaxClientBuffer == 0 {
		cfg.MaxClientBuffer = DefaultMaxClientBuffer
	}
	if cfg.MaxClientBuffer < 4096 {
		return nil, fmt.Errorf("compositor: client buffer limit %d bytes is below the 4096-byte maximum message size", cfg.MaxClientBuffer)
	}
	if cfg.ProgramGrace == 0 {
		cfg.ProgramGrace = DefaultProgramGrace
	}
	s := &Server{loop: l, backend: b, cfg: cfg, log: cfg.Log}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.cursor.s = s
	s.seat = &emptySeat{name: "seat0"}
	// Signals are handled from before the socket exists, so a SIGTERM
	// sent as soon as it appears is a clean shutdown.
	s.stopSignals = l.HandleSignals(s.handleSignal, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	s.graceTimer = l.AddTimer(s.handleGraceExpired)
	sock, err := ListenSocket(cfg.Socket)
	if err != nil {
		s.Close()
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
	if cfg.NewSeat != nil {
		st, err := cfg.NewSeat(s.display, s)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("compositor: create seat: %w", err)
		}
		s.seat = st
	}
	if err := s.addGlobals(); err != nil {
		s.Close()
		return nil, err
	}
	if err := b.Start(s); err != nil {
		s.Close()
		return nil, fmt.Errorf("compositor: start %s backend: %w", b.Name(), err)
	}
	s.startIdle()
	for _, src := range b.InputSources() {
		if err := src.Start(s.inputSink()); err != nil {
			s.Close()
			return nil, fmt.Errorf("compositor: start %s input: %w", src.Name(), err)
		}
	}
	s.log.Info("listening", "socket", sock.Path, "display", sock.Name, "backend", b.Name(), "outputs", len(s.outputs))
	return s, nil
}

// SocketName is the WAYLAND_DISPLAY value clients connect with.
func (s *Server) SocketName() string { return s.socket.Name }

// SocketPath is the listening socket's path.
func (s *Server) SocketPath() string { return s.socket.Path }

// Loop returns the event loop the server runs on.
func (s *Server) Loop() *loop.Loop { return s.loop }

// Run launches argv (when not empty) with WAYLAND_DISPLAY set and runs the
// loop until the program exits or the session is shut down (Shutdown,
// SIGTERM, SIGINT, the backend quitting). At shutdown the program gets
// SIGTERM, then SIGKILL if it has not exited after Config.ProgramGrace;
// Run returns once it has been reaped. The status is the program's exit
// status (128+signal when a signal killed it), or 0 without a program.
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
		s.killProgram()
		return 1, err
	}
	if s.runErr != nil {
		s.killProgram()
		return 1, s.runErr
	}
	return s.exitStatus, nil
}

// Shutdown ends the session as SIGTERM does: the program is asked to exit
// (and killed after the grace period), then Run returns. Loop goroutine.
func (s *Server) Shutdown(reason string) {
	if s.shutdown {
		return
	}
	s.shutdown = true
	s.log.Info("shutting down", "reason", reason)
	s.writeScreenshot()
	if s.program == nil || s.program.Exited() {
		s.loop.Stop()
		return
	}
	if err := s.program.Signal(syscall.SIGTERM); err != nil {
		s.log.Warn("cannot signal program", "pid", s.program.Pid(), "err", err)
	}
	s.graceTimer.Arm(s.cfg.ProgramGrace)
}

// Quit implements backend.Handler: the backend cannot go on, so the
// session ends as on SIGTERM; err, when not nil, is Run's error.
func (s *Server) Quit(err error) {
	if err != nil && s.runErr == nil {
		s.runErr = fmt.Errorf("compositor: %s backend: %w", s.backend.Name(), err)
	}
	reason := s.backend.Name() + " backend closed"
	if err != nil {
		reason = err.Error()
	}
	s.Shutdown(reason)
}

// handleSignal runs on the loop goroutine when SIGTERM, SIGINT or SIGCHLD
// has arrived. A second SIGTERM or SIGINT during shutdown kills the
// program at once.
func (s *Server) handleSignal(sig os.Signal) {
	if sig == syscall.SIGCHLD {
		s.reapProgram()
		return
	}
	if s.shutdown {
		s.log.Warn("second signal during shutdown: killing the program", "signal", sig.String())
		s.handleGraceExpired()
		return
	}
	s.Shutdown("signal " + sig.String())
}

// handleGraceExpired runs when the program did not exit within the grace
// period after SIGTERM: it gets SIGKILL; SIGCHLD follows.
func (s *Server) handleGraceExpired() {
	if s.program == nil || s.program.Exited() {
		return
	}
	s.log.Warn("program did not exit in time: killing it", "pid", s.program.Pid(), "grace", s.cfg.ProgramGrace)
	if err := s.program.Signal(syscall.SIGKILL); err != nil {
		s.log.Warn("cannot kill program", "pid", s.program.Pid(), "err", err)
	}
}

// reapProgram collects the launched program's status if it has exited and
// then stops the server with it.
func (s *Server) reapProgram() {
	if s.program == nil || s.program.Exited() {
		return
	}
	exited, err := s.program.Reap()
	if err != nil {
		s.runErr = err
		s.loop.Stop()
		return
	}
	if !exited {
		return
	}
	s.graceTimer.Disarm()
	s.exitStatus = s.program.ExitStatus()
	s.log.Info("program exited", "pid", s.program.Pid(), "status", s.exitStatus)
	s.writeScreenshot()
	s.loop.Stop()
}

// writeScreenshot writes Config.Screenshot, once.
func (s *Server) writeScreenshot() {
	if s.cfg.Screenshot == "" || s.screenshotDone {
		return
	}
	s.screenshotDone = true
	if err := s.WriteScreenshot(s.cfg.Screenshot); err != nil {
		s.log.Error("cannot write screenshot", "err", err)
		s.runErr = errors.Join(s.runErr, err)
		return
	}
	s.log.Info("wrote screenshot", "file", s.cfg.Screenshot)
}

// killProgram makes sure the program is not left running when Run returns
// early (a loop failure): SIGKILL, then a blocking reap.
func (s *Server) killProgram() {
	if s.program == nil || s.program.Exited() {
		return
	}
	if err := s.program.Signal(syscall.SIGKILL); err != nil {
		s.log.Warn("cannot kill program", "pid", s.program.Pid(), "err", err)
	}
	if err := s.program.Wait(); err != nil {
		s.log.Warn("cannot reap program", "pid", s.program.Pid(), "err", err)
	}
}

// Close disconnects every client, closes the backend, stops listening and
// removes the socket and its lock file. A program still running is killed
// and reaped. It does not close the loop. Idempotent.
func (s *Server) Close() error {
	if s == nil || s.closed {
		return nil
	}
	s.closed = true
	s.killProgram()
	s.stopSignals()
	s.graceTimer.Remove()
	s.idle.stop()
	s.closeClients()
	s.listener.Remove()
	// The backend's input sources remove their devices (releasing held
	// keys) while the seat still exists.
	errs := []error{s.backend.Close(), s.seat.Close()}
	if s.socket != nil {
		errs = append(errs, s.socket.Close())
	}
	return errors.Join(errs...)
}
