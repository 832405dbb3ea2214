// Package eval implements the `gocomp xkb eval` line protocol over a
// state.State: key events in ("<evdev code> down|up|both", one per line),
// one JSON object per event out, describing what a client sees with the
// key event (keysyms, text, layout, level, consumed modifiers: computed
// before the event) and the state after it (modifiers, layouts, LEDs).
//
// The output is the contract libxkbcommon's side of the conformance
// harness (xkb/internal/oracle) writes too; compare the two decoded, not
// byte for byte.
package eval

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"gocomp/xkb/keymap"
	"gocomp/xkb/keysym"
	"gocomp/xkb/state"
)

// Dir is the direction word of an event line.
type Dir uint8

// Event directions.
const (
	DirDown Dir = iota
	DirUp
	// DirBoth presses and releases the key, reported as one object.
	DirBoth
)

var dirNames = [...]string{"down", "up", "both"}

// String returns the direction as the line protocol writes it.
func (d Dir) String() string { return dirNames[d] }

// ErrSkip is returned by ParseLine for blank and comment lines.
var ErrSkip = errors.New("eval: blank or comment line")

// ParseLine reads one event line: "<evdev code> down|up|both" with the
// code a decimal number (optionally signed) in 0..65535, the two words
// separated and surrounded by optional blanks. Blank lines and lines
// starting with '#' return ErrSkip.
func ParseLine(line string) (code uint16, dir Dir, err error) {
	f := strings.Fields(line)
	if len(f) == 0 || strings.HasPrefix(f[0], "#") {
		return 0, 0, ErrSkip
	}
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("eval: want \"<evdev code> down|up|both\", got %q", line)
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || n < 0 || n > 0xffff {
		return 0, 0, fmt.Errorf("eval: bad evdev code %q (want 0..65535)", f[0])
	}
	switch f[1] {
	case "down":
		dir = DirDown
	case "up":
		dir = DirUp
	case "both":
		dir = DirBoth
	default:
		return 0, 0, fmt.Errorf("eval: bad direction %q (want down, up or both)", f[1])
	}
	return uint16(n), dir, nil
}

// Evaluator applies events to a State and formats them. Its buffers are
// reused, so steady use does not allocate.
type Evaluator struct {
	// Consumed is the mode of the "consumed" field: ConsumedXKB (the
	// default, the `gocomp xkb eval` contract) or ConsumedGTK.
	Consumed state.ConsumedMode

	st  *state.State
	txt []byte
}

// New returns an Evaluator driving st.
func New(st *state.State) *Evaluator {
	return &Evaluator{st: st, txt: make([]byte, 0, 64)}
}

