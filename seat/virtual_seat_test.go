package seat

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestVirtualAndPhysicalKeysDoNotAllocate: with a virtual keyboard on the
// seat (its own keymap), keys from either keyboard reach the focused
// client without allocating once the keymap switches are done.
func TestVirtualAndPhysicalKeysDoNotAllocate(t *testing.T) {
	ts := newTestServer(t, 9)
	kb := ts.seat.AddKeyboard("k", nil)
	vk := ts.seat.AddVirtualKeyboard("v")
	if err := vk.SetKeymap(fakeKeymap{gen: 7}); err != nil {
		t.Fatal(err)
	}
	a, _ := traced(ts, 9)
	a.tracing = false
	a.getKeyboard(9)
	mapNew(ts, a)
	now := time.Duration(0)
	for i := range 5 {
		vk.Key(uint32(i), keyA, true)
		vk.Key(uint32(i), keyA, false)
		ts.d.FlushClients()
		a.read()
	}
	virtualOnly := testing.AllocsPerRun(200, func() {
		vk.Key(1, keyQ, true)
		vk.Key(2, keyQ, false)
	})
	ts.d.FlushClients()
	a.read()
	kb.Key(now, keyA, true) // the switch back to the seat keymap
	kb.Key(now, keyA, false)
	ts.d.FlushClients()
	a.read()
	physicalOnly := testing.AllocsPerRun(200, func() {
		now += time.Millisecond
		kb.Key(now, keyQ, true)
		kb.Key(now, keyQ, false)
	})
	ts.d.FlushClients()
	if virtualOnly != 0 || physicalOnly != 0 {
		t.Errorf("allocations per press+release: virtual %.1f, physical %.1f; want 0", virtualOnly, physicalOnly)
	}
}

// TestVirtualKeyboardKeymapSwitch follows one client through typing on a
// virtual keyboard with its own keymap and on a physical one: each
// source's keymap (then its modifiers) comes before its first key, a key
// held by both keyboards is released only when both let go, and a
// client entered while the virtual keyboard typed last gets its keymap
// before the enter.
func TestVirtualKeyboardKeymapSwitch(t *testing.T) {
	ts := newTestServer(t, 9)
	kb := ts.seat.AddKeyboard("k", nil)
	vk := ts.seat.AddVirtualKeyboard("v")
	if err := vk.SetKeymap(fakeKeymap{gen: 7}); err != nil {
		t.Fatal(err)
	}
	a, aid := traced(ts, 9)
	mapNew(ts, a)
	a.trace = nil
	k := a.kbds[aid]

	vk.Key(1, keyA, true)
	ts.pump()
	wantTrace(t, a, "kbd5 keymap", "kbd5 modifiers [0 0 0 0]", "kbd5 key 30 state 1")
	if k.keymapText != (fakeKeymap{gen: 7}).Text() {
		t.Errorf("keymap before the virtual key: %q; want the virtual keyboard's", k.keymapText)
	}
	kb.Key(time.Millisecond, keyA, true) // held by both now: no second press
	ts.pump()
	wantTrace(t, a, "kbd5 keymap", "kbd5 modifiers [0 0 0 0]")
	if k.keymapText != (fakeKeymap{}).Text() {
		t.Errorf("keymap after the physical key: %q; want the seat's", k.keymapText)
	}
	vk.Key(2, keyA, false) // the physical keyboard still holds it
	ts.pump()
	wantTrace(t, a, "kbd5 keymap", "kbd5 modifiers [0 0 0 0]")
	kb.Key(2*time.Millisecond, keyA, false)
	ts.pump()
	wantTrace(t, a, "kbd5 keymap", "kbd5 modifiers [0 0 0 0]", "kbd5 key 30 state 0")

	vk.SetModifiers(Modifiers{Depressed: 1})
	ts.pump()
	wantTrace(t, a, "kbd5 keymap", "kbd5 modifiers [1 0 0 0]")
	b, bid := traced(ts, 9)
	sid := mapNew(ts, b) // b takes the focus while the virtual keyboard is the source
	entered := fmt.Sprintf("kbd%d keymap|kbd%d enter surface %d keys [] mods [1 0 0 0]", bid, bid, sid)
	if b.kbds[bid].keymapText != (fakeKeymap{gen: 7}).Text() || !strings.HasSuffix(strings.Join(b.trace, "|"), entered) {
		t.Errorf("client entered while the virtual keyboard typed last: %q", b.trace)
	}
	vk.Remove()
	ts.pump()
	if len(ts.seat.kbd.virtuals) != 0 || ts.seat.kbd.active != nil {
		t.Errorf("after Remove: %d virtual keyboards, source %v", len(ts.seat.kbd.virtuals), ts.seat.kbd.active)
	}
}
