package parser

import (
	"fmt"
	"strings"
)

// MaxGroups is the number of groups (layouts) XKB allows; an include
// step's ":N" suffix must lie in 1..MaxGroups.
const MaxGroups = 4

// ParseIncludeSpec splits an include string such as
// "pc+us(intl):2+inet(evdev)|group(shifts_toggle)" into its steps. The
// first step gets merge (the mode of the include statement); later steps
// get MergeOverride after '+' and MergeAugment after '|'. Each step is
// `file`, `file(section)`, optionally followed by `:N` (1 <= N <=
// MaxGroups). On error the steps parsed so far are returned with it.
func ParseIncludeSpec(spec string, merge MergeMode) ([]IncludeStep, error) {
	var steps []IncludeStep
	s := spec
	for {
		step := IncludeStep{Merge: merge}
		i := strings.IndexAny(s, "()+|:")
		if i < 0 {
			i = len(s)
		}
		step.File, s = s[:i], s[i:]
		if step.File == "" {
			return steps, fmt.Errorf("include %q: missing file name", spec)
		}
		if strings.HasPrefix(s, "(") {
			j := strings.IndexByte(s, ')')
			if j < 0 {
				return steps, fmt.Errorf("include %q: missing ')'", spec)
			}
			step.Section, s = s[1:j], s[j+1:]
			if step.Section == "" || strings.ContainsAny(step.Section, "(+|:") {
				return steps, fmt.Errorf("include %q: bad section name %q", spec, step.Section)
			}
		}
		if strings.HasPrefix(s, ":") {
			s = s[1:]
			n := 0
			for n < len(s) && s[n] >= '0' && s[n] <= '9' {
				n++
			}
			g := 0
			for _, c := range s[:n] {
				g = g*10 + int(c-'0')
				if g > MaxGroups {
					break
				}
			}
			if n == 0 || g < 1 || g > MaxGroups {
				return steps, fmt.Errorf("include %q: group index must be 1..%d", spec, MaxGroups)
			}
			step.Group, s = g, s[n:]
		}
		steps = append(steps, step)
		if s == "" {
			return steps, nil
		}
		switch s[0] {
		case '+':
			merge = MergeOverride
		case '|':
			merge = MergeAugment
		default:
			return steps, fmt.Errorf("include %q: unexpected %q", spec, s[0])
		}
		s = s[1:]
	}
}
