package session

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gocomp/compositor/loop"

	"github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"
)

// The logind session is tested against a fake logind (the guest has no
// D-Bus) on a private dbus-daemon: the real bus, a logind that answers
// the calls the compositor makes and records them.

// privateBus starts `dbus-daemon --session` on a socket in a temporary
// directory and returns its address; the daemon is killed when t ends.
func privateBus(t *testing.T) string {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Fatalf("dbus-daemon not installed (make deps): %v", err)
	}
	sock := filepath.Join(t.TempDir(), "bus")
	cmd := exec.Command(daemon, "--session", "--nofork", "--print-address", "--address=unix:path="+sock)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	go io.Copy(io.Discard, out)
	return strings.TrimSpace(addr)
}

// fakeLogind serves org.freedesktop.login1 for one session (id "7" on
// seat0) and records the calls it gets, as "Method(args)".
type fakeLogind struct {
	conn *dbus.Conn
	mu   sync.Mutex
	log  []string
	fds  []int // the fake's copies of the fds it passed
}

const (
	fakeSessionPath = dbus.ObjectPath("/org/freedesktop/login1/session/_37")
	fakeSeatPath    = dbus.ObjectPath("/org/freedesktop/login1/seat/seat0")
)

func (f *fakeLogind) record(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, fmt.Sprintf(format, args...))
}

func (f *fakeLogind) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.log)
}

// fakeManager is org.freedesktop.login1.Manager.
type fakeManager struct{ f *fakeLogind }

func (m fakeManager) GetSession(id string) (dbus.ObjectPath, *dbus.Error) {
	m.f.record("GetSession(%s)", id)
	if id != "7" {
		return "", dbus.NewError("org.freedesktop.login1.NoSuchSession", []any{"no session " + id})
	}
	return fakeSessionPath, nil
}

// fakeSession is org.freedesktop.login1.Session and its properties.
type fakeSession struct{ f *fakeLogind }

func (s fakeSession) TakeControl(force bool) *dbus.Error {
	s.f.record("TakeControl(%v)", force)
	return nil
}

func (s fakeSession) ReleaseControl() *dbus.Error {
	s.f.record("ReleaseControl()")
	return nil
}

// TakeDevice opens the harmless character devices /dev/null (1:3) and
// /dev/zero (1:5), nothing else.
func (s fakeSession) TakeDevice(major, minor uint32) (dbus.UnixFD, bool, *dbus.Error) {
	s.f.record("TakeDevice(%d,%d)", major, minor)
	paths := map[[2]uint32]string{{1, 3}: "/dev/null", {1, 5}: "/dev/zero"}
	p, ok := paths[[2]uint32{major, minor}]
	if !ok {
		return 0, false, dbus.NewError("org.freedesktop.login1.DeviceIsTaken", []any{"not in the fake"})
	}
	fd, err := unix.Open(p, unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return 0, false, dbus.MakeFailedError(err)
	}
	// godbus sends the fd after this returns: the fake's copy is closed
	// when the test ends.
	s.f.mu.Lock()
	s.f.fds = append(s.f.fds, fd)
	s.f.mu.Unlock()
	return dbus.UnixFD(fd), false, nil
}

func (s fakeSession) ReleaseDevice(major, minor uint32) *dbus.Error {
	s.f.record("ReleaseDevice(%d,%d)", major, minor)
	return nil
}

func (s fakeSession) PauseDeviceComplete(major, minor uint32) *dbus.Error {
	s.f.record("PauseDeviceComplete(%d,%d)", major, minor)
	return nil
}

// fakeProperties is org.freedesktop.DBus.Properties of the session.
type fakeProperties struct{}

func (fakeProperties) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	switch name {
	case "Seat":
		return dbus.MakeVariant(struct {
			ID   string
			Path dbus.ObjectPath
		}{"seat0", fakeSeatPath}), nil
	case "Active":
		return dbus.MakeVariant(true), nil
	}
	return dbus.Variant{}, dbus.NewError("org.freedesktop.DBus.Error.UnknownProperty", []any{name})
}

