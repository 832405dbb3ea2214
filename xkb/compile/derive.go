package compile

import (
	"fmt"
	"sort"

	"gocomp/xkb/keymap"
	"gocomp/xkb/keysym"
	"gocomp/xkb/parser"
)

// autoType picks a type name for a group without an explicit type, from
// its width and keysyms (the heuristics of the XKB protocol's canonical
// types).
func autoType(levels []levelInfo) string {
	width := len(levels)
	sym := func(l int) keysym.Keysym {
		if l < len(levels) && len(levels[l].syms) == 1 {
			return levels[l].syms[0]
		}
		return keysym.NoSymbol
	}
	alpha := func(l int) bool {
		lo, up := sym(l), sym(l+1)
		return lo != keysym.NoSymbol && up != keysym.NoSymbol && keysym.IsLower(lo) && keysym.IsUpper(up)
	}
	keypad := func() bool { return keysym.IsKeypad(sym(0)) || keysym.IsKeypad(sym(1)) }
	switch {
	case width <= 1:
		return "ONE_LEVEL"
	case width == 2:
		if alpha(0) {
			return "ALPHABETIC"
		}
		if keypad() {
			return "KEYPAD"
		}
		return "TWO_LEVEL"
	case width <= 4:
		if alpha(0) {
			if alpha(2) {
				return "FOUR_LEVEL_ALPHABETIC"
			}
			return "FOUR_LEVEL_SEMIALPHABETIC"
		}
		if keypad() {
			return "FOUR_LEVEL_KEYPAD"
		}
		return "FOUR_LEVEL"
	}
	return ""
}

func interpMatches(in *keymap.Interpret, mods keymap.ModMask) bool {
	switch in.Match {
	case keymap.MatchNoneOf:
		return mods&in.Mods == 0
	case keymap.MatchAnyOfOrNone:
		return mods == 0 || mods&in.Mods != 0
	case keymap.MatchAnyOf:
		return mods&in.Mods != 0
	case keymap.MatchAllOf:
		return mods&in.Mods == in.Mods
	case keymap.MatchExactly:
		return mods == in.Mods
	}
	return false
}

// sortInterprets orders interprets as they are tried: those naming a
// keysym first, each half by operator (Exactly, AllOf, NoneOf, AnyOf,
// AnyOfOrNone), then in definition order.
func sortInterprets(in []keymap.Interpret) {
	rank := map[keymap.MatchOp]int{keymap.MatchExactly: 0, keymap.MatchAllOf: 1, keymap.MatchNoneOf: 2,
		keymap.MatchAnyOf: 3, keymap.MatchAnyOfOrNone: 4}
	sort.SliceStable(in, func(i, j int) bool {
		ai, aj := in[i].Sym == keysym.NoSymbol, in[j].Sym == keysym.NoSymbol
		if ai != aj {
			return !ai
		}
		return rank[in[i].Match] < rank[in[j].Match]
	})
}

// build assembles the keymap from the section infos: the derive pass, in
// stages that each fill in one part of the keymap from the parts before.
func (c *compiler) build(kc *keycodesInfo, ti *typesInfo, ci *compatInfo, si *symbolsInfo) (*keymap.Keymap, error) {
	a := &assembly{c: c, kc: kc, km: &keymap.Keymap{KeycodesName: kc.name, TypesName: ti.name, CompatName: ci.name, SymbolsName: si.name}}
	a.keycodes()
	a.types(ti)
	a.keys(ti, si)
	a.modifierMap(si)
	a.groupNames(si)
	a.interprets(ci)
	a.virtualMods()
	a.leds(ci)
	return keymap.New(a.km, a.list), nil
}

// assembly is a keymap being built: what the stages of build hand on.
type assembly struct {
	c  *compiler
	kc *keycodesInfo
	km *keymap.Keymap

	lo, hi      int64 // the keycode range
	list        []keymap.Key
	typeByName  map[string]*keymap.KeyType
	defaultType *keymap.KeyType
}

