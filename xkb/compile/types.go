package compile

import (
	"strings"

	"gocomp/xkb/keymap"
	"gocomp/xkb/parser"
)

func lower(s string) string { return strings.ToLower(s) }

// typeInfo is one key type being compiled.
type typeInfo struct {
	name       string
	mods       keymap.ModMask
	entries    []entryInfo
	levelNames map[int]string
}

type entryInfo struct {
	mods, preserve keymap.ModMask
	level          int
}

// typesInfo is what the xkb_types sections define.
type typesInfo struct {
	name  string
	types []*typeInfo
	index map[string]int
}

func newTypesInfo() *typesInfo { return &typesInfo{index: map[string]int{}} }

func (t *typesInfo) add(ti *typeInfo, mode parser.MergeMode) {
	if i, ok := t.index[ti.name]; ok {
		if clobber(mode) {
			t.types[i] = ti
		}
		return
	}
	t.index[ti.name] = len(t.types)
	t.types = append(t.types, ti)
}

func (t *typesInfo) merge(from *typesInfo, mode parser.MergeMode) {
	if len(t.types) == 0 {
		t.types, t.index = from.types, from.index
		return
	}
	for _, ti := range from.types {
		t.add(ti, mode)
	}
}

func (c *compiler) typesSection(r *parser.Resolved, merge parser.MergeMode) (*typesInfo, error) {
	c.includeWarnings(r)
	sec := r.Section
	info := newTypesInfo()
	info.name = sec.Name
	f := sec.File
	for st, steps := range r.Items() {
		mode := stmtMerge(st.MergeMode(), merge)
		switch s := st.(type) {
		case *parser.Include:
			inc, err := includeSteps(steps, newTypesInfo, c.typesSection,
				func(into, from *typesInfo, m parser.MergeMode, _ int) { into.merge(from, m) })
			if err != nil {
				return nil, err
			}
			info.merge(inc, mode)
		case *parser.VModDef:
			if err := c.vmodDef(f, s); err != nil {
				return nil, err
			}
		case *parser.KeyTypeDef:
			ti, err := c.keyType(f, s)
			if err != nil {
				return nil, err
			}
			info.add(ti, mode)
		case *parser.VarDef:
			// Defaults such as type.modifiers are accepted and ignored,
			// as libxkbcommon does.
		default:
			return nil, errorf(f, st.Position(), "statement not allowed in xkb_types")
		}
	}
	return info, nil
}

func (c *compiler) vmodDef(f *parser.File, s *parser.VModDef) error {
	for _, vm := range s.Mods {
		if realModIndex(vm.Name) >= 0 {
			return errorf(f, vm.Pos, "cannot declare real modifier %q as virtual", vm.Name)
		}
		i, ok := c.declareVMod(vm.Name)
		if !ok {
			return errorf(f, vm.Pos, "too many modifiers declaring %q", vm.Name)
		}
		if vm.Value != nil {
			m, err := c.evalMods(f, vm.Value, true)
			if err != nil {
				return err
			}
			c.sectionDeclared[i] = m
		} else if _, ok := c.sectionDeclared[i]; !ok {
			c.sectionDeclared[i] = 0
		}
	}
	return nil
}

func (c *compiler) keyType(f *parser.File, def *parser.KeyTypeDef) (*typeInfo, error) {
	ti := &typeInfo{name: def.Name, levelNames: map[int]string{}}
	find := func(m keymap.ModMask) *entryInfo {
		for i := range ti.entries {
			if ti.entries[i].mods == m {
				return &ti.entries[i]
			}
		}
		return nil
	}
	for _, vd := range def.Body {
		elem, field, index, ok := fieldName(vd.Name)
		if !ok || (elem != "" && !strings.EqualFold(elem, "type")) {
			return nil, errorf(f, vd.Pos, "bad field in type %q", def.Name)
		}
		switch lower(field) {
		case "modifiers":
			m, err := c.evalMods(f, vd.Value, false)
			if err != nil {
				return nil, err
			}
			ti.mods = m
		case "map":
			if index == nil {
				return nil, errorf(f, vd.Pos, "map entry without modifiers in type %q", def.Name)
			}
			m, err := c.evalMods(f, index, false)
			if err != nil {
				return nil, err
			}
			// Modifiers outside the type's are dropped at once: the
			// trimmed entry replaces one with the same modifiers.
			m &= ti.mods
			lvl, err := evalLevel(f, vd.Value)
			if err != nil {
				return nil, err
			}
			if e := find(m); e != nil {
				e.level = lvl
			} else {
				ti.entries = append(ti.entries, entryInfo{mods: m, level: lvl})
			}
		case "preserve":
			if index == nil {
				return nil, errorf(f, vd.Pos, "preserve entry without modifiers in type %q", def.Name)
			}
			m, err := c.evalMods(f, index, false)
			if err != nil {
				return nil, err
			}
			p, err := c.evalMods(f, vd.Value, false)
			if err != nil {
				return nil, err
			}
			m &= ti.mods
			if e := find(m); e != nil {
				e.preserve = p
			} else {
				ti.entries = append(ti.entries, entryInfo{mods: m, preserve: p})
			}
		case "level_name", "levelname":
			if index == nil {
				return nil, errorf(f, vd.Pos, "level name without level in type %q", def.Name)
			}
			lvl, err := evalLevel(f, index)
			if err != nil {
				return nil, err
			}
			n, err := evalString(f, vd.Value)
			if err != nil {
				return nil, err
			}
			ti.levelNames[lvl] = n
		default:
			return nil, errorf(f, vd.Pos, "unknown field %q in type %q", field, def.Name)
		}
	}
	// Entries may only use the type's modifiers; preserve only the
	// entry's.
	// Entries trimmed to the same modifiers: the first one is the one
	// that matches, drop the others.
	kept := ti.entries[:0]
	for _, e := range ti.entries {
		e.mods &= ti.mods
		e.preserve &= e.mods
		dup := false
		for _, k := range kept {
			if k.mods == e.mods {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, e)
		}
	}
	ti.entries = kept
	return ti, nil
}

// build turns a typeInfo into a keymap type (masks resolved later).
func (ti *typeInfo) build() *keymap.KeyType {
	t := &keymap.KeyType{Name: ti.name, Mods: keymap.Mods{Mods: ti.mods}}
	n := 1
	for _, e := range ti.entries {
		if e.level+1 > n {
			n = e.level + 1
		}
		t.Entries = append(t.Entries, keymap.TypeEntry{Mods: keymap.Mods{Mods: e.mods}, Level: e.level,
			Preserve: keymap.Mods{Mods: e.preserve}})
	}
	for l := range ti.levelNames {
		if l+1 > n {
			n = l + 1
		}
	}
	t.NumLevels = n
	if len(ti.levelNames) > 0 {
		t.LevelNames = make([]string, n)
		for l, name := range ti.levelNames {
			t.LevelNames[l] = name
		}
	}
	return t
}