// AppendEvent applies one event to the state and appends its JSON object
// (without a newline) to dst.
func (e *Evaluator) AppendEvent(dst []byte, code uint16, dir Dir) []byte {
	st := e.st
	km := st.Keymap()
	kc := keymap.Keycode(code) + 8
	dst = append(dst, `{"code":`...)
	dst = strconv.AppendUint(dst, uint64(code), 10)
	dst = append(dst, `,"dir":"`...)
	dst = append(dst, dir.String()...)
	dst = append(dst, `","keysyms":[`...)
	for i, ks := range st.KeySyms(kc) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = keysym.AppendName(dst, ks) // names are plain ASCII
		dst = append(dst, '"')
	}
	dst = append(dst, `],"utf8":`...)
	e.txt = st.AppendKeyUTF8(e.txt[:0], kc)
	dst = appendJSONString(dst, e.txt)
	layout := st.KeyLayout(kc)
	level := -1
	if layout >= 0 {
		level = st.KeyLevel(kc, layout)
	}
	dst = append(dst, `,"layout":`...)
	dst = strconv.AppendInt(dst, int64(layout), 10)
	dst = append(dst, `,"level":`...)
	dst = strconv.AppendInt(dst, int64(level), 10)
	dst = append(dst, `,"consumed":`...)
	dst = appendMods(dst, st.KeyConsumedMods(kc, e.Consumed))
	if dir == DirDown || dir == DirBoth {
		st.UpdateKey(kc, state.Down)
	}
	if dir == DirUp || dir == DirBoth {
		st.UpdateKey(kc, state.Up)
	}
	dst = append(dst, `,"mods":{"depressed":`...)
	dst = appendMods(dst, st.SerializeMods(state.ModsDepressed))
	dst = append(dst, `,"latched":`...)
	dst = appendMods(dst, st.SerializeMods(state.ModsLatched))
	dst = append(dst, `,"locked":`...)
	dst = appendMods(dst, st.SerializeMods(state.ModsLocked))
	dst = append(dst, `,"effective":`...)
	dst = appendMods(dst, st.SerializeMods(state.ModsEffective))
	dst = append(dst, `},"layouts":{"depressed":`...)
	dst = strconv.AppendInt(dst, int64(st.SerializeLayout(state.LayoutDepressed)), 10)
	dst = append(dst, `,"latched":`...)
	dst = strconv.AppendInt(dst, int64(st.SerializeLayout(state.LayoutLatched)), 10)
	dst = append(dst, `,"locked":`...)
	dst = strconv.AppendInt(dst, int64(st.SerializeLayout(state.LayoutLocked)), 10)
	dst = append(dst, `,"effective":`...)
	dst = strconv.AppendInt(dst, int64(st.SerializeLayout(state.LayoutEffective)), 10)
	dst = append(dst, `},"leds":[`...)
	first := true
	for i := range km.LEDs {
		if km.LEDs[i].Name == "" || !st.LEDActive(i) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, []byte(km.LEDs[i].Name))
	}
	return append(dst, "]}"...)
}

// appendMods appends the names of the real modifiers in m, in index order.
func appendMods(dst []byte, m keymap.ModMask) []byte {
	dst = append(dst, '[')
	first := true
	for i := 0; i < keymap.NumRealMods; i++ {
		if m&(1<<uint(i)) == 0 {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, '"')
		dst = append(dst, keymap.RealModNames[i]...)
		dst = append(dst, '"')
	}
	return append(dst, ']')
}

// appendJSONString appends s as a JSON string. Bytes that are not valid
// UTF-8 become U+FFFD, as a JSON decoder would read them.
func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
			i++
		case c < 0x20 || c == 0x7f:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			i++
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, n := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && n == 1 {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, s[i:i+n]...)
			}
			i += n
		}
	}
	return append(dst, '"')
}

// Run reads event lines from in until EOF and writes one JSON line per
// event to out. A bad line produces a message on errOut naming its line
// number and no output line; evaluation continues. Output is flushed
// whenever the input has nothing more buffered, so that an interactive or
// piped producer sees each answer before it sends the next event. Run
// returns the first read or write error.
func Run(ev *Evaluator, in io.Reader, out, errOut io.Writer) error {
	r := bufio.NewReader(in)
	w := bufio.NewWriter(out)
	var buf []byte
	for lineno := 1; ; lineno++ {
		line, rerr := r.ReadString('\n')
		if line != "" {
			code, dir, err := ParseLine(strings.TrimRight(line, "\r\n"))
			switch {
			case errors.Is(err, ErrSkip):
			case err != nil:
				if err := w.Flush(); err != nil {
					return fmt.Errorf("eval: write: %w", err)
				}
				fmt.Fprintf(errOut, "gocomp xkb eval: line %d: %v\n", lineno, strings.TrimPrefix(err.Error(), "eval: "))
			default:
				buf = ev.AppendEvent(buf[:0], code, dir)
				buf = append(buf, '\n')
				if _, err := w.Write(buf); err != nil {
					return fmt.Errorf("eval: write: %w", err)
				}
			}
		}
		if rerr != nil || r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return fmt.Errorf("eval: write: %w", err)
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("eval: read: %w", rerr)
		}
	}
}