// keycodes sets the keycode range, the aliases and the dense key table.
// The range covers 8..255 and every key; minimum and maximum statements
// do not change it (libxkbcommon 1.5 ignores them). A key named <> cannot
// be told from an empty slot of the key table: it is left out.
func (a *assembly) keycodes() {
	kc, km := a.kc, a.km
	a.lo, a.hi = 8, 255
	for code, name := range kc.nameOf {
		if name != "" {
			a.lo, a.hi = min(a.lo, code), max(a.hi, code)
		}
	}
	km.MinKeycode, km.MaxKeycode = keymap.Keycode(a.lo), keymap.Keycode(a.hi)
	for _, al := range kc.aliases {
		if _, isKey := kc.codeOf[al.alias]; isKey {
			continue
		}
		if _, ok := kc.codeOf[al.real]; !ok {
			continue
		}
		km.Aliases = append(km.Aliases, keymap.Alias{Alias: al.alias, Real: al.real})
	}
	// The dense key table, in keycode order; holes have no name.
	a.list = make([]keymap.Key, a.hi-a.lo+1)
	for code, name := range kc.nameOf {
		if name == "" {
			continue
		}
		a.list[code-a.lo] = keymap.Key{Keycode: keymap.Keycode(code), Name: name, Repeats: true}
	}
}

// realName is the key name n stands for, itself or through an alias; ""
// when it names no key.
func (a *assembly) realName(n string) string {
	if _, ok := a.kc.codeOf[n]; ok {
		return n
	}
	for _, al := range a.km.Aliases {
		if al.Alias == n {
			return al.Real
		}
	}
	return ""
}

// keyNamed is the key table's entry for a real key name.
func (a *assembly) keyNamed(name string) *keymap.Key { return &a.list[a.kc.codeOf[name]-a.lo] }

// types builds the key types. As libxkbcommon: with no types at all, one
// of one level called "default"; a key whose type is not defined gets the
// first type.
func (a *assembly) types(ti *typesInfo) {
	km := a.km
	a.typeByName = map[string]*keymap.KeyType{}
	for _, t := range ti.types {
		kt := t.build()
		km.Types = append(km.Types, kt)
		a.typeByName[kt.Name] = kt
	}
	if len(km.Types) == 0 {
		km.Types = []*keymap.KeyType{{Name: "default", NumLevels: 1}}
	}
	a.defaultType = km.Types[0]
}

// keys gives the keys of the symbols section their groups, levels and
// explicit settings.
func (a *assembly) keys(ti *typesInfo, si *symbolsInfo) {
	km := a.km
	var storage []keysym.Keysym
	// Groups and levels of all keys live in two arrays, sliced per key
	// and per group (fewer allocations, better locality).
	nGroups, nLevels := 0, 0
	for _, k := range si.keys {
		nGroups += len(k.groups)
		for g := range k.groups {
			nLevels += max(len(k.groups[g].levels), 1)
		}
	}
	groupStore := make([]keymap.Group, 0, nGroups)
	levelStore := make([]keymap.Level, 0, nLevels+nLevels/4)
	for _, k := range si.keys {
		rn := a.realName(k.name)
		if rn == "" {
			a.c.warnings = append(a.c.warnings, fmt.Errorf("key <%s> not found in keycodes; symbols ignored", k.name))
			continue
		}
		key := a.keyNamed(rn)
		// Drop trailing undefined groups.
		n := len(k.groups)
		for n > 0 && !k.groups[n-1].defined() {
			n--
		}
		// A group left undefined below a defined one takes the first
		// group's definition (e.g. "pc+us+ru:2+de:3" where only pc and
		// de define <LVL3>), as libxkbcommon does.
		for g := 1; g < n; g++ {
			if !k.groups[g].defined() {
				k.groups[g] = k.groups[0]
			}
		}
		start := len(groupStore)
		groupStore = append(groupStore, make([]keymap.Group, n)...)
		key.Groups = groupStore[start : start+n : start+n]
		explicitActs := false
		for g := 0; g < n; g++ {
			gi := &k.groups[g]
			t := a.groupType(ti, k, gi)
			ls := len(levelStore)
			if cap(levelStore)-ls < t.NumLevels {
				levelStore = make([]keymap.Level, 0, max(256, t.NumLevels))
				ls = 0
			}
			levelStore = levelStore[:ls+t.NumLevels]
			grp := keymap.Group{Type: t, ExplicitType: gi.hasType, Levels: levelStore[ls : ls+t.NumLevels : ls+t.NumLevels]}
			for l := 0; l < t.NumLevels && l < len(gi.levels); l++ {
				li := &gi.levels[l]
				if li.hasSyms {
					start := len(storage)
					storage = append(storage, li.syms...)
					grp.Levels[l].Syms = storage[start:len(storage):len(storage)]
				}
				if li.hasAct {
					grp.Levels[l].Action = li.act
				}
			}
			if gi.actsDefined {
				explicitActs = true
			}
			key.Groups[g] = grp
		}
		if explicitActs {
			key.Explicit |= keymap.ExplicitInterp
		}
		if k.hasRepeat {
			key.Repeats, key.Explicit = k.repeat, key.Explicit|keymap.ExplicitRepeat
		}
		if k.hasVMods {
			key.VModMap, key.Explicit = k.vmods, key.Explicit|keymap.ExplicitVModMap
		}
		if k.hasRule {
			key.OutOfRange, key.RedirectGroup = k.rule, k.redirect
			if key.OutOfRange == keymap.GroupsRedirect && key.RedirectGroup >= n {
				key.RedirectGroup = 0
			}
		}
		if n > km.NumGroups {
			km.NumGroups = n
		}
	}
	// Earlier views into storage may point at arrays append has since
	// left behind: copy them all into one array in keycode order.
	compactSyms(a.list, len(storage))
}

