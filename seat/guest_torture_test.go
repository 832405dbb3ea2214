package seat_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gocomp/evdev/guest"
)

// tortureDuration is how long TestGuestTorture drives the seat;
// $GOCOMP_TORTURE_SECONDS changes it.
func tortureDuration(t *testing.T) time.Duration {
	if v := os.Getenv("GOCOMP_TORTURE_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("GOCOMP_TORTURE_SECONDS=%q: want a positive number", v)
		}
		return time.Duration(n) * time.Second
	}
	return 3 * time.Minute
}

var (
	recorderState = regexp.MustCompile(`^state (\S+) focused=(\d) pressed=(\d+) depressed=(0x[0-9a-f]+) keys=(\d+) mods=(\d+) violations=(\d+)$`)
	recorderFocus = regexp.MustCompile(`^(enter|leave) (\d+)$`)
)

// recorderRun is one recorder client in the guest.
type recorderRun struct {
	name string
	p    *guest.Process // its process (for the main one: gocomp's)
	pid  int
}

// TestGuestTorture drives gocomp on a real kernel for minutes with random
// key sequences over three uinput keyboards, floods that overflow the
// kernel's buffer while gocomp is stopped (SYN_DROPPED), keyboards
// unplugged and plugged again with keys held, and focus flips: recorder
// clients mapped and killed. Every recorder checks each wl_keyboard event
// as it arrives (seat/internal/recorder); at the end no key may be left
// down and no recorder may have seen a violation, and the focus intervals
// (by serial) of different clients may never overlap.
func TestGuestTorture(t *testing.T) {
	duration := tortureDuration(t)
	ctx, cancel := context.WithTimeout(context.Background(), duration+8*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bins := map[string]string{}
	for name, pkg := range map[string]string{"gocomp": "gocomp/cmd/gocomp", "recorder": "gocomp/seat/internal/recorder",
		"uinputkbd": "gocomp/evdev/internal/uinputkbd"} {
		bins[name] = filepath.Join(dir, name)
		if err := guest.BuildStatic(ctx, pkg, bins[name]); err != nil {
			t.Fatal(err)
		}
	}
	files := []guest.File{{Path: "/bin/gocomp", Host: bins["gocomp"]}, {Path: "/bin/recorder", Host: bins["recorder"]},
		{Path: "/bin/uinputkbd", Host: bins["uinputkbd"]}}
	files = append(files, xkbDataFiles(t)...)
	vm := guest.BootForTest(t, guest.Config{Files: files, MemoryMB: 768})
	run := func(cmd string) {
		t.Helper()
		if out, err := vm.Run(ctx, "sh", "-c", cmd); err != nil {
			t.Fatalf("%s: %v %s", cmd, err, out)
		}
	}
	run("mkdir -m 700 -p /tmp/xdg && mkfifo /tmp/kbd")
	kbd, err := vm.Start(nil, "/bin/uinputkbd", "/tmp/kbd")
	if err != nil {
		t.Fatal(err)
	}
	acks := 0
	// command sends one command to uinputkbd and waits for its "ok".
	command := func(c string) {
		t.Helper()
		run("echo '" + c + "' > /tmp/kbd")
		want := "ok " + c
		_, _, err := kbd.WaitLine(ctx, acks, func(l string) bool { return l == want || strings.HasPrefix(l, "error") })
		if err != nil {
			t.Fatalf("uinputkbd %q: %v", c, err)
		}
		lines := kbd.Lines()
		if last := lines[len(lines)-1]; strings.HasPrefix(last, "error") {
			t.Fatalf("uinputkbd: %s", last)
		}
		acks = len(lines)
	}
	const keyboards = 3
	for k := range keyboards {
		command(fmt.Sprint("create ", k))
	}
	env := []string{"XDG_RUNTIME_DIR=/tmp/xdg"}
	gocomp, err := vm.Start(env, "/bin/gocomp", "--no-terminate-binding", "--socket", "wayland-0", "--", "/bin/recorder", "main")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := gocomp.WaitLine(ctx, 0, func(l string) bool { return l == "mapped" }); err != nil {
		t.Fatalf("the main recorder never mapped: %v\n%s", err, gocomp.Stderr())
	}
	clientEnv := append(env, "WAYLAND_DISPLAY=wayland-0")
	var others []*recorderRun
	var finished []*recorderRun // recorders that reported and ended
	counts := map[string]int{}
	// report asks a recorder for its state line and returns it.
	report := func(r *recorderRun) []string {
		t.Helper()
		from := len(r.p.Lines())
		if r.pid != 0 {
			run(fmt.Sprintf("kill -USR1 %d", r.pid))
		} else {
			run("kill -USR1 $(pidof recorder | tr ' ' '\\n' | sort -n | head -1)")
		}
		_, line, err := r.p.WaitLine(ctx, from, func(l string) bool { return strings.HasPrefix(l, "state "+r.name+" ") })
		if err != nil {
			t.Fatalf("recorder %s did not report: %v", r.name, err)
		}
		return recorderState.FindStringSubmatch(line)
	}
	held := map[[2]int]bool{} // keyboard, code
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	seed := uint64(0)
	start := time.Now()
	for time.Since(start) < duration {
		k := rng.IntN(keyboards)
		switch r := rng.IntN(100); {
		case r < 45: // a burst of taps
			seed++
			command(fmt.Sprintf("burst %d %d %d", k, 10+rng.IntN(40), seed))
			counts["bursts"]++
		case r < 60: // a key (or Shift, Ctrl) goes down and stays, or one held goes up
			code := []int{30, 31, 32, 42, 29, 54}[rng.IntN(6)]
			down := !held[[2]int{k, code}]
			if down {
				command(fmt.Sprintf("down %d %d", k, code))
			} else {
				command(fmt.Sprintf("up %d %d", k, code))
			}
			held[[2]int{k, code}] = down
			counts["holds"]++
		case r < 68: // a flood while gocomp is stopped: SYN_DROPPED
			gocomp.Signal(syscall.SIGSTOP)
			time.Sleep(100 * time.Millisecond)
			seed++
			command(fmt.Sprintf("flood %d 400 %d", k, seed))
			gocomp.Signal(syscall.SIGCONT)
			counts["floods"]++
		case r < 76: // unplug with whatever it holds, then plug it in again
			command(fmt.Sprint("destroy ", k))
			for key := range held {
				if key[0] == k {
					delete(held, key)
				}
			}
			command(fmt.Sprint("create ", k))
			counts["unplugs"]++
		case r < 84 && len(others) < 3: // a new client takes the focus
			name := fmt.Sprint("c", counts["clients"])
			p, err := vm.Start(clientEnv, "/bin/recorder", name)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := p.WaitLine(ctx, 0, func(l string) bool { return l == "mapped" }); err != nil {
				t.Fatalf("recorder %s never mapped: %v\n%s", name, err, p.Stderr())
			}
			others = append(others, &recorderRun{name: name, p: p, pid: p.Pid()})
			counts["clients"]++
		case r < 92 && len(others) > 0: // a client is killed (after its report)
			i := rng.IntN(len(others))
			o := others[i]
			st := report(o)
			n, _ := strconv.Atoi(st[5])
			counts["killedKeys"] += n
			o.p.Signal(syscall.SIGKILL)
			o.p.WaitStatus(ctx)
			finished = append(finished, &recorderRun{name: o.name, p: o.p})
			others = slices.Delete(others, i, i+1)
			counts["kills"]++
			if st[7] != "0" {
				t.Errorf("recorder %s saw %s violations before it was killed:\n%s", o.name, st[7], strings.Join(o.p.Lines(), "\n"))
			}
		}
	}
	// Every key goes up; the focused client must be left with none down.
	for key := range held {
		command(fmt.Sprintf("up %d %d", key[0], key[1]))
	}
	main := &recorderRun{name: "main", p: gocomp}
	all := append([]*recorderRun{main}, others...)
	// The releases reach the focused client when they do: ask every
	// recorder until the focused one has no key down, or 30 s passed.
	var states [][]string
	for deadline := time.Now().Add(30 * time.Second); ; {
		states = states[:0]
		settled := true
		for _, r := range all {
			st := report(r)
			states = append(states, st)
			if st[2] == "1" && (st[3] != "0" || st[4] != "0x0") {
				settled = false
			}
		}
		if settled || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	totalKeys, focused := 0, 0
	for i, r := range all {
		st := states[i]
		keys, _ := strconv.Atoi(st[5])
		totalKeys += keys
		if st[2] == "1" {
			focused++
			if st[3] != "0" || st[4] != "0x0" {
				t.Errorf("recorder %s (focused) ends with %s keys down, depressed %s; want none", r.name, st[3], st[4])
			}
		}
		if st[7] != "0" {
			var vs []string
			for _, l := range r.p.Lines() {
				if strings.HasPrefix(l, "violation") {
					vs = append(vs, l)
				}
			}
			t.Errorf("recorder %s saw %s violations:\n%s", r.name, st[7], strings.Join(vs, "\n"))
		}
	}
	if focused != 1 {
		t.Errorf("%d recorders focused at the end; want 1", focused)
	}
	// The focus intervals of the clients, by serial, never overlap.
	type interval struct {
		client     string
		enter, end uint64
	}
	var ivs []interval
	for _, r := range append(all, finished...) {
		var open *interval
		for _, l := range r.p.Lines() {
			m := recorderFocus.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			serial, _ := strconv.ParseUint(m[2], 10, 32)
			if m[1] == "enter" {
				open = &interval{r.name, serial, 1 << 40}
				ivs = append(ivs, *open)
			} else if open != nil {
				ivs[len(ivs)-1].end = serial
				open = nil
			}
		}
	}
	slices.SortFunc(ivs, func(a, b interval) int { return int(a.enter) - int(b.enter) })
	for i := 1; i < len(ivs); i++ {
		if ivs[i].enter < ivs[i-1].end && ivs[i].client != ivs[i-1].client {
			// A killed client never saw its leave: its interval ends
			// where the next enter begins.
			if !slices.ContainsFunc(finished, func(r *recorderRun) bool { return r.name == ivs[i-1].client }) {
				t.Errorf("focus of %s (serials %d..%d) overlaps %s from %d", ivs[i-1].client, ivs[i-1].enter, ivs[i-1].end, ivs[i].client, ivs[i].enter)
			}
		}
	}
	resyncs := strings.Count(gocomp.Stderr(), "events were lost")
	t.Logf("torture for %v: %d key events received by %d clients, %d focus changes; %d bursts, %d holds, %d floods (%d resyncs), %d unplugs, %d clients started, %d killed",
		time.Since(start).Round(time.Second), totalKeys+counts["killedKeys"], counts["clients"]+1, len(ivs), counts["bursts"], counts["holds"],
		counts["floods"], resyncs, counts["unplugs"], counts["clients"], counts["kills"])
	if counts["floods"] > 0 && resyncs == 0 {
		t.Errorf("%d floods but no resync: the kernel's buffer never overflowed", counts["floods"])
	}
	// gocomp ends its clients; the keyboard helper is killed; all reaped.
	gocomp.Signal(syscall.SIGTERM)
	gocomp.WaitStatus(ctx)
	for _, o := range others {
		o.p.Signal(syscall.SIGKILL)
		o.p.WaitStatus(ctx)
	}
	kbd.Signal(syscall.SIGKILL)
	kbd.WaitStatus(ctx)
}
