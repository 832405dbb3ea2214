package drm

import (
	"errors"
	"fmt"
	"image"
	"time"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
)

// frameState is where an output is in its frame cycle.
type frameState uint8

const (
	// stateIdle: nothing pending; ScheduleFrame starts a frame.
	stateIdle frameState = iota
	// stateSoon: the timer fires at the next loop iteration and draws.
	stateSoon
	// stateDrawing: inside Handler.Frame.
	stateDrawing
	// stateFlipping: a page flip is queued; its event ends the frame.
	stateFlipping
	// stateHolding: the frame was presented without a flip (nothing
	// changed, a single buffer, or no flip possible); the timer reports
	// it presented at the next refresh.
	stateHolding
)

// Output is one screen: a connector driven by a CRTC in one mode, showing
// one of its two dumb buffers (one with Config.SingleBuffer). It
// implements backend.Output and backend.PowerSaver.
type Output struct {
	b      *Backend
	id     uint64
	conn   connector
	crtc   uint32
	kmode  modeInfo
	mode   backend.Mode
	period time.Duration
	info   backend.OutputInfo
	dpms   uint32 // the connector's DPMS property; 0 when it has none

	bufs   []*dumb
	front  int       // the buffer on screen
	drawn  [2]uint64 // the picture number each buffer holds; 0: none
	frames uint64    // pictures presented so far
	lent   backend.Buffer
	clips  [maxClips]clipRect

	state    frameState
	flipSeq  uint32 // numbers the flips, so a stale event is told apart
	pending  int    // the buffer a queued flip shows
	wanted   bool   // ScheduleFrame since the last Frame
	off      bool   // DPMS off
	unshown  bool   // the card refused the picture: set the CRTC again on restore
	timer    *loop.Timer
	lastShow time.Duration // CLOCK_MONOTONIC of the latest presentation
	heldPic  bool          // the held frame showed a new picture

	shown                 uint64 // pictures presented, and when the first and
	firstShown, lastShown time.Duration
	closed                bool
}

var (
	_ backend.Output     = (*Output)(nil)
	_ backend.PowerSaver = (*Output)(nil)
)

// newOutput sets up an output for p: its buffers, and the CRTC showing
// the first of them (black) when the session is active.
func newOutput(b *Backend, id uint64, p plan) (*Output, error) {
	o := &Output{b: b, id: id, conn: p.conn, crtc: p.crtc}
	o.info = b.outputInfo(&p.conn)
	o.dpms, _, _ = b.card.findProperty(&p.conn, "DPMS")
	o.timer = b.l.AddTimer(o.handleTimer)
	if err := o.setMode(p.mode); err != nil {
		o.close(false)
		return nil, err
	}
	return o, nil
}

// outputInfo describes a connector: its name, and make, model and serial
// from the monitor's EDID when it has one.
func (b *Backend) outputInfo(cn *connector) backend.OutputInfo {
	info := backend.OutputInfo{
		Name: cn.name(), Make: "unknown", Model: "unknown",
		PhysicalWidthMM: int(cn.mmWidth), PhysicalHeightMM: int(cn.mmHeight),
	}
	if _, blobID, ok := b.card.findProperty(cn, "EDID"); ok && blobID != 0 {
		if data, err := b.card.blob(uint32(blobID)); err == nil {
			if e, ok := parseEDID(data); ok {
				info.Make, info.Model = e.make, e.model
			}
		}
	}
	info.Description = fmt.Sprintf("%s %s (%s)", info.Make, info.Model, info.Name)
	return info
}

// setMode makes m the output's mode: new buffers (black), shown on the
// CRTC when the session is active.
func (o *Output) setMode(m modeInfo) error {
	c := &o.b.card
	for _, d := range o.bufs {
		c.destroyDumb(d)
	}
	o.bufs = o.bufs[:0]
	n := 2
	if o.b.cfg.SingleBuffer {
		n = 1
	}
	for range n {
		d, err := c.newDumb(int(m.HDisplay), int(m.VDisplay))
		if err != nil {
			return fmt.Errorf("drm: %s: %w", o.info.Name, err)
		}
		o.bufs = append(o.bufs, d)
	}
	o.kmode, o.mode = m, toMode(&m)
	o.period = time.Duration(int64(time.Second) * 1000 / int64(max(o.mode.RefreshMHz, 1000)))
	o.front, o.drawn, o.frames = 0, [2]uint64{}, 0
	if o.state == stateFlipping {
		o.state = stateIdle // the flip's event is stale now
	}
	o.unshown = true
	if o.b.active {
		return o.show()
	}
	return nil
}

