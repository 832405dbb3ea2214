package evdev

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pilebones/go-udev/netlink"
	"golang.org/x/sys/unix"
)

// Node is an evdev device node: /dev/input/eventN and its device number.
type Node struct {
	Path   string // /dev/input/event3
	Devnum uint64 // unix.Mkdev(major, minor); the identity of the node
}

// DefaultSysfs is where Scan looks for input devices.
const DefaultSysfs = "/sys"

// Scan lists the evdev nodes the kernel has, from
// <sysfs>/class/input/event*/uevent, sorted by event number.
func Scan(sysfs string) ([]Node, error) {
	dirs, err := filepath.Glob(filepath.Join(sysfs, "class/input/event*"))
	if err != nil {
		return nil, fmt.Errorf("evdev: scan %s: %w", sysfs, err)
	}
	var nodes []Node
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "uevent"))
		if err != nil {
			continue // gone meanwhile
		}
		if n, ok := nodeFromEnv(parseUeventFile(b)); ok {
			nodes = append(nodes, n)
		}
	}
	sort.Slice(nodes, func(i, j int) bool { return eventNumber(nodes[i].Path) < eventNumber(nodes[j].Path) })
	return nodes, nil
}

// eventNumber returns N of /dev/input/eventN, or -1.
func eventNumber(path string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(path), "event"))
	if err != nil {
		return -1
	}
	return n
}

// parseUeventFile reads KEY=value lines (values may contain '=').
func parseUeventFile(b []byte) map[string]string {
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	return env
}

// nodeFromEnv picks the evdev node out of a uevent's environment.
func nodeFromEnv(env map[string]string) (Node, bool) {
	name := env["DEVNAME"]
	if !strings.HasPrefix(name, "input/event") {
		return Node{}, false
	}
	if s, ok := env["SUBSYSTEM"]; ok && s != "input" {
		return Node{}, false
	}
	major, err1 := strconv.ParseUint(env["MAJOR"], 10, 32)
	minor, err2 := strconv.ParseUint(env["MINOR"], 10, 32)
	if err1 != nil || err2 != nil {
		return Node{}, false
	}
	return Node{Path: "/dev/" + name, Devnum: unix.Mkdev(uint32(major), uint32(minor))}, true
}

// Discovery reports evdev nodes as they appear and disappear. A goroutine
// reads kernel uevents (or udevd's, when udevd runs) from netlink and hands
// them to the owner through post; the owner's callbacks therefore run on
// the owner's goroutine. On a receive error (ENOBUFS after a burst) it
// reconnects and rescans sysfs, and on an unparsable uevent it rescans, so
// no device is missed; adds are idempotent (keyed by device number) and
// change/bind/unbind are ignored.
type Discovery struct {
	post    func(func())
	added   func(Node)
	removed func(Node)
	log     *slog.Logger
	sysfs   string
	mode    netlink.Mode

	// Owned by the owner's goroutine.
	known  map[uint64]Node
	closed bool

	stopFd int // eventfd that ends the reader goroutine
	done   chan struct{}
}

// DiscoveryConfig configures Discover.
type DiscoveryConfig struct {
	// Post runs a function on the owner's goroutine (the event loop's
	// Post). Required.
	Post func(func())
	// Added and Removed run on the owner's goroutine. Required.
	Added, Removed func(Node)
	// Logger receives monitor errors and recoveries; nil uses slog.Default().
	Logger *slog.Logger
	// Sysfs is the sysfs mount point; empty means DefaultSysfs.
	Sysfs string
}

// Discover starts the uevent monitor, then scans sysfs and calls Added for
// every node present before it returns. It must be called on the goroutine
// Post runs functions on.
func Discover(cfg DiscoveryConfig) (*Discovery, error) {
	d := newDiscovery(cfg)
	conn, err := d.connect()
	if err != nil {
		return nil, err
	}
	if d.stopFd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		conn.Close()
		return nil, fmt.Errorf("evdev: discovery eventfd: %w", err)
	}
	nodes, err := Scan(d.sysfs)
	if err != nil {
		conn.Close()
		unix.Close(d.stopFd)
		return nil, err
	}
	d.sync(nodes)
	go d.run(conn)
	return d, nil
}

