package evdev

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pilebones/go-udev/netlink"
	"golang.org/x/sys/unix"
)

// fakeSysfs writes class/input entries: an evdev node per name, plus a
// non-evdev one that Scan must ignore.
func fakeSysfs(t *testing.T, events map[string][2]int) string {
	t.Helper()
	root := t.TempDir()
	write := func(dir, content string) {
		d := filepath.Join(root, "class/input", dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "uevent"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, mm := range events {
		write(name, "MAJOR="+itoa(mm[0])+"\nMINOR="+itoa(mm[1])+"\nDEVNAME=input/"+name+"\n")
	}
	write("input3", "PRODUCT=6/627/1/1\nNAME=\"a=b\"\n")
	write("mouse0", "MAJOR=13\nMINOR=32\nDEVNAME=input/mouse0\n")
	return root
}

func itoa(i int) string {
	return string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
}

func TestScan(t *testing.T) {
	root := fakeSysfs(t, map[string][2]int{"event10": {13, 74}, "event2": {13, 66}})
	got, err := Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Node{{"/dev/input/event2", unix.Mkdev(13, 66)}, {"/dev/input/event10", unix.Mkdev(13, 74)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Scan = %v; want %v", got, want)
	}
}

func TestNodeFromUevent(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want Node
		ok   bool
	}{
		{map[string]string{"SUBSYSTEM": "input", "DEVNAME": "input/event4", "MAJOR": "13", "MINOR": "68"}, Node{"/dev/input/event4", unix.Mkdev(13, 68)}, true},
		{map[string]string{"SUBSYSTEM": "input", "DEVNAME": "input/mouse1", "MAJOR": "13", "MINOR": "33"}, Node{}, false},
		{map[string]string{"SUBSYSTEM": "input", "PRODUCT": "6/627/1/1"}, Node{}, false},
		{map[string]string{"SUBSYSTEM": "hidraw", "DEVNAME": "input/event4", "MAJOR": "13", "MINOR": "68"}, Node{}, false},
		{map[string]string{"SUBSYSTEM": "input", "DEVNAME": "input/event4", "MAJOR": "x", "MINOR": "68"}, Node{}, false},
	}
	for _, tt := range tests {
		got, ok := nodeFromEnv(tt.env)
		if got != tt.want || ok != tt.ok {
			t.Errorf("nodeFromEnv(%v) = %v, %v; want %v, %v", tt.env, got, ok, tt.want, tt.ok)
		}
	}
}

// TestDiscoveryReconcile drives the owner-side bookkeeping: adds are
// idempotent by device number, removes of unknown nodes are ignored, and a
// rescan adds what is new and removes what has gone.
func TestDiscoveryReconcile(t *testing.T) {
	var log []string
	d := &Discovery{
		known:   map[uint64]Node{},
		added:   func(n Node) { log = append(log, "+"+n.Path) },
		removed: func(n Node) { log = append(log, "-"+n.Path) },
	}
	a := Node{"/dev/input/event1", unix.Mkdev(13, 65)}
	b := Node{"/dev/input/event2", unix.Mkdev(13, 66)}
	c := Node{"/dev/input/event3", unix.Mkdev(13, 67)}
	d.sync([]Node{a, b})
	d.add(a)    // uevent for a device the scan already found
	d.remove(c) // never seen
	d.sync([]Node{b, c})
	d.remove(b)
	d.closed = true
	d.add(a) // after Close: ignored
	want := []string{"+/dev/input/event1", "+/dev/input/event2", "-/dev/input/event1", "+/dev/input/event3", "-/dev/input/event2"}
	if !reflect.DeepEqual(log, want) {
		t.Errorf("callbacks = %q; want %q", log, want)
	}
}

// TestDiscoveryRecovers feeds the monitor goroutine a broken connection
// (reads fail: it must reconnect) and then an unparsable uevent (it must
// rescan); each time a node that appeared meanwhile in sysfs is reported,
// so a lost uevent loses no device.
func TestDiscoveryRecovers(t *testing.T) {
	root := fakeSysfs(t, map[string][2]int{"event1": {13, 65}})
	posted := make(chan func(), 16)
	var added []string
	d := newDiscovery(DiscoveryConfig{
		Post:    func(fn func()) { posted <- fn },
		Added:   func(n Node) { added = append(added, n.Path) },
		Removed: func(n Node) { t.Errorf("removed %v", n) },
		Sysfs:   root,
	})
	var err error
	if d.stopFd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	nodes, _ := Scan(root)
	d.sync(nodes)

	// A pipe is readable but recvfrom on it fails (ENOTSOCK), standing in
	// for ENOBUFS after a burst.
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[1])
	unix.Write(p[1], []byte{1})
	addNode := func(name string, minor int) {
		dir := filepath.Join(root, "class/input", name)
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "uevent"), []byte("MAJOR=13\nMINOR="+itoa(minor)+"\nDEVNAME=input/"+name+"\n"), 0o644)
	}
	addNode("event2", 66)
	conn := &netlink.UEventConn{NetlinkConn: netlink.NetlinkConn{Fd: p[0]}}
	go d.run(conn)
	runPosted := func() {
		select {
		case fn := <-posted:
			fn()
		case <-time.After(10 * time.Second):
			t.Fatalf("nothing posted; added so far %q", added)
		}
	}
	runPosted()
	if want := []string{"/dev/input/event1", "/dev/input/event2"}; !reflect.DeepEqual(added, want) {
		t.Fatalf("after a failed read: added %q; want %q", added, want)
	}
	d.Close()

	// An unparsable uevent (a value with '=') on a working socket.
	d.done = make(chan struct{})
	d.closed = false
	if d.stopFd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(sp[1])
	addNode("event3", 67)
	unix.Write(sp[1], []byte("add@/devices/virtual/input/input9/event3\x00ACTION=add\x00NAME=a=b\x00"))
	go d.run(&netlink.UEventConn{NetlinkConn: netlink.NetlinkConn{Fd: sp[0]}})
	runPosted()
	if want := []string{"/dev/input/event1", "/dev/input/event2", "/dev/input/event3"}; !reflect.DeepEqual(added, want) {
		t.Fatalf("after a bad uevent: added %q; want %q", added, want)
	}
	d.Close()
}
