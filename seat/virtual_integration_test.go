package seat_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gocomp/protocols/client"
	"gocomp/protocols/client/testclient"
)

// syncWriter is a buffer a child process writes while the test reads.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// startClient runs a Debian Wayland client against g with its output
// collected; it is killed at cleanup if still running.
func startClient(t *testing.T, g *gocomp, argv ...string) (*exec.Cmd, *syncWriter) {
	t.Helper()
	out := &syncWriter{}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "WAYLAND_DISPLAY="+g.socket)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", argv[0], err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("%s output:\n%s", argv[0], out.String())
		}
	})
	return cmd, out
}

// waitOutput polls out until cond holds on its text.
func waitOutput(t *testing.T, out *syncWriter, what string, cond func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := out.String()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("never saw %s within 20 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wevKeymapOrPress matches what wev prints for a keymap and for a key press with
// its keysym and text.
var wevKeymapOrPress = regexp.MustCompile(`wl_keyboard\] keymap: format: 1 \(xkb v1\), size: (\d+)|` +
	`wl_keyboard\] key: serial: \d+; time: \d+; key: \d+; state: 1 \(pressed\)\n\s+sym: (\S+)\s+\(\d+\), utf8: '([^']*)'`)

// wevKeymapsAndPresses turns wev's output into "keymap <size>" and "<sym> <utf8>"
// items, in order.
func wevKeymapsAndPresses(out string) []string {
	var evs []string
	for _, m := range wevKeymapOrPress.FindAllStringSubmatch(out, -1) {
		if m[1] != "" {
			evs = append(evs, "keymap "+m[1])
		} else {
			evs = append(evs, m[2]+" "+m[3])
		}
	}
	return evs
}

// TestWtypeIntoWev types with Debian's wtype into Debian's wev: wtype
// builds a keymap with one key per character (ö included, which the
// seat's us keymap lacks), so wev must get that keymap before the keys
// and show exactly the keysyms and text typed. Then the seat's own
// keyboard types: it comes through the input-source contract the evdev
// and nested backends use (this host has no /dev/input to test with), so
// it is the seat's normal path, and wev must get the seat keymap back
// before its key.
func TestWtypeIntoWev(t *testing.T) {
	g := startGocomp(t)
	// wev's stdout is a pipe: coreutils' stdbuf makes it line-buffered.
	_, wev := startClient(t, g, "stdbuf", "-oL", "wev")
	waitOutput(t, wev, "wev's keyboard enter", func(s string) bool { return strings.Contains(s, "wl_keyboard] enter:") })
	seatKeymap := wevKeymapsAndPresses(wev.String())
	if len(seatKeymap) != 1 || !strings.HasPrefix(seatKeymap[0], "keymap ") {
		t.Fatalf("wev's events before typing: %q; want one keymap", seatKeymap)
	}

	const text = "Hello, Wörld! 1+1=2"
	wtype := exec.Command("wtype", text)
	wtype.Env = append(os.Environ(), "WAYLAND_DISPLAY="+g.socket)
	if out, err := wtype.CombinedOutput(); err != nil {
		t.Fatalf("wtype: %v\n%s", err, out)
	}
	// The keysym names are X11's for these characters.
	typed := []string{"H H", "e e", "l l", "l l", "o o", "comma ,", "space  ", "W W", "odiaeresis ö",
		"r r", "l l", "d d", "exclam !", "space  ", "1 1", "plus +", "1 1", "equal =", "2 2"}
	out := waitOutput(t, wev, "every character typed", func(s string) bool { return len(wevKeymapsAndPresses(s)) >= 2+len(typed) })
	evs := wevKeymapsAndPresses(out)
	if !strings.HasPrefix(evs[1], "keymap ") || evs[1] == seatKeymap[0] {
		t.Fatalf("wev's event after wtype started: %q; want wtype's keymap (seat's was %q) before its first key", evs[1], seatKeymap[0])
	}
	if got := evs[2:]; strings.Join(got, "|") != strings.Join(typed, "|") {
		t.Errorf("wev saw\n%q\nwant\n%q", got, typed)
	}
	if p, r := strings.Count(out, "state: 1 (pressed)"), strings.Count(out, "state: 0 (released)"); p != r {
		t.Errorf("wev saw %d presses and %d releases", p, r)
	}

	g.key(30, true) // KEY_A on the seat's keyboard
	g.key(30, false)
	out = waitOutput(t, wev, "the seat keyboard's key", func(s string) bool { return len(wevKeymapsAndPresses(s)) >= 4+len(typed) })
	if got, want := wevKeymapsAndPresses(out)[2+len(typed):], []string{seatKeymap[0], "a a"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("after wtype, the seat keyboard gave wev %q; want %q (the seat keymap again, then the key)", got, want)
	}
}

// TestKilledVirtualKeyboardReleasesKeys kills (SIGKILL) a process holding
// a key down on a virtual keyboard: the focused client must see the
// release, and the compositor must carry on.
func TestKilledVirtualKeyboardReleasesKeys(t *testing.T) {
	g := startGocomp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := testclient.Dial(ctx, g.socket, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := c.NewWindow(ctx, "focused", 0, 0, 0x204060)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := c.Keyboard()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitFor(ctx, func() bool { return kb.Focus == w.Surface }); err != nil {
		t.Fatal(err)
	}

	holder := exec.Command(os.Args[0], "-test.run=^TestVirtualKeyboardHolderProcess$")
	holder.Env = append(os.Environ(), "GOCOMP_VKBD_HOLDER="+g.socket)
	stdout := &syncWriter{}
	holder.Stdout, holder.Stderr = stdout, stdout
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	const key = 30
	if err := c.WaitFor(ctx, func() bool { return len(kb.Down) == 1 && kb.Down[0] == key }); err != nil {
		t.Fatalf("the holder's key never reached the focused client (%v); holder said:\n%s", err, stdout.String())
	}
	if err := holder.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	holder.Wait()
	if err := c.WaitFor(ctx, func() bool { return len(kb.Down) == 0 }); err != nil {
		t.Fatalf("no release after the holder was killed: %v; events %q", err, kb.Events)
	}
	released := fmt.Sprintf("key %d released", key)
	if n := len(kb.Events); n == 0 || kb.Events[n-1] != released && !strings.Contains(strings.Join(kb.Events, "|"), released) {
		t.Errorf("events %q; want %q", kb.Events, released)
	}
	if kb.Err != nil {
		t.Error(kb.Err)
	}
	// The compositor still serves: the seat keyboard reaches the client.
	g.key(31, true)
	if err := c.WaitFor(ctx, func() bool { return len(kb.Down) == 1 && kb.Down[0] == 31 }); err != nil {
		t.Fatalf("the seat keyboard after the kill: %v", err)
	}
	g.key(31, false)
}

// TestVirtualKeyboardHolderProcess is the process the test above kills:
// it presses a key on a virtual keyboard with the seat's keymap and waits.
// It does nothing unless GOCOMP_VKBD_HOLDER names a socket.
func TestVirtualKeyboardHolderProcess(t *testing.T) {
	socket := os.Getenv("GOCOMP_VKBD_HOLDER")
	if socket == "" {
		return // only run as the child of TestKilledVirtualKeyboardReleasesKeys
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := testclient.Dial(ctx, socket, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kb, err := c.Keyboard()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitFor(ctx, func() bool { return kb.Keymap != "" }); err != nil {
		t.Fatal(err)
	}
	vk, err := c.VirtualKeyboard()
	if err != nil {
		t.Fatal(err)
	}
	if err := vk.Keymap(kb.Keymap); err != nil {
		t.Fatal(err)
	}
	if err := vk.Key(30, true); err != nil {
		t.Fatal(err)
	}
	if err := c.Roundtrip(ctx); err != nil {
		t.Fatal(err)
	}
	fmt.Println("holding key " + strconv.Itoa(30))
	<-ctx.Done() // killed long before
}