// groupType is the type of group gi of key k: the group's own, the key's
// default, or one chosen by the group's keysyms; an undefined one is the
// first type (with a warning when types exist).
func (a *assembly) groupType(ti *typesInfo, k *keyInfo, gi *groupInfo) *keymap.KeyType {
	var t *keymap.KeyType
	if !gi.hasType && k.hasDflt {
		gi.typeName, gi.hasType = k.dfltType, true
	}
	if gi.hasType {
		t = a.typeByName[gi.typeName]
	} else if name := autoType(gi.levels); name != "" {
		t = a.typeByName[name]
	}
	if t == nil {
		if gi.hasType && len(ti.types) > 0 {
			a.c.warnings = append(a.c.warnings, fmt.Errorf("type %q is not defined; key <%s> gets type %q", gi.typeName, k.name, a.defaultType.Name))
		}
		t = a.defaultType
	}
	return t
}

// modifierMap applies modifier_map entries: an entry names a key or a
// keysym; each key (and each keysym) has one modifier, later entries win
// unless augmenting. A key gets the modifiers of both kinds of entries.
func (a *assembly) modifierMap(si *symbolsInfo) {
	modOfKey := map[string]int{}
	modOfSym := map[keysym.Keysym]int{}
	for _, e := range si.modmap {
		if e.key != "" {
			if _, ok := modOfKey[e.key]; ok && e.mode == parser.MergeAugment {
				continue
			}
			modOfKey[e.key] = e.mod
			continue
		}
		if _, ok := modOfSym[e.sym]; ok && e.mode == parser.MergeAugment {
			continue
		}
		modOfSym[e.sym] = e.mod
	}
	for name, m := range modOfKey {
		if rn := a.realName(name); rn != "" && m >= 0 {
			a.keyNamed(rn).ModMap |= 1 << uint(m)
		}
	}
	if len(modOfSym) > 0 {
		owner := keysForSyms(a.list, modOfSym)
		for sym, m := range modOfSym {
			if k := owner[sym]; k != nil && m >= 0 {
				k.ModMap |= 1 << uint(m)
			}
		}
	}
}

// groupNames copies the symbols section's group names.
func (a *assembly) groupNames(si *symbolsInfo) {
	for g, n := range si.groupNames {
		for len(a.km.GroupNames) <= g {
			a.km.GroupNames = append(a.km.GroupNames, "")
		}
		a.km.GroupNames[g] = n
	}
}

// interprets sorts the compat section's interprets and applies them to
// the keys without explicit actions.
func (a *assembly) interprets(ci *compatInfo) {
	for _, in := range ci.interps {
		a.km.Interprets = append(a.km.Interprets, in.Interpret)
	}
	sortInterprets(a.km.Interprets)
	index := newInterpIndex(a.km.Interprets)
	for i := range a.list {
		applyInterprets(&index, &a.list[i])
	}
}