// show sets the CRTC to scan the front buffer out in the output's mode.
func (o *Output) show() error {
	if err := o.b.card.setCRTC(o.crtc, o.bufs[o.front].fb, o.conn.id, &o.kmode); err != nil {
		return fmt.Errorf("drm: %s: set mode %s on CRTC %d: %w", o.info.Name, modeName(&o.kmode), o.crtc, err)
	}
	o.unshown = false
	return nil
}

// Info implements backend.Output.
func (o *Output) Info() backend.OutputInfo { return o.info }

// Mode implements backend.Output.
func (o *Output) Mode() backend.Mode { return o.mode }

// ScheduleFrame implements backend.Output: the frame is drawn at the next
// loop iteration, or when the pending flip completes, the session comes
// back or the screen is switched on again.
func (o *Output) ScheduleFrame() {
	if o.closed {
		return
	}
	o.wanted = true
	o.startFrame()
}

// startFrame arms the timer for a frame when one is wanted and the output
// can draw.
func (o *Output) startFrame() {
	if o.wanted && o.state == stateIdle && o.b.active && !o.off && !o.closed {
		o.state = stateSoon
		o.timer.Arm(0)
	}
}

// frame has the compositor draw the next picture.
func (o *Output) frame() {
	if o.closed || !o.b.active || o.off || !o.wanted {
		return
	}
	o.wanted = false
	o.state = stateDrawing
	o.b.h.Frame(o)
	if o.state == stateDrawing {
		o.state = stateIdle // no Present: do not stall the output
	}
}

// back is the buffer the next picture is drawn into: the one not on
// screen, or the only one.
func (o *Output) back() int { return (o.front + 1) % len(o.bufs) }

// NextBuffer implements backend.Output: the buffer not on screen; its age
// says which picture it still holds.
func (o *Output) NextBuffer() (*backend.Buffer, error) {
	if o.closed {
		return nil, errors.New("drm: output removed")
	}
	i := o.back()
	d := o.bufs[i]
	age := 0
	if o.drawn[i] > 0 {
		age = int(o.frames - o.drawn[i] + 1)
	}
	o.lent = backend.Buffer{
		Pixels: backend.Pixels{Width: d.width, Height: d.height, Stride: d.pitch, Format: backend.XRGB8888, Data: d.data},
		Age:    age,
	}
	return &o.lent, nil
}

// Present implements backend.Output: a flip to the drawn buffer, which
// ends the frame at vertical blank; nil (nothing changed) is reported
// presented at the next refresh. With a single buffer the driver is told
// what changed (DIRTYFB: virtio-gpu shows nothing without it).
func (o *Output) Present(buf *backend.Buffer, damage []image.Rectangle) {
	if o.closed || o.state != stateDrawing {
		return
	}
	if buf == nil {
		o.hold(false)
		return
	}
	i := o.back()
	o.frames++
	o.drawn[i] = o.frames
	d := o.bufs[i]
	c := &o.b.card
	switch {
	case len(o.bufs) == 1:
		if !o.unshown {
			if err := c.dirtyFB(d.fb, damage, &o.clips); err != nil {
				o.b.log.Warn("drm: DIRTYFB failed", "output", o.info.Name, "err", err)
			}
		}
		o.hold(true)
	case o.unshown:
		o.front = i // shown when the CRTC is set again
		o.hold(false)
	default:
		o.flipSeq++
		if err := c.pageFlip(o.crtc, d.fb, o.id<<32|uint64(o.flipSeq)); err != nil {
			// No flip (a driver without it, a lost master role): set the
			// CRTC at once.
			o.front = i
			if err := o.show(); err != nil {
				o.b.log.Warn("drm: cannot show the picture", "output", o.info.Name, "err", err)
				o.unshown = true
			}
			o.hold(!o.unshown)
			return
		}
		o.pending = i
		o.state = stateFlipping
	}
}

// hold reports the frame presented at the next refresh boundary; pic
// says whether it showed a new picture.
func (o *Output) hold(pic bool) {
	o.state = stateHolding
	o.heldPic = pic
	o.timer.Arm(o.untilRefresh())
}

