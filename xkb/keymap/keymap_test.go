package keymap

import (
	"strings"
	"testing"

	"gocomp/xkb/keysym"
)

// testKeymap builds a small keymap by hand: two keys, an ALPHABETIC type
// using a virtual modifier, an interpret and an LED.
func testKeymap() *Keymap {
	mods := []Mod{}
	for i, n := range RealModNames {
		mods = append(mods, Mod{Name: n, Mapping: 1 << uint(i)})
	}
	mods = append(mods, Mod{Name: "LevelThree", Virtual: true, Mapping: 1 << ModMod5})
	const lv3 = ModMask(1 << 8)
	one := &KeyType{Name: "ONE_LEVEL", NumLevels: 1, LevelNames: []string{"Any"}}
	three := &KeyType{
		Name:      "THREE",
		Mods:      Mods{Mods: 1<<ModShift | lv3, Mask: 1<<ModShift | 1<<ModMod5},
		NumLevels: 3,
		Entries: []TypeEntry{
			{Mods: Mods{Mods: 1 << ModShift, Mask: 1 << ModShift}, Level: 1},
			{Mods: Mods{Mods: lv3, Mask: 1 << ModMod5}, Level: 2, Preserve: Mods{Mods: lv3, Mask: 1 << ModMod5}},
			{Mods: Mods{Mods: 1<<ModShift | lv3, Mask: 1<<ModShift | 1<<ModMod5}, Level: 2},
		},
		LevelNames: []string{"Base", "Shift", "Level3"},
	}
	syms := []keysym.Keysym{'a', 'A', 0xe6, 0xffe1}
	km := &Keymap{
		MinKeycode: 8, MaxKeycode: 255,
		Mods:  mods,
		Types: []*KeyType{one, three},
		Interprets: []Interpret{{Sym: 0xffe1, Match: MatchAnyOfOrNone, Mods: RealModsMask, VirtualMod: -1,
			Action: Action{Kind: ActSetMods, Flags: ActClearLocks | ActUseModMapMods}}},
		LEDs:       []LED{{Name: "Caps Lock", WhichMods: StateLocked, Mods: Mods{Mods: 1 << ModLock, Mask: 1 << ModLock}}},
		GroupNames: []string{"Test"},
		NumGroups:  2,
		Aliases:    []Alias{{Alias: "LatA", Real: "AC01"}},
	}
	keys := []Key{
		{Keycode: 38, Name: "AC01", Repeats: true, OutOfRange: GroupsClamp, Groups: []Group{
			{Type: three, Levels: []Level{{Syms: syms[0:1]}, {Syms: syms[1:2]}, {Syms: syms[2:3]}}},
			{Type: one, ExplicitType: true, Levels: []Level{{Syms: syms[0:1]}}},
		}},
		{Keycode: 50, Name: "LFSH", ModMap: 1 << ModShift, Groups: []Group{
			{Type: one, Levels: []Level{{Syms: syms[3:4], Action: Action{Kind: ActSetMods, Flags: ActClearLocks | ActUseModMapMods,
				Mods: Mods{Mods: 1 << ModShift, Mask: 1 << ModShift}}}}},
		}},
	}
	return New(km, keys)
}

func TestLevelFor(t *testing.T) {
	km := testKeymap()
	three := km.Types[1]
	for _, tc := range []struct {
		mods              ModMask
		level             int
		consumed, preserv ModMask
	}{
		{0, 0, 1<<ModShift | 1<<ModMod5, 0},
		{1 << ModShift, 1, 1<<ModShift | 1<<ModMod5, 0},
		{1 << ModLock, 0, 1<<ModShift | 1<<ModMod5, 0},
		{1 << ModMod5, 2, 1 << ModShift, 1 << ModMod5},
		{1<<ModMod5 | 1<<ModShift | 1<<ModControl, 2, 1<<ModShift | 1<<ModMod5, 0},
	} {
		if got := three.LevelFor(tc.mods); got != tc.level {
			t.Errorf("LevelFor(%#x) = %d; want %d", tc.mods, got, tc.level)
		}
		if got := three.Consumed(tc.mods); got != tc.consumed {
			t.Errorf("Consumed(%#x) = %#x; want %#x", tc.mods, got, tc.consumed)
		}
		if got := three.Preserved(tc.mods); got != tc.preserv {
			t.Errorf("Preserved(%#x) = %#x; want %#x", tc.mods, got, tc.preserv)
		}
	}
}