// virtualMods maps virtual modifiers to real ones (declared mappings plus
// the modifier maps of the keys that carry each virtual modifier), then
// resolves every modifier set of the types, interprets and key actions to
// real masks.
func (a *assembly) virtualMods() {
	km, c := a.km, a.c
	mods := append([]keymap.Mod(nil), c.mods...)
	for i := keymap.NumRealMods; i < len(mods); i++ {
		mods[i].Mapping = c.declared[i]
		mods[i].Declared = c.declared[i]
	}
	for k := range a.list {
		key := &a.list[k]
		for i := keymap.NumRealMods; i < len(mods); i++ {
			if key.VModMap&(1<<uint(i)) != 0 {
				mods[i].Mapping |= key.ModMap
			}
		}
	}
	km.Mods = mods
	for _, t := range km.Types {
		a.resolve(&t.Mods)
		for i := range t.Entries {
			a.resolve(&t.Entries[i].Mods)
			a.resolve(&t.Entries[i].Preserve)
		}
	}
	for i := range km.Interprets {
		a.resolveAction(&km.Interprets[i].Action, 0)
	}
	for k := range a.list {
		key := &a.list[k]
		for g := range key.Groups {
			for l := range key.Groups[g].Levels {
				a.resolveAction(&key.Groups[g].Levels[l].Action, key.ModMap)
			}
		}
	}
}

// resolve sets m's real mask from its modifiers (after virtualMods).
func (a *assembly) resolve(m *keymap.Mods) { m.Mask = keymap.ResolveMask(a.km.Mods, m.Mods) }

// resolveAction resolves a modifier action's modifiers; useModMapMods
// actions take modmap, the modifiers of their key.
func (a *assembly) resolveAction(act *keymap.Action, modmap keymap.ModMask) {
	switch act.Kind {
	case keymap.ActSetMods, keymap.ActLatchMods, keymap.ActLockMods:
		if act.Flags&keymap.ActUseModMapMods != 0 {
			act.Mods.Mods = modmap
		}
		a.resolve(&act.Mods)
	}
}

// leds places the indicators: named slots from the keycodes section, then
// the compat section's maps by name (into their slot, the first free one,
// or a new one up to 32).
func (a *assembly) leds(ci *compatInfo) {
	km := a.km
	for idx, name := range a.kc.leds {
		for len(km.LEDs) <= idx {
			km.LEDs = append(km.LEDs, keymap.LED{})
		}
		km.LEDs[idx].Name = name
	}
	for _, l := range ci.leds {
		idx := -1
		for i := range km.LEDs {
			if km.LEDs[i].Name == l.Name {
				idx = i
				break
			}
		}
		if idx < 0 {
			for i := range km.LEDs {
				if km.LEDs[i].Name == "" {
					idx = i
					break
				}
			}
			if idx < 0 {
				if len(km.LEDs) >= 32 {
					a.c.warnings = append(a.c.warnings, fmt.Errorf("too many indicators; %s dropped", l.Name))
					continue
				}
				km.LEDs = append(km.LEDs, keymap.LED{})
				idx = len(km.LEDs) - 1
			}
		}
		led := l.LED
		led.Mods = keymap.Mods{Mods: l.mods}
		a.resolve(&led.Mods)
		if led.Groups != 0 && led.WhichGroups == 0 {
			led.WhichGroups = keymap.StateEffective
		}
		if led.Mods.Mods != 0 && led.WhichMods == 0 {
			led.WhichMods = keymap.StateEffective
		}
		km.LEDs[idx] = led
	}
}

// compactSyms copies every level's keysyms into one array of exactly n
// entries so that all views share it.
func compactSyms(list []keymap.Key, n int) {
	all := make([]keysym.Keysym, 0, n)
	for k := range list {
		key := &list[k]
		for g := range key.Groups {
			for l := range key.Groups[g].Levels {
				s := key.Groups[g].Levels[l].Syms
				if len(s) == 0 {
					continue
				}
				start := len(all)
				all = append(all, s...)
				key.Groups[g].Levels[l].Syms = all[start:len(all):len(all)]
			}
		}
	}
}

