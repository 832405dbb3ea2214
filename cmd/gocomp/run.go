package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"

	"gocomp/compositor"
	"gocomp/compositor/backend"
	"gocomp/compositor/headless"
	"gocomp/compositor/loop"
	"gocomp/protocols/server"
	"gocomp/seat"
)

// runOptions are the compositor's command-line settings.
type runOptions struct {
	backend         string
	socket          string
	mode            backend.Mode
	screenshot      string
	logLevel        slog.Level
	maxClientBuffer int
	program         []string
	seat            seat.Options // keyboard: XKB names, repeat, caps lock, --config
}

// parseRunFlags parses `gocomp [flags] [-- program args...]`. Usage and
// errors go to stderr.
func parseRunFlags(args []string, stderr io.Writer) (*runOptions, error) {
	opts := &runOptions{mode: headless.DefaultMode()}
	fs := flag.NewFlagSet("gocomp", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by the caller
	fs.StringVar(&opts.backend, "backend", "headless", "output backend `NAME`; only headless (a virtual output with a CPU framebuffer) exists so far")
	fs.StringVar(&opts.socket, "socket", "", "listening socket `NAME` in $XDG_RUNTIME_DIR, or an absolute path (default: first free wayland-N)")
	width := fs.Int("width", opts.mode.Width, "output width in `pixels`")
	height := fs.Int("height", opts.mode.Height, "output height in `pixels`")
	refresh := fs.String("refresh", "60", "output refresh rate in `Hz` (decimals allowed, e.g. 59.94)")
	modeFlag := fs.String("mode", "", "output mode as `WxH@Hz` (e.g. 1920x1080@60); overrides -width, -height and -refresh")
	fs.StringVar(&opts.screenshot, "screenshot-on-exit", "", "write the output framebuffer to `FILE.png` when gocomp exits")
	logLevel := fs.String("log-level", "info", "log `level` on stderr: debug, info, warn or error")
	fs.IntVar(&opts.maxClientBuffer, "max-client-buffer", compositor.DefaultMaxClientBuffer, "`bytes` of output queued for one client before it is disconnected")
	opts.seat.RegisterFlags(fs)
	usage := func() {
		fs.SetOutput(stderr)
		fmt.Fprint(stderr, "Usage: gocomp [flags] [-- program [args...]]\n\n"+
			"Runs the compositor. With a program, gocomp launches it with WAYLAND_DISPLAY\n"+
			"set and exits with its exit status (128+signal if a signal killed it).\n"+
			"SIGTERM or SIGINT shut gocomp down cleanly.\n\nFlags:\n")
		fs.PrintDefaults()
		if f, ok := stderr.(*os.File); ok {
			usageSubcommands(f)
		}
	}
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
		}
		return nil, err
	}
	opts.program = fs.Args()
	if opts.backend != "headless" {
		return nil, fmt.Errorf("unknown backend %q (available: headless)", opts.backend)
	}
	var err error
	if *modeFlag != "" {
		if opts.mode, err = parseMode(*modeFlag); err != nil {
			return nil, err
		}
	} else {
		opts.mode.Width, opts.mode.Height = *width, *height
		if opts.mode.RefreshMHz, err = parseRefresh(*refresh); err != nil {
			return nil, err
		}
	}
	if opts.mode.Width <= 0 || opts.mode.Height <= 0 {
		return nil, fmt.Errorf("invalid output size %dx%d", opts.mode.Width, opts.mode.Height)
	}
	if err := opts.logLevel.UnmarshalText([]byte(*logLevel)); err != nil {
		return nil, fmt.Errorf("invalid -log-level %q (want debug, info, warn or error)", *logLevel)
	}
	if opts.maxClientBuffer < 4096 {
		return nil, fmt.Errorf("invalid -max-client-buffer %d (want at least 4096 bytes)", opts.maxClientBuffer)
	}
	return opts, nil
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

// parseRefresh parses a refresh rate in Hz into millihertz.
func parseRefresh(s string) (int, error) {
	hz, err := strconv.ParseFloat(s, 64)
	if err != nil || hz < 1 || hz > 1000 {
		return 0, fmt.Errorf("invalid refresh rate %q (want 1..1000 Hz)", s)
	}
	return int(hz*1000 + 0.5), nil
}

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
	status, err := serve(opts, log)
	if err != nil {
		log.Error("gocomp failed", "err", err)
		if status == 0 {
			status = 1
		}
	}
	return status
}

// serve builds the loop, the output and the server, runs them and tears
// them down.
func serve(opts *runOptions, log *slog.Logger) (int, error) {
	l, err := loop.New()
	if err != nil {
		return 1, err
	}
	defer l.Close()
	out, err := headless.New(l, opts.mode)
	if err != nil {
		return 1, err
	}
	defer out.Close()
	// The keymap is compiled before the socket exists; the seat and its
	// devices start with the server.
	input, err := seat.PrepareInput(seat.InputConfig{
		Loop: l, Options: &opts.seat, Getenv: os.Getenv, Log: log,
		// Ctrl+Alt+BackSpace shuts down exactly as SIGTERM does (the
		// launched program is told too).
		Terminate: func() { _ = syscall.Kill(os.Getpid(), syscall.SIGTERM) },
	})
	if err != nil {
		return 1, err
	}
	defer input.Close()
	srv, err := compositor.New(l, out, compositor.Config{
		Socket:          opts.socket,
		MaxClientBuffer: opts.maxClientBuffer,
		Log:             log,
		NewSeat:         func(d *server.Display) (compositor.Seat, error) { return input.Start(d) },
	})
	if err != nil {
		return 1, err
	}
	status, runErr := srv.Run(opts.program)
	if opts.screenshot != "" {
		if err := out.WritePNGFile(opts.screenshot); err != nil {
			runErr = errors.Join(runErr, err)
		} else {
			log.Info("wrote screenshot", "file", opts.screenshot)
		}
	}
	if err := srv.Close(); err != nil {
		runErr = errors.Join(runErr, err)
	}
	return status, runErr
}
