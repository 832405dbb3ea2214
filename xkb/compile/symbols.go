package compile

import (
	"strings"

	"gocomp/xkb/keymap"
	"gocomp/xkb/keysym"
	"gocomp/xkb/parser"
)

type levelInfo struct {
	syms    []keysym.Keysym // nil: undefined (NoSymbol)
	act     keymap.Action
	hasSyms bool
	hasAct  bool
}

type groupInfo struct {
	levels      []levelInfo
	typeName    string
	hasType     bool
	symsDefined bool
	actsDefined bool
}

func (g *groupInfo) defined() bool { return g.symsDefined || g.actsDefined || g.hasType }

type keyInfo struct {
	name        string
	groups      []groupInfo
	dfltType    string
	hasDflt     bool
	repeat      bool
	hasRepeat   bool
	vmods       keymap.ModMask
	hasVMods    bool
	rule        keymap.GroupRule
	redirect    int
	hasRule     bool
	mergeMode   parser.MergeMode
	definedHere bool
}

type modMapEntry struct {
	key    string // "" when sym is used
	sym    keysym.Keysym
	mod    int
	mode   parser.MergeMode
	remove bool
}

// symbolsInfo is what the xkb_symbols sections define.
type symbolsInfo struct {
	name       string
	keys       []*keyInfo
	index      map[string]int
	groupNames map[int]string
	modmap     []modMapEntry
	dflt       keyInfo
	actions    *actionDefaults
}

func newSymbolsInfo() *symbolsInfo {
	return &symbolsInfo{index: map[string]int{}, groupNames: map[int]string{}}
}

func mergeLevels(into, from []levelInfo, clob bool) []levelInfo {
	if len(from) > len(into) {
		n := make([]levelInfo, len(from))
		copy(n, into)
		into = n
	}
	for i := range from {
		f := &from[i]
		t := &into[i]
		if f.hasSyms && (clob || !t.hasSyms) {
			t.syms, t.hasSyms = f.syms, true
		}
		if f.hasAct && (clob || !t.hasAct) {
			t.act, t.hasAct = f.act, true
		}
	}
	return into
}

// mergeKey merges from into into.
func mergeKey(into, from *keyInfo, mode parser.MergeMode) {
	if mode == parser.MergeReplace {
		*into = *from
		return
	}
	clob := clobber(mode)
	for len(into.groups) < len(from.groups) {
		into.groups = append(into.groups, groupInfo{})
	}
	for g := range from.groups {
		fg, tg := &from.groups[g], &into.groups[g]
		if !fg.defined() {
			continue
		}
		if !tg.defined() {
			*tg = *fg
			tg.levels = append([]levelInfo(nil), fg.levels...)
			continue
		}
		tg.levels = mergeLevels(tg.levels, fg.levels, clob)
		tg.symsDefined = tg.symsDefined || fg.symsDefined
		tg.actsDefined = tg.actsDefined || fg.actsDefined
		if fg.hasType && (clob || !tg.hasType) {
			tg.typeName, tg.hasType = fg.typeName, true
		}
	}
	// `type = "X"` without a group is a key-wide default: it never
	// overrides a group's own type, at any merge step.
	if from.hasDflt && (clob || !into.hasDflt) {
		into.dfltType, into.hasDflt = from.dfltType, true
	}
	if from.hasRepeat && (clob || !into.hasRepeat) {
		into.repeat, into.hasRepeat = from.repeat, true
	}
	if from.hasVMods && (clob || !into.hasVMods) {
		into.vmods, into.hasVMods = from.vmods, true
	}
	if from.hasRule && (clob || !into.hasRule) {
		into.rule, into.redirect, into.hasRule = from.rule, from.redirect, true
	}
}

func (si *symbolsInfo) addKey(k *keyInfo, mode parser.MergeMode) {
	if i, ok := si.index[k.name]; ok {
		mergeKey(si.keys[i], k, mode)
		return
	}
	// k is fresh from keyDef or from an included info that is dropped
	// after the merge: keep it without copying.
	si.index[k.name] = len(si.keys)
	si.keys = append(si.keys, k)
}

