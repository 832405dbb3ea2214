package state

import "gocomp/xkb/keymap"

// A filter is the running action of a key that is (or was until its latch
// resolves) held down. Every key event passes through the active filters
// in slot order before the pressed key's own action starts a new one; a
// filter may swallow the event, in which case the key's action does not
// run. Each action kind is one small method below.
type filter struct {
	kind filterKind
	key  *keymap.Key
	act  keymap.Action
	// presses counts presses of key not yet released (a key can be
	// pressed again without a release in between).
	presses int32
	// saved is per kind: the base group before a SetGroup, the modifiers
	// a LockMods found locked (and so unlocks on release), the latch
	// stage of a latch.
	saved int32
	// otherKey records that another key went down while a deferred
	// LockGroup was held (GroupSwitchRelease).
	otherKey bool
}

type filterKind uint8

const (
	filterFree filterKind = iota
	filterSetMods
	filterLatchMods
	filterLockMods
	filterSetGroup
	filterLockGroup
	// filterInert swallows its key's release and does nothing else: a
	// Caps Lock press that unlocked under CapsLockPress.
	filterInert
	// filterLockGroupDeferred is a LockGroup under GroupSwitchRelease.
	filterLockGroupDeferred
)

// Latch stages, kept in filter.saved.
const (
	latchCancelled = iota // another key went down while the latch key was held
	latchKeyDown          // the latch key is held
	latchPending          // released: the latch is set until the next key
)

// verdicts of a filter on an event.
const (
	pass    = true  // let the event through
	swallow = false // the pressed key's own action does not run
)

// applyFilters runs the event through the active filters and, for a press
// nobody swallowed, starts the filter of the key's action.
func (s *State) applyFilters(key *keymap.Key, dir Direction) {
	through := true
	for i := range s.filters {
		f := &s.filters[i]
		if f.kind == filterFree {
			continue
		}
		if !s.runFilter(f, key, dir) {
			through = false
		}
	}
	if !through || dir == Up {
		return
	}
	act := s.keyAction(key)
	if act == nil {
		return
	}
	var kind filterKind
	switch act.Kind {
	case keymap.ActSetMods:
		kind = filterSetMods
	case keymap.ActLatchMods:
		kind = filterLatchMods
	case keymap.ActLockMods:
		kind = filterLockMods
	case keymap.ActSetGroup:
		kind = filterSetGroup
	case keymap.ActLatchGroup:
		// libxkbcommon 1.5 keeps LatchGroup actions but they change
		// nothing; so here.
		return
	case keymap.ActLockGroup:
		kind = filterLockGroup
	default:
		return
	}
	f := s.newFilter()
	*f = filter{kind: kind, key: key, act: *act, presses: 1}
	s.active++
	switch kind {
	case filterSetMods:
		s.setMods |= act.Mods.Mask
	case filterLatchMods:
		f.saved = latchKeyDown
		s.setMods |= act.Mods.Mask
	case filterLockMods:
		s.lockModsPress(f)
	case filterSetGroup:
		f.saved = s.c.baseGroup
		s.c.baseGroup = shiftGroup(s.c.baseGroup, act)
	case filterLockGroup:
		if s.opts.GroupSwitch == GroupSwitchRelease {
			f.kind = filterLockGroupDeferred
			return
		}
		s.c.lockedGroup = shiftGroup(s.c.lockedGroup, act)
	}
}

// startsFilter reports whether pressing a key with act starts a filter.
func startsFilter(act *keymap.Action) bool {
	if act == nil {
		return false
	}
	switch act.Kind {
	case keymap.ActSetMods, keymap.ActLatchMods, keymap.ActLockMods, keymap.ActSetGroup, keymap.ActLockGroup:
		return true
	}
	return false
}

// free releases f's slot.
func (s *State) free(f *filter) {
	f.kind = filterFree
	s.active--
}

