package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gocomp/compositor"
	"gocomp/compositor/backend"
	"gocomp/compositor/backend/auto"
	"gocomp/compositor/headless"
	"gocomp/compositor/inputtrace"
	"gocomp/compositor/loop"
	"gocomp/compositor/render"
	"gocomp/compositor/session"
	"gocomp/evdev"
	"gocomp/protocols/server"
	"gocomp/seat"
)

// runOptions are the compositor's command-line settings.
type runOptions struct {
	backend         auto.Config // --backend, --input, --outputs, --mode, DRM and session flags
	layout          compositor.Layout
	transforms      map[string]render.Transform
	idleTimeout     time.Duration
	noVTSwitch      bool
	socket          string
	screenshot      string
	logLevel        slog.Level
	maxClientBuffer int
	programGrace    time.Duration
	traceInput      bool
	nestedKeymap    string // --nested-keymap: own or host
	virtualKeyboard string // --virtual-keyboard: allow or deny
	screencopy      string // --screencopy: allow or deny
	program         []string
	seat            seat.Options // keyboard: XKB names, repeat, caps lock, --config
}

// parseRunFlags parses `gocomp [flags] [-- program args...]`. Usage and
// errors go to stderr.
func parseRunFlags(args []string, stderr io.Writer) (*runOptions, error) {
	opts := &runOptions{backend: auto.Config{Mode: headless.DefaultMode()}}
	fs := flag.NewFlagSet("gocomp", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by the caller
	fs.StringVar(&opts.backend.Backend, "backend", auto.Auto, "backend `NAME`: "+strings.Join(auto.Names(), ", ")+
		" (headless: virtual outputs with CPU framebuffers; wayland: windows in a host compositor; drm: the screens of /dev/dri/card*;"+
		" auto: wayland when WAYLAND_DISPLAY or WAYLAND_SOCKET is set, else drm when there is a card, else headless)")
	fs.StringVar(&opts.backend.Input, "input", auto.InputDefault, "input `SOURCE`: evdev (the machine's /dev/input devices; the default except in a host compositor) or none")
	outputs := fs.String("outputs", "", "outputs: a number `N` side by side (headless outputs, or windows in a host compositor; default 1), or how screens share the picture: "+
		"extend (side by side, the default), mirror (all show it) or first (only the first connected screen is used)")
	fs.StringVar(&opts.backend.DRM.Output, "output", "", "drm: use only the connector called `NAME` (e.g. HDMI-A-1, Virtual-1)")
	fs.StringVar(&opts.backend.DRM.Card, "drm-device", "", "drm: the DRM device `PATH` (default: the first /dev/dri/card* that can show a picture)")
	fs.BoolVar(&opts.backend.DRM.SingleBuffer, "drm-single-buffer", false, "drm: draw into the buffer on screen instead of flipping between two (half the memory; may tear)")
	transform := fs.String("transform", "", "turn outputs: `T` for every output, or NAME=T,... per output; T is normal, 90, 180, 270, flipped, flipped-90, flipped-180 or flipped-270 (counter-clockwise, as wl_output says)")
	fs.StringVar(&opts.backend.Session, "session", session.Auto, "drm: how the seat is taken, `KIND`: "+strings.Join(session.Kinds(), ", ")+
		" (auto: seatd when its socket exists, logind inside a logind session, else direct, which needs root)")
	fs.IntVar(&opts.backend.VT, "vt", 0, "direct session: the virtual terminal `N` to run on (default: the current one)")
	fs.BoolVar(&opts.noVTSwitch, "no-vt-switch", false, "do not switch virtual terminals on Ctrl+Alt+F1..F12")
	idle := fs.String("idle-timeout", "0", "switch the screens off after `S` seconds (or a duration such as 5m) without input; 0 never")
	fs.StringVar(&opts.nestedKeymap, "nested-keymap", nestedKeymapOwn, "in a host compositor, the `KEYMAP` of the host keyboard: own (gocomp's, from the XKB flags) or host (the host's, compiled by gocomp)")
	fs.StringVar(&opts.virtualKeyboard, "virtual-keyboard", accessAllow, "`allow` or deny clients virtual keyboards (zwp_virtual_keyboard_manager_v1: wtype, on-screen keyboards); deny removes the global")
	fs.StringVar(&opts.screencopy, "screencopy", accessAllow, "`allow` or deny clients copies of the outputs' pixels (zwlr_screencopy_manager_v1: grim); deny removes the global")
	fs.BoolVar(&opts.traceInput, "trace-input", false, "log, for every keyboard frame, the time from the kernel's event stamp to decoding, to XKB and to sendmsg, and every 10 s a latency summary per device")
	fs.BoolVar(&opts.backend.Grab, "grab", false, "open input devices exclusively (EVIOCGRAB): nothing else on the machine sees their events")
	fs.StringVar(&opts.socket, "socket", "", "listening socket `NAME` in $XDG_RUNTIME_DIR, or an absolute path (default: first free wayland-N)")
	fs.DurationVar(&opts.programGrace, "program-grace", compositor.DefaultProgramGrace, "at shutdown, how long the program may take to exit after SIGTERM before it gets SIGKILL (`duration`)")
	mode := &opts.backend.Mode
	width := fs.Int("width", mode.Width, "output width in `pixels`")
	height := fs.Int("height", mode.Height, "output height in `pixels`")
	refresh := fs.String("refresh", "60", "output refresh rate in `Hz` (decimals allowed, e.g. 59.94)")
	modeFlag := fs.String("mode", "", "output mode as `WxH@Hz` (e.g. 1920x1080@60); overrides -width, -height and -refresh")
	fs.StringVar(&opts.screenshot, "screenshot-on-exit", "", "write what the outputs show to `FILE.png` when the session ends (before the program is told to exit)")
	logLevel := fs.String("log-level", "info", "log `level` on stderr: debug, info, warn or error")
	fs.IntVar(&opts.maxClientBuffer, "max-client-buffer", compositor.DefaultMaxClientBuffer, "`bytes` of output queued for one client before it is disconnected")
	opts.seat.RegisterFlags(fs)
	usage := func() {
		fs.SetOutput(stderr)
		fmt.Fprint(stderr, "Usage: gocomp [flags] [-- program [args...]]\n\n"+
			"Runs the compositor. With a program, gocomp launches it with WAYLAND_DISPLAY\n"+
			"set and exits with its exit status (128+signal if a signal killed it).\n"+
			"SIGTERM, SIGINT and Ctrl+Alt+BackSpace end the session: the program gets\n"+
			"SIGTERM, then SIGKILL after --program-grace, and gocomp exits with its status.\n\nFlags:\n")
		fs.PrintDefaults()
		if f, ok := stderr.(*os.File); ok {
			usageSubcommands(f)
		}
	}
	fs.Usage = func() {}
	if err := fs.Parse(joinOptionalValues(args, "hide-cursor", "always", "touch", "no")); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
		}
		return nil, err
	}
	opts.program = fs.Args()
	if err := auto.Check(opts.backend); err != nil {
		return nil, err
	}
	if err := parseOutputs(*outputs, opts); err != nil {
		return nil, err
	}
	var err error
	if opts.transforms, err = parseTransforms(*transform); err != nil {
		return nil, err
	}
	if opts.idleTimeout, err = parseIdleTimeout(*idle); err != nil {
		return nil, err
	}
	if opts.backend.VT < 0 || opts.backend.VT > 63 {
		return nil, fmt.Errorf("invalid -vt %d (want 1..63, or 0 for the current one)", opts.backend.VT)
	}
	if opts.nestedKeymap != nestedKeymapOwn && opts.nestedKeymap != nestedKeymapHost {
		return nil, fmt.Errorf("invalid -nested-keymap %q (want own or host)", opts.nestedKeymap)
	}
	for _, a := range []struct{ flag, value string }{{"virtual-keyboard", opts.virtualKeyboard}, {"screencopy", opts.screencopy}} {
		if a.value != accessAllow && a.value != accessDeny {
			return nil, fmt.Errorf("invalid -%s %q (want allow or deny)", a.flag, a.value)
		}
	}
	if opts.programGrace <= 0 {
		return nil, fmt.Errorf("invalid -program-grace %v (want a positive duration, e.g. 3s)", opts.programGrace)
	}
	if *modeFlag != "" {
		if *mode, err = parseMode(*modeFlag); err != nil {
			return nil, err
		}
		opts.backend.DRM.Mode = *mode
	} else {
		mode.Width, mode.Height = *width, *height
		if mode.RefreshMHz, err = parseRefresh(*refresh); err != nil {
			return nil, err
		}
	}
	if err := headless.CheckMode(*mode); err != nil {
		return nil, fmt.Errorf("invalid output mode: %w", err)
	}
	if err := opts.logLevel.UnmarshalText([]byte(*logLevel)); err != nil {
		return nil, fmt.Errorf("invalid -log-level %q (want debug, info, warn or error)", *logLevel)
	}
	if opts.maxClientBuffer < 4096 {
		return nil, fmt.Errorf("invalid -max-client-buffer %d (want at least 4096 bytes)", opts.maxClientBuffer)
	}
	return opts, nil
}

