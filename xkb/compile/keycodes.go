package compile

import (
	"slices"

	"gocomp/xkb/parser"
)

// maxKeycode bounds keycodes: keys live in a dense table up to the
// highest keycode, so a hostile keymap must not name keycode 4e9. Linux
// keycodes end below 0x300 (+8); X11 ones at 255.
const maxKeycode = 0xffff

// keycodesInfo is what the xkb_keycodes sections define.
type keycodesInfo struct {
	name       string
	min, max   int64 // -1 when not given
	codeOf     map[string]int64
	nameOf     map[int64]string
	aliases    []aliasInfo
	aliasIndex map[string]int
	leds       map[int]string // 0-based index -> name
}

type aliasInfo struct{ alias, real string }

func newKeycodesInfo() *keycodesInfo {
	return &keycodesInfo{min: -1, max: -1, codeOf: map[string]int64{}, nameOf: map[int64]string{},
		aliasIndex: map[string]int{}, leds: map[int]string{}}
}

func (k *keycodesInfo) addKey(name string, code int64, mode parser.MergeMode) {
	if old, ok := k.codeOf[name]; ok {
		if old == code {
			return
		}
		if !clobber(mode) {
			return
		}
		delete(k.nameOf, old)
	}
	if old, ok := k.nameOf[code]; ok {
		if !clobber(mode) {
			return
		}
		delete(k.codeOf, old)
	}
	k.codeOf[name] = code
	k.nameOf[code] = name
}

func (k *keycodesInfo) addAlias(alias, real string, mode parser.MergeMode) {
	if i, ok := k.aliasIndex[alias]; ok {
		if clobber(mode) {
			k.aliases[i].real = real
		}
		return
	}
	k.aliasIndex[alias] = len(k.aliases)
	k.aliases = append(k.aliases, aliasInfo{alias, real})
}

func (k *keycodesInfo) addLED(idx int, name string, mode parser.MergeMode) {
	for i, n := range k.leds {
		if n == name && i != idx {
			if !clobber(mode) {
				return
			}
			delete(k.leds, i)
		}
	}
	if old, ok := k.leds[idx]; ok && old != name && !clobber(mode) {
		return
	}
	k.leds[idx] = name
}

// merge adds what from defines into k.
func (k *keycodesInfo) merge(from *keycodesInfo, mode parser.MergeMode) {
	if len(k.codeOf) == 0 && len(k.aliases) == 0 && len(k.leds) == 0 && k.min < 0 && k.max < 0 {
		// Nothing to merge with (the usual case for an include step):
		// take from's tables, which nobody uses afterwards.
		k.min, k.max, k.codeOf, k.nameOf = from.min, from.max, from.codeOf, from.nameOf
		k.aliases, k.aliasIndex, k.leds = from.aliases, from.aliasIndex, from.leds
		return
	}
	codes := make([]int64, 0, len(from.nameOf))
	for c := range from.nameOf {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		k.addKey(from.nameOf[c], c, mode)
	}
	for _, a := range from.aliases {
		k.addAlias(a.alias, a.real, mode)
	}
	idx := make([]int, 0, len(from.leds))
	for i := range from.leds {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	for _, i := range idx {
		k.addLED(i, from.leds[i], mode)
	}
	if from.min >= 0 && (k.min < 0 || clobber(mode)) {
		k.min = from.min
	}
	if from.max >= 0 && (k.max < 0 || clobber(mode)) {
		k.max = from.max
	}
}

func (c *compiler) keycodesSection(r *parser.Resolved, merge parser.MergeMode) (*keycodesInfo, error) {
	c.includeWarnings(r)
	sec := r.Section
	info := newKeycodesInfo()
	if len(sec.Stmts) > 64 {
		info.codeOf = make(map[string]int64, len(sec.Stmts))
		info.nameOf = make(map[int64]string, len(sec.Stmts))
	}
	info.name = sec.Name
	f := sec.File
	for st, steps := range r.Items() {
		mode := stmtMerge(st.MergeMode(), merge)
		switch s := st.(type) {
		case *parser.Include:
			inc, err := includeSteps(steps, newKeycodesInfo, c.keycodesSection,
				func(into, from *keycodesInfo, m parser.MergeMode, _ int) { into.merge(from, m) })
			if err != nil {
				return nil, err
			}
			info.merge(inc, mode)
		case *parser.KeycodeDef:
			if s.Code < 0 || s.Code > maxKeycode {
				return nil, errorf(f, s.Pos, "keycode %d of <%s> out of range 0..%d", s.Code, s.Name, maxKeycode)
			}
			info.addKey(s.Name, s.Code, mode)
		case *parser.AliasDef:
			info.addAlias(s.Alias, s.Real, mode)
		case *parser.LEDNameDef:
			if s.Index < 1 || s.Index > 32 {
				return nil, errorf(f, s.Pos, "indicator index %d out of range 1..32", s.Index)
			}
			name, err := evalString(f, s.Name)
			if err != nil {
				return nil, err
			}
			info.addLED(int(s.Index-1), name, mode)
		case *parser.VarDef:
			_, field, _, _ := fieldName(s.Name)
			v, err := evalInt(f, s.Value)
			if err != nil {
				return nil, err
			}
			switch lower(field) {
			case "minimum":
				info.min = v
			case "maximum":
				info.max = v
			default:
				return nil, errorf(f, s.Pos, "unknown field %q in xkb_keycodes", field)
			}
			if v < 0 || v > maxKeycode {
				return nil, errorf(f, s.Pos, "%s %d out of range", field, v)
			}
		default:
			return nil, errorf(f, st.Position(), "statement not allowed in xkb_keycodes")
		}
	}
	return info, nil
}
