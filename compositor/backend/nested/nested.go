// Package nested is the backend that shows gocomp as windows of another
// Wayland compositor (the host): each output is a host xdg_toplevel
// titled "gocomp", whose size is the output's mode, drawn from host
// wl_shm buffers and paced by the host's frame callbacks. The host seat's
// keyboard and pointer are an input source: their events go through
// gocomp's own seat and XKB engine like any other device.
//
// The host connection is gocomp's own client runtime (protocols/client),
// one more fd of the event loop: it never blocks the loop, its output is
// bounded, and a host that goes away or breaks the protocol ends the
// session through Handler.Quit with the reason.
package nested

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
	"gocomp/protocols/client"
	"gocomp/protocols/client/decorclient"
	"gocomp/protocols/client/wlclient"
	"gocomp/protocols/client/xdgclient"
)

// MaxOutputs bounds Config.Outputs.
const MaxOutputs = 16

// connectTimeout bounds the first round trip with the host.
const connectTimeout = 5 * time.Second

// backlogLogEvery spaces the warnings about a host that does not read.
const backlogLogEvery = 10 * time.Second

// Config configures a Backend.
type Config struct {
	// Display is the host's socket name; "" follows WAYLAND_SOCKET and
	// WAYLAND_DISPLAY as every Wayland client does.
	Display string
	// Outputs is the number of host windows (outputs); 0 means 1.
	Outputs int
	// Mode is each output's mode until the host chooses a size (and when
	// it leaves the size to us); its refresh rate is reported as is.
	Mode backend.Mode
	// Inputs are input sources besides the host seat (the machine's evdev
	// devices when asked for).
	Inputs []backend.InputSource
	// HostKeymap, when not nil, receives the host keyboard's keymap fd
	// and size (format xkb_v1) to use instead of gocomp's own (see
	// seat.Seat.SetKeymapFromFD); the fd is closed after the call, and
	// unread when HostKeymap is nil.
	HostKeymap func(fd int, size uint32)
	// Log receives the records; nil means slog.Default().
	Log *slog.Logger
}

// Backend is the nested backend. It implements backend.Backend.
type Backend struct {
	l   *loop.Loop
	cfg Config
	log *slog.Logger
	h   backend.Handler

	conn *client.Conn
	src  *loop.FDSource
	hook *loop.Hook
	reg  *client.Registry

	compositor *wlclient.Compositor
	shm        *wlclient.Shm
	wmBase     *xdgclient.WmBase
	decor      *decorclient.DecorationManagerV1 // nil: the host draws no decorations
	seat       *wlclient.Seat                   // nil: the host has no seat

	outputs []*Output
	input   *hostSeat
	closed  bool
	// starting: Start waits for the first configures and returns the
	// host's failure itself.
	starting bool

	backlogLogged time.Time // the last warning about a host not reading
}

var _ backend.Backend = (*Backend)(nil)

// New connects to the host and checks what it offers: wl_compositor,
// wl_shm and xdg_wm_base are required (an error names the missing one);
// wl_seat and zxdg_decoration_manager_v1 are used when offered. Windows
// appear at Start.
func New(l *loop.Loop, cfg Config) (*Backend, error) {
	if cfg.Outputs == 0 {
		cfg.Outputs = 1
	}
	if cfg.Outputs < 1 || cfg.Outputs > MaxOutputs {
		return nil, fmt.Errorf("nested: %d outputs: want 1..%d", cfg.Outputs, MaxOutputs)
	}
	if cfg.Mode.Width <= 0 || cfg.Mode.Height <= 0 || cfg.Mode.RefreshMHz <= 0 {
		return nil, fmt.Errorf("nested: mode %v: want a positive size and refresh rate", cfg.Mode)
	}
	b := &Backend{l: l, cfg: cfg, log: cfg.Log}
	if b.log == nil {
		b.log = slog.Default()
	}
	var err error
	b.conn, err = client.Connect(cfg.Display, client.Options{
		WantWritable: b.wantWritable,
		Failed:       b.hostFailed,
	})
	if err != nil {
		return nil, fmt.Errorf("nested: connect to the host compositor: %w", err)
	}
	b.input = &hostSeat{b: b}
	if err := b.bindGlobals(); err != nil {
		b.conn.Close()
		return nil, err
	}
	return b, nil
}