// newFilter returns the first free filter slot, growing the slice when
// every slot is busy.
func (s *State) newFilter() *filter {
	for i := range s.filters {
		if s.filters[i].kind == filterFree {
			return &s.filters[i]
		}
	}
	s.filters = append(s.filters, filter{})
	return &s.filters[len(s.filters)-1]
}

// shiftGroup applies a group action's value to g: absolute or relative.
func shiftGroup(g int32, act *keymap.Action) int32 {
	if act.Flags&keymap.ActGroupAbsolute != 0 {
		return act.Group
	}
	return g + act.Group
}

// keyAction returns the action of key in the current state, nil when the
// key has no group.
func (s *State) keyAction(key *keymap.Key) *keymap.Action {
	g := key.EffectiveGroup(s.c.group)
	if g < 0 {
		return nil
	}
	grp := &key.Groups[g]
	lvl := grp.Type.LevelFor(s.c.mods)
	if lvl >= len(grp.Levels) {
		return nil
	}
	return &grp.Levels[lvl].Action
}

// breaksLatch reports whether pressing a key with act ends a pending
// latch: keys that do nothing to the modifiers or groups (plain symbol
// keys among them) do; modifier and group keys do not.
func breaksLatch(act *keymap.Action) bool {
	if act == nil {
		return true
	}
	switch act.Kind {
	case keymap.ActNone, keymap.ActPtrButton, keymap.ActLockPtrButton, keymap.ActSetControls,
		keymap.ActLockControls, keymap.ActSwitchScreen, keymap.ActTerminate:
		return true
	}
	return false
}

// runFilter passes one event to f and reports whether the event goes on
// to start the pressed key's own action.
func (s *State) runFilter(f *filter, key *keymap.Key, dir Direction) bool {
	switch f.kind {
	case filterSetMods:
		return s.setModsFilter(f, key, dir)
	case filterLatchMods:
		return s.latchModsFilter(f, key, dir)
	case filterLockMods:
		return s.lockModsFilter(f, key, dir)
	case filterSetGroup:
		return s.setGroupFilter(f, key, dir)
	case filterLockGroup, filterInert:
		return s.inertFilter(f, key, dir)
	case filterLockGroupDeferred:
		return s.lockGroupDeferredFilter(f, key, dir)
	}
	return pass
}

// ownEvent handles a press or release of the filter's own key: it counts
// presses and reports whether this event is the final release.
func ownEvent(f *filter, dir Direction) (released bool) {
	if dir == Down {
		f.presses++
		return false
	}
	f.presses--
	return f.presses <= 0
}

// setModsFilter: the modifiers stay depressed while the key is held; on
// release with clearLocks and no other key pressed meanwhile, they are
// also unlocked.
func (s *State) setModsFilter(f *filter, key *keymap.Key, dir Direction) bool {
	if key != f.key {
		f.act.Flags &^= keymap.ActClearLocks
		return pass
	}
	if !ownEvent(f, dir) {
		return swallow
	}
	s.clearMods |= f.act.Mods.Mask
	if f.act.Flags&keymap.ActClearLocks != 0 {
		s.c.lockedMods &^= f.act.Mods.Mask
	}
	s.free(f)
	return swallow
}

// lockModsPress starts a LockMods: depress the modifiers and lock them,
// remembering which were locked already (those unlock on release). Under
// CapsLockPress an action on Lock that finds its modifiers locked unlocks
// them at once and does nothing more.
func (s *State) lockModsPress(f *filter) {
	mask := f.act.Mods.Mask
	if s.opts.CapsLock == CapsLockPress && mask&(1<<keymap.ModLock) != 0 &&
		s.c.lockedMods&mask != 0 && f.act.Flags&keymap.ActLockNoUnlock == 0 {
		s.c.lockedMods &^= mask
		f.kind = filterInert
		return
	}
	f.saved = int32(s.c.lockedMods & mask)
	s.setMods |= mask
	if f.act.Flags&keymap.ActLockNoLock == 0 {
		s.c.lockedMods |= mask
	}
}

