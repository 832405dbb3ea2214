// Package drm is the backend of a real screen: DRM/KMS legacy modesetting
// with dumb buffers on the kernel's card (/dev/dri/cardN), written on the
// kernel's ioctls. Every connected connector becomes an output showing
// its preferred mode (or the one asked for) on a CRTC of its own, drawn
// into two dumb buffers that page flips swap at vertical blank; the flip
// events, read from the card fd in the event loop, pace the compositor's
// frames. Connectors are probed again when the kernel reports a hotplug,
// so screens come and go. The card and the input devices are opened
// through a session (package session), which also pauses the backend
// while the user is on another virtual terminal.
package drm

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gocomp/compositor/backend"
	"gocomp/compositor/loop"
	"gocomp/compositor/session"

	"golang.org/x/sys/unix"
)

// Config configures a Backend.
type Config struct {
	// Loop runs everything. Required.
	Loop *loop.Loop
	// Session opens the devices and says when the seat is away.
	// Required; the backend takes it over (see New).
	Session session.Session
	// Card is the DRM device; "" means the first /dev/dri/card* with
	// connectors.
	Card string
	// Output, when not empty, is the only connector used, by name
	// ("HDMI-A-1").
	Output string
	// FirstOnly uses only the first connected connector (the next one
	// when it is unplugged).
	FirstOnly bool
	// Mode is the mode every output is set to; the zero Mode means each
	// connector's preferred mode. A refresh of 0 takes the highest.
	Mode backend.Mode
	// SingleBuffer draws into the buffer on screen and tells the driver
	// what changed (DIRTYFB) instead of flipping between two: half the
	// memory, but the picture may tear.
	SingleBuffer bool
	// Input, when not nil, brings the machine's evdev devices.
	Input *InputConfig
	// Log receives the records; nil means slog.Default().
	Log *slog.Logger
}

// Backend is the DRM backend. It implements backend.Backend and
// backend.VTSwitcher; it is the session's handler.
type Backend struct {
	l    *loop.Loop
	cfg  Config
	log  *slog.Logger
	sess session.Session

	card    card
	cardID  int    // the session's id of the card
	devnum  uint64 // the card's device number, for hotplug uevents
	cardSrc *loop.FDSource
	hotplug *uevents
	input   *input

	h       backend.Handler
	initial []plan // outputs planned by New, set up by Start
	outputs []*Output
	nextID  uint64 // the flip events' user data names outputs
	active  bool
	closed  bool
}

var (
	_ backend.Backend    = (*Backend)(nil)
	_ backend.VTSwitcher = (*Backend)(nil)
	_ session.Handler    = (*Backend)(nil)
)

// plan is an output to set up: a connector in a mode on a CRTC.
type plan struct {
	conn connector
	mode modeInfo
	crtc uint32
}

