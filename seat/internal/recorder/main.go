// Command recorder is a Wayland client for the guest torture test: it maps
// a small window and checks every wl_keyboard event against the protocol's
// contract as it arrives, with a raw connection (protocols/wire) that
// copes with any split of the compositor's output.
//
//	WAYLAND_DISPLAY=wayland-0 recorder [-pointer] [-stamp-fd N] NAME
//
// It prints "mapped" once its window is up, "enter SERIAL" and "leave
// SERIAL" as the focus comes and goes, and on SIGUSR1 one line
//
//	state NAME focused=0|1 pressed=N depressed=0xM keys=K mods=M violations=V
//
// followed by every violation seen ("violation ..."). The checks: no key
// or modifiers event without the focus; no press of a key down and no
// release of a key up (keys down start from enter's list); after every
// modifiers event, Shift and Control depressed exactly when the client
// has a Shift or Control key down (the us keymap: Shift is bit 0, Control
// bit 2).
//
// With -pointer it also gets a wl_pointer. With -stamp-fd, once mapped, it
// writes the time (CLOCK_MONOTONIC nanoseconds, 8 bytes) to fd N after
// every read that brought events: the latency benchmarks time input from
// the device to the client with it.
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"gocomp/protocols/wayland"
	"gocomp/protocols/wire"
	"gocomp/protocols/xdgshell"

	"golang.org/x/sys/unix"
)

// Object ids the recorder allocates, in order.
const (
	idDisplay = 1 + iota
	idRegistry
	idCompositor
	idShm
	idWmBase
	idSeat
	idKeyboard
	idPool
	idBuffer
	idSurface
	idXdgSurface
	idToplevel
	idSync
	idPointer
)

// Key codes the modifier check knows.
const (
	keyLeftCtrl   = 29
	keyLeftShift  = 42
	keyRightShift = 54
	keyRightCtrl  = 97
	modShift      = 1 << 0
	modControl    = 1 << 2
)

// recorder is the client's state.
type recorder struct {
	name       string
	conn       *wire.Conn
	focused    bool
	pressed    map[uint32]bool
	depressed  uint32
	keys, mods int
	violations []string
	mapped     bool
	pointer    bool // get a wl_pointer too
	stampFD    int  // -1: no stamps
}

func (r *recorder) violate(format string, args ...any) {
	r.violations = append(r.violations, fmt.Sprintf(format, args...))
}

// send encodes one request; args are uint32, int32, string or fdArg.
type fdArg int

func (r *recorder) send(obj uint32, op uint16, args ...any) {
	e := r.conn.Out()
	e.Begin(obj, op)
	for _, a := range args {
		switch v := a.(type) {
		case uint32:
			e.PutUint(v)
		case int32:
			e.PutInt(v)
		case string:
			e.PutString(v)
		case fdArg:
			e.PutFD(int(v))
		}
	}
	if err := e.End(); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Println("error:", err)
	os.Exit(1)
}

// handle applies one event.
func (r *recorder) handle(h wire.Header, args []byte) {
	var d wire.Decoder
	d.Reset(args, nil)
	switch {
	case h.Sender == idDisplay && h.Opcode == wayland.DisplayEventError:
		obj, code, msg := d.Uint(), d.Uint(), d.Str()
		fail(fmt.Errorf("protocol error on %d, code %d: %s", obj, code, msg))
	case h.Sender == idRegistry && h.Opcode == wayland.RegistryEventGlobal:
		name, iface, version := d.Uint(), d.Str(), d.Uint()
		bind := map[string][2]uint32{"wl_compositor": {idCompositor, 4}, "wl_shm": {idShm, 1},
			"xdg_wm_base": {idWmBase, 1}, "wl_seat": {idSeat, 7}}
		if b, ok := bind[iface]; ok {
			r.send(idRegistry, wayland.RegistryRequestBind, name, iface, min(version, b[1]), b[0])
		}
	case h.Sender == idWmBase && h.Opcode == xdgshell.WmBaseEventPing:
		r.send(idWmBase, xdgshell.WmBaseRequestPong, d.Uint())
	case h.Sender == idXdgSurface && h.Opcode == xdgshell.SurfaceEventConfigure:
		r.send(idXdgSurface, xdgshell.SurfaceRequestAckConfigure, d.Uint())
		if !r.mapped {
			r.mapped = true
			r.send(idSurface, wayland.SurfaceRequestAttach, uint32(idBuffer), int32(0), int32(0))
		}
		r.send(idSurface, wayland.SurfaceRequestCommit)
	case h.Sender == idSync:
		fmt.Println("mapped")
	case h.Sender == idKeyboard:
		r.keyboard(h.Opcode, &d)
	}
	for r.conn.QueuedFDs() > 0 { // the keymap's fd: ours to close
		fd, _ := r.conn.PopFD()
		unix.Close(fd)
	}
}

