package state_test

import (
	"fmt"
	"math/rand"
	"strings"

	"gocomp/xkb/keymap"
	"gocomp/xkb/keysym"
	"gocomp/xkb/state/eval"
)

// event is one line of the eval protocol.
type event struct {
	code uint16
	dir  eval.Dir
}

func (e event) String() string { return fmt.Sprintf("%d %s", e.code, e.dir) }

// eventText writes events as eval input.
func eventText(evs []event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// keyPools splits the keys of km (as evdev codes) into those that do
// something to the state — any level with an action, or a modifier keysym
// — and the rest.
func keyPools(km *keymap.Keymap) (special, plain []uint16) {
	keys := km.Keys()
	for i := range keys {
		k := &keys[i]
		if k.Name == "" || k.Keycode < 8 || k.Keycode-8 > 0xffff {
			continue
		}
		sp := false
		for _, g := range k.Groups {
			for _, l := range g.Levels {
				if l.Action.Kind != keymap.ActNone {
					sp = true
				}
				for _, ks := range l.Syms {
					if keysym.IsModifier(ks) {
						sp = true
					}
				}
			}
		}
		if sp {
			special = append(special, uint16(k.Keycode-8))
		} else {
			plain = append(plain, uint16(k.Keycode-8))
		}
	}
	return special, plain
}

// genEvents returns n events on km from a seeded generator biased toward
// modifier, latch and lock keys: keys are pressed while not held and
// released while held, several are held at once (overlapping modifiers),
// the same special keys come back again and again, some plain keys are
// tapped with "both", and now and then a held key is pressed again.
func genEvents(seed int64, km *keymap.Keymap, n int) []event {
	rng := rand.New(rand.NewSource(seed))
	special, plain := keyPools(km)
	if len(plain) > 60 {
		// Prefer the keys of the main block so that levels and groups
		// show, but keep a few others in.
		rng.Shuffle(len(plain), func(i, j int) { plain[i], plain[j] = plain[j], plain[i] })
		plain = plain[:60]
	}
	var held []uint16
	isHeld := func(c uint16) int {
		for i, h := range held {
			if h == c {
				return i
			}
		}
		return -1
	}
	evs := make([]event, 0, n)
	for len(evs) < n {
		if len(held) > 0 && (rng.Intn(100) < 40 || len(held) >= 5) {
			i := rng.Intn(len(held))
			evs = append(evs, event{held[i], eval.DirUp})
			held = append(held[:i], held[i+1:]...)
			continue
		}
		pool := plain
		if len(special) > 0 && (len(plain) == 0 || rng.Intn(100) < 60) {
			pool = special
		}
		if len(pool) == 0 {
			break
		}
		c := pool[rng.Intn(len(pool))]
		if i := isHeld(c); i >= 0 {
			if rng.Intn(100) < 3 {
				// A second press without a release (a lost event,
				// or a second device with the same key).
				evs = append(evs, event{c, eval.DirDown})
				continue
			}
			evs = append(evs, event{c, eval.DirUp})
			held = append(held[:i], held[i+1:]...)
			continue
		}
		if rng.Intn(100) < 15 {
			evs = append(evs, event{c, eval.DirBoth})
			continue
		}
		evs = append(evs, event{c, eval.DirDown})
		held = append(held, c)
	}
	return evs
}
