package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"syscall"
	"time"

	"gocomp/compositor/loop"
	"gocomp/evdev"
)

// runDebugEvents prints input events as they happen, one line each, until
// SIGINT or SIGTERM:
//
//	/dev/input/event3  811.930562  added  "QEMU Virtio Keyboard"  0006:0627:0001  keyboard key
//	/dev/input/event3  812.402113  KEY_A (30) pressed
//	/dev/input/event3  815.000210  resync
//	/dev/input/event3  815.000210  KEY_B (48) pressed (resync)
//	/dev/input/event5  816.250001  motion REL_X 3 REL_Y -2
//	/dev/input/event3  817.020004  removed
//
// With --grab every device is taken exclusively. With --latency every
// frame is followed by how long it took from the kernel's time stamp to
// gocomp's read, in microseconds:
//
//	/dev/input/event3  812.402113  latency 153 us
func runDebugEvents(args []string) int {
	fs := flag.NewFlagSet("gocomp debug-events", flag.ContinueOnError)
	grab := fs.Bool("grab", false, "take every device exclusively (EVIOCGRAB)")
	latency := fs.Bool("latency", false, "after every frame, print the delay from the kernel's event time to its read")
	sysfs := fs.String("sysfs", evdev.DefaultSysfs, "sysfs mount point")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := debugEvents(os.Stdout, *grab, *latency, *sysfs); err != nil {
		fmt.Fprintln(os.Stderr, "gocomp debug-events:", err)
		return 1
	}
	return 0
}

// debugEvents runs the event loop with an evdev.Manager printing to w.
func debugEvents(w io.Writer, grab, latency bool, sysfs string) error {
	l, err := loop.New()
	if err != nil {
		return err
	}
	defer l.Close()
	out := bufio.NewWriterSize(w, 64<<10)
	defer out.Flush()
	// Everything printed in one loop iteration leaves in one write, before
	// the loop sleeps.
	l.AddBeforeWait(func() { out.Flush() })

	p := &eventPrinter{w: out, latency: latency}
	var openErr error
	m, err := evdev.NewManager(evdev.ManagerConfig{
		Post: l.Post, Poller: loopPoller{l}, Sink: p, Grab: grab,
		Added: p.added, Removed: p.removed,
		Failed: func(path string, err error) {
			openErr = firstErr(openErr, err)
			slog.Warn("cannot open input device", "err", err)
		},
		Logger: slog.Default(), Sysfs: sysfs,
	})
	if err != nil {
		return err
	}
	defer m.Close()
	if len(m.Devices()) == 0 {
		if openErr != nil {
			return openErr
		}
		return errNoInputDevices
	}
	out.Flush()
	stop := l.HandleSignals(func(os.Signal) { l.Stop() }, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return l.Run()
}

// loopPoller watches device fds in a compositor/loop.
type loopPoller struct{ l *loop.Loop }

// Watch registers fd for readability (hangups and errors always come too).
func (p loopPoller) Watch(fd int, ready func()) (func(), error) {
	src, err := p.l.AddFD(fd, loop.Readable, func(loop.Events) { ready() })
	if err != nil {
		return nil, err
	}
	return src.Remove, nil
}

// eventPrinter formats devices and frames as text lines, reusing one buffer.
type eventPrinter struct {
	w       *bufio.Writer
	latency bool // print each frame's kernel-to-read delay
	line    []byte
	axes    []byte
}

// added runs when a device is opened.
func (p *eventPrinter) added(d *evdev.Device) {
	p.begin(d, evdev.Now())
	p.line = append(p.line, "added  "...)
	p.line = strconv.AppendQuote(p.line, d.Name)
	p.line = append(p.line, "  "...)
	p.line = append(p.line, d.ID.String()...)
	p.line = append(p.line, "  "...)
	p.line = append(p.line, d.Class.String()...)
	p.end()
}

// removed runs after a device's last frame.
func (p *eventPrinter) removed(d *evdev.Device) {
	p.begin(d, evdev.Now())
	p.line = append(p.line, "removed"...)
	p.end()
}

// HandleFrame prints a frame: a resync marker, one line per key or button,
// one line for the frame's relative and absolute axes, one per LED or
// switch.
func (p *eventPrinter) HandleFrame(f *evdev.Frame) {
	read := evdev.Now()
	if f.Kind == evdev.FrameResync {
		p.begin(f.Device, f.Time)
		p.line = append(p.line, "resync"...)
		p.end()
	}
	p.axes = p.axes[:0]
	for _, e := range f.Events {
		name, _ := evdev.CodeName(e.Type, e.Code)
		switch e.Type {
		case evdev.EvKey:
			p.begin(f.Device, e.Time)
			p.line = append(p.line, name...)
			p.line = append(p.line, " ("...)
			p.line = strconv.AppendUint(p.line, uint64(e.Code), 10)
			if e.Value == evdev.KeyPressed {
				p.line = append(p.line, ") pressed"...)
			} else {
				p.line = append(p.line, ") released"...)
			}
			if f.Kind != evdev.FrameReport {
				p.line = append(p.line, " ("...)
				p.line = append(p.line, f.Kind.String()...)
				p.line = append(p.line, ')')
			}
			p.end()
		case evdev.EvRel, evdev.EvAbs:
			p.axes = append(p.axes, ' ')
			p.axes = append(p.axes, name...)
			p.axes = append(p.axes, ' ')
			p.axes = strconv.AppendInt(p.axes, int64(e.Value), 10)
		case evdev.EvLed, evdev.EvSw:
			p.begin(f.Device, e.Time)
			p.line = append(p.line, name...)
			if e.Value != 0 {
				p.line = append(p.line, " on"...)
			} else {
				p.line = append(p.line, " off"...)
			}
			p.end()
		}
	}
	if len(p.axes) > 0 {
		p.begin(f.Device, f.Time)
		p.line = append(p.line, "motion"...)
		p.line = append(p.line, p.axes...)
		p.end()
	}
	// Resync and removal frames are made by gocomp, not read: their delay
	// says nothing about the kernel.
	if p.latency && f.Kind == evdev.FrameReport {
		p.begin(f.Device, f.Time)
		p.line = append(p.line, "latency "...)
		p.line = strconv.AppendInt(p.line, (read - f.Time).Microseconds(), 10)
		p.line = append(p.line, " us"...)
		p.end()
	}
}

// begin starts a line with the device path and the event time in seconds.
func (p *eventPrinter) begin(d *evdev.Device, t time.Duration) {
	p.line = p.line[:0]
	if d != nil {
		p.line = append(p.line, d.Path...)
	}
	p.line = append(p.line, "  "...)
	us := t.Microseconds()
	p.line = strconv.AppendInt(p.line, us/1e6, 10)
	p.line = append(p.line, '.')
	frac := us % 1e6
	for div := int64(1e5); div > 0; div /= 10 {
		p.line = append(p.line, byte('0'+frac/div%10))
	}
	p.line = append(p.line, "  "...)
}

func (p *eventPrinter) end() {
	p.line = append(p.line, '\n')
	p.w.Write(p.line)
}
