package parser

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// dumpStmt renders a statement compactly for table tests.
func dumpStmt(st Stmt) string {
	m := ""
	if st.MergeMode() != MergeDefault {
		m = st.MergeMode().String() + " "
	}
	switch s := st.(type) {
	case *Include:
		var steps []string
		for _, x := range s.Steps {
			steps = append(steps, fmt.Sprintf("%s:%s(%s):%d", x.Merge, x.File, x.Section, x.Group))
		}
		return m + "include " + strings.Join(steps, " ")
	case *VarDef:
		return m + dumpVar(s)
	case *KeycodeDef:
		return fmt.Sprintf("%skeycode <%s>=%d", m, s.Name, s.Code)
	case *AliasDef:
		return fmt.Sprintf("%salias <%s>=<%s>", m, s.Alias, s.Real)
	case *LEDNameDef:
		return fmt.Sprintf("%sledname virtual=%v %d=%s", m, s.Virtual, s.Index, dumpExpr(s.Name))
	case *VModDef:
		var mods []string
		for _, v := range s.Mods {
			if v.Value != nil {
				mods = append(mods, v.Name+"="+dumpExpr(v.Value))
			} else {
				mods = append(mods, v.Name)
			}
		}
		return m + "vmods " + strings.Join(mods, " ")
	case *KeyTypeDef:
		return fmt.Sprintf("%stype %q {%s}", m, s.Name, dumpVars(s.Body))
	case *InterpretDef:
		match := "-"
		if s.Match != nil {
			match = dumpExpr(s.Match)
		}
		return fmt.Sprintf("%sinterpret %s + %s {%s}", m, dumpSym(s.Sym), match, dumpVars(s.Body))
	case *LEDMapDef:
		return fmt.Sprintf("%sledmap %q {%s}", m, s.Name, dumpVars(s.Body))
	case *KeyDef:
		return fmt.Sprintf("%skey <%s> {%s}", m, s.Name, dumpVars(s.Body))
	case *ModMapDef:
		var keys []string
		for _, k := range s.Keys {
			keys = append(keys, dumpExpr(k))
		}
		return fmt.Sprintf("%smodmap %s {%s}", m, s.Modifier, strings.Join(keys, " "))
	case *GroupCompatDef:
		return fmt.Sprintf("%sgroup %d=%s", m, s.Group, dumpExpr(s.Value))
	}
	return fmt.Sprintf("?%T", st)
}

func dumpVars(vs []*VarDef) string {
	var out []string
	for _, v := range vs {
		out = append(out, dumpVar(v))
	}
	return strings.Join(out, "; ")
}

func dumpVar(v *VarDef) string {
	if v.Name == nil {
		return dumpExpr(v.Value)
	}
	return dumpExpr(v.Name) + "=" + dumpExpr(v.Value)
}

func dumpSym(k Keysym) string {
	if k.IsInt {
		return "#" + strconv.FormatInt(k.Int, 10)
	}
	return k.Name
}

func dumpExpr(e Expr) string {
	switch x := e.(type) {
	case *Ident:
		return x.Name
	case *FieldRef:
		return x.Element + "." + x.Field
	case *ArrayRef:
		if x.Element != "" {
			return x.Element + "." + x.Field + "[" + dumpExpr(x.Index) + "]"
		}
		return x.Field + "[" + dumpExpr(x.Index) + "]"
	case *Call:
		var args []string
		for _, a := range x.Args {
			args = append(args, dumpExpr(a))
		}
		return x.Name + "(" + strings.Join(args, ", ") + ")"
	case *Assign:
		return dumpExpr(x.Name) + ":=" + dumpExpr(x.Value)
	case *Int:
		return strconv.FormatInt(x.Value, 10)
	case *Float:
		return strconv.FormatFloat(x.Value, 'g', -1, 64)
	case *String:
		return strconv.Quote(x.Value)
	case *KeyName:
		return "<" + x.Name + ">"
	case *Bool:
		return strconv.FormatBool(x.Value)
	case *Unary:
		return "(" + string(rune(x.Op)) + dumpExpr(x.X) + ")"
	case *Binary:
		return "(" + dumpExpr(x.X) + " " + string(rune(x.Op)) + " " + dumpExpr(x.Y) + ")"
	case *KeysymList:
		var levels []string
		for _, l := range x.Levels {
			var syms []string
			for _, k := range l {
				syms = append(syms, dumpSym(k))
			}
			if len(l) == 1 {
				levels = append(levels, syms[0])
			} else {
				levels = append(levels, "{"+strings.Join(syms, " ")+"}")
			}
		}
		return "[" + strings.Join(levels, " ") + "]"
	case *ActionList:
		var acts []string
		for _, a := range x.Actions {
			acts = append(acts, dumpExpr(a))
		}
		return "[" + strings.Join(acts, " ") + "]"
	case nil:
		return "<nil>"
	}
	return fmt.Sprintf("?%T", e)
}

