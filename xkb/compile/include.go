package compile

import "gocomp/xkb/parser"

// Include statements are resolved by parser.Loader (files, sections,
// loops); what is left here is how the sections they bring in merge.

// includeSteps compiles the sections of an include statement's steps,
// each on its own with MergeOverride as its default mode, and merges them
// left to right into a fresh info: the first step, and any step without a
// mode of its own, overrides; '|' steps augment. The caller merges the
// result into the including section with the statement's mode.
func includeSteps[T any](steps []parser.Step, newInfo func() *T,
	handle func(*parser.Resolved, parser.MergeMode) (*T, error),
	merge func(into, from *T, mode parser.MergeMode, group int)) (*T, error) {
	included := newInfo()
	for i, step := range steps {
		next, err := handle(step.Section, parser.MergeOverride)
		if err != nil {
			return nil, err
		}
		mode := step.Merge
		if i == 0 || mode == parser.MergeDefault {
			mode = parser.MergeOverride
		}
		merge(included, next, mode, step.Group)
	}
	return included, nil
}

// stmtMerge returns the merge mode a statement applies: its own prefix,
// else the mode of the section it is in.
func stmtMerge(m, section parser.MergeMode) parser.MergeMode {
	if m == parser.MergeDefault {
		return section
	}
	return m
}

// clobber reports whether a definition in mode m replaces an existing one.
func clobber(m parser.MergeMode) bool { return m != parser.MergeAugment }
