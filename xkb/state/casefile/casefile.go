// Package casefile reads and runs XKB case files: conformance tests a
// keymap author writes as text, run by `gocomp xkb test`.
//
// A case file holds cases. Blank lines and lines starting with '#' are
// skipped; a case starts with its name in brackets, optionally names its
// keymap with the flags of `gocomp xkb eval`, then lists key events with
// what they must produce:
//
//	[German y and z]
//	keymap: --layout de --options caps:escape
//	KEY_Y both: z
//	KEY_LEFTSHIFT down: Shift_L
//	KEY_1 both: exclam  mods=Shift  leds=
//	KEY_LEFTSHIFT up: Shift_L
//
// An event line is a key (an evdev key name such as KEY_Y, or its code),
// down, up or both, a colon, then the keysyms the key has at the time of
// the event (before it is applied, as `gocomp xkb eval` reports them;
// none for a key without keysyms). mods= (the effective real modifiers
// after the event, joined by '+': Shift, Lock, Control, Mod1..Mod5) and
// leds= (the active indicators after the event, joined by ','; names may
// contain spaces) are optional and checked only when given; an empty
// value means none. Everything after "mods=" up to " leds=" is the
// modifiers, everything after "leds=" the indicators.
package casefile

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gocomp/xkb/keymap"
	"gocomp/xkb/keysym"
	"gocomp/xkb/state"
	"gocomp/xkb/state/eval"
)

// MaxLines bounds the lines of a case file.
const MaxLines = 1 << 20

// File is a parsed case file.
type File struct {
	Name  string
	Cases []*Case
}

// Case is one named case.
type Case struct {
	Name string
	Line int // the line of its [name]
	// Keymap holds the words of its keymap: line (nil without one), and
	// KeymapLine that line's number.
	Keymap     []string
	KeymapLine int
	Events     []Event
}

// Event is one event line of a case.
type Event struct {
	Line    int
	Text    string // the key and direction as written ("KEY_Z both")
	Code    uint16 // evdev key code
	Dir     eval.Dir
	Keysyms []keysym.Keysym
	// Mods, when not nil, are the effective real modifiers expected after
	// the event.
	Mods *keymap.ModMask
	// LEDs are the indicators expected active after the event, checked
	// when CheckLEDs is set (an empty list then means none).
	LEDs      []string
	CheckLEDs bool
}

// SyntaxError is a malformed line of a case file.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

// Error returns "file:line: message".
func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Parse reads a case file. keyCode maps an evdev key name (KEY_Y) to its
// code. The first malformed line is a *SyntaxError.
func Parse(name string, src []byte, keyCode func(name string) (uint16, bool)) (*File, error) {
	f := &File{Name: name}
	var c *Case
	bad := func(line int, format string, args ...any) error {
		return &SyntaxError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	lines := strings.Split(string(src), "\n")
	if len(lines) > MaxLines {
		return nil, bad(MaxLines+1, "more than %d lines", MaxLines)
	}
	for i, raw := range lines {
		n := i + 1
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || line[0] == '#':
			continue
		case line[0] == '[':
			if !strings.HasSuffix(line, "]") || strings.TrimSpace(line[1:len(line)-1]) == "" {
				return nil, bad(n, "a case starts with [its name]")
			}
			c = &Case{Name: strings.TrimSpace(line[1 : len(line)-1]), Line: n}
			f.Cases = append(f.Cases, c)
		case c == nil:
			return nil, bad(n, "%q before the first [case name]", line)
		case strings.HasPrefix(line, "keymap:"):
			if c.Keymap != nil {
				return nil, bad(n, "a second keymap: line in case %q", c.Name)
			}
			if len(c.Events) > 0 {
				return nil, bad(n, "keymap: after the first event of case %q", c.Name)
			}
			c.Keymap = append([]string{}, strings.Fields(line[len("keymap:"):])...)
			c.KeymapLine = n
		default:
			ev, err := parseEvent(line, keyCode)
			if err != nil {
				return nil, bad(n, "%v", err)
			}
			ev.Line = n
			c.Events = append(c.Events, ev)
		}
	}
	if len(f.Cases) == 0 {
		return nil, bad(len(lines), "no [case] in the file")
	}
	for _, c := range f.Cases {
		if len(c.Events) == 0 {
			return nil, bad(c.Line, "case %q has no events", c.Name)
		}
	}
	return f, nil
}