// TestParseStatements checks the tree built for each kind of statement.
// The expected dumps are written by hand from the XKB grammar.
func TestParseStatements(t *testing.T) {
	tests := []struct{ src, want string }{
		{`include "pc+us(intl):2+inet(evdev)|group(shifts_toggle)"`,
			"include default:pc():0 override:us(intl):2 override:inet(evdev):0 augment:group(shifts_toggle):0"},
		{`override "us:3"`, "override include override:us():3"},
		{`augment "compose(ralt)"`, "augment include augment:compose(ralt):0"},
		{`replace "a|b"`, "replace include replace:a():0 augment:b():0"},
		{`minimum = 8;`, "minimum=8"},
		{`<AE01> = 10;`, "keycode <AE01>=10"},
		{`<> = 0x10;`, "keycode <>=16"},
		{`alias <AC12> = <BKSL>;`, "alias <AC12>=<BKSL>"},
		{`indicator 1 = "Caps Lock";`, `ledname virtual=false 1="Caps Lock"`},
		{`virtual indicator 4 = "Shift Lock";`, `ledname virtual=true 4="Shift Lock"`},
		{`virtual_modifiers NumLock, Alt = Mod1, LevelThree;`, "vmods NumLock Alt=Mod1 LevelThree"},
		{`type "FOUR_LEVEL" { modifiers = Shift+LevelThree; map[None] = Level1; map[Shift+LevelThree] = Level4; preserve[Shift+Lock] = Lock; level_name[Level1] = "Base"; };`,
			`type "FOUR_LEVEL" {modifiers=(Shift + LevelThree); map[None]=Level1; map[(Shift + LevelThree)]=Level4; preserve[(Shift + Lock)]=Lock; level_name[Level1]="Base"}`},
		{`interpret Shift_L+AnyOfOrNone(all) { action = SetMods(modifiers=Shift, clearLocks); useModMapMods = level1; };`,
			"interpret Shift_L + AnyOfOrNone(all) {action=SetMods(modifiers:=Shift, clearLocks); useModMapMods=level1}"},
		{`interpret Any { repeat = False; };`, "interpret Any + - {repeat=False}"},
		{`interpret 0xfe03+Exactly(Lock) { x; };`, "interpret #65027 + Exactly(Lock) {x=true}"},
		{`interpret.useModMapMods = AnyLevel;`, "interpret.useModMapMods=AnyLevel"},
		{`indicator "Caps Lock" { !allowExplicit; whichModState = Locked; modifiers = Lock; };`,
			`ledmap "Caps Lock" {allowExplicit=false; whichModState=Locked; modifiers=Lock}`},
		{`indicator.allowExplicit = False;`, "indicator.allowExplicit=False"},
		{`key <AE01> { [ 1, exclam, {a, {b, c}}, 0x1000041 ] };`, "key <AE01> {[#1 exclam {a b c} #16777281]}"},
		{`key <A> { };`, "key <A> {}"},
		{`key <A> { [ ], [ section ] };`, "key <A> {[]; [section]}"},
		{`override key <LSGT> { type[Group1] = "FOUR_LEVEL", symbols[Group2] = [ a, A ], actions[Group1] = [ SetMods(modifiers=Shift), NoAction() ], repeat, !locks, vmods = LevelThree };`,
			`override key <LSGT> {type[Group1]="FOUR_LEVEL"; symbols[Group2]=[a A]; actions[Group1]=[SetMods(modifiers:=Shift) NoAction()]; repeat=true; locks=false; vmods=LevelThree}`},
		{`key <A> { [ ISOLock(modifiers=modMapMods, affect=all), PtrBtn(button=default), MovePtr(x=+1, y=-1), Private(type=0x86, data[0]=0x41), SwitchScreen(screen=1, !same) ] };`,
			"key <A> {[ISOLock(modifiers:=modMapMods, affect:=all) PtrBtn(button:=default) MovePtr(x:=(+1), y:=(-1)) Private(type:=134, data[0]:=65) SwitchScreen(screen:=1, (!same))]}"},
		{`key <A> { [ RedirectKey(key=<FK01>, clearMods=Control) ], type = "ONE_LEVEL" };`, `key <A> {[RedirectKey(key:=<FK01>, clearMods:=Control)]; type="ONE_LEVEL"}`},
		{`key.type = "ALPHABETIC";`, `key.type="ALPHABETIC"`},
		{`KEY.Type[Group1] = "X";`, `KEY.Type[Group1]="X"`},
		{`modifier_map Mod1 { <LALT>, Alt_L, 0x20 };`, "modmap Mod1 {<LALT> Alt_L 32}"},
		{`modmap None { <X> };`, "modmap None {<X>}"},
		{`group 2 = AltGr;`, "group 2=AltGr"},
		{`name[Group1] = "English (US)";`, `name[Group1]="English (US)"`},
		{`x = 1 + 2 * 3 - -4 / (5 + 6);`, "x=((1 + (2 * 3)) - ((-4) / (5 + 6)))"},
		{`x = ~Shift + !a.b[c];`, "x=((~Shift) + (!a.b[c]))"},
		{`x = 1.5;`, "x=1.5"},
		{`x = a + b.c = d * e;`, "x=(a + b.c:=(d * e))"},
		{`x = f(a = b = c, (d));`, "x=f(a:=b:=c, d)"},
		{`x = 1.;`, "x=1"},
		{`!foo;`, "foo=false"},
		{`default = 1;`, "default=1"},
		{`include key <A> { [ a ] };`, "key <A> {[a]}"},
		{`include alias <B> = <A>;`, "alias <B>=<A>"},
		{`section "Alpha" { top = 1; row { keys { <A>, <B> }; }; };`, ""},
		{`shape "NORM" { { [ 18, 18 ] }, { [ 2, 1 ], [ 16, 16 ] } };`, ""},
		{`solid "x" { color = "red"; };`, ""},
		{`key <A> { [ a ], !repeat, default.repeat = 1 };`, "key <A> {[a]; repeat=false; default.repeat=1}"},
		{`bar;`, "bar=true"},
		{`s = "a\101\n\t\\\e\q\0018";`, `s="aA\n\t\\\x1bq\x018"`},
		{`s = "a\"; t = 1;`, `s="a"`},
		{`s = "a\0b";`, `s="a"`},
		{"s = \"a\x00b\xff\";", `s="a"`},
		{"s = \"\xff\xfe\";", `s="\xff\xfe"`},
	}
	for _, tt := range tests {
		src := "xkb_symbols {\n" + tt.src + "\n};"
		f, err := Parse("test", []byte(src))
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		stmts := f.Sections[0].Stmts
		if tt.want == "" {
			if len(stmts) != 0 {
				t.Errorf("Parse(%q) = %s; want no statement", tt.src, dumpStmt(stmts[0]))
			}
			continue
		}
		if len(stmts) == 0 {
			t.Errorf("Parse(%q): no statements", tt.src)
			continue
		}
		if got := dumpStmt(stmts[0]); got != tt.want {
			t.Errorf("Parse(%q) = %s; want %s", tt.src, got, tt.want)
		}
	}
}