// lockModsFilter: on release the modifiers leave the base mask and those
// that were locked before the press unlock (unless affect=lock/neither).
func (s *State) lockModsFilter(f *filter, key *keymap.Key, dir Direction) bool {
	if key != f.key {
		return pass
	}
	if !ownEvent(f, dir) {
		return swallow
	}
	s.clearMods |= f.act.Mods.Mask
	if f.act.Flags&keymap.ActLockNoUnlock == 0 {
		s.c.lockedMods &^= keymap.ModMask(uint32(f.saved))
	}
	s.free(f)
	return swallow
}

// inertFilter swallows its key's presses and release and does nothing
// else. It serves the actions whose work is all done on the press: a
// LockGroup (the press locked the group) and a Caps Lock press that
// unlocked under CapsLockPress.
func (s *State) inertFilter(f *filter, key *keymap.Key, dir Direction) bool {
	if key != f.key {
		return pass
	}
	if ownEvent(f, dir) {
		s.free(f)
	}
	return swallow
}

// latchModsFilter: while held the modifiers are depressed; released with
// no other key pressed meanwhile they become latched until the next key
// press that is not a modifier or group key. Pressing the same latch
// again while it is pending locks the modifiers (latchToLock) or holds
// them depressed.
func (s *State) latchModsFilter(f *filter, key *keymap.Key, dir Direction) bool {
	mask := f.act.Mods.Mask
	switch {
	case dir == Down && f.saved == latchPending:
		act := s.keyAction(key)
		if act != nil && act.Kind == keymap.ActLatchMods && act.Flags == f.act.Flags && act.Mods.Mask == mask {
			// The same latch again: promote it.
			f.act = *act
			f.key = key
			if f.act.Flags&keymap.ActLatchToLock != 0 {
				f.act.Kind = keymap.ActLockMods
				f.kind = filterLockMods
				s.c.lockedMods |= mask
				// The lock releases what its saved mask holds: the latch
				// stage value, as in libxkbcommon 1.5.
			} else {
				f.act.Kind = keymap.ActSetMods
				f.kind = filterSetMods
				s.setMods |= mask
			}
			s.c.latchedMods &^= mask
			return swallow
		}
		if breaksLatch(act) {
			s.c.latchedMods &^= mask
			s.free(f)
			return pass
		}
	case dir == Up && key == f.key:
		if f.saved == latchCancelled ||
			(f.act.Flags&keymap.ActClearLocks != 0 && s.c.lockedMods&mask == mask) {
			if f.saved == latchPending {
				s.c.latchedMods &^= mask
			} else {
				s.clearMods |= mask
			}
			s.c.lockedMods &^= mask
			s.free(f)
		} else {
			f.saved = latchPending
			s.clearMods |= mask
			s.c.latchedMods |= mask
		}
	case dir == Down && f.saved == latchKeyDown:
		f.saved = latchCancelled
	}
	return pass
}

// setGroupFilter: the group stays shifted while the key is held; on
// release the base group returns to what it was before the press.
func (s *State) setGroupFilter(f *filter, key *keymap.Key, dir Direction) bool {
	if key != f.key {
		f.act.Flags &^= keymap.ActClearLocks
		return pass
	}
	if !ownEvent(f, dir) {
		return swallow
	}
	s.c.baseGroup = f.saved
	if f.act.Flags&keymap.ActClearLocks != 0 {
		s.c.lockedGroup = 0
	}
	s.free(f)
	return swallow
}

// lockGroupDeferredFilter locks the group on the release of its key unless
// another key went down meanwhile (GroupSwitchRelease).
func (s *State) lockGroupDeferredFilter(f *filter, key *keymap.Key, dir Direction) bool {
	if key != f.key {
		if dir == Down {
			f.otherKey = true
		}
		return pass
	}
	if !ownEvent(f, dir) {
		return swallow
	}
	if !f.otherKey {
		s.c.lockedGroup = shiftGroup(s.c.lockedGroup, &f.act)
	}
	s.free(f)
	return swallow
}