func TestInactiveEntry(t *testing.T) {
	// An entry on a virtual modifier mapped to nothing never matches, so
	// the empty state does not select its level.
	ty := &KeyType{Name: "T", NumLevels: 2, Entries: []TypeEntry{{Mods: Mods{Mods: 1 << 9}, Level: 1}}}
	New(&Keymap{Types: []*KeyType{ty}}, nil)
	if got := ty.LevelFor(0); got != 0 {
		t.Errorf("LevelFor(0) = %d; want 0 (entry inactive)", got)
	}
}

func TestEffectiveGroup(t *testing.T) {
	k := &Key{Groups: make([]Group, 2)}
	for _, tc := range []struct {
		rule     GroupRule
		redirect int
		group    int32
		want     int
	}{
		{GroupsWrap, 0, 0, 0}, {GroupsWrap, 0, 1, 1}, {GroupsWrap, 0, 2, 0}, {GroupsWrap, 0, 3, 1}, {GroupsWrap, 0, -1, 1},
		{GroupsClamp, 0, 3, 1}, {GroupsClamp, 0, -2, 0},
		{GroupsRedirect, 1, 3, 1}, {GroupsRedirect, 5, 3, 0},
	} {
		k.OutOfRange, k.RedirectGroup = tc.rule, tc.redirect
		if got := k.EffectiveGroup(tc.group); got != tc.want {
			t.Errorf("rule %d redirect %d: EffectiveGroup(%d) = %d; want %d", tc.rule, tc.redirect, tc.group, got, tc.want)
		}
	}
	if got := (&Key{}).EffectiveGroup(0); got != -1 {
		t.Errorf("EffectiveGroup on a key without groups = %d; want -1", got)
	}
}

func TestKeyLookup(t *testing.T) {
	km := testKeymap()
	if k := km.Key(38); k == nil || k.Name != "AC01" {
		t.Errorf("Key(38) = %v; want AC01", k)
	}
	for _, kc := range []Keycode{0, 7, 39, 256, 1 << 31} {
		if k := km.Key(kc); k != nil {
			t.Errorf("Key(%d) = %s; want nil", kc, k.Name)
		}
	}
	if k := km.KeyByName("LatA"); k == nil || k.Keycode != 38 {
		t.Errorf("KeyByName(LatA) = %v; want keycode 38", k)
	}
	if got := km.ModIndex("LevelThree"); got != 8 {
		t.Errorf("ModIndex(LevelThree) = %d; want 8", got)
	}
	if got := km.LEDIndex("Caps Lock"); got != 0 {
		t.Errorf("LEDIndex(Caps Lock) = %d; want 0", got)
	}
	if k := km.KeyForKeysym(0xffe1); k == nil || k.Name != "LFSH" {
		t.Errorf("KeyForKeysym(Shift_L) = %v; want LFSH", k)
	}
}

func TestLookupAllocatesNothing(t *testing.T) {
	km := testKeymap()
	var n int
	allocs := testing.AllocsPerRun(100, func() {
		k := km.Key(38)
		g := k.EffectiveGroup(0)
		l := k.Groups[g].Type.LevelFor(1 << ModShift)
		n += len(k.Groups[g].Levels[l].Syms)
	})
	if allocs != 0 {
		t.Errorf("key lookup allocates %v times; want 0", allocs)
	}
}