// bindGlobals reads the host's globals with a first round trip and binds
// the ones gocomp uses.
func (b *Backend) bindGlobals() error {
	var err error
	if b.reg, err = b.conn.GetRegistry(nil); err != nil {
		return fmt.Errorf("nested: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	if err := b.conn.Roundtrip(ctx); err != nil {
		return fmt.Errorf("nested: the host compositor did not answer: %w", err)
	}
	need := func(iface string, err error) error {
		if errors.Is(err, client.ErrNoGlobal) {
			return fmt.Errorf("nested: the host compositor offers no %s (gocomp needs it to open a window)", iface)
		}
		if err != nil {
			return fmt.Errorf("nested: bind %s: %w", iface, err)
		}
		return nil
	}
	// Version 6 brings wl_surface.preferred_buffer_scale.
	if b.compositor, err = wlclient.BindCompositor(b.reg, 6); err != nil {
		return need("wl_compositor", err)
	}
	if b.shm, err = wlclient.BindShm(b.reg, 1); err != nil {
		return need("wl_shm", err)
	}
	if b.wmBase, err = xdgclient.BindWmBase(b.reg, 2); err != nil {
		return need("xdg_wm_base", err)
	}
	b.wmBase.SetListener(pong{})
	if b.seat, err = wlclient.BindSeat(b.reg, 7); errors.Is(err, client.ErrNoGlobal) {
		b.seat = nil
		b.log.Info("nested: the host has no seat: no input from it")
	} else if err != nil {
		return need("wl_seat", err)
	} else {
		b.seat.SetListener(seatListener{s: b.input})
	}
	if b.decor, err = decorclient.BindDecorationManagerV1(b.reg, 1); errors.Is(err, client.ErrNoGlobal) {
		b.decor = nil
		b.log.Info("nested: the host offers no server-side decorations: the windows have none")
	} else if err != nil {
		return need("zxdg_decoration_manager_v1", err)
	}
	return nil
}

// pong answers the host's pings.
type pong struct{ xdgclient.NopWmBaseListener }

func (pong) Ping(p *xdgclient.WmBase, serial uint32) { p.Pong(serial) }

// Name implements backend.Backend.
func (b *Backend) Name() string { return "wayland" }

// Start implements backend.Backend: the host connection joins the loop
// and one window per output is opened; each output is reported once its
// window has its first configure.
func (b *Backend) Start(h backend.Handler) error {
	if b.h != nil {
		return errors.New("nested: started twice")
	}
	b.h = h
	var err error
	b.src, err = b.l.AddFD(b.conn.Fd(), loop.Readable, b.handleHost)
	if err != nil {
		return fmt.Errorf("nested: watch the host connection: %w", err)
	}
	// Requests made while handling anything leave before the loop sleeps.
	b.hook = b.l.AddBeforeWait(func() { b.conn.Flush() })
	for i := range b.cfg.Outputs {
		o, err := b.newOutput(fmt.Sprintf("WL-%d", i+1))
		if err != nil {
			return err
		}
		b.outputs = append(b.outputs, o)
	}
	// The outputs exist before clients can connect: wait for the host to
	// configure every window.
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	b.starting = true
	err = b.conn.WaitFor(ctx, func() bool {
		return !slices.ContainsFunc(b.outputs, func(o *Output) bool { return !o.configured })
	})
	b.starting = false
	if err != nil {
		return fmt.Errorf("nested: waiting for the host compositor to configure the window: %w", err)
	}
	return b.conn.Flush()
}

// InputSources implements backend.Backend: the host seat, then the others
// configured.
func (b *Backend) InputSources() []backend.InputSource {
	return append([]backend.InputSource{b.input}, b.cfg.Inputs...)
}

// handleHost runs when the host connection is readable or writable.
func (b *Backend) handleHost(ev loop.Events) {
	if ev&loop.Writable != 0 {
		b.conn.Flush()
	}
	if ev&(loop.Readable|loop.Hangup|loop.Error) != 0 {
		b.conn.HandleReadable()
	}
}

// wantWritable arms EPOLLOUT while requests wait for the host to read,
// and says so when the host falls behind (at most every backlogLogEvery).
func (b *Backend) wantWritable(want bool) {
	if b.src == nil {
		return
	}
	now := time.Now()
	if want && now.Sub(b.backlogLogged) >= backlogLogEvery {
		b.backlogLogged = now
		b.log.Warn("nested: the host compositor is not reading; requests wait in a bounded queue",
			"limit_bytes", client.DefaultOutputLimit)
	}
	if want {
		b.src.SetMask(loop.Readable | loop.Writable)
	} else {
		b.src.SetMask(loop.Readable)
	}
}

// hostFailed runs once when the host connection fails: the host closed,
// broke the protocol or stopped reading. The session ends with the
// reason.
func (b *Backend) hostFailed(err error) {
	if b.src != nil {
		b.src.Remove()
		b.src = nil
	}
	// The session's end reports err, once.
	b.log.Debug("nested: lost the host compositor", "err", err)
	if b.h != nil && !b.closed && !b.starting {
		b.h.Quit(fmt.Errorf("host compositor: %w", err))
	}
}

// Close implements backend.Backend: the windows close and the host
// connection ends.
func (b *Backend) Close() error {
	if b == nil || b.closed {
		return nil
	}
	b.closed = true
	var errs []error
	for _, src := range b.cfg.Inputs {
		errs = append(errs, src.Close())
	}
	errs = append(errs, b.input.Close())
	for _, o := range b.outputs {
		o.close()
	}
	b.outputs = nil
	b.hook.Remove()
	if b.src != nil {
		b.src.Remove()
		b.src = nil
	}
	b.conn.Flush()
	errs = append(errs, b.conn.Close())
	return errors.Join(errs...)
}

// outputFor returns the output whose window is the host surface s.
func (b *Backend) outputFor(s *wlclient.Surface) *Output {
	for _, o := range b.outputs {
		if o.surface == s {
			return o
		}
	}
	return nil
}