// untilRefresh is the time to the next refresh boundary after the latest
// presentation (a whole period when there was none yet).
func (o *Output) untilRefresh() time.Duration {
	if o.lastShow == 0 {
		return o.period
	}
	now := loop.Now()
	return o.period - (now-o.lastShow)%o.period
}

// handleTimer runs when the timer armed by startFrame or hold fires.
func (o *Output) handleTimer() {
	switch o.state {
	case stateSoon:
		o.state = stateIdle
		o.frame()
	case stateHolding:
		o.presented(loop.Now(), o.heldPic)
	}
}

// flipDone runs when the kernel reports a flip of this output complete:
// the flipped buffer is on screen. Virtual GPUs complete flips at once,
// without waiting for a vertical blank; those are held to the mode's
// refresh rate so that clients draw no faster than a real screen shows.
func (o *Output) flipDone(ev flipEvent) {
	if o.state != stateFlipping || uint32(ev.userData) != o.flipSeq {
		return // a flip from before a mode change or a pause
	}
	o.front = o.pending
	t := ev.time
	if t == 0 {
		t = loop.Now()
	}
	if next := o.lastShow + o.period; o.lastShow != 0 && t < next-o.period/8 {
		o.state = stateHolding
		o.heldPic = true
		o.timer.Arm(next - loop.Now())
		return
	}
	o.presented(t, true)
}

// presented ends the frame: the compositor hears the time, and the next
// frame is drawn at once if one is wanted.
func (o *Output) presented(t time.Duration, pic bool) {
	o.state = stateIdle
	o.lastShow = t
	if pic {
		if o.shown == 0 {
			o.firstShown = t
		}
		o.shown++
		o.lastShown = t
	}
	o.b.h.Presented(o, t)
	if !o.closed && o.wanted {
		o.frame()
	}
}

// restore shows the output's picture again when the session is back (the
// console or another compositor had the CRTC meanwhile).
func (o *Output) restore() {
	if o.closed {
		return
	}
	if o.state == stateFlipping {
		// Queued before the switch: the picture it flipped to is the
		// latest; its event may never come.
		o.front = o.pending
		o.state = stateIdle
	}
	if o.off {
		return // SetPower(true) shows it
	}
	if err := o.show(); err != nil {
		o.b.log.Error("drm: cannot show the picture again", "output", o.info.Name, "err", err)
		return
	}
	o.startFrame()
}

// SetPower implements backend.PowerSaver with the connector's DPMS
// property.
func (o *Output) SetPower(on bool) error {
	if o.dpms == 0 {
		return fmt.Errorf("drm: %s has no DPMS property", o.info.Name)
	}
	if !o.b.active {
		return errors.New("drm: session inactive")
	}
	v := uint64(dpmsOff)
	if on {
		v = dpmsOn
	}
	if err := o.b.card.setConnectorProperty(o.conn.id, o.dpms, v); err != nil {
		return fmt.Errorf("drm: %s: set DPMS: %w", o.info.Name, err)
	}
	o.off = !on
	o.b.log.Info("drm: screen power", "output", o.info.Name, "on", on)
	if on {
		o.startFrame()
	}
	return nil
}

// SetCursor implements backend.Output: no cursor plane is used; the
// compositor draws the cursor.
func (o *Output) SetCursor(*backend.Pixels, int, int) bool { return false }

// MoveCursor implements backend.Output.
func (o *Output) MoveCursor(int, int) {}

// close frees the buffers; an unplugged output's CRTC is turned off.
// Idempotent.
func (o *Output) close(unplugged bool) {
	if o.closed {
		return
	}
	o.closed = true
	o.timer.Remove()
	if o.shown > 1 {
		secs := (o.lastShown - o.firstShown).Seconds()
		o.b.log.Info("drm: output pictures", "output", o.info.Name, "pictures", o.shown,
			"seconds", fmt.Sprintf("%.1f", secs), "fps", fmt.Sprintf("%.1f", float64(o.shown-1)/secs))
	}
	if unplugged && o.b.active {
		o.b.card.setCRTC(o.crtc, 0, 0, nil)
	}
	for _, d := range o.bufs {
		o.b.card.destroyDumb(d)
	}
	o.bufs = nil
}
