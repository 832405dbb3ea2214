// Package diff compares two keymaps by what they do, not by their text:
// for every key (by name), group and level, the keysyms and the action;
// for every key group, which modifier combinations select which level;
// the keys' modifier maps, repeat and out-of-range group rule; the LEDs
// and the number of groups. It is `gocomp xkb diff`.
package diff

import (
	"fmt"
	"slices"
	"strings"

	"gocomp/xkb/keymap"
	"gocomp/xkb/keysym"
)

// Keymaps returns one line per difference between a and b, each saying
// what it was in a and what it is in b ("<AD06> group 1 level 1: y -> z"),
// in key order then LED order; none when they behave the same.
func Keymaps(a, b *keymap.Keymap) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if ga, gb := a.NumGroups, b.NumGroups; ga != gb {
		add("groups: %d -> %d", ga, gb)
	}
	keysA, keysB := keysByName(a), keysByName(b)
	for _, name := range keyNames(a, b) {
		ka, kb := keysA[name], keysB[name]
		switch {
		case ka == nil:
			add("<%s>: only in the second keymap", name)
		case kb == nil:
			add("<%s>: only in the first keymap", name)
		default:
			out = append(out, keyDiff(a, b, ka, kb)...)
		}
	}
	out = append(out, ledDiff(a, b)...)
	return out
}

// compared reports whether k takes part in the comparison: a named key
// with a group, a modifier map or a virtual modifier map.
func compared(k *keymap.Key) bool {
	return k.Name != "" && (len(k.Groups) > 0 || k.ModMap != 0 || k.VModMap != 0)
}

// keysByName maps the compared keys of km by name.
func keysByName(km *keymap.Keymap) map[string]*keymap.Key {
	m := map[string]*keymap.Key{}
	keys := km.Keys()
	for i := range keys {
		if compared(&keys[i]) {
			m[keys[i].Name] = &keys[i]
		}
	}
	return m
}

// keyNames lists the compared keys of a in keycode order, then those only
// in b.
func keyNames(a, b *keymap.Keymap) []string {
	var names []string
	seen := map[string]bool{}
	for _, km := range []*keymap.Keymap{a, b} {
		keys := km.Keys()
		for i := range keys {
			if k := &keys[i]; compared(k) && !seen[k.Name] {
				seen[k.Name] = true
				names = append(names, k.Name)
			}
		}
	}
	return names
}

// keyDiff compares one key of both keymaps.
func keyDiff(a, b *keymap.Keymap, ka, kb *keymap.Key) []string {
	var out []string
	add := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("<%s>", ka.Name)+fmt.Sprintf(format, args...))
	}
	if len(ka.Groups) != len(kb.Groups) {
		add(" groups: %d -> %d", len(ka.Groups), len(kb.Groups))
	}
	for g := range max(len(ka.Groups), len(kb.Groups)) {
		ga, gb := group(ka, g), group(kb, g)
		if sa, sb := selection(ga), selection(gb); sa != sb {
			add(" group %d levels: %s -> %s", g+1, sa, sb)
		}
		for l := range max(levels(ga), levels(gb)) {
			la, lb := level(ga, l), level(gb, l)
			if sa, sb := levelSyms(la), levelSyms(lb); sa != sb {
				add(" group %d level %d: %s -> %s", g+1, l+1, sa, sb)
			}
			if aa, ab := actionText(a, la), actionText(b, lb); aa != ab {
				add(" group %d level %d action: %s -> %s", g+1, l+1, aa, ab)
			}
		}
	}
	if ma, mb := keymap.RealModsText(ka.ModMap), keymap.RealModsText(kb.ModMap); ma != mb {
		add(" modifier map: %s -> %s", ma, mb)
	}
	if ma, mb := keymap.RealModsText(keymap.ResolveMask(a.Mods, ka.VModMap)), keymap.RealModsText(keymap.ResolveMask(b.Mods, kb.VModMap)); ma != mb {
		add(" virtual modifier map (as real modifiers): %s -> %s", ma, mb)
	}
	if ka.Repeats != kb.Repeats {
		add(" repeats: %v -> %v", ka.Repeats, kb.Repeats)
	}
	if len(ka.Groups) > 1 || len(kb.Groups) > 1 {
		if ra, rb := outOfRange(ka), outOfRange(kb); ra != rb {
			add(" out-of-range groups: %s -> %s", ra, rb)
		}
	}
	return out
}

func group(k *keymap.Key, g int) *keymap.Group {
	if g < len(k.Groups) {
		return &k.Groups[g]
	}
	return nil
}

func levels(g *keymap.Group) int {
	if g == nil {
		return 0
	}
	return len(g.Levels)
}

func level(g *keymap.Group, l int) *keymap.Level {
	if g != nil && l < len(g.Levels) {
		return &g.Levels[l]
	}
	return nil
}

// selection describes which level each combination of the modifiers the
// group's type looks at selects, as real modifiers: "none=1 Shift=2
// Lock=1 Shift+Lock=1"; "-" for a missing group.
func selection(g *keymap.Group) string {
	if g == nil {
		return "-"
	}
	t := g.Type
	mask := t.Mods.Mask & keymap.RealModsMask
	var parts []string
	// Every subset of mask, smallest first.
	for sub := keymap.ModMask(0); ; sub = (sub - mask) & mask {
		parts = append(parts, fmt.Sprintf("%s=%d", keymap.RealModsText(sub), t.LevelFor(sub)+1))
		if sub == mask {
			break
		}
	}
	return strings.Join(parts, " ")
}

// actionText writes a level's action as keymap text does ("NoAction()"
// for a missing level).
func actionText(km *keymap.Keymap, l *keymap.Level) string {
	if l == nil {
		return "NoAction()"
	}
	return km.ActionText(&l.Action)
}

// outOfRange describes the key's rule for a group beyond its own.
func outOfRange(k *keymap.Key) string {
	switch k.OutOfRange {
	case keymap.GroupsClamp:
		return "clamp"
	case keymap.GroupsRedirect:
		return fmt.Sprintf("redirect to group %d", k.RedirectGroup+1)
	}
	return "wrap"
}

// ledDiff compares the LEDs by name: what state each one shows.
func ledDiff(a, b *keymap.Keymap) []string {
	var out []string
	var names []string
	for _, km := range []*keymap.Keymap{a, b} {
		for _, l := range km.LEDs {
			if l.Name != "" && !slices.Contains(names, l.Name) {
				names = append(names, l.Name)
			}
		}
	}
	for _, name := range names {
		da, db := ledText(a, name), ledText(b, name)
		if da != db {
			out = append(out, fmt.Sprintf("LED %q: %s -> %s", name, da, db))
		}
	}
	return out
}

// ledText describes what the LED name of km shows ("absent" when km has no
// such LED).
func ledText(km *keymap.Keymap, name string) string {
	i := km.LEDIndex(name)
	if i < 0 {
		return "absent"
	}
	l := &km.LEDs[i]
	return fmt.Sprintf("mods %s (%s), groups %#x (%s), controls %#x",
		keymap.RealModsText(l.Mods.Mask), l.WhichMods.String(), l.Groups, l.WhichGroups.String(), uint32(l.Ctrls))
}

// levelSyms names a level's keysyms ("nothing" for none or no level).
func levelSyms(l *keymap.Level) string {
	if l == nil {
		return keysym.ListText(nil)
	}
	return keysym.ListText(l.Syms)
}