// parseEvent reads `KEY dir: keysyms [mods=M] [leds=L]`.
func parseEvent(line string, keyCode func(string) (uint16, bool)) (Event, error) {
	var ev Event
	head, rest, ok := strings.Cut(line, ":")
	if !ok {
		return ev, errors.New(`want "KEY down|up|both: keysyms", a [case] or keymap:`)
	}
	f := strings.Fields(head)
	ev.Text = strings.Join(f, " ")
	if len(f) != 2 {
		return ev, fmt.Errorf("want a key and down, up or both before ':', got %q", head)
	}
	if n, err := strconv.ParseUint(f[0], 10, 16); err == nil {
		ev.Code = uint16(n)
	} else if code, ok := keyCode(f[0]); ok {
		ev.Code = code
	} else {
		return ev, fmt.Errorf("unknown key %q (want an evdev key name such as KEY_A, or a code)", f[0])
	}
	switch f[1] {
	case "down":
		ev.Dir = eval.DirDown
	case "up":
		ev.Dir = eval.DirUp
	case "both":
		ev.Dir = eval.DirBoth
	default:
		return ev, fmt.Errorf("direction %q: want down, up or both", f[1])
	}
	syms, ledText, hasLEDs := cutField(rest, "leds=")
	if strings.Contains(ledText, "mods=") {
		// LED names may hold spaces, so leds= takes the rest of the line.
		return ev, errors.New("mods= after leds=: write mods= first (leds= takes the rest of the line)")
	}
	syms, modText, hasMods := cutField(syms, "mods=")
	for _, name := range strings.Fields(syms) {
		ks, ok := keysym.FromName(name)
		if !ok {
			return ev, fmt.Errorf("unknown keysym %q", name)
		}
		ev.Keysyms = append(ev.Keysyms, ks)
	}
	if hasMods {
		var m keymap.ModMask
		for _, name := range strings.FieldsFunc(modText, func(r rune) bool { return r == '+' || r == ' ' }) {
			i := slices.IndexFunc(keymap.RealModNames[:], func(n string) bool { return strings.EqualFold(n, name) })
			if i < 0 {
				return ev, fmt.Errorf("unknown modifier %q (want Shift, Lock, Control, Mod1..Mod5)", name)
			}
			m |= 1 << uint(i)
		}
		ev.Mods = &m
	}
	if hasLEDs {
		ev.CheckLEDs = true
		for _, name := range strings.Split(ledText, ",") {
			if name = strings.TrimSpace(name); name != "" {
				ev.LEDs = append(ev.LEDs, name)
			}
		}
	}
	return ev, nil
}

// cutField splits s at the first blank-preceded (or leading) key, such as
// "mods=": before, the value after it, and whether it was there.
func cutField(s, key string) (before, value string, found bool) {
	for i := 0; ; {
		j := strings.Index(s[i:], key)
		if j < 0 {
			return s, "", false
		}
		j += i
		if j == 0 || s[j-1] == ' ' || s[j-1] == '\t' {
			return s[:j], strings.TrimSpace(s[j+len(key):]), true
		}
		i = j + len(key)
	}
}

// Run runs the case's events on st (a fresh state of the case's keymap)
// and returns "" when every expectation holds, else the first failure as
// "line N: KEY_Z both: got y, want z".
func (c *Case) Run(st *state.State) string {
	km := st.Keymap()
	for _, ev := range c.Events {
		kc := keymap.Keycode(ev.Code) + 8
		if got := st.KeySyms(kc); !slices.Equal(got, ev.Keysyms) {
			return fmt.Sprintf("line %d: %s: got %s, want %s", ev.Line, ev.Text, keysym.ListText(got), keysym.ListText(ev.Keysyms))
		}
		if ev.Dir != eval.DirUp {
			st.UpdateKey(kc, state.Down)
		}
		if ev.Dir != eval.DirDown {
			st.UpdateKey(kc, state.Up)
		}
		if ev.Mods != nil {
			if got := st.SerializeMods(state.ModsEffective) & (1<<keymap.NumRealMods - 1); got != *ev.Mods {
				return fmt.Sprintf("line %d: %s: got mods=%s, want mods=%s", ev.Line, ev.Text, modsText(got), modsText(*ev.Mods))
			}
		}
		if ev.CheckLEDs {
			var got []string
			for i := range km.LEDs {
				if km.LEDs[i].Name != "" && st.LEDActive(i) {
					got = append(got, km.LEDs[i].Name)
				}
			}
			want := slices.Clone(ev.LEDs)
			slices.Sort(want)
			sorted := slices.Clone(got)
			slices.Sort(sorted)
			if !slices.Equal(sorted, want) {
				return fmt.Sprintf("line %d: %s: got leds=%s, want leds=%s", ev.Line, ev.Text, strings.Join(got, ","), strings.Join(ev.LEDs, ","))
			}
		}
	}
	return ""
}

// modsText writes m as a mods= value does: real modifier names joined by
// '+', nothing for none.
func modsText(m keymap.ModMask) string {
	if m == 0 {
		return ""
	}
	return keymap.RealModsText(m)
}