// New opens the card through cfg.Session and plans the outputs, so that
// a missing card, a card with no screen, a mode that does not exist or a
// card another DRM master holds are reported before anything is shown.
// New takes the session over: Close closes it, and New does when it
// fails (restoring the terminal).
func New(cfg Config) (_ *Backend, err error) {
	if cfg.Loop == nil || cfg.Session == nil {
		return nil, errors.New("drm: New needs a Loop and a Session")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	b := &Backend{l: cfg.Loop, cfg: cfg, log: cfg.Log, sess: cfg.Session, card: card{fd: -1}, active: cfg.Session.Active()}
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	paths := []string{cfg.Card}
	if cfg.Card == "" {
		if paths = Cards(); len(paths) == 0 {
			return nil, errors.New("drm: no DRM device: /dev/dri/card* does not exist (no graphics driver loaded?)")
		}
	}
	var tried []string
	for _, path := range paths {
		ok, err := b.openCard(path)
		if err != nil {
			return nil, err
		}
		if ok {
			break
		}
		tried = append(tried, path)
	}
	if b.card.fd < 0 {
		return nil, fmt.Errorf("drm: no DRM device can show a picture (%s: no modesetting)", strings.Join(tried, ", "))
	}
	res, conns, encoders, err := b.probe()
	if err != nil {
		return nil, err
	}
	if b.initial, err = b.planOutputs(res, conns, encoders, true); err != nil {
		return nil, err
	}
	if cfg.Input != nil {
		b.input = &input{l: b.l, sess: b.sess, cfg: *cfg.Input, log: b.log}
	}
	return b, nil
}

// Cards lists the DRM devices /dev/dri/card*, in number order.
func Cards() []string {
	paths, _ := filepath.Glob("/dev/dri/card*")
	sort.Slice(paths, func(i, j int) bool {
		return len(paths[i]) < len(paths[j]) || len(paths[i]) == len(paths[j]) && paths[i] < paths[j]
	})
	return paths
}

// openCard opens path through the session and checks that it can show
// pictures with dumb buffers and that no other DRM master holds it. ok is
// false, without an error, for a device without modesetting (a render-only
// GPU), which is closed again.
func (b *Backend) openCard(path string) (ok bool, err error) {
	fd, id, err := b.sess.OpenDevice(path)
	if err != nil {
		return false, fmt.Errorf("drm: open %s: %w", path, err)
	}
	c := card{fd: fd, path: path}
	closeIt := func() {
		unix.Close(fd)
		b.sess.CloseDevice(id)
	}
	if _, err := c.resources(); err != nil {
		closeIt()
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EINVAL) {
			return false, nil
		}
		return false, fmt.Errorf("drm: %s: read resources: %w", path, err)
	}
	if v, err := c.capability(capDumbBuffer); err != nil || v == 0 {
		closeIt()
		return false, nil
	}
	// Every session hands over a card fd it made DRM master when the card
	// was free (the master role is the session's business: it drops and
	// takes it again on switches).
	if b.active && !c.isMaster() {
		closeIt()
		return false, fmt.Errorf("drm: %s is held by another DRM master (another compositor or X server?): the %s session could not make it ours", path, b.sess.Name())
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err == nil {
		b.devnum = uint64(st.Rdev)
	}
	b.card, b.cardID = c, id
	return true, nil
}

// probe reads the card's connectors (probing each) and encoders.
func (b *Backend) probe() (resources, []connector, map[uint32]getEncoder, error) {
	res, err := b.card.resources()
	if err != nil {
		return resources{}, nil, nil, fmt.Errorf("drm: %s: read resources: %w", b.card.path, err)
	}
	var conns []connector
	for _, id := range res.connectors {
		cn, err := b.card.connector(id)
		if err != nil {
			b.log.Warn("drm: cannot read connector", "id", id, "err", err)
			continue
		}
		conns = append(conns, cn)
	}
	encoders := map[uint32]getEncoder{}
	for _, id := range res.encoders {
		if e, err := b.card.encoder(id); err == nil {
			encoders[id] = e
		}
	}
	return res, conns, encoders, nil
}

// planOutputs returns the outputs to add for the connected connectors
// that have none yet, as the configuration selects them. At start (strict)
// a missing screen or mode is an error; later a connector whose mode
// cannot be had falls back to its preferred mode.
func (b *Backend) planOutputs(res resources, conns []connector, encoders map[uint32]getEncoder, strict bool) ([]plan, error) {
	var live []connector
	var names []string
	for _, cn := range conns {
		if cn.connection == connected && len(cn.modes) > 0 {
			live = append(live, cn)
			names = append(names, cn.name())
		}
	}
	if b.cfg.Output != "" {
		live = slices.DeleteFunc(live, func(cn connector) bool { return cn.name() != b.cfg.Output })
		if len(live) == 0 && strict {
			return nil, fmt.Errorf("drm: %s: no connected connector named %s (connected: %s)", b.card.path, b.cfg.Output, orNone(names))
		}
	}
	if len(live) == 0 && strict {
		return nil, fmt.Errorf("drm: %s: no connected connector (is a screen plugged in?)", b.card.path)
	}
	used := func(crtc uint32) bool {
		return slices.ContainsFunc(b.outputs, func(o *Output) bool { return o.crtc == crtc })
	}
	var plans []plan
	for _, cn := range live {
		if b.outputFor(cn.id) != nil {
			continue
		}
		if b.cfg.FirstOnly && len(b.outputs)+len(plans) > 0 {
			break
		}
		m, ok := chooseMode(cn.modes, b.cfg.Mode)
		if !ok {
			if strict {
				return nil, fmt.Errorf("drm: %s has no mode %v (it has %s)", cn.name(), b.cfg.Mode, describeModes(cn.modes))
			}
			m, _ = chooseMode(cn.modes, backend.Mode{})
			b.log.Warn("drm: mode not available: using the preferred one", "output", cn.name(), "mode", b.cfg.Mode.String(), "preferred", toMode(&m).String())
		}
		crtc, ok := pickCRTC(&cn, encoders, res.crtcs, func(c uint32) bool {
			return used(c) || slices.ContainsFunc(plans, func(p plan) bool { return p.crtc == c })
		})
		if !ok {
			b.log.Warn("drm: no CRTC left for connector", "output", cn.name())
			continue
		}
		plans = append(plans, plan{conn: cn, mode: m, crtc: crtc})
	}
	return plans, nil
}

// orNone joins names, or says none.
func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// outputFor returns the output on connector id, or nil.
func (b *Backend) outputFor(id uint32) *Output {
	for _, o := range b.outputs {
		if o.conn.id == id {
			return o
		}
	}
	return nil
}

// Name implements backend.Backend.
func (b *Backend) Name() string { return "drm" }

// Start implements backend.Backend: the planned outputs are set up and
// reported, the card's events and the kernel's hotplug events watched.
func (b *Backend) Start(h backend.Handler) error {
	if b.h != nil {
		return errors.New("drm: started twice")
	}
	b.h = h
	var err error
	if b.cardSrc, err = b.l.AddFD(b.card.fd, loop.Readable, b.handleCardReadable); err != nil {
		return fmt.Errorf("drm: watch %s: %w", b.card.path, err)
	}
	if b.hotplug, err = listenUevents(b.l, b.handleHotplug); err != nil {
		b.log.Warn("drm: screens plugged in later will not be seen", "err", err)
	}
	b.sess.SetHandler(b)
	plans := b.initial
	b.initial = nil
	for _, p := range plans {
		if err := b.addOutput(p); err != nil {
			return err
		}
	}
	b.disableOtherCRTCs()
	return nil
}

// addOutput sets an output up and reports it.
func (b *Backend) addOutput(p plan) error {
	b.nextID++
	o, err := newOutput(b, b.nextID, p)
	if err != nil {
		return err
	}
	b.outputs = append(b.outputs, o)
	b.log.Info("drm: output", "output", o.info.Name, "mode", o.mode.String(), "crtc", p.crtc,
		"make", o.info.Make, "model", o.info.Model, "size_mm", fmt.Sprintf("%dx%d", o.info.PhysicalWidthMM, o.info.PhysicalHeightMM))
	b.h.OutputAdded(o)
	return nil
}

// removeOutput takes an unplugged output down and reports it.
func (b *Backend) removeOutput(o *Output) {
	b.outputs = slices.DeleteFunc(b.outputs, func(x *Output) bool { return x == o })
	o.close(true)
	b.log.Info("drm: output removed", "output", o.info.Name)
	b.h.OutputRemoved(o)
}

// disableOtherCRTCs turns off the CRTCs no output uses (what the console
// left on other screens), so a screen left out by --output or the first-
// only policy goes dark instead of showing a frozen console.
func (b *Backend) disableOtherCRTCs() {
	if !b.active {
		return
	}
	res, err := b.card.resources()
	if err != nil {
		return
	}
	for _, c := range res.crtcs {
		if slices.ContainsFunc(b.outputs, func(o *Output) bool { return o.crtc == c }) {
			continue
		}
		if err := b.card.setCRTC(c, 0, 0, nil); err != nil {
			b.log.Debug("drm: cannot turn an unused CRTC off", "crtc", c, "err", err)
		}
	}
}

// handleCardReadable runs when the card has events: completed page flips.
func (b *Backend) handleCardReadable(ev loop.Events) {
	if err := b.card.readEvents(b.handleFlip); err != nil {
		b.log.Error("drm: reading the card failed", "card", b.card.path, "err", err)
		b.cardSrc.Remove()
		b.h.Quit(fmt.Errorf("drm: %s: %w", b.card.path, err))
	}
}

// handleFlip runs for each completed page flip.
func (b *Backend) handleFlip(ev flipEvent) {
	for _, o := range b.outputs {
		if o.id == ev.userData>>32 {
			o.flipDone(ev)
			return
		}
	}
}

// handleHotplug runs when the kernel reports a connector change of a DRM
// device (devnum 0: uevents were lost, so maybe ours).
func (b *Backend) handleHotplug(devnum uint64) {
	if devnum != 0 && devnum != b.devnum {
		return
	}
	b.log.Debug("drm: hotplug", "card", b.card.path)
	b.reprobe()
}

// reprobe makes the outputs follow the connectors: unplugged ones go,
// ones whose mode went away change mode, new ones are added. It waits
// while the session is away (Enable probes again).
func (b *Backend) reprobe() {
	if !b.active || b.closed || b.h == nil {
		return
	}
	res, conns, encoders, err := b.probe()
	if err != nil {
		b.log.Error("drm: probe after hotplug", "err", err)
		return
	}
	for _, o := range slices.Clone(b.outputs) {
		i := slices.IndexFunc(conns, func(cn connector) bool { return cn.id == o.conn.id })
		if i < 0 || conns[i].connection != connected || len(conns[i].modes) == 0 {
			b.removeOutput(o)
			continue
		}
		if !hasMode(conns[i].modes, o.kmode) {
			m, _ := chooseMode(conns[i].modes, b.cfg.Mode)
			if m.HDisplay == 0 {
				m, _ = chooseMode(conns[i].modes, backend.Mode{})
			}
			if err := o.setMode(m); err != nil {
				b.log.Error("drm: cannot change mode", "output", o.info.Name, "err", err)
				b.removeOutput(o)
				continue
			}
			b.h.OutputChanged(o)
		}
	}
	plans, err := b.planOutputs(res, conns, encoders, false)
	if err != nil {
		b.log.Error("drm: plan outputs after hotplug", "err", err)
		return
	}
	for _, p := range plans {
		if err := b.addOutput(p); err != nil {
			b.log.Error("drm: cannot set up a new output", "output", p.conn.name(), "err", err)
		}
	}
}

// Disable implements session.Handler: the seat is going away. Input
// devices are closed (held keys released) and the outputs stop drawing.
func (b *Backend) Disable() {
	b.active = false
	b.log.Info("drm: session paused")
	if b.input != nil {
		b.input.pause()
	}
}

// Enable implements session.Handler: the seat is back. Screens are
// probed again (they may have changed meanwhile), each output shows its
// last picture again, and the input devices are reopened.
func (b *Backend) Enable() {
	b.active = true
	b.log.Info("drm: session resumed")
	b.reprobe()
	for _, o := range b.outputs {
		o.restore()
	}
	if b.input != nil {
		b.input.resume()
	}
}

// SwitchVT implements backend.VTSwitcher.
func (b *Backend) SwitchVT(n int) error { return b.sess.SwitchVT(n) }

// InputSources implements backend.Backend.
func (b *Backend) InputSources() []backend.InputSource {
	if b.input == nil {
		return nil
	}
	return []backend.InputSource{b.input}
}

// Outputs returns the current outputs.
func (b *Backend) Outputs() []*Output { return slices.Clone(b.outputs) }

// Close implements backend.Backend: the input devices, the outputs, the
// card and the session (which restores the terminal) are closed. Outputs
// are not reported removed.
func (b *Backend) Close() error {
	if b == nil || b.closed {
		return nil
	}
	b.closed = true
	var errs []error
	if b.input != nil {
		errs = append(errs, b.input.Close())
	}
	for _, o := range b.outputs {
		o.close(false)
	}
	b.outputs = nil
	b.hotplug.close()
	b.cardSrc.Remove()
	if b.card.fd >= 0 {
		errs = append(errs, unix.Close(b.card.fd))
		errs = append(errs, b.sess.CloseDevice(b.cardID))
		b.card.fd = -1
	}
	errs = append(errs, b.sess.Close())
	return errors.Join(errs...)
}