// fakeSeat is org.freedesktop.login1.Seat.
type fakeSeat struct{ f *fakeLogind }

func (s fakeSeat) SwitchTo(vt uint32) *dbus.Error {
	s.f.record("SwitchTo(%d)", vt)
	return nil
}

// startFakeLogind claims org.freedesktop.login1 on the bus at addr.
func startFakeLogind(t *testing.T, addr string) *fakeLogind {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeLogind{conn: conn}
	t.Cleanup(func() {
		conn.Close()
		for _, fd := range f.fds {
			unix.Close(fd)
		}
	})
	for _, e := range []struct {
		v     any
		path  dbus.ObjectPath
		iface string
	}{
		{fakeManager{f}, login1Path, login1Manager},
		{fakeSession{f}, fakeSessionPath, login1Session},
		{fakeProperties{}, fakeSessionPath, dbusProperties},
		{fakeSeat{f}, fakeSeatPath, login1Seat},
	} {
		if err := conn.Export(e.v, e.path, e.iface); err != nil {
			t.Fatal(err)
		}
	}
	if reply, err := conn.RequestName(login1, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("claim %s: %v %v", login1, reply, err)
	}
	return f
}

// emit sends a signal of the session.
func (f *fakeLogind) emit(t *testing.T, name string, args ...any) {
	t.Helper()
	if err := f.conn.Emit(fakeSessionPath, login1Session+"."+name, args...); err != nil {
		t.Fatal(err)
	}
}

// recorder is a Handler that records what it is told.
type recorder struct{ events []string }

func (r *recorder) Disable() { r.events = append(r.events, "disable") }
func (r *recorder) Enable()  { r.events = append(r.events, "enable") }