func (si *symbolsInfo) merge(from *symbolsInfo, mode parser.MergeMode, group int) {
	if group > 0 {
		from.moveToGroup(group - 1)
	}
	if !clobber(mode) {
		for i := range from.modmap {
			from.modmap[i].mode = parser.MergeAugment
		}
	}
	if len(si.keys) == 0 && len(si.groupNames) == 0 && len(si.modmap) == 0 {
		si.keys, si.index, si.groupNames, si.modmap = from.keys, from.index, from.groupNames, from.modmap
		return
	}
	for _, k := range from.keys {
		si.addKey(k, mode)
	}
	for g, n := range from.groupNames {
		if _, ok := si.groupNames[g]; !ok || clobber(mode) {
			si.groupNames[g] = n
		}
	}
	si.modmap = append(si.modmap, from.modmap...)
}

// moveToGroup keeps only the first group of every key and moves it to
// group g (an include with a ":N" suffix).
func (si *symbolsInfo) moveToGroup(g int) {
	for _, k := range si.keys {
		if len(k.groups) == 0 {
			continue
		}
		first := k.groups[0]
		k.groups = make([]groupInfo, g+1)
		k.groups[g] = first
	}
	if n, ok := si.groupNames[0]; ok {
		si.groupNames = map[int]string{g: n}
	} else {
		si.groupNames = map[int]string{}
	}
}

func (c *compiler) symbolsSection(r *parser.Resolved, merge parser.MergeMode) (*symbolsInfo, error) {
	c.includeWarnings(r)
	sec := r.Section
	info := newSymbolsInfo()
	info.index = make(map[string]int, len(sec.Stmts))
	info.keys = make([]*keyInfo, 0, len(sec.Stmts))
	info.name = sec.Name
	info.actions = c.symbolsActions
	f := sec.File
	for st, steps := range r.Items() {
		mode := stmtMerge(st.MergeMode(), merge)
		switch s := st.(type) {
		case *parser.Include:
			inc, err := includeSteps(steps, newSymbolsInfo, c.symbolsSection,
				func(into, from *symbolsInfo, m parser.MergeMode, g int) { into.merge(from, m, g) })
			if err != nil {
				return nil, err
			}
			info.merge(inc, mode, 0)
		case *parser.VModDef:
			if err := c.vmodDef(f, s); err != nil {
				return nil, err
			}
		case *parser.KeyDef:
			k, err := c.keyDef(f, s, info)
			if err != nil {
				return nil, err
			}
			info.addKey(k, mode)
		case *parser.ModMapDef:
			mod := realModIndex(s.Modifier)
			if mod < 0 {
				if strings.EqualFold(s.Modifier, "none") {
					mod = -1
				} else {
					return nil, errorf(f, s.Pos, "illegal modifier map definition: %q is not a real modifier", s.Modifier)
				}
			}
			for _, ke := range s.Keys {
				e := modMapEntry{mod: mod, mode: mode, remove: mod < 0}
				switch x := ke.(type) {
				case *parser.KeyName:
					e.key = c.keyName(x.Name)
				case *parser.Ident:
					ks, err := resolveKeysym(f, parser.Keysym{Pos: x.Pos, Name: x.Name})
					if err != nil {
						return nil, err
					}
					e.sym = ks
				case *parser.Int:
					ks, err := resolveKeysym(f, parser.Keysym{Pos: x.Pos, IsInt: true, Int: x.Value})
					if err != nil {
						return nil, err
					}
					e.sym = ks
				default:
					return nil, errorf(f, ke.Position(), "expected a key name or keysym in modifier_map")
				}
				info.modmap = append(info.modmap, e)
			}
		case *parser.VarDef:
			if err := c.symbolsDefault(f, s, info, mode); err != nil {
				return nil, err
			}
		default:
			return nil, errorf(f, st.Position(), "statement not allowed in xkb_symbols")
		}
	}
	return info, nil
}