// joinOptionalValues rewrites `--name value` into `--name=value` for a
// flag whose value is optional (it also stands alone), when value is one
// of its words: the flag package would take the word for the program.
func joinOptionalValues(args []string, name string, values ...string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if (a == "-"+name || a == "--"+name) && i+1 < len(args) && slices.Contains(values, args[i+1]) {
			out = append(out, a+"="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}

// parseMode parses WxH@Hz.
func parseMode(s string) (backend.Mode, error) {
	size, hz, ok := strings.Cut(s, "@")
	w, h, ok2 := strings.Cut(size, "x")
	if !ok || !ok2 {
		return backend.Mode{}, fmt.Errorf("invalid -mode %q (want WxH@Hz, e.g. 1280x720@60)", s)
	}
	width, err1 := strconv.Atoi(w)
	height, err2 := strconv.Atoi(h)
	if err1 != nil || err2 != nil {
		return backend.Mode{}, fmt.Errorf("invalid -mode %q (want WxH@Hz, e.g. 1280x720@60)", s)
	}
	mhz, err := parseRefresh(hz)
	if err != nil {
		return backend.Mode{}, err
	}
	return backend.Mode{Width: width, Height: height, RefreshMHz: mhz}, nil
}

// parseOutputs reads -outputs: a number of headless outputs or nested
// windows, or a layout word.
func parseOutputs(s string, opts *runOptions) error {
	switch s {
	case "":
		opts.backend.Outputs = 1
		return nil
	case "first":
		opts.backend.DRM.FirstOnly = true
		return nil
	}
	if l, err := compositor.ParseLayout(s); err == nil {
		opts.layout = l
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > headless.MaxOutputs {
		return fmt.Errorf("invalid -outputs %s (want a number of outputs 1..%d, or extend, mirror or first)", s, headless.MaxOutputs)
	}
	opts.backend.Outputs = n
	return nil
}

// parseTransforms reads -transform: T for every output, or NAME=T,...
func parseTransforms(s string) (map[string]render.Transform, error) {
	if s == "" {
		return nil, nil
	}
	m := map[string]render.Transform{}
	for _, part := range strings.Split(s, ",") {
		name, t, found := strings.Cut(part, "=")
		if !found {
			name, t = "", part
		}
		tr, err := render.ParseTransform(t)
		if err != nil {
			return nil, fmt.Errorf("invalid -transform %q: %w", s, err)
		}
		m[name] = tr
	}
	return m, nil
}

// parseIdleTimeout reads -idle-timeout: seconds, or a duration.
func parseIdleTimeout(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, nil
	}
	return 0, fmt.Errorf("invalid -idle-timeout %q (want seconds, or a duration such as 5m)", s)
}

// parseRefresh parses a refresh rate in Hz into millihertz.
func parseRefresh(s string) (int, error) {
	hz, err := strconv.ParseFloat(s, 64)
	if err != nil || hz < 1 || hz > 1000 {
		return 0, fmt.Errorf("invalid refresh rate %q (want 1..1000 Hz)", s)
	}
	return int(hz*1000 + 0.5), nil
}

// The values of --nested-keymap.
const (
	nestedKeymapOwn  = "own"
	nestedKeymapHost = "host"
)

// The values of --virtual-keyboard and --screencopy.
const (
	accessAllow = "allow"
	accessDeny  = "deny"
)

// runCompositor runs the compositor with the command line args and
// returns gocomp's exit status.
func runCompositor(args []string) int {
	opts, err := parseRunFlags(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gocomp:", err)
		fmt.Fprintln(os.Stderr, "Run 'gocomp --help' for usage.")
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: opts.logLevel}))
	var status int
	if supervise(opts) {
		// The terminal is put back by this process however the
		// compositor, its child, ends.
		status, err = session.Supervise(opts.backend.VT, os.Args[1:], log)
	} else {
		status, err = serve(opts, log)
	}
	if err != nil {
		log.Error("gocomp failed", "err", err)
		if status == 0 {
			status = 1
		}
	}
	return status
}

