package oracle

import (
	"fmt"
	"strconv"
	"strings"
)

// keysymOp runs `oracle keysym op` with one input per line and returns one
// output per input.
func (o *Oracle) keysymOp(op string, in []string) ([]string, error) {
	var b strings.Builder
	for _, s := range in {
		if strings.ContainsAny(s, "\n\r") {
			return nil, fmt.Errorf("oracle keysym %s: input %q has a newline", op, s)
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	out, err := o.run([]byte(b.String()), "keysym", op)
	if err != nil {
		return nil, err
	}
	res := lines(out)
	if len(res) != len(in) {
		return nil, fmt.Errorf("oracle keysym %s: %d results for %d inputs", op, len(res), len(in))
	}
	return res, nil
}

// hexIn formats values as the helper's hexadecimal inputs.
func hexIn(vs []uint32) []string {
	in := make([]string, len(vs))
	for i, v := range vs {
		in[i] = strconv.FormatUint(uint64(v), 16)
	}
	return in
}

// hexOut parses the helper's hexadecimal outputs.
func hexOut(op string, out []string) ([]uint32, error) {
	vs := make([]uint32, len(out))
	for i, s := range out {
		v, err := strconv.ParseUint(s, 16, 32)
		if err != nil {
			return nil, fmt.Errorf("oracle keysym %s: result %d: %w", op, i, err)
		}
		vs[i] = uint32(v)
	}
	return vs, nil
}

// valueOp maps values to values through the helper's operation op.
func (o *Oracle) valueOp(op string, vs []uint32) ([]uint32, error) {
	out, err := o.keysymOp(op, hexIn(vs))
	if err != nil {
		return nil, err
	}
	return hexOut(op, out)
}

// KeysymNames returns xkb_keysym_get_name for each keysym ("-" when
// libxkbcommon reports an error).
func (o *Oracle) KeysymNames(ks []uint32) ([]string, error) {
	return o.keysymOp("name", hexIn(ks))
}

// KeysymsFromNames returns xkb_keysym_from_name for each name, with
// XKB_KEYSYM_CASE_INSENSITIVE when caseInsensitive is set. Names must not
// contain newlines.
func (o *Oracle) KeysymsFromNames(names []string, caseInsensitive bool) ([]uint32, error) {
	op := "from-name"
	if caseInsensitive {
		op = "from-name-ci"
	}
	out, err := o.keysymOp(op, names)
	if err != nil {
		return nil, err
	}
	return hexOut(op, out)
}

// KeysymsToUTF32 returns xkb_keysym_to_utf32 for each keysym.
func (o *Oracle) KeysymsToUTF32(ks []uint32) ([]uint32, error) { return o.valueOp("utf32", ks) }

// KeysymsToUTF8 returns xkb_keysym_to_utf8 for each keysym: the bytes it
// writes without the terminating NUL, or nil when it returns 0 or less.
func (o *Oracle) KeysymsToUTF8(ks []uint32) ([][]byte, error) {
	out, err := o.keysymOp("utf8", hexIn(ks))
	if err != nil {
		return nil, err
	}
	res := make([][]byte, len(out))
	for i, s := range out {
		if s == "0" || strings.HasPrefix(s, "-") {
			continue // libxkbcommon returned 0 (no character) or -1 (error)
		}
		b, err := hexDecode(s)
		if err != nil {
			return nil, fmt.Errorf("oracle keysym utf8: result %d: %w", i, err)
		}
		res[i] = b
	}
	return res, nil
}

// UTF32ToKeysyms returns xkb_utf32_to_keysym for each code point.
func (o *Oracle) UTF32ToKeysyms(cps []uint32) ([]uint32, error) { return o.valueOp("from-utf32", cps) }

// KeysymsToUpper returns xkb_keysym_to_upper for each keysym.
func (o *Oracle) KeysymsToUpper(ks []uint32) ([]uint32, error) { return o.valueOp("upper", ks) }

// KeysymsToLower returns xkb_keysym_to_lower for each keysym.
func (o *Oracle) KeysymsToLower(ks []uint32) ([]uint32, error) { return o.valueOp("lower", ks) }

// hexDecode decodes a string of hexadecimal byte pairs.
func hexDecode(s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("odd hex length %d", len(s))
	}
	b := make([]byte, len(s)/2)
	for i := range b {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, err
		}
		b[i] = byte(v)
	}
	return b, nil
}

// BenchKeysym returns libxkbcommon's mean time in ns per call of one
// keysym function over inputs, repeated iterations times: op "name"
// (xkb_keysym_get_name), "utf8" (xkb_keysym_to_utf8) and "upper"
// (xkb_keysym_to_upper) take keysyms in hex; "from-name" and
// "from-name-ci" (xkb_keysym_from_name) take names.
func (o *Oracle) BenchKeysym(op string, inputs []string, iterations int) (Times, error) {
	var b strings.Builder
	for _, s := range inputs {
		if strings.ContainsAny(s, "\n\r") {
			return Times{}, fmt.Errorf("oracle bench-keysym: input %q has a newline", s)
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	out, err := o.run([]byte(b.String()), "bench-keysym", op, strconv.Itoa(iterations))
	if err != nil {
		return Times{}, err
	}
	return benchOut(out)
}