// keyboard checks one wl_keyboard event.
func (r *recorder) keyboard(op uint16, d *wire.Decoder) {
	switch op {
	case wayland.KeyboardEventEnter:
		serial, _, keys := d.Uint(), d.Object(), d.Array()
		if r.focused {
			r.violate("enter %d while focused", serial)
		}
		r.focused = true
		clear(r.pressed)
		for i := 0; i+4 <= len(keys); i += 4 {
			r.pressed[binary.NativeEndian.Uint32(keys[i:])] = true
		}
		fmt.Println("enter", serial)
	case wayland.KeyboardEventLeave:
		serial := d.Uint()
		if !r.focused {
			r.violate("leave %d without focus", serial)
		}
		r.focused = false
		clear(r.pressed)
		fmt.Println("leave", serial)
	case wayland.KeyboardEventKey:
		_, _, key, state := d.Uint(), d.Uint(), d.Uint(), d.Uint()
		r.keys++
		switch {
		case !r.focused:
			r.violate("key %d state %d without focus", key, state)
		case state == 1 && r.pressed[key]:
			r.violate("press of key %d already down", key)
		case state == 0 && !r.pressed[key]:
			r.violate("release of key %d not down", key)
		}
		if state == 1 {
			r.pressed[key] = true
		} else {
			delete(r.pressed, key)
		}
	case wayland.KeyboardEventModifiers:
		_, dep := d.Uint(), d.Uint()
		r.mods++
		r.depressed = dep
		if !r.focused {
			r.violate("modifiers %#x without focus", dep)
			return
		}
		shift := r.pressed[keyLeftShift] || r.pressed[keyRightShift]
		ctrl := r.pressed[keyLeftCtrl] || r.pressed[keyRightCtrl]
		if (dep&modShift != 0) != shift || (dep&modControl != 0) != ctrl {
			var down []uint32
			for k := range r.pressed {
				down = append(down, k)
			}
			slices.Sort(down)
			r.violate("modifiers depressed %#x with keys %v down", dep, down)
		}
	}
}

// state prints the summary line and the violations.
func (r *recorder) state() {
	f := 0
	if r.focused {
		f = 1
	}
	fmt.Printf("state %s focused=%d pressed=%d depressed=%#x keys=%d mods=%d violations=%d\n",
		r.name, f, len(r.pressed), r.depressed, r.keys, r.mods, len(r.violations))
	for _, v := range r.violations {
		fmt.Println("violation", v)
	}
}

func main() {
	pointer := flag.Bool("pointer", false, "get a wl_pointer too")
	stampFD := flag.Int("stamp-fd", -1, "after every read with events, write the time to this fd")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: recorder [-pointer] [-stamp-fd N] NAME")
		os.Exit(2)
	}
	r := &recorder{name: flag.Arg(0), pressed: map[uint32]bool{}, pointer: *pointer, stampFD: *stampFD}
	if err := r.run(); err != nil {
		fail(err)
	}
}