// keysForSyms returns, for each keysym of want, the key a modifier_map
// keysym entry names: the one where the keysym appears in the lowest
// group, then the lowest level, then the lowest keycode (list is in
// keycode order).
func keysForSyms(list []keymap.Key, want map[keysym.Keysym]int) map[keysym.Keysym]*keymap.Key {
	type best struct {
		key *keymap.Key
		gl  int
	}
	found := make(map[keysym.Keysym]best, len(want))
	for k := range list {
		key := &list[k]
		for g := range key.Groups {
			for l := range key.Groups[g].Levels {
				for _, s := range key.Groups[g].Levels[l].Syms {
					if _, ok := want[s]; !ok {
						continue
					}
					gl := g<<16 | l
					if b, ok := found[s]; !ok || gl < b.gl {
						found[s] = best{key, gl}
					}
				}
			}
		}
	}
	out := make(map[keysym.Keysym]*keymap.Key, len(found))
	for s, b := range found {
		out[s] = b.key
	}
	return out
}

// interpIndex lists, for a keysym, the interprets that may apply to it in
// the order of a sorted interpret list (see sortInterprets): the ones for
// that keysym, which the sort puts first, then the ones for any keysym.
// It spares applyInterprets a scan of every interpret for every level.
type interpIndex struct {
	interps []keymap.Interpret
	first   map[keysym.Keysym]int32 // the first interpret for a keysym
	next    []int32                 // the next one for the same keysym, or -1
	anySym  int                     // the first interpret for any keysym
}

func newInterpIndex(sorted []keymap.Interpret) interpIndex {
	x := interpIndex{interps: sorted, next: make([]int32, len(sorted)), anySym: len(sorted)}
	for i := range sorted {
		if sorted[i].Sym == keysym.NoSymbol {
			x.anySym = i
			break
		}
	}
	x.first = make(map[keysym.Keysym]int32, x.anySym)
	for i := x.anySym - 1; i >= 0; i-- {
		s := sorted[i].Sym
		x.next[i] = -1
		if j, ok := x.first[s]; ok {
			x.next[i] = j
		}
		x.first[s] = int32(i)
	}
	return x
}

// lookup returns the first interpret for sym (at level l of a key with
// modifier map mods) that matches, or nil.
func (x *interpIndex) lookup(sym keysym.Keysym, l int, mods keymap.ModMask) *keymap.Interpret {
	match := func(c *keymap.Interpret) bool {
		m := mods
		if c.LevelOneOnly && l != 0 {
			m = 0
		}
		return interpMatches(c, m)
	}
	if i, ok := x.first[sym]; ok {
		for ; i >= 0; i = x.next[i] {
			if c := &x.interps[i]; match(c) {
				return c
			}
		}
	}
	for i := x.anySym; i < len(x.interps); i++ {
		if c := &x.interps[i]; match(c) {
			return c
		}
	}
	return nil
}

func applyInterprets(index *interpIndex, key *keymap.Key) {
	if key.Explicit&keymap.ExplicitInterp != 0 {
		// Still derive vmods/repeat? libxkbcommon skips keys with explicit
		// actions entirely.
		return
	}
	var vmods keymap.ModMask
	for g := range key.Groups {
		grp := &key.Groups[g]
		for l := range grp.Levels {
			syms := grp.Levels[l].Syms
			if len(syms) == 0 {
				continue
			}
			in := index.lookup(syms[0], l, key.ModMap)
			if in == nil {
				continue
			}
			if g == 0 && l == 0 && key.Explicit&keymap.ExplicitRepeat == 0 {
				key.Repeats = in.Repeat
			}
			if (g == 0 && l == 0) || !in.LevelOneOnly {
				if in.VirtualMod >= 0 {
					vmods |= 1 << uint(in.VirtualMod)
				}
			}
			if in.Action.Kind != keymap.ActNone {
				grp.Levels[l].Action = in.Action
			}
		}
	}
	if key.Explicit&keymap.ExplicitVModMap == 0 {
		key.VModMap = vmods
	}
}