// supervise reports whether gocomp should run as the supervising parent
// of itself: on DRM with a direct session (it takes a virtual terminal)
// and not supervised already.
func supervise(opts *runOptions) bool {
	bcfg := opts.backend
	bcfg.Getenv = os.Getenv
	if name, _ := auto.Choose(bcfg); name != auto.DRM {
		return false
	}
	kind, _ := auto.SessionKind(bcfg)
	return kind == session.Direct && session.SupervisedVT(os.Getenv) == 0
}

// traceSummaryEvery is how often --trace-input logs its latency summary.
const traceSummaryEvery = 10 * time.Second

// runSession is gocomp at work: the loop, the seat's settings, the backend
// (with its input sources) and the server, wired as gocomp runs them.
type runSession struct {
	loop    *loop.Loop
	input   *seat.Input
	backend backend.Backend
	srv     *compositor.Server
	tracer  *inputtrace.Tracer // nil unless --trace-input
	summary *loop.Timer
}

// newSession builds the loop, the seat's settings (the keymap is compiled
// before the socket exists), the backend and the server; the seat starts
// with the server and the backend's input sources feed it. On error
// everything built so far is released.
func newSession(opts *runOptions, log *slog.Logger) (*runSession, error) {
	l, err := loop.New()
	if err != nil {
		return nil, err
	}
	s := &runSession{loop: l}
	bcfg := opts.backend
	bcfg.Getenv, bcfg.Log = os.Getenv, log
	ic := seat.InputConfig{
		Loop: l, Options: &opts.seat, Getenv: os.Getenv, Log: log,
		// Ctrl+Alt+BackSpace ends the session exactly as SIGTERM does.
		Terminate: func() { s.srv.Shutdown("Ctrl+Alt+BackSpace") },
	}
	if name, _ := auto.Choose(bcfg); name == auto.DRM && !opts.noVTSwitch {
		// Ctrl+Alt+Fn switches virtual terminals through the session.
		ic.SwitchVT = func(vt int) {
			if vs, ok := s.backend.(backend.VTSwitcher); ok {
				if err := vs.SwitchVT(vt); err != nil {
					log.Warn("cannot switch virtual terminal", "vt", vt, "err", err)
				}
			}
		}
	}
	if s.input, err = seat.PrepareInput(ic); err != nil {
		s.close()
		return nil, err
	}
	bcfg.TapToClick = func() bool { return s.input.Seat != nil && s.input.Seat.Settings().TapToClick }
	if opts.nestedKeymap == nestedKeymapHost {
		bcfg.HostKeymap = func(fd int, size uint32) { s.useHostKeymap(fd, size, log) }
	}
	var afterFlush func()
	if opts.traceInput {
		s.tracer = inputtrace.New(log, evdev.Now)
		bcfg.Trace, afterFlush = s.tracer, s.tracer.Flushed
		s.summary = l.AddTimer(func() { s.tracer.Summarize(); s.summary.Arm(traceSummaryEvery) })
		s.summary.Arm(traceSummaryEvery)
	}
	if s.backend, err = auto.New(l, bcfg); err != nil {
		s.close()
		return nil, err
	}
	s.srv, err = compositor.New(l, s.backend, compositor.Config{
		Socket:            opts.socket,
		MaxClientBuffer:   opts.maxClientBuffer,
		ProgramGrace:      opts.programGrace,
		Screenshot:        opts.screenshot,
		AfterFlush:        afterFlush,
		Layout:            opts.layout,
		Transforms:        opts.transforms,
		IdleTimeout:       opts.idleTimeout,
		Log:               log,
		NoVirtualKeyboard: opts.virtualKeyboard == accessDeny,
		NoScreencopy:      opts.screencopy == accessDeny,
		NewSeat: func(d *server.Display, scene compositor.Scene) (compositor.Seat, error) {
			return s.input.Start(d, scene)
		},
	})
	if err != nil {
		s.backend.Close()
		s.close()
		return nil, err
	}
	return s, nil
}

