// Command gen writes the keysym tables of package keysym from the keysym
// header that Debian's libxkbcommon-dev installs
// (/usr/include/xkbcommon/xkbcommon-keysyms.h) and from the Unicode case
// tables of the Go toolchain.
//
// Usage (from go generate in xkb/keysym):
//
//	go run ./internal/gen [-header FILE] [-o tables.go]
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"io"
	"log"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// entry is one #define of the header, in header order.
type entry struct {
	name string
	ks   uint32
	cp   rune // code point from a "U+XXXX" comment (deprecated ones too), or -1
}

// defineRE matches `#define XKB_KEY_name 0xvalue [comment]`.
var defineRE = regexp.MustCompile(`^#define XKB_KEY_([A-Za-z0-9_]+)\s+0x([0-9A-Fa-f]+)\s*(.*)$`)

// commentRE finds the code point of a comment "/* U+20AC ... */" or the
// deprecated form "/*(U+2329 ...)*/".
var commentRE = regexp.MustCompile(`^/\*\s*\(?U\+([0-9A-Fa-f]{4,6})\b`)

// parseHeader reads the entries of a keysym header.
func parseHeader(r io.Reader) ([]entry, error) {
	var entries []entry
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		m := defineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		v, err := strconv.ParseUint(m[2], 16, 32)
		if err != nil {
			return nil, fmt.Errorf("line %d: value %s: %w", line, m[2], err)
		}
		e := entry{name: m[1], ks: uint32(v), cp: -1}
		if c := commentRE.FindStringSubmatch(strings.TrimSpace(m[3])); c != nil {
			cp, err := strconv.ParseUint(c[1], 16, 32)
			if err != nil {
				return nil, fmt.Errorf("line %d: code point %s: %w", line, c[1], err)
			}
			e.cp = rune(cp)
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(entries) < 2000 {
		return nil, fmt.Errorf("only %d keysyms: not a keysym header?", len(entries))
	}
	return entries, nil
}

// utf32Overrides are the code points libxkbcommon 1.5's xkb_keysym_to_utf32
// gives to keysyms whose header comment names none or another one
// (function and keypad keys producing ASCII control or printable
// characters, and three legacy keysyms). Checked by the oracle test.
var utf32Overrides = map[string]rune{
	"BackSpace": 0x08, "Tab": 0x09, "Linefeed": 0x0a, "Clear": 0x0b,
	"Return": 0x0d, "Escape": 0x1b, "Delete": 0x7f,
	"KP_Space": 0x20, "KP_Tab": 0x09, "KP_Enter": 0x0d,
	"KP_Multiply": 0x2a, "KP_Add": 0x2b, "KP_Separator": 0x2c,
	"KP_Subtract": 0x2d, "KP_Decimal": 0x2e, "KP_Divide": 0x2f,
	"KP_0": 0x30, "KP_1": 0x31, "KP_2": 0x32, "KP_3": 0x33, "KP_4": 0x34,
	"KP_5": 0x35, "KP_6": 0x36, "KP_7": 0x37, "KP_8": 0x38, "KP_9": 0x39,
	"KP_Equal":               0x3d,
	"leftanglebracket":       0x27e8,
	"rightanglebracket":      0x27e9,
	"Thai_maihanakat_maitho": 0x0e3e,
}

// caseBlocks are the code point ranges in which libxkbcommon 1.5 converts
// the case of Unicode keysyms (Latin, IPA, Greek, Cyrillic, Armenian,
// Latin Extended Additional, Greek Extended, Letterlike Symbols and Number
// Forms, Enclosed Alphanumerics, Halfwidth and Fullwidth Forms, Deseret).
var caseBlocks = [][2]rune{
	{0x0000, 0x05ff}, {0x1e00, 0x1fff}, {0x2100, 0x217f}, {0x2480, 0x24ff},
	{0xff00, 0xff7f}, {0x10400, 0x1047f},
}

// caseExcluded are letters inside caseBlocks that libxkbcommon 1.5 leaves
// alone (letters and case pairs added to Unicode after its case tables were
// made); a pair is converted only when neither side is listed.
var caseExcluded = [][2]rune{
	{0x0180, 0x0180}, {0x019a, 0x019a}, {0x023a, 0x0252}, {0x025c, 0x025c},
	{0x0261, 0x0261}, {0x0265, 0x0266}, {0x026a, 0x026c}, {0x0271, 0x0271},
	{0x027d, 0x027d}, {0x0282, 0x0282}, {0x0287, 0x0287}, {0x0289, 0x0289},
	{0x028c, 0x028c}, {0x029d, 0x029e}, {0x0370, 0x0373}, {0x0376, 0x0377},
	{0x037b, 0x037d}, {0x037f, 0x037f}, {0x03cf, 0x03cf}, {0x03d7, 0x03d7},
	{0x03f3, 0x03f3}, {0x03fd, 0x03ff}, {0x04c0, 0x04c0}, {0x04cf, 0x04cf},
	{0x04f6, 0x04f7}, {0x04fa, 0x04ff}, {0x0510, 0x052f}, {0x1efa, 0x1eff},
	{0x2132, 0x2132}, {0x214e, 0x214e},
}

// caseExtraUpper are upper-case mappings libxkbcommon 1.5 has beyond the
// simple Unicode ones (LATIN SMALL LETTER SHARP S -> CAPITAL SHARP S).
var caseExtraUpper = map[rune]rune{0x00df: 0x1e9e}

func inRanges(r rune, ranges [][2]rune) bool {
	for _, g := range ranges {
		if r >= g[0] && r <= g[1] {
			return true
		}
	}
	return false
}

// convertible reports whether libxkbcommon converts the case of r at all.
func convertible(r rune) bool { return inRanges(r, caseBlocks) && !inRanges(r, caseExcluded) }

// caseOf returns the upper and lower case of code point r as libxkbcommon
// 1.5 converts Unicode keysyms.
func caseOf(r rune) (upper, lower rune) {
	upper, lower = r, r
	if !convertible(r) {
		return
	}
	if u := unicode.ToUpper(r); u != r && convertible(u) {
		upper = u
	}
	if u, ok := caseExtraUpper[r]; ok {
		upper = u
	}
	if l := unicode.ToLower(r); l != r && convertible(l) {
		lower = l
	}
	return
}

func main() {
	header := flag.String("header", "/usr/include/xkbcommon/xkbcommon-keysyms.h", "keysym header to read")
	out := flag.String("o", "tables.go", "Go file to write")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("keysym/gen: ")
	f, err := os.Open(*header)
	if err != nil {
		log.Fatal(err)
	}
	entries, err := parseHeader(f)
	f.Close()
	if err != nil {
		log.Fatalf("%s: %v", *header, err)
	}
	src, err := generate(entries, *header)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// generate returns the formatted Go source of the tables.
func generate(entries []entry, header string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by xkb/keysym/internal/gen from %s; DO NOT EDIT.\n\n", header)
	b.WriteString("package keysym\n\n")

	// Names, concatenated in header order.
	var names strings.Builder
	offs := make([]int, len(entries))
	for i, e := range entries {
		offs[i] = names.Len()
		names.WriteString(e.name)
	}
	if names.Len() > 1<<16 || len(entries) > 1<<16 {
		return nil, fmt.Errorf("tables outgrow uint16 indices: %d bytes of names, %d entries", names.Len(), len(entries))
	}
	fmt.Fprintf(&b, "// nameData holds every keysym name of the header, in header order.\nconst nameData = %q\n\n", names.String())
	b.WriteString("// entries lists the header's keysyms in header order.\nvar entries = [...]entry{\n")
	for i, e := range entries {
		fmt.Fprintf(&b, "{%#x, %d, %d},\n", e.ks, offs[i], len(e.name))
	}
	b.WriteString("}\n\n")

	seenName := map[string]bool{}
	for _, e := range entries {
		if seenName[e.name] {
			return nil, fmt.Errorf("duplicate name %s", e.name)
		}
		seenName[e.name] = true
	}

	// Case-insensitive lookup: libxkbcommon bisects an array sorted by
	// folded name (stable, so names equal but for case keep header order)
	// with inclusive bounds; from the entry it lands on it checks that
	// entry and those after it, then those before it, for a lower-case
	// keysym, and falls back on the entry it landed on. The landing
	// depends only on the folded name, so each group of names equal but
	// for case gets its candidates listed here in that order.
	byFold := make([]int, len(entries))
	for i := range byFold {
		byFold[i] = i
	}
	sort.SliceStable(byFold, func(i, j int) bool {
		return asciiLower(entries[byFold[i]].name) < asciiLower(entries[byFold[j]].name)
	})
	foldName := func(k int) string { return asciiLower(entries[byFold[k]].name) }
	var groups []uint16 // runs: count, then entry indexes in check order
	groupOf := map[string]int{}
	for k := 0; k < len(byFold); {
		f := foldName(k)
		end := k
		for end < len(byFold) && foldName(end) == f {
			end++
		}
		if end-k > 1 {
			lo, hi, m := 0, len(byFold)-1, -1
			for lo <= hi {
				mid := (lo + hi) / 2
				switch c := strings.Compare(f, foldName(mid)); {
				case c < 0:
					hi = mid - 1
				case c > 0:
					lo = mid + 1
				default:
					m = mid
					lo = hi + 1
				}
			}
			groupOf[f] = len(groups)
			groups = append(groups, uint16(end-k))
			for i := m; i < end; i++ {
				groups = append(groups, uint16(byFold[i]))
			}
			for i := m - 1; i >= k; i-- {
				groups = append(groups, uint16(byFold[i]))
			}
		}
		k = end
	}
	if len(groups) >= foldGroupFlag {
		return nil, fmt.Errorf("fold groups outgrow their index: %d", len(groups))
	}

	// Open-addressing hash tables (linear probing). nameHash holds entry
	// index + 1; foldHash the same for folded names held by one entry, and
	// foldGroupFlag | start in foldGroups for names shared but for case.
	var exact, fold [hashSize]uint16
	insert := func(table *[hashSize]uint16, h uint32, v uint16) {
		for j := h & (hashSize - 1); ; j = (j + 1) & (hashSize - 1) {
			if table[j] == 0 {
				table[j] = v
				return
			}
		}
	}
	seenFold := map[string]bool{}
	for i, e := range entries {
		insert(&exact, hashName(e.name), uint16(i+1))
		f := asciiLower(e.name)
		if seenFold[f] {
			continue
		}
		seenFold[f] = true
		if g, ok := groupOf[f]; ok {
			insert(&fold, hashName(f), uint16(foldGroupFlag|g))
		} else {
			insert(&fold, hashName(f), uint16(i+1))
		}
	}
	writeTable := func(doc, name string, t []uint16) {
		fmt.Fprintf(&b, "// %s\nvar %s = [...]uint16{", doc, name)
		for i, x := range t {
			if i%16 == 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%d, ", x)
		}
		b.WriteString("\n}\n\n")
	}
	writeTable("nameHash maps hashName(name) to entry index + 1 (0: empty slot),\n// probing linearly.", "nameHash", exact[:])
	writeTable("foldHash maps hashName of an ASCII-lower-cased name to entry index + 1,\n// or to foldGroupFlag | the start of its run in foldGroups when several\n// names fold to it, probing linearly.", "foldHash", fold[:])
	writeTable("foldGroups holds runs of a count and entry indexes: the entries whose\n// names are equal but for case, in the order case-insensitive lookup\n// checks them (the first is the fallback).", "foldGroups", groups)

	// Canonical name per value: the first in header order.
	var byValue []int
	seen := map[uint32]bool{}
	for i, e := range entries {
		if !seen[e.ks] {
			seen[e.ks] = true
			byValue = append(byValue, i)
		}
	}
	var valueTable [hashSize]uint16
	for _, i := range byValue {
		insert(&valueTable, hashValue(entries[i].ks), uint16(i+1))
	}
	writeTable("valueHash maps hashValue(keysym) to the index + 1 of the canonical\n// (first listed) entry of that keysym, probing linearly.", "valueHash", valueTable[:])

	// Keysym -> code point for keysyms outside the Unicode keysym range.
	cps := map[uint32]rune{}
	for _, e := range entries {
		if e.ks >= unicodeBase && e.ks <= unicodeBase+unicode.MaxRune {
			continue
		}
		cp, ok := utf32Overrides[e.name]
		if !ok {
			cp = e.cp
		}
		if _, done := cps[e.ks]; done || cp < 0 {
			continue
		}
		cps[e.ks] = cp
	}
	for name := range utf32Overrides {
		found := false
		for _, e := range entries {
			found = found || e.name == name
		}
		if !found {
			return nil, fmt.Errorf("utf32 override for unknown keysym %s", name)
		}
	}
	var legacy []uint32
	for ks := range cps {
		legacy = append(legacy, ks)
	}
	sort.Slice(legacy, func(i, j int) bool { return legacy[i] < legacy[j] })
	b.WriteString("// toUTF32Table maps keysyms outside the Unicode keysym range to code\n// points, sorted by keysym.\nvar toUTF32Table = [...]keysymRune{\n")
	for _, ks := range legacy {
		fmt.Fprintf(&b, "{%#x, %#x},\n", ks, cps[ks])
	}
	b.WriteString("}\n\n")

	// Code point -> lowest legacy keysym carrying it.
	lowest := map[rune]uint32{}
	for _, ks := range legacy { // ascending, so the first seen is the lowest
		if _, ok := lowest[cps[ks]]; !ok {
			lowest[cps[ks]] = ks
		}
	}
	var runes []rune
	for r := range lowest {
		runes = append(runes, r)
	}
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })
	b.WriteString("// fromUTF32Table maps code points to the lowest legacy keysym carrying\n// them, sorted by code point.\nvar fromUTF32Table = [...]keysymRune{\n")
	for _, r := range runes {
		fmt.Fprintf(&b, "{%#x, %#x},\n", lowest[r], r)
	}
	b.WriteString("}\n\n")

	// Unicode keysym case conversion.
	b.WriteString("// unicodeCase lists the code points whose Unicode keysyms have another\n// upper or lower case, sorted by code point.\nvar unicodeCase = [...]caseDelta{\n")
	for r := rune(0); r <= unicode.MaxRune; r++ {
		up, lo := caseOf(r)
		if up != r || lo != r {
			fmt.Fprintf(&b, "{%#x, %d, %d},\n", r, up-r, lo-r)
		}
	}
	b.WriteString("}\n")

	return format.Source(b.Bytes())
}

// hashSize is the slot count of the name hash tables (a power of two,
// about three times the number of names).
const hashSize = 1 << 13

// foldGroupFlag marks foldHash values that index foldGroups.
const foldGroupFlag = 1 << 15

// hashValue spreads a keysym over the hash table (Fibonacci hashing; the
// top bits are used); package keysym computes the same.
func hashValue(ks uint32) uint32 { return (ks * 2654435769) >> (32 - 13) }

// hashName is FNV-1a over the bytes of s; package keysym computes the same.
func hashName(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// unicodeBase is the keysym of code point 0 in the Unicode keysym range.
const unicodeBase = 0x01000000

// asciiLower lower-cases ASCII letters only, as strcasecmp compares.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
