package evdev

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
)

// Poller registers file descriptors with the owner's event loop.
type Poller interface {
	// Watch calls ready on the loop goroutine whenever fd is readable or
	// hung up (level-triggered), until stop is called. stop does not close
	// fd.
	Watch(fd int, ready func()) (stop func(), err error)
}

// ManagerConfig configures NewManager.
type ManagerConfig struct {
	// Post runs a function on the loop goroutine (loop.Post). Required.
	Post func(func())
	// Poller watches device fds in the loop. Required.
	Poller Poller
	// Sink receives every device's frames. Required.
	Sink Sink
	// Grab opens every device exclusively; Writable opens them read-write
	// (for SetLED).
	Grab, Writable bool
	// Added runs after a device is opened and watched; Removed after it
	// has delivered its last frame (releases of held keys included) and
	// been closed. Failed reports a device that could not be opened. All
	// are optional and run on the loop goroutine.
	Added   func(*Device)
	Removed func(*Device)
	Failed  func(path string, err error)
	// Logger is passed to discovery; nil uses slog.Default().
	Logger *slog.Logger
	// Sysfs is the sysfs mount point; empty means DefaultSysfs.
	Sysfs string
	// NoDiscovery starts no discovery: the manager only watches the
	// devices given to Adopt.
	NoDiscovery bool
}

// Manager keeps every evdev device of the machine open and watched in the
// owner's event loop: it follows discovery, opens added nodes, reads each
// device when its fd is ready, and closes a device when it is unplugged or
// revoked, after its held keys have been released.
type Manager struct {
	cfg     ManagerConfig
	disc    *Discovery
	devices map[uint64]*managed
	adopted uint64 // keys handed to adopted devices, counting down
	closed  bool
}

type managed struct {
	dev  *Device
	node Node
	stop func()
}

// NewManager starts discovery and opens the devices present before it
// returns. It must be called on the loop goroutine.
func NewManager(cfg ManagerConfig) (*Manager, error) {
	if cfg.Post == nil || cfg.Poller == nil || cfg.Sink == nil {
		return nil, errors.New("evdev: NewManager needs Post, Poller and Sink")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	m := &Manager{cfg: cfg, devices: map[uint64]*managed{}}
	if cfg.NoDiscovery {
		return m, nil
	}
	disc, err := Discover(DiscoveryConfig{
		Post: cfg.Post, Added: m.handleAdded, Removed: m.handleRemoved,
		Logger: cfg.Logger, Sysfs: cfg.Sysfs,
	})
	if err != nil {
		return nil, err
	}
	m.disc = disc
	return m, nil
}

// Devices returns the open devices sorted by path number.
func (m *Manager) Devices() []*Device {
	out := make([]*Device, 0, len(m.devices))
	for _, md := range m.devices {
		out = append(out, md.dev)
	}
	sort.Slice(out, func(i, j int) bool { return eventNumber(out[i].Path) < eventNumber(out[j].Path) })
	return out
}

// Adopt watches dev, a device the caller opened (a stream, or a node a
// session broker opened for it), exactly as the devices the manager opens
// itself: its frames go to the Sink, Added runs now and Removed when it
// goes. The manager owns dev from now on. Loop goroutine.
func (m *Manager) Adopt(dev *Device) error {
	if m.closed {
		dev.Close()
		return errors.New("evdev: adopt: manager closed")
	}
	dev.sink = m.cfg.Sink
	m.adopted--
	return m.watch(dev, Node{Path: dev.Path, Devnum: m.adopted})
}

// handleAdded runs when discovery reports a new node: open and watch it.
func (m *Manager) handleAdded(n Node) {
	if _, ok := m.devices[n.Devnum]; ok {
		return
	}
	dev, err := Open(n.Path, Options{Sink: m.cfg.Sink, Grab: m.cfg.Grab, Writable: m.cfg.Writable})
	if err != nil {
		if !errors.Is(err, ErrRemoved) && m.cfg.Failed != nil {
			m.cfg.Failed(n.Path, err)
		}
		return
	}
	if err := m.watch(dev, n); err != nil && m.cfg.Failed != nil {
		m.cfg.Failed(n.Path, err)
	}
}

// watch registers an open device with the poller and reports it added; on
// failure the device is closed.
func (m *Manager) watch(dev *Device, n Node) error {
	md := &managed{dev: dev, node: n}
	stop, err := m.cfg.Poller.Watch(dev.Fd(), func() { m.handleReady(md) })
	if err != nil {
		dev.Close()
		return fmt.Errorf("evdev: watch %s: %w", n.Path, err)
	}
	md.stop = stop
	m.devices[n.Devnum] = md
	if m.cfg.Added != nil {
		m.cfg.Added(dev)
	}
	return nil
}

// handleReady runs when a device fd is readable or hung up.
func (m *Manager) handleReady(md *managed) {
	if err := md.dev.Dispatch(); err != nil {
		if !errors.Is(err, ErrRemoved) {
			m.cfg.Logger.Warn("evdev: device failed", "path", md.dev.Path, "err", err)
		}
		m.drop(md)
	}
}

// handleRemoved runs when discovery reports a node gone: drain what the
// kernel still has queued (the unplug releases), then drop the device.
func (m *Manager) handleRemoved(n Node) {
	md, ok := m.devices[n.Devnum]
	if !ok || md.node.Path != n.Path {
		return
	}
	_ = md.dev.Dispatch()
	m.drop(md)
}

// drop unwatches and closes a device and reports it removed.
func (m *Manager) drop(md *managed) {
	if m.devices[md.node.Devnum] != md {
		return
	}
	delete(m.devices, md.node.Devnum)
	md.stop()
	md.dev.Close()
	if m.cfg.Removed != nil {
		m.cfg.Removed(md.dev)
	}
}

// Close stops discovery and closes every device (delivering the releases
// of held keys). Loop goroutine; idempotent.
func (m *Manager) Close() error {
	if m == nil || m.closed {
		return nil
	}
	m.closed = true
	var err error
	if m.disc != nil {
		err = m.disc.Close()
		m.disc = nil
	}
	for _, md := range m.devices {
		m.drop(md)
	}
	return err
}