// newDiscovery fills in a Discovery without starting it.
func newDiscovery(cfg DiscoveryConfig) *Discovery {
	d := &Discovery{
		post: cfg.Post, added: cfg.Added, removed: cfg.Removed, log: cfg.Logger,
		sysfs: cfg.Sysfs, known: map[uint64]Node{}, done: make(chan struct{}),
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	if d.sysfs == "" {
		d.sysfs = DefaultSysfs
	}
	d.mode = netlink.KernelEvent
	if _, err := os.Stat("/run/udev/control"); err == nil {
		d.mode = netlink.UdevEvent // nodes ready and permissions set
	}
	return d
}

// connect opens the netlink uevent socket with a large receive buffer.
func (d *Discovery) connect() (*netlink.UEventConn, error) {
	conn := &netlink.UEventConn{}
	if err := conn.Connect(d.mode); err != nil {
		return nil, fmt.Errorf("evdev: connect uevent monitor: %w", err)
	}
	unix.CloseOnExec(conn.Fd)
	// A burst of uevents (a hub with many devices) overflows the default
	// buffer; FORCE needs CAP_NET_ADMIN, the plain one is capped by rmem_max.
	if err := unix.SetsockoptInt(conn.Fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20); err != nil {
		_ = unix.SetsockoptInt(conn.Fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 8<<20)
	}
	return conn, nil
}

// run reads uevents until Close. It is the only goroutine of the package.
func (d *Discovery) run(conn *netlink.UEventConn) {
	defer close(d.done)
	defer func() { conn.Close() }()
	for {
		fds := []unix.PollFd{{Fd: int32(conn.Fd), Events: unix.POLLIN}, {Fd: int32(d.stopFd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, -1); err != nil && err != unix.EINTR {
			d.log.Error("evdev: poll uevent monitor", "err", err)
			return
		}
		if fds[1].Revents != 0 {
			return
		}
		if fds[0].Revents == 0 {
			continue
		}
		msg, err := conn.ReadMsg()
		if err != nil {
			d.log.Warn("evdev: uevent monitor failed; reconnecting and rescanning", "err", err)
			conn.Close()
			if conn = d.reconnect(); conn == nil {
				return
			}
			d.rescan()
			continue
		}
		ev, err := netlink.ParseUEvent(msg)
		if err != nil {
			d.log.Warn("evdev: unparsable uevent; rescanning", "err", err)
			d.rescan()
			continue
		}
		d.handle(ev)
	}
}

// reconnect retries connecting until it works or Close is called.
func (d *Discovery) reconnect() *netlink.UEventConn {
	for delay := 10 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		conn, err := d.connect()
		if err == nil {
			return conn
		}
		d.log.Error("evdev: reconnect uevent monitor", "err", err)
		fds := []unix.PollFd{{Fd: int32(d.stopFd), Events: unix.POLLIN}}
		if n, _ := unix.Poll(fds, int(delay/time.Millisecond)); n > 0 {
			return nil
		}
	}
}

// rescan hands the owner the current sysfs list to reconcile with.
func (d *Discovery) rescan() {
	nodes, err := Scan(d.sysfs)
	if err != nil {
		d.log.Error("evdev: rescan", "err", err)
		return
	}
	d.post(func() { d.sync(nodes) })
}

// handle forwards an input add or remove uevent to the owner.
func (d *Discovery) handle(ev *netlink.UEvent) {
	if ev.Action != netlink.ADD && ev.Action != netlink.REMOVE {
		return // change, bind, unbind, move...
	}
	n, ok := nodeFromEnv(ev.Env)
	if !ok {
		return
	}
	if ev.Action == netlink.ADD {
		d.post(func() { d.add(n) })
	} else {
		d.post(func() { d.remove(n) })
	}
}

// add reports n unless it is already known. Owner's goroutine.
func (d *Discovery) add(n Node) {
	if d.closed {
		return
	}
	if _, ok := d.known[n.Devnum]; ok {
		return
	}
	d.known[n.Devnum] = n
	d.added(n)
}

// remove reports n if it is known. Owner's goroutine.
func (d *Discovery) remove(n Node) {
	if d.closed {
		return
	}
	if _, ok := d.known[n.Devnum]; !ok {
		return
	}
	delete(d.known, n.Devnum)
	d.removed(n)
}

// sync makes the known set equal to nodes. Owner's goroutine.
func (d *Discovery) sync(nodes []Node) {
	present := make(map[uint64]bool, len(nodes))
	for _, n := range nodes {
		present[n.Devnum] = true
	}
	for devnum, n := range d.known {
		if !present[devnum] {
			d.remove(n)
		}
	}
	for _, n := range nodes {
		d.add(n)
	}
}

// Close stops the monitor goroutine and waits for it. Callbacks already
// posted are ignored when they run. Owner's goroutine; idempotent.
func (d *Discovery) Close() error {
	if d == nil || d.closed {
		return nil
	}
	d.closed = true
	var one [8]byte
	one[0] = 1
	if _, err := unix.Write(d.stopFd, one[:]); err != nil {
		return fmt.Errorf("evdev: stop discovery: %w", err)
	}
	<-d.done
	return unix.Close(d.stopFd)
}
