package rules

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"gocomp/xkb/internal/xkbfile"
)

// input is Names split into the lists rules match against.
type input struct {
	model    string
	layouts  []string
	variants []string
	options  []string
}

// splitList splits a comma-separated list, trimming blanks around items;
// the empty string is the empty list.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	items := strings.Split(s, ",")
	for i, it := range items {
		items[i] = strings.Trim(it, " \t")
	}
	return items
}

func newInput(n Names) input {
	in := input{
		model:    n.Model,
		layouts:  splitList(n.Layout),
		variants: splitList(n.Variant),
	}
	if len(in.layouts) > maxLayouts {
		in.layouts = in.layouts[:maxLayouts]
	}
	if len(in.variants) > maxLayouts {
		in.variants = in.variants[:maxLayouts]
	}
	for _, o := range splitList(n.Options) {
		if o != "" {
			in.options = append(in.options, o)
		}
	}
	return in
}

// single returns the only item of list, or "" when it has none or several:
// what an unindexed %l or %v (and an unindexed column) stands for.
func single(list []string) string {
	if len(list) == 1 {
		return list[0]
	}
	return ""
}

// item returns list[n-1], or "" when list is shorter.
func item(list []string, n int) string {
	if n >= 1 && n <= len(list) {
		return list[n-1]
	}
	return ""
}

// applies reports whether a rule set takes part for this input: sets with
// unindexed layout/variant columns only for a single layout, sets with
// layout[n]/variant[n] columns only for several layouts, at least n.
func (s *ruleSet) applies(in input) bool {
	switch {
	case s.layout:
		return len(in.layouts) <= 1
	case s.index != 0:
		return len(in.layouts) > 1 && s.index <= len(in.layouts)
	}
	return true
}

// matchValue matches one pattern: "*" matches anything (even nothing),
// "$group" any member of the group, anything else itself.
func (f *File) matchValue(pattern, value string) bool {
	switch {
	case pattern == "*":
		return true
	case strings.HasPrefix(pattern, "$"):
		for _, v := range f.groups[pattern] {
			if v == value {
				return true
			}
		}
		return false
	}
	return pattern == value
}