// TestParseSections checks section headers: flags, kinds with their
// aliases, names, nesting in a keymap and skipped geometry.
func TestParseSections(t *testing.T) {
	src := `default partial xkb_keymap "km" {
    hidden XKB_KEYCODES "k" { <A> = 38; };
    xkb_types { };
    xkb_compat_map "c" { };
    alphanumeric_keys modifier_keys keypad_keys function_keys alternate_group xkb_symbols "" { key <A> { [ a ] }; };
    xkb_geometry "g" { shape "x" { { [ 1, 1 ] } }; section "s" { row { keys { <A> }; }; }; };
};`
	f, err := Parse("sections", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Sections) != 1 {
		t.Fatalf("%d top-level sections; want 1", len(f.Sections))
	}
	km := f.Sections[0]
	if km.Kind != KindKeymap || km.Flags != FlagDefault|FlagPartial || km.Name != "km" || !km.HasName {
		t.Errorf("keymap = %v %b %q %v; want xkb_keymap default|partial \"km\"", km.Kind, km.Flags, km.Name, km.HasName)
	}
	want := []struct {
		kind    SectionKind
		keyword string
		flags   Flags
		name    string
		hasName bool
		stmts   int
	}{
		{KindKeycodes, "XKB_KEYCODES", FlagHidden, "k", true, 1},
		{KindTypes, "xkb_types", 0, "", false, 0},
		{KindCompat, "xkb_compat_map", 0, "c", true, 0},
		{KindSymbols, "xkb_symbols", FlagAlphanumericKeys | FlagModifierKeys | FlagKeypadKeys | FlagFunctionKeys | FlagAlternateGroup, "", true, 1},
		{KindGeometry, "xkb_geometry", 0, "g", true, 0},
	}
	if len(km.Sections) != len(want) {
		t.Fatalf("%d components; want %d", len(km.Sections), len(want))
	}
	for i, w := range want {
		s := km.Sections[i]
		if s.Kind != w.kind || s.Keyword != w.keyword || s.Flags != w.flags || s.Name != w.name || s.HasName != w.hasName || len(s.Stmts) != w.stmts {
			t.Errorf("section %d = %v %q %b %q %v %d stmts; want %v %q %b %q %v %d", i,
				s.Kind, s.Keyword, s.Flags, s.Name, s.HasName, len(s.Stmts), w.kind, w.keyword, w.flags, w.name, w.hasName, w.stmts)
		}
	}
	if p := f.Position(km.Sections[3].Pos); p.Line != 5 || p.Column != 5 {
		t.Errorf("symbols section at %v; want sections:5:5 (its first flag)", p)
	}
}
