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
//	/dev/input/event5  816.258001  scroll REL_WHEEL -1 REL_WHEEL_HI_RES -120
//	/dev/input/event6  816.300000  position ABS_X 16383 ABS_Y 8000
//	/dev/input/event7  817.000100  touch slot 0 down (id 12) at 1200 640
//	/dev/input/event7  817.008100  touch slot 0 at 1210 650
//	/dev/input/event7  817.050100  touch slot 0 up
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

	p := &eventPrinter{w: out, latency: latency, touch: map[*evdev.Device]*slotTracker{}}
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
	motion  []byte // the frame's relative motion, position and scroll fields
	scroll  []byte
	pos     []byte
	touch   map[*evdev.Device]*slotTracker
}

// slotTracker follows a multitouch device's slots to print touches.
type slotTracker struct {
	cur   int32
	slots map[int32]*printedSlot
}

// printedSlot is one slot's finger as printed so far and as changed in
// the current frame.
type printedSlot struct {
	id, x, y      int32
	down, changed bool
	lifted        bool
}

// added runs when a device is opened; multitouch devices get their
// touches tracked.
func (p *eventPrinter) added(d *evdev.Device) {
	if d.Caps.Has(evdev.EvAbs, evdev.AbsMTSlot) {
		p.touch[d] = &slotTracker{slots: map[int32]*printedSlot{}}
	}
	p.begin(d, evdev.Now())
	p.line = append(p.line, "added  "...)
	p.line = strconv.AppendQuote(p.line, d.Name)
	p.line = append(p.line, "  "...)
	p.line = append(p.line, d.ID.String()...)
	p.line = append(p.line, "  "...)
	p.line = append(p.line, d.Class.String()...)
	p.line = append(p.line, props(&d.Caps)...)
	p.end()
}

// removed runs after a device's last frame.
func (p *eventPrinter) removed(d *evdev.Device) {
	delete(p.touch, d)
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
	p.motion, p.scroll, p.pos = p.motion[:0], p.scroll[:0], p.pos[:0]
	st := p.touch[f.Device]
	for _, e := range f.Events {
		name, _ := evdev.CodeName(e.Type, e.Code)
		switch {
		case e.Type == evdev.EvKey:
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
		case e.Type == evdev.EvRel && (e.Code == evdev.RelX || e.Code == evdev.RelY):
			p.motion = appendField(p.motion, name, e.Value)
		case e.Type == evdev.EvRel:
			p.scroll = appendField(p.scroll, name, e.Value)
		case e.Type == evdev.EvAbs && e.Code >= evdev.AbsMTSlot && st != nil:
			st.event(e)
		case e.Type == evdev.EvAbs:
			p.pos = appendField(p.pos, name, e.Value)
		case e.Type == evdev.EvLed, e.Type == evdev.EvSw:
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
	for _, l := range [...]struct {
		what   string
		fields []byte
	}{{"motion", p.motion}, {"scroll", p.scroll}, {"position", p.pos}} {
		if len(l.fields) > 0 {
			p.begin(f.Device, f.Time)
			p.line = append(p.line, l.what...)
			p.line = append(p.line, l.fields...)
			p.end()
		}
	}
	if st != nil {
		p.touches(f, st)
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

// appendField appends " NAME value" to b.
func appendField(b []byte, name string, v int32) []byte {
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, ' ')
	return strconv.AppendInt(b, int64(v), 10)
}

// event applies one multitouch axis event.
func (st *slotTracker) event(e evdev.Event) {
	if e.Code == evdev.AbsMTSlot {
		st.cur = e.Value
		return
	}
	s := st.slots[st.cur]
	if s == nil {
		s = &printedSlot{id: -1}
		st.slots[st.cur] = s
	}
	switch e.Code {
	case evdev.AbsMTTrackingID:
		if e.Value < 0 {
			s.lifted = s.down
			s.id = -1
		} else {
			s.id = e.Value
		}
		s.changed = true
	case evdev.AbsMTPositionX:
		s.x, s.changed = e.Value, true
	case evdev.AbsMTPositionY:
		s.y, s.changed = e.Value, true
	}
}

// touches prints the slots a frame changed, in slot order.
func (p *eventPrinter) touches(f *evdev.Frame, st *slotTracker) {
	for n := int32(0); n < evdev.MaxSlots; n++ {
		s := st.slots[n]
		if s == nil || !s.changed {
			continue
		}
		s.changed = false
		p.begin(f.Device, f.Time)
		p.line = append(p.line, "touch slot "...)
		p.line = strconv.AppendInt(p.line, int64(n), 10)
		switch {
		case s.lifted:
			p.line = append(p.line, " up"...)
			s.lifted, s.down = false, false
		case s.id < 0:
			p.line = p.line[:0] // a change to a free slot: nothing to say
			continue
		case !s.down:
			p.line = append(p.line, " down (id "...)
			p.line = strconv.AppendInt(p.line, int64(s.id), 10)
			p.line = append(p.line, ") at "...)
			s.down = true
		default:
			p.line = append(p.line, " at "...)
		}
		if s.down {
			p.line = strconv.AppendInt(p.line, int64(s.x), 10)
			p.line = append(p.line, ' ')
			p.line = strconv.AppendInt(p.line, int64(s.y), 10)
		}
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