// dispatchUntil runs the loop until cond holds, failing after 10 s.
func dispatchUntil(t *testing.T, l *loop.Loop, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		if err := l.Dispatch(20 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
}

// openFDs counts the process's open file descriptors.
func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func TestLogindSession(t *testing.T) {
	addr := privateBus(t)
	f := startFakeLogind(t, addr)
	l, err := loop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fds := openFDs(t) + 1 // the fake's copy of the fd it passes
	env := map[string]string{"DBUS_SYSTEM_BUS_ADDRESS": addr, "XDG_SESSION_ID": "7"}
	s, err := New(Config{Loop: l, Kind: Logind, Getenv: func(k string) string { return env[k] }, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	s.SetHandler(rec)
	if s.Name() != Logind || !s.Active() {
		t.Errorf("session %s active %v; want an active logind session", s.Name(), s.Active())
	}

	fd, id, err := s.OpenDevice("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || unix.Major(uint64(st.Rdev)) != 1 || unix.Minor(uint64(st.Rdev)) != 3 {
		t.Errorf("the fd logind passed is device %d:%d (%v); want /dev/null, 1:3", unix.Major(uint64(st.Rdev)), unix.Minor(uint64(st.Rdev)), err)
	}
	if _, _, err := s.OpenDevice("/dev/tty"); err == nil || !strings.Contains(err.Error(), "take device /dev/tty") {
		t.Errorf("a device logind refuses: %v", err)
	}

	// logind pauses the device (a switch away): the compositor is told,
	// then logind gets its acknowledgement.
	f.emit(t, "PauseDevice", uint32(1), uint32(3), "pause")
	dispatchUntil(t, l, "the pause acknowledged", func() bool { return slices.Contains(f.calls(), "PauseDeviceComplete(1,3)") })
	if !slices.Equal(rec.events, []string{"disable"}) || s.Active() {
		t.Errorf("after PauseDevice: handler told %q, active %v; want [disable], inactive", rec.events, s.Active())
	}
	// A forced pause of a device it does not hold needs no answer.
	f.emit(t, "PauseDevice", uint32(13), uint32(64), "force")
	// And back: a new fd on the device comes with ResumeDevice.
	resumed, err := unix.Open("/dev/null", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.emit(t, "ResumeDevice", uint32(1), uint32(3), dbus.UnixFD(resumed))
	unix.Close(resumed)
	dispatchUntil(t, l, "the resume", func() bool { return s.Active() })
	if !slices.Equal(rec.events, []string{"disable", "enable"}) {
		t.Errorf("after ResumeDevice: handler told %q; want [disable enable]", rec.events)
	}

	if err := s.SwitchVT(2); err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)
	if err := s.CloseDevice(id); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{"GetSession(7)", "TakeControl(false)", "TakeDevice(1,3)", "TakeDevice(5,0)",
		"PauseDeviceComplete(1,3)", "SwitchTo(2)", "ReleaseDevice(1,3)", "ReleaseControl()"}
	if got := f.calls(); !slices.Equal(got, want) {
		t.Errorf("logind was called\n%q; want\n%q", got, want)
	}
	// Signals posted after Close are dropped; then nothing is left open.
	deadline := time.Now().Add(5 * time.Second)
	for l.Dispatch(10*time.Millisecond) == nil && openFDs(t) > fds && time.Now().Before(deadline) {
	}
	if n := openFDs(t); n > fds {
		t.Errorf("%d fds open after Close; %d before", n, fds)
	}
}

func TestChoose(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "seatd.sock")
	if err := os.WriteFile(sock, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind string
		env  map[string]string
		want string
	}{
		{Direct, nil, Direct},
		{Seatd, nil, Seatd},
		{Auto, map[string]string{"SEATD_SOCK": sock}, Seatd},
		{"", map[string]string{"SEATD_SOCK": sock + ".missing", "XDG_SESSION_ID": "3", "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/x"}, Logind},
		{Auto, map[string]string{"SEATD_SOCK": sock + ".missing"}, Direct},
	} {
		got, why := Choose(Config{Kind: tc.kind, Getenv: func(k string) string { return tc.env[k] }})
		if got != tc.want || why == "" {
			t.Errorf("Choose(%q, %v) = %q (%q); want %q", tc.kind, tc.env, got, why, tc.want)
		}
	}
}

func TestSeatdMessages(t *testing.T) {
	open := appendSeatdMessage(nil, seatdOpenDevice, append([]byte{12, 0}, "/dev/dri/c0\x00"...))
	if want := []byte{3, 0, 14, 0, 12, 0}; string(open[:6]) != string(want) {
		t.Errorf("OPEN_DEVICE header and length %v; want %v", open[:6], want)
	}
	// Two replies and half a third, with one fd for DEVICE_OPENED.
	in := appendSeatdMessage(nil, seatdDeviceOpened, []byte{7, 0, 0, 0})
	in = appendSeatdMessage(in, seatdEvDisableSeat, nil)
	in = append(in, 0x02, 0x80, 4) // SEAT_CLOSED, cut
	fds := []int{42}
	msgs, rest := parseSeatdMessages(in, &fds)
	if len(msgs) != 2 || msgs[0].op != seatdDeviceOpened || msgs[0].fd != 42 || msgs[1].op != seatdEvDisableSeat || msgs[1].fd != -1 {
		t.Errorf("parsed %+v", msgs)
	}
	if len(rest) != 3 || len(fds) != 0 {
		t.Errorf("left %v bytes and fds %v; want the 3 bytes of the cut message", rest, fds)
	}
}

func TestSupervisedVT(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want int
	}{{"", 0}, {"3", 3}, {"0", 0}, {"64", 0}, {"x", 0}} {
		if got := SupervisedVT(func(string) string { return tc.v }); got != tc.want {
			t.Errorf("SupervisedVT(%q) = %d; want %d", tc.v, got, tc.want)
		}
	}
}