func (c *compiler) symbolsDefault(f *parser.File, vd *parser.VarDef, info *symbolsInfo, mode parser.MergeMode) error {
	elem, field, index, ok := fieldName(vd.Name)
	if !ok {
		return errorf(f, vd.Pos, "bad statement")
	}
	switch lower(elem) {
	case "":
		if lf := lower(field); lf == "name" || lf == "groupname" {
			if index == nil {
				return errorf(f, vd.Pos, "group name without a group")
			}
			g, err := evalGroup(f, index)
			if err != nil {
				return err
			}
			n, err := evalString(f, vd.Value)
			if err != nil {
				return err
			}
			if _, ok := info.groupNames[g]; !ok || clobber(mode) {
				info.groupNames[g] = n
			}
			return nil
		}
		return errorf(f, vd.Pos, "unknown field %q in xkb_symbols", field)
	case "key":
		return c.keyField(f, &info.dflt, field, index, vd.Value, info, vd.Pos)
	}
	kind, ok, legacy := actionKind(elem)
	if !ok {
		return errorf(f, vd.Pos, "unknown element %q", elem)
	}
	if legacy {
		return nil
	}
	return c.setActionField(f, &info.actions[kind], field, index, vd.Value)
}

func (c *compiler) keyDef(f *parser.File, def *parser.KeyDef, info *symbolsInfo) (*keyInfo, error) {
	k := new(keyInfo)
	*k = info.dflt
	k.groups = nil
	if len(info.dflt.groups) > 0 {
		k.groups = make([]groupInfo, len(info.dflt.groups))
		for i := range info.dflt.groups {
			k.groups[i] = info.dflt.groups[i]
			k.groups[i].levels = nil
		}
	}
	k.name = c.keyName(def.Name)
	for _, vd := range def.Body {
		if vd.Name == nil {
			switch v := vd.Value.(type) {
			case *parser.KeysymList:
				g := 0
				for g < len(k.groups) && k.groups[g].symsDefined {
					g++
				}
				if err := c.setSyms(f, k, g, v); err != nil {
					return nil, err
				}
			case *parser.ActionList:
				g := 0
				for g < len(k.groups) && k.groups[g].actsDefined {
					g++
				}
				if err := c.setActs(f, k, g, v, info); err != nil {
					return nil, err
				}
			default:
				return nil, errorf(f, vd.Pos, "expected symbols or actions")
			}
			continue
		}
		elem, field, index, ok := fieldName(vd.Name)
		if !ok || (elem != "" && !strings.EqualFold(elem, "key")) {
			return nil, errorf(f, vd.Pos, "bad field in key <%s>", def.Name)
		}
		if err := c.keyField(f, k, field, index, vd.Value, info, vd.Pos); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// keyName resolves an alias to the real key name, so that definitions
// through an alias merge with those of the key itself.
func (c *compiler) keyName(name string) string {
	if c.keycodes == nil {
		return name
	}
	if _, ok := c.keycodes.codeOf[name]; ok {
		return name
	}
	if i, ok := c.keycodes.aliasIndex[name]; ok {
		return c.keycodes.aliases[i].real
	}
	return name
}

func (k *keyInfo) group(g int) *groupInfo {
	for len(k.groups) <= g {
		k.groups = append(k.groups, groupInfo{})
	}
	return &k.groups[g]
}

func (c *compiler) setSyms(f *parser.File, k *keyInfo, g int, list *parser.KeysymList) error {
	if g >= maxGroups {
		return errorf(f, list.Pos, "too many groups for key <%s>", k.name)
	}
	grp := k.group(g)
	if grp.symsDefined {
		return nil // duplicate definition: libxkbcommon keeps the first
	}
	grp.symsDefined = true
	if len(grp.levels) < len(list.Levels) {
		n := make([]levelInfo, len(list.Levels))
		copy(n, grp.levels)
		grp.levels = n
	}
	// One array for the whole list; levels are views into it.
	n := 0
	for _, syms := range list.Levels {
		n += len(syms)
	}
	all := make([]keysym.Keysym, 0, n)
	for l, syms := range list.Levels {
		start := len(all)
		for _, s := range syms {
			ks, err := resolveKeysym(f, s)
			if err != nil {
				// libxkbcommon warns and uses NoSymbol: xkeyboard-config
				// names keysyms newer than the keysym tables.
				if f == c.strictFile {
					return err
				}
				c.warnings = append(c.warnings, err)
				continue
			}
			if ks != keysym.NoSymbol {
				all = append(all, ks)
			}
		}
		if len(all) > start {
			grp.levels[l].syms, grp.levels[l].hasSyms = all[start:len(all):len(all)], true
		}
	}
	return nil
}

func (c *compiler) setActs(f *parser.File, k *keyInfo, g int, list *parser.ActionList, info *symbolsInfo) error {
	if g >= maxGroups {
		return errorf(f, list.Pos, "too many groups for key <%s>", k.name)
	}
	grp := k.group(g)
	if grp.actsDefined {
		return nil
	}
	grp.actsDefined = true
	if len(grp.levels) < len(list.Actions) {
		n := make([]levelInfo, len(list.Actions))
		copy(n, grp.levels)
		grp.levels = n
	}
	for l, call := range list.Actions {
		a, err := c.evalAction(f, call, info.actions)
		if err != nil {
			c.warnings = append(c.warnings, err)
			continue
		}
		if a.Kind != keymap.ActNone {
			grp.levels[l].act, grp.levels[l].hasAct = a, true
		}
	}
	return nil
}

func (c *compiler) keyField(f *parser.File, k *keyInfo, field string, index, value parser.Expr, info *symbolsInfo, pos parser.Pos) error {
	switch lower(field) {
	case "type":
		n, err := evalString(f, value)
		if err != nil {
			return err
		}
		if index == nil {
			k.dfltType, k.hasDflt = n, true
			return nil
		}
		g, err := evalGroup(f, index)
		if err != nil {
			return err
		}
		grp := k.group(g)
		grp.typeName, grp.hasType = n, true
	case "symbols":
		list, ok := value.(*parser.KeysymList)
		if !ok {
			return errorf(f, value.Position(), "expected a keysym list")
		}
		g := 0
		if index != nil {
			var err error
			if g, err = evalGroup(f, index); err != nil {
				return err
			}
		} else {
			for g < len(k.groups) && k.groups[g].symsDefined {
				g++
			}
		}
		return c.setSyms(f, k, g, list)
	case "actions":
		list, ok := value.(*parser.ActionList)
		if !ok {
			if kl, ok2 := value.(*parser.KeysymList); ok2 && len(kl.Levels) == 0 {
				list = &parser.ActionList{Pos: kl.Pos}
			} else {
				return errorf(f, value.Position(), "expected an action list")
			}
		}
		g := 0
		if index != nil {
			var err error
			if g, err = evalGroup(f, index); err != nil {
				return err
			}
		} else {
			for g < len(k.groups) && k.groups[g].actsDefined {
				g++
			}
		}
		return c.setActs(f, k, g, list, info)
	case "vmods", "virtualmods", "virtualmodifiers":
		m, err := c.evalMods(f, value, false)
		if err != nil {
			return err
		}
		k.vmods, k.hasVMods = m&^keymap.RealModsMask, true
	case "repeat", "repeats", "repeating":
		if id, ok := value.(*parser.Ident); ok && strings.EqualFold(id.Name, "default") {
			k.hasRepeat = false
			return nil
		}
		v, err := evalBool(f, value)
		if err != nil {
			return err
		}
		k.repeat, k.hasRepeat = v, true
	case "groupswrap", "wrapgroups", "groupsclamp", "clampgroups":
		v, err := evalBool(f, value)
		if err != nil {
			return err
		}
		// groupsWrap = False means clamp, and groupsClamp = False means wrap.
		named, other := keymap.GroupsWrap, keymap.GroupsClamp
		if strings.Contains(lower(field), "clamp") {
			named, other = other, named
		}
		k.rule, k.hasRule = other, true
		if v {
			k.rule = named
		}
	case "groupsredirect", "redirectgroups":
		g, err := evalGroup(f, value)
		if err != nil {
			return err
		}
		k.rule, k.redirect, k.hasRule = keymap.GroupsRedirect, g, true
	case "locking", "lock", "locks", "permanentlock", "radiogroup", "permanentradiogroup",
		"allownone", "overlay", "overlay1", "overlay2", "permanentoverlay1", "permanentoverlay2":
		// accepted and ignored, as libxkbcommon does
	default:
		return errorf(f, pos, "unknown field %q in key <%s>", field, k.name)
	}
	return nil
}
