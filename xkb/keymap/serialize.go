package keymap

import (
	"fmt"
	"strconv"
	"strings"

	"gocomp/xkb/keysym"
)

// Text returns the keymap as keymap text v1, the format wl_keyboard.keymap
// sends (without the trailing NUL the protocol adds). The layout follows
// libxkbcommon's own output, and libxkbcommon loads it into an equivalent
// keymap.
func (km *Keymap) Text() string {
	var b strings.Builder
	b.Grow(96 * 1024)
	km.AppendText(&b)
	return b.String()
}

// AppendText writes the keymap text v1 of km to b.
func (km *Keymap) AppendText(b *strings.Builder) {
	b.WriteString("xkb_keymap {\n")
	km.writeKeycodes(b)
	km.writeTypes(b)
	km.writeCompat(b)
	km.writeSymbols(b)
	b.WriteString("};\n")
}

func sectionName(n string) string {
	if n == "" {
		return "(unnamed)"
	}
	return n
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			b.WriteString("\\\\")
		case c == '"':
			b.WriteString("\\\"")
		case c == '\n':
			b.WriteString("\\n")
		case c == '\t':
			b.WriteString("\\t")
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

func pad(b *strings.Builder, s string, width int) {
	for i := len(s); i < width; i++ {
		b.WriteByte(' ')
	}
	b.WriteString(s)
}

func padRight(b *strings.Builder, s string, width int) {
	b.WriteString(s)
	for i := len(s); i < width; i++ {
		b.WriteByte(' ')
	}
}

func (km *Keymap) writeKeycodes(b *strings.Builder) {
	b.WriteString("xkb_keycodes ")
	writeQuoted(b, sectionName(km.KeycodesName))
	b.WriteString(" {\n")
	fmt.Fprintf(b, "\tminimum = %d;\n\tmaximum = %d;\n", km.MinKeycode, km.MaxKeycode)
	for i := range km.keys {
		k := &km.keys[i]
		if k.Name == "" {
			continue
		}
		b.WriteByte('\t')
		padRight(b, "<"+k.Name+">", 20)
		b.WriteString(" = ")
		b.WriteString(strconv.FormatUint(uint64(k.Keycode), 10))
		b.WriteString(";\n")
	}
	for i, led := range km.LEDs {
		if led.Name == "" {
			continue
		}
		fmt.Fprintf(b, "\tindicator %d = ", i+1)
		writeQuoted(b, led.Name)
		b.WriteString(";\n")
	}
	for _, a := range km.Aliases {
		b.WriteString("\talias ")
		padRight(b, "<"+a.Alias+">", 14)
		b.WriteString(" = <")
		b.WriteString(a.Real)
		b.WriteString(">;\n")
	}
	b.WriteString("};\n\n")
}

// writeVMods writes a virtual_modifiers statement. With declared, each
// vmod carries its declared mapping: a later section that declares a vmod
// without one resets it, so both sections that declare vmods say it.
func (km *Keymap) writeVMods(b *strings.Builder, declared bool) {
	if len(km.Mods) <= NumRealMods {
		return
	}
	b.WriteString("\tvirtual_modifiers ")
	for i := NumRealMods; i < len(km.Mods); i++ {
		if i > NumRealMods {
			b.WriteByte(',')
		}
		b.WriteString(km.Mods[i].Name)
		// A declared mapping no key implies would be lost otherwise.
		if declared && km.Mods[i].Declared != 0 {
			b.WriteByte('=')
			b.WriteString(modMaskText(km.Mods, km.Mods[i].Declared))
		}
	}
	b.WriteString(";\n\n")
}

// modsText writes a modifier mask as written in keymap text.
func (km *Keymap) modsText(m ModMask) string {
	if m == RealModsMask {
		return "all"
	}
	return modMaskText(km.Mods, m)
}

func (km *Keymap) writeTypes(b *strings.Builder) {
	b.WriteString("xkb_types ")
	writeQuoted(b, sectionName(km.TypesName))
	b.WriteString(" {\n")
	km.writeVMods(b, true)
	for _, t := range km.Types {
		b.WriteString("\ttype ")
		writeQuoted(b, t.Name)
		b.WriteString(" {\n\t\tmodifiers= ")
		b.WriteString(modMaskText(km.Mods, t.Mods.Mods))
		b.WriteString(";\n")
		for _, e := range t.Entries {
			// Level 1 with no preserve is the default: libxkbcommon
			// omits such entries too.
			if e.Level == 0 && e.Preserve.Mods == 0 {
				continue
			}
			fmt.Fprintf(b, "\t\tmap[%s]= %d;\n", modMaskText(km.Mods, e.Mods.Mods), e.Level+1)
			if e.Preserve.Mods != 0 {
				fmt.Fprintf(b, "\t\tpreserve[%s]= %s;\n", modMaskText(km.Mods, e.Mods.Mods), modMaskText(km.Mods, e.Preserve.Mods))
			}
		}
		for l, n := range t.LevelNames {
			if n == "" {
				continue
			}
			fmt.Fprintf(b, "\t\tlevel_name[%d]= ", l+1)
			writeQuoted(b, n)
			b.WriteString(";\n")
		}
		b.WriteString("\t};\n")
	}
	b.WriteString("};\n\n")
}

func (km *Keymap) writeCompat(b *strings.Builder) {
	b.WriteString("xkb_compatibility ")
	writeQuoted(b, sectionName(km.CompatName))
	b.WriteString(" {\n")
	km.writeVMods(b, true)
	b.WriteString("\tinterpret.useModMapMods= AnyLevel;\n\tinterpret.repeat= False;\n")
	for i := range km.Interprets {
		in := &km.Interprets[i]
		b.WriteString("\tinterpret ")
		if in.Sym == keysym.NoSymbol {
			b.WriteString("Any")
		} else {
			b.WriteString(keysym.Name(in.Sym))
		}
		b.WriteByte('+')
		b.WriteString(in.Match.String())
		b.WriteByte('(')
		b.WriteString(km.modsText(in.Mods))
		b.WriteString(") {\n")
		if in.VirtualMod >= NumRealMods && in.VirtualMod < len(km.Mods) {
			b.WriteString("\t\tvirtualModifier= ")
			b.WriteString(km.Mods[in.VirtualMod].Name)
			b.WriteString(";\n")
		}
		if in.LevelOneOnly {
			b.WriteString("\t\tuseModMapMods=level1;\n")
		}
		if in.Repeat {
			b.WriteString("\t\trepeat= True;\n")
		}
		b.WriteString("\t\taction= ")
		km.writeAction(b, &in.Action)
		b.WriteString(";\n\t};\n")
	}
	for i := range km.LEDs {
		led := &km.LEDs[i]
		if led.Name == "" || (led.WhichGroups == 0 && led.Groups == 0 && led.WhichMods == 0 && led.Mods.Mods == 0 && led.Ctrls == 0) {
			continue
		}
		b.WriteString("\tindicator ")
		writeQuoted(b, led.Name)
		b.WriteString(" {\n")
		if led.WhichGroups != 0 && led.WhichGroups != StateEffective {
			b.WriteString("\t\twhichGroupState= ")
			b.WriteString(led.WhichGroups.String())
			b.WriteString(";\n")
		}
		if led.Groups != 0 {
			fmt.Fprintf(b, "\t\tgroups= 0x%02x;\n", led.Groups)
		}
		if led.WhichMods != 0 && led.WhichMods != StateEffective {
			b.WriteString("\t\twhichModState= ")
			b.WriteString(led.WhichMods.String())
			b.WriteString(";\n")
		}
		if led.Mods.Mods != 0 {
			b.WriteString("\t\tmodifiers= ")
			b.WriteString(modMaskText(km.Mods, led.Mods.Mods))
			b.WriteString(";\n")
		}
		if led.Ctrls != 0 {
			b.WriteString("\t\tcontrols= ")
			b.WriteString(controlsText(led.Ctrls))
			b.WriteString(";\n")
		}
		b.WriteString("\t};\n")
	}
	b.WriteString("};\n\n")
}

var stateNames = [...]string{"base", "latched", "locked", "effective"}

// String names the components joined by '+' ("none" when empty), as
// keymap text writes them (whichModState).
func (s StateComponents) String() string {
	var parts []string
	for i, n := range stateNames {
		if s&(1<<uint(i)) != 0 {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}

func controlsText(c Controls) string {
	if c == 0 {
		return "none"
	}
	if c&CtrlAll == CtrlAll {
		return "all"
	}
	var parts []string
	for i, n := range ControlNames {
		if c&(1<<uint(i)) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, "+")
}

func signed(v int32) string {
	if v >= 0 {
		return "+" + strconv.Itoa(int(v))
	}
	return strconv.Itoa(int(v))
}

func affectText(f ActionFlags) string {
	switch f & (ActLockNoLock | ActLockNoUnlock) {
	case ActLockNoLock:
		return ",affect=unlock"
	case ActLockNoUnlock:
		return ",affect=lock"
	case ActLockNoLock | ActLockNoUnlock:
		return ",affect=neither"
	}
	return ""
}

// ActionText returns a as keymap text v1 writes it, naming modifiers as
// km does ("SetMods(modifiers=Shift,clearLocks)").
func (km *Keymap) ActionText(a *Action) string {
	var b strings.Builder
	km.writeAction(&b, a)
	return b.String()
}

func (km *Keymap) writeAction(b *strings.Builder, a *Action) {
	b.WriteString(a.Kind.String())
	b.WriteByte('(')
	switch a.Kind {
	case ActSetMods, ActLatchMods, ActLockMods:
		b.WriteString("modifiers=")
		if a.Flags&ActUseModMapMods != 0 {
			b.WriteString("modMapMods")
		} else {
			b.WriteString(km.modsText(a.Mods.Mods))
		}
		if a.Kind != ActLockMods {
			if a.Flags&ActClearLocks != 0 {
				b.WriteString(",clearLocks")
			}
			if a.Kind == ActLatchMods && a.Flags&ActLatchToLock != 0 {
				b.WriteString(",latchToLock")
			}
		} else {
			b.WriteString(affectText(a.Flags))
		}
	case ActSetGroup, ActLatchGroup, ActLockGroup:
		b.WriteString("group=")
		if a.Flags&ActGroupAbsolute != 0 {
			b.WriteString(strconv.Itoa(int(a.Group) + 1))
		} else {
			b.WriteString(signed(a.Group))
		}
		if a.Kind != ActLockGroup {
			if a.Flags&ActClearLocks != 0 {
				b.WriteString(",clearLocks")
			}
			if a.Kind == ActLatchGroup && a.Flags&ActLatchToLock != 0 {
				b.WriteString(",latchToLock")
			}
		}
	case ActMovePtr:
		b.WriteString("x=")
		if a.Flags&ActMoveAbsoluteX != 0 {
			b.WriteString(strconv.Itoa(int(a.X)))
		} else {
			b.WriteString(signed(int32(a.X)))
		}
		b.WriteString(",y=")
		if a.Flags&ActMoveAbsoluteY != 0 {
			b.WriteString(strconv.Itoa(int(a.Y)))
		} else {
			b.WriteString(signed(int32(a.Y)))
		}
		if a.Flags&ActNoAcceleration != 0 {
			b.WriteString(",!accel")
		}
	case ActPtrButton, ActLockPtrButton:
		b.WriteString("button=")
		if a.Button == 0 {
			b.WriteString("default")
		} else {
			b.WriteString(strconv.Itoa(int(a.Button)))
		}
		if a.Kind == ActPtrButton {
			if a.Count != 0 {
				fmt.Fprintf(b, ",count=%d", a.Count)
			}
		} else if s := affectText(a.Flags); s != "" {
			b.WriteString(s)
		} else {
			b.WriteString(",affect=both")
		}
	case ActSetPtrDefault:
		b.WriteString("affect=button,button=")
		if a.Flags&ActValueAbsolute != 0 {
			b.WriteString(strconv.Itoa(int(a.Group)))
		} else {
			b.WriteString(signed(a.Group))
		}
	case ActSwitchScreen:
		b.WriteString("screen=")
		if a.Flags&ActScreenAbsolute != 0 {
			b.WriteString(strconv.Itoa(int(a.Group)))
		} else {
			b.WriteString(signed(a.Group))
		}
		if a.Flags&ActSameServer != 0 {
			b.WriteString(",same")
		} else {
			b.WriteString(",!same")
		}
	case ActSetControls, ActLockControls:
		b.WriteString("controls=")
		b.WriteString(controlsText(a.Ctrls))
		if a.Kind == ActLockControls {
			b.WriteString(affectText(a.Flags))
		}
	case ActPrivate:
		fmt.Fprintf(b, "type=0x%02x", a.PrivType)
		for i, d := range a.PrivData {
			fmt.Fprintf(b, ",data[%d]=0x%02x", i, d)
		}
	}
	b.WriteByte(')')
}

func (km *Keymap) writeSyms(b *strings.Builder, g *Group) {
	b.WriteString("[ ")
	for l := range g.Levels {
		if l > 0 {
			b.WriteString(", ")
		}
		syms := g.Levels[l].Syms
		switch len(syms) {
		case 0:
			pad(b, "NoSymbol", 15)
		case 1:
			pad(b, keysym.Name(syms[0]), 15)
		default:
			b.WriteString("{ ")
			for i, s := range syms {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(keysym.Name(s))
			}
			b.WriteString(" }")
		}
	}
	b.WriteString(" ]")
}

func (km *Keymap) writeActions(b *strings.Builder, g *Group) {
	b.WriteString("[ ")
	for l := range g.Levels {
		if l > 0 {
			b.WriteString(", ")
		}
		km.writeAction(b, &g.Levels[l].Action)
	}
	b.WriteString(" ]")
}

func (km *Keymap) writeKey(b *strings.Builder, k *Key) {
	b.WriteString("\tkey ")
	padRight(b, "<"+k.Name+">", 20)
	b.WriteString(" {")
	anyExplicit, sameType := false, true
	for i := range k.Groups {
		g := &k.Groups[i]
		if g.ExplicitType {
			anyExplicit = true
		}
		if g.Type != k.Groups[0].Type {
			sameType = false
		}
	}
	if anyExplicit {
		// One type for every group: `type=` says it for all of them
		// (an automatic type equal to it is the same on reload).
		if sameType {
			b.WriteString("\n\t\ttype= ")
			writeQuoted(b, k.Groups[0].Type.Name)
			b.WriteByte(',')
		} else {
			for i := range k.Groups {
				if k.Groups[i].ExplicitType {
					fmt.Fprintf(b, "\n\t\ttype[Group%d]= ", i+1)
					writeQuoted(b, k.Groups[i].Type.Name)
					b.WriteByte(',')
				}
			}
		}
	}
	if k.Explicit&ExplicitRepeat != 0 {
		if k.Repeats {
			b.WriteString("\n\t\trepeat= Yes,")
		} else {
			b.WriteString("\n\t\trepeat= No,")
		}
	}
	if k.Explicit&ExplicitVModMap != 0 && k.VModMap != 0 {
		b.WriteString("\n\t\tvirtualMods= ")
		b.WriteString(modMaskText(km.Mods, k.VModMap))
		b.WriteByte(',')
	}
	switch k.OutOfRange {
	case GroupsClamp:
		b.WriteString("\n\t\tgroupsClamp,")
	case GroupsRedirect:
		fmt.Fprintf(b, "\n\t\tgroupsRedirect= Group%d,", k.RedirectGroup+1)
	}
	actions := k.Explicit&ExplicitInterp != 0
	if len(k.Groups) == 1 && !anyExplicit && !actions {
		b.WriteByte('\t')
		km.writeSyms(b, &k.Groups[0])
		b.WriteString(" };\n")
		return
	}
	for i := range k.Groups {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(b, "\n\t\tsymbols[Group%d]= ", i+1)
		km.writeSyms(b, &k.Groups[i])
		if actions {
			fmt.Fprintf(b, ",\n\t\tactions[Group%d]= ", i+1)
			km.writeActions(b, &k.Groups[i])
		}
	}
	b.WriteString("\n\t};\n")
}

func (km *Keymap) writeSymbols(b *strings.Builder) {
	b.WriteString("xkb_symbols ")
	writeQuoted(b, sectionName(km.SymbolsName))
	b.WriteString(" {\n")
	named := false
	for i, n := range km.GroupNames {
		if n == "" {
			continue
		}
		fmt.Fprintf(b, "\tname[Group%d]=", i+1)
		writeQuoted(b, n)
		b.WriteString(";\n")
		named = true
	}
	if named {
		b.WriteByte('\n')
	}
	for i := range km.keys {
		k := &km.keys[i]
		if k.Name == "" || len(k.Groups) == 0 {
			continue
		}
		km.writeKey(b, k)
	}
	// A key-name entry binds a key to one modifier only when the text is
	// loaded (a later entry for the same key replaces it), so a key with
	// several modifiers gets its other ones through keysym entries that
	// resolve back to it.
	bySym := make([][]keysym.Keysym, NumRealMods)
	byName := make([]ModMask, len(km.keys))
	for i := range km.keys {
		k := &km.keys[i]
		if k.Name == "" || k.ModMap == 0 {
			continue
		}
		first := true
		for m := 0; m < NumRealMods; m++ {
			if k.ModMap&(1<<uint(m)) == 0 {
				continue
			}
			if !first {
				if s, ok := km.keysymFor(k); ok {
					bySym[m] = append(bySym[m], s)
					continue
				}
			}
			first = false
			byName[i] |= 1 << uint(m)
		}
	}
	for m := 0; m < NumRealMods; m++ {
		first := true
		sep := func() {
			if first {
				b.WriteString("\tmodifier_map ")
				b.WriteString(RealModNames[m])
				b.WriteString(" { ")
				first = false
			} else {
				b.WriteString(", ")
			}
		}
		for i := range km.keys {
			if byName[i]&(1<<uint(m)) == 0 {
				continue
			}
			sep()
			b.WriteString("<" + km.keys[i].Name + ">")
		}
		for _, s := range bySym[m] {
			sep()
			b.WriteString(keysym.Name(s))
		}
		if !first {
			b.WriteString(" };\n")
		}
	}
	b.WriteString("};\n\n")
}