// matches reports whether every column of r matches the input.
func (f *File) matches(s *ruleSet, r *rule, in input) bool {
	end := 0
	for _, c := range s.columns {
		var p string
		p, end = nextWord(r.patterns, end)
		var ok bool
		switch c.kind {
		case colModel:
			ok = f.matchValue(p, in.model)
		case colLayout:
			v := single(in.layouts)
			if c.index != 0 {
				v = item(in.layouts, c.index)
			}
			ok = f.matchValue(p, v)
		case colVariant:
			v := single(in.variants)
			if c.index != 0 {
				v = item(in.variants, c.index)
			}
			ok = f.matchValue(p, v)
		case colOption:
			for _, o := range in.options {
				if f.matchValue(p, o) {
					ok = true
					break
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// expand replaces the %-expansions of a rule value: %m, %l, %v (with an
// optional [n] index), each optionally written %+x, %|x, %_x, %-x (the
// character goes before a non-empty value) or %(x) (parentheses around a
// non-empty value); %i is the set's layout index; %% is a percent sign.
func expand(value string, s *ruleSet, in input) (string, error) {
	if !strings.Contains(value, "%") {
		return value, nil
	}
	var b strings.Builder
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(value) {
			return "", fmt.Errorf("%q ends in %%", value)
		}
		switch value[i] {
		case '%':
			b.WriteByte('%')
			continue
		case 'i':
			idx := s.index
			if idx == 0 {
				idx = 1
			}
			b.WriteString(strconv.Itoa(idx))
			continue
		}
		var prefix byte
		paren := false
		switch value[i] {
		case '+', '|', '_', '-':
			prefix = value[i]
			i++
		case '(':
			paren = true
			i++
		}
		if i >= len(value) {
			return "", fmt.Errorf("%q: incomplete expansion", value)
		}
		kind := value[i]
		idx := 0
		if i+1 < len(value) && value[i+1] == '[' {
			end := strings.IndexByte(value[i+1:], ']')
			if end < 0 {
				return "", fmt.Errorf("%q: unterminated index", value)
			}
			n, err := strconv.Atoi(value[i+2 : i+1+end])
			if err != nil || n < 1 || n > maxLayouts {
				return "", fmt.Errorf("%q: bad index", value)
			}
			idx = n
			i += 1 + end
		}
		if paren {
			if i+1 >= len(value) || value[i+1] != ')' {
				return "", fmt.Errorf("%q: missing ) after %%(", value)
			}
			i++
		}
		var v string
		switch kind {
		case 'm':
			v = in.model
		case 'l':
			v = single(in.layouts)
			if idx != 0 {
				v = item(in.layouts, idx)
			}
		case 'v':
			v = single(in.variants)
			if idx != 0 {
				v = item(in.variants, idx)
			}
		default:
			return "", fmt.Errorf("%q: unknown expansion %%%c", value, kind)
		}
		if v == "" {
			continue
		}
		switch {
		case paren:
			b.WriteByte('(')
			b.WriteString(v)
			b.WriteByte(')')
		case prefix != 0:
			b.WriteByte(prefix)
			b.WriteString(v)
		default:
			b.WriteString(v)
		}
	}
	return b.String(), nil
}

// merge adds a rule value to a component: a value starting with '+' or '|'
// is appended; any other value is taken when the component is empty,
// placed in front when the component so far starts with '+' or '|', and
// otherwise dropped.
func merge(to, v string) string {
	switch {
	case v == "":
		return to
	case to == "":
		return v
	case v[0] == '+' || v[0] == '|':
		return to + v
	case to[0] == '+' || to[0] == '|':
		return v + to
	}
	return to
}

// Apply matches names against the rule sets in file order and returns the
// components they produce. In each set, the first matching rule counts,
// except in sets with an option column, where every matching rule counts.
// It fails when keycodes, types, compat or symbols stay empty.
func (f *File) Apply(n Names) (Components, error) {
	in := newInput(n)
	var out [numComponents]string
	for _, s := range f.sets {
		if !s.applies(in) {
			continue
		}
		for i := range s.rules {
			r := &s.rules[i]
			if !f.matches(s, r, in) {
				continue
			}
			v, err := expand(r.value, s, in)
			if err != nil {
				return Components{}, fmt.Errorf("rules: %s:%d: %w", s.file, r.line, err)
			}
			out[s.target] = merge(out[s.target], v)
			if !s.options {
				break
			}
		}
	}
	c := Components{
		Keycodes: out[compKeycodes], Types: out[compTypes], Compat: out[compCompat],
		Symbols: out[compSymbols], Geometry: out[compGeometry],
	}
	for comp, v := range out[:compGeometry] {
		if v == "" {
			return c, fmt.Errorf("rules: %s %s %q %q %q: no %s component", n.Rules, n.Model, n.Layout, n.Variant, n.Options, componentNames[comp])
		}
	}
	return c, nil
}

// Find returns the path of the rules file called name in the first of dirs
// (XKB roots, see includepath.Dirs) whose rules/ directory holds it.
func Find(dirs []string, name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/") {
		return "", fmt.Errorf("rules: bad rules name %q", name)
	}
	for _, d := range dirs {
		p := filepath.Join(d, "rules", name)
		if fi, err := xkbfile.Stat(p); err == nil && !fi.Dir {
			return p, nil
		}
	}
	return "", fmt.Errorf("rules: no rules file %q in %s", name, strings.Join(dirs, ", "))
}

// Resolve finds the rules file names.Rules in dirs, reads it and applies
// names to it. Include statements expand %H, %S and %E from env (see
// EnvFrom). Empty fields of names are not defaulted: callers apply
// defaults first.
func Resolve(dirs []string, names Names, env Env) (Components, error) {
	path, err := Find(dirs, names.Rules)
	if err != nil {
		return Components{}, err
	}
	f, err := Load(path, env)
	if err != nil {
		return Components{}, err
	}
	return f.Apply(names)
}

// EnvFrom returns the include expansions for an environment: %H from
// $HOME, %S from $XKB_CONFIG_ROOT (default /usr/share/X11/xkb) and %E from
// $XKB_CONFIG_EXTRA_PATH (default /etc/xkb).
func EnvFrom(getenv func(string) string) Env {
	e := Env{Home: getenv("HOME"), SystemRoot: getenv("XKB_CONFIG_ROOT"), ExtraPath: getenv("XKB_CONFIG_EXTRA_PATH")}
	if e.SystemRoot == "" {
		e.SystemRoot = "/usr/share/X11/xkb"
	}
	if e.ExtraPath == "" {
		e.ExtraPath = "/etc/xkb"
	}
	return e
}