// useHostKeymap makes the host keyboard's keymap the seat's, compiled by
// gocomp's own XKB engine with the configured caps-lock policy. A keymap
// that cannot be read or compiled leaves gocomp's in place.
func (s *runSession) useHostKeymap(fd int, size uint32, log *slog.Logger) {
	if s.input.Seat == nil {
		return
	}
	if err := s.input.Seat.SetKeymapFromFD("host keymap", fd, size); err != nil {
		log.Warn("nested: cannot use the host keymap; keeping gocomp's", "err", err)
		return
	}
	log.Info("nested: using the host keymap")
}

// close tears the session down (the server closes the backend and the
// seat); it logs the last latency summary when tracing.
func (s *runSession) close() error {
	var errs []error
	if s.srv != nil {
		errs = append(errs, s.srv.Close())
	}
	if s.tracer != nil {
		s.summary.Remove()
		s.tracer.Summarize()
	}
	errs = append(errs, s.input.Close(), s.loop.Close())
	return errors.Join(errs...)
}

// serve runs a session with the program and returns its exit status.
func serve(opts *runOptions, log *slog.Logger) (int, error) {
	s, err := newSession(opts, log)
	if err != nil {
		return 1, err
	}
	status, runErr := s.srv.Run(opts.program)
	return status, errors.Join(runErr, s.close())
}
