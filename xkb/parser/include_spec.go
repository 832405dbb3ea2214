package parser

import (
	"errors"
	"fmt"
	"strings"
)

// MaxGroups is the number of groups (layouts) XKB allows; an include
// step's ":N" suffix selects one of 1..MaxGroups.
const MaxGroups = 4

// ErrIllegalInclude is the error of an include string whose form is
// wrong (a section without a file, a ")" that is missing or not last). An
// include statement with such a string inside a file is ignored with a
// warning, as libxkbcommon does; a rules component with one is an error.
var ErrIllegalInclude = errors.New("illegal include statement")

// ParseIncludeSpec splits an include string such as
// "pc+us(intl):2+inet(evdev)|group(shifts_toggle)" into its steps, the way
// libxkbcommon reads it: the string is cut at every '+' and '|'; each part
// is `file`, `file(section)`, optionally followed by `:N`. The first step
// gets merge (the mode of the include statement); a step after '+' gets
// MergeOverride, after '|' MergeAugment. A part with no file name (as the
// rules make of an empty layout: "us+:2+ca:3") is skipped, and its '+' or
// '|' with it. The ":N" suffix is read as C's atoi reads it (leading
// blanks, a sign, digits, anything after them ignored); a value outside
// 1..MaxGroups is kept in BadGroup and the step has no group (the symbols
// compiler warns about it). Errors wrap ErrIllegalInclude for a wrong form;
// an empty section name "()" is an error of its own. On error the steps
// parsed so far are returned with it.
func ParseIncludeSpec(spec string, merge MergeMode) ([]IncludeStep, error) {
	var steps []IncludeStep
	for s := spec; s != ""; {
		part, op := s, byte(0)
		if i := strings.IndexAny(s, "+|"); i >= 0 {
			part, op, s = s[:i], s[i], s[i+1:]
		} else {
			s = ""
		}
		step := IncludeStep{Merge: merge}
		if i := strings.IndexByte(part, ':'); i >= 0 {
			part, step.BadGroup = part[:i], part[i+1:]
			if g := cAtoi(step.BadGroup); g >= 1 && g <= MaxGroups {
				step.Group, step.BadGroup = int(g), ""
			} else if step.BadGroup == "" {
				step.BadGroup = ":" // an empty index: still worth a warning
			}
		}
		step.File = part
		if i := strings.IndexByte(part, '('); i >= 0 {
			if i == 0 {
				return steps, fmt.Errorf("include %q: %w: a section without a file", spec, ErrIllegalInclude)
			}
			sec := part[i+1:]
			j := strings.IndexByte(sec, ')')
			if j < 0 || j != len(sec)-1 {
				return steps, fmt.Errorf("include %q: %w: %q does not end its section with ')'", spec, ErrIllegalInclude, part)
			}
			step.File, step.Section = part[:i], sec[:j]
			if step.Section == "" {
				return steps, fmt.Errorf("include %q: empty section name in %q", spec, part)
			}
		}
		if step.File == "" {
			continue // the merge mode stays that of the last step kept
		}
		steps = append(steps, step)
		if op == '|' {
			merge = MergeAugment
		} else {
			merge = MergeOverride
		}
	}
	return steps, nil
}

// SkippedIncludeParts returns the parts of an include string that name no
// file and that ParseIncludeSpec skips: ":2" in "pc+us+:2+ca:3" and the
// empty part in "pc++us:2", what the rules write for empty layouts.
func SkippedIncludeParts(spec string) []string {
	var skipped []string
	for s := spec; s != ""; {
		part := s
		if i := strings.IndexAny(s, "+|"); i >= 0 {
			part, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if file, _, _ := strings.Cut(part, ":"); file == "" {
			skipped = append(skipped, part)
		}
	}
	return skipped
}

// cAtoi reads s as C's atoi does on a system with 64-bit long: leading
// white space, an optional sign, decimal digits up to the first other
// byte; the value saturates at the long range and is then truncated to
// 32 bits.
func cAtoi(s string) int32 {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg, i = s[i] == '-', i+1
	}
	const limit = 1<<63 - 1
	var v uint64
	over := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if v > (limit-d)/10 {
			over = true
			continue
		}
		v = v*10 + d
	}
	var l int64
	switch {
	case over && neg:
		l = -limit - 1
	case over:
		l = limit
	case neg:
		l = -int64(v)
	default:
		l = int64(v)
	}
	return int32(l)
}