// run connects, maps the window and dispatches until the compositor goes
// or SIGTERM comes.
func (r *recorder) run() error {
	path := os.Getenv("WAYLAND_DISPLAY")
	if !strings.HasPrefix(path, "/") {
		path = os.Getenv("XDG_RUNTIME_DIR") + "/" + path
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		return fmt.Errorf("connect %s: %w", path, err)
	}
	if r.conn, err = wire.NewConn(fd, 1<<20); err != nil {
		return err
	}
	const w, h = 32, 32
	mem, err := unix.MemfdCreate("recorder", unix.MFD_CLOEXEC)
	if err != nil {
		return err
	}
	if err := unix.Ftruncate(mem, w*h*4); err != nil {
		return err
	}
	r.send(idDisplay, wayland.DisplayRequestGetRegistry, uint32(idRegistry))
	sync := uint32(idSync + 1)
	r.send(idDisplay, wayland.DisplayRequestSync, sync)
	if err := r.pump(func(h wire.Header) bool { return h.Sender == sync }); err != nil {
		return err
	}
	r.send(idSeat, wayland.SeatRequestGetKeyboard, uint32(idKeyboard))
	if r.pointer {
		r.send(idSeat, wayland.SeatRequestGetPointer, uint32(idPointer))
	}
	r.send(idShm, wayland.ShmRequestCreatePool, uint32(idPool), fdArg(mem), int32(w*h*4))
	r.send(idPool, wayland.ShmPoolRequestCreateBuffer, uint32(idBuffer), int32(0), int32(w), int32(h), int32(4*w), uint32(wayland.ShmFormatXrgb8888))
	r.send(idCompositor, wayland.CompositorRequestCreateSurface, uint32(idSurface))
	r.send(idWmBase, xdgshell.WmBaseRequestGetXdgSurface, uint32(idXdgSurface), uint32(idSurface))
	r.send(idXdgSurface, xdgshell.SurfaceRequestGetToplevel, uint32(idToplevel))
	r.send(idToplevel, xdgshell.ToplevelRequestSetTitle, r.name)
	r.send(idSurface, wayland.SurfaceRequestCommit)
	if err := r.pump(func(h wire.Header) bool { return r.mapped }); err != nil {
		return err
	}
	r.send(idDisplay, wayland.DisplayRequestSync, uint32(idSync))
	unix.Close(mem)
	// Signals reach the poll loop through an eventfd.
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return err
	}
	sigs := make(chan os.Signal, 4)
	pending := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGTERM)
	go func() {
		for s := range sigs {
			pending <- s
			unix.Write(wake, []byte{1, 0, 0, 0, 0, 0, 0, 0})
		}
	}()
	for {
		if err := r.flush(); err != nil {
			return err
		}
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: int32(wake), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, -1); err != nil && !errors.Is(err, unix.EINTR) {
			return err
		}
		if pfd[1].Revents != 0 {
			var b [8]byte
			unix.Read(wake, b[:])
			for done := false; !done; {
				select {
				case s := <-pending:
					if s == syscall.SIGTERM {
						return nil
					}
					r.state()
				default:
					done = true
				}
			}
		}
		if pfd[0].Revents != 0 {
			if err := r.read(); err != nil {
				r.state()
				return err
			}
		}
	}
}

// flush writes the queued requests.
func (r *recorder) flush() error {
	for {
		pending, err := r.conn.Flush()
		if err != nil || !pending {
			return err
		}
		pfd := []unix.PollFd{{Fd: int32(r.conn.Fd()), Events: unix.POLLOUT}}
		unix.Poll(pfd, -1)
	}
}

// read reads until EAGAIN and handles every complete event.
func (r *recorder) read() error {
	for {
		n, err := r.conn.Read()
		if n > 0 && r.stampFD >= 0 && r.mapped {
			var ts unix.Timespec
			unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
			var b [8]byte
			binary.NativeEndian.PutUint64(b[:], uint64(ts.Nano()))
			if _, err := unix.Write(r.stampFD, b[:]); err != nil {
				return fmt.Errorf("write stamp: %w", err)
			}
		}
		for {
			h, args, ok, err := r.conn.Next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			r.handle(h, args)
		}
		if errors.Is(err, unix.EAGAIN) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// pump flushes and handles events until done reports true.
func (r *recorder) pump(done func(h wire.Header) bool) error {
	for {
		if err := r.flush(); err != nil {
			return err
		}
		pfd := []unix.PollFd{{Fd: int32(r.conn.Fd()), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, 5000); err != nil && !errors.Is(err, unix.EINTR) {
			return err
		}
		if _, err := r.conn.Read(); err != nil && !errors.Is(err, unix.EAGAIN) {
			return err
		}
		for {
			h, args, ok, err := r.conn.Next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			r.handle(h, args)
			if done(h) {
				return nil
			}
		}
	}
}