// TestText checks the serializer's output for the hand-built keymap
// section by section (libxkbcommon's layout of keymap text v1).
func TestText(t *testing.T) {
	text := testKeymap().Text()
	for _, want := range []string{
		"xkb_keymap {\nxkb_keycodes \"(unnamed)\" {\n\tminimum = 8;\n\tmaximum = 255;\n",
		"\t<AC01>               = 38;\n",
		"\tindicator 1 = \"Caps Lock\";\n",
		"\talias <LatA>         = <AC01>;\n",
		"\tvirtual_modifiers LevelThree;\n",
		"\ttype \"THREE\" {\n\t\tmodifiers= Shift+LevelThree;\n\t\tmap[Shift]= 2;\n\t\tmap[LevelThree]= 3;\n\t\tpreserve[LevelThree]= LevelThree;\n\t\tmap[Shift+LevelThree]= 3;\n",
		"\tinterpret Shift_L+AnyOfOrNone(all) {\n\t\taction= SetMods(modifiers=modMapMods,clearLocks);\n\t};\n",
		"\tindicator \"Caps Lock\" {\n\t\twhichModState= locked;\n\t\tmodifiers= Lock;\n\t};\n",
		"\tname[Group1]=\"Test\";\n",
		"\tkey <AC01>               {\n\t\ttype[Group2]= \"ONE_LEVEL\",\n\t\tgroupsClamp,\n\t\tsymbols[Group1]= [               a,               A,              ae ],\n\t\tsymbols[Group2]= [               a ]\n\t};\n",
		"\tkey <LFSH>               {\t[         Shift_L ] };\n",
		"\tmodifier_map Shift { <LFSH> };\n};\n\n};\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Text() lacks %q; got:\n%s", want, text)
		}
	}
}

func TestActionText(t *testing.T) {
	km := testKeymap()
	for _, tc := range []struct {
		a    Action
		want string
	}{
		{Action{}, "NoAction()"},
		{Action{Kind: ActLatchMods, Flags: ActClearLocks | ActLatchToLock, Mods: Mods{Mods: 1 << 8}}, "LatchMods(modifiers=LevelThree,clearLocks,latchToLock)"},
		{Action{Kind: ActLockMods, Flags: ActLockNoUnlock, Mods: Mods{Mods: 2}}, "LockMods(modifiers=Lock,affect=lock)"},
		{Action{Kind: ActSetGroup, Group: 1}, "SetGroup(group=+1)"},
		{Action{Kind: ActLockGroup, Group: -1}, "LockGroup(group=-1)"},
		{Action{Kind: ActLatchGroup, Flags: ActGroupAbsolute, Group: 1}, "LatchGroup(group=2)"},
		{Action{Kind: ActMovePtr, X: -1, Y: 1}, "MovePtr(x=-1,y=+1)"},
		{Action{Kind: ActMovePtr, Flags: ActMoveAbsoluteX | ActNoAcceleration, X: 5}, "MovePtr(x=5,y=+0,!accel)"},
		{Action{Kind: ActPtrButton, Count: 2}, "PtrBtn(button=default,count=2)"},
		{Action{Kind: ActLockPtrButton, Button: 1}, "LockPtrBtn(button=1,affect=both)"},
		{Action{Kind: ActSetPtrDefault, Flags: ActValueAbsolute, Group: 1}, "SetPtrDflt(affect=button,button=1)"},
		{Action{Kind: ActSwitchScreen, Flags: ActScreenAbsolute, Group: 1}, "SwitchScreen(screen=1,!same)"},
		{Action{Kind: ActLockControls, Ctrls: CtrlMouseKeys | CtrlSlowKeys}, "LockControls(controls=SlowKeys+MouseKeys)"},
		{Action{Kind: ActTerminate}, "Terminate()"},
		{Action{Kind: ActPrivate, PrivType: 0x86, PrivData: [7]byte{'P', 'r'}}, "Private(type=0x86,data[0]=0x50,data[1]=0x72,data[2]=0x00,data[3]=0x00,data[4]=0x00,data[5]=0x00,data[6]=0x00)"},
	} {
		var b strings.Builder
		km.writeAction(&b, &tc.a)
		if got := b.String(); got != tc.want {
			t.Errorf("writeAction(%+v) = %q; want %q", tc.a, got, tc.want)
		}
	}
}
