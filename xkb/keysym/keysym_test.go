package keysym_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/keysym"
)

func TestNameTable(t *testing.T) {
	tests := []struct {
		ks   keysym.Keysym
		want string
	}{
		{0, "NoSymbol"},
		{0x61, "a"},
		{0x27, "apostrophe"}, // also quoteright: the first listed wins
		{0xff0d, "Return"},
		{0xffffff, "VoidSymbol"},
		{0x20ac, "EuroSign"},
		{0x10020ac, "U20AC"},
		{0x1000041, "0x01000041"}, // Unicode keysyms below U+0100 have no U name
		{0x1010000, "U00010000"},
		{0x110ffff, "U0010FFFF"},
		{0x1110000, "0x01110000"},
		{0x100, "0x00000100"},
		{0x1fffffff, "0x1fffffff"},
		{0x20000000, ""},
	}
	for _, tt := range tests {
		if got := keysym.Name(tt.ks); got != tt.want {
			t.Errorf("Name(%#x) = %q; want %q", uint32(tt.ks), got, tt.want)
		}
		if got := string(keysym.AppendName([]byte("x"), tt.ks)); got != "x"+tt.want {
			t.Errorf("AppendName(x, %#x) = %q; want %q", uint32(tt.ks), got, "x"+tt.want)
		}
	}
}

func TestFromNameTable(t *testing.T) {
	tests := []struct {
		name   string
		ci     bool
		want   keysym.Keysym
		wantOK bool
	}{
		{"a", false, 0x61, true},
		{"A", true, 0x61, true}, // case-insensitive prefers the lower-case keysym
		{"RETURN", true, 0xff0d, true},
		{"RETURN", false, 0, false},
		{"U20AC", false, 0x10020ac, true},
		{"u20ac", false, 0, false},
		{"u20ac", true, 0x10020ac, true},
		{"U41", false, 0x41, true},
		{"U+0041", false, 0, false}, // not a libxkbcommon 1.5 spelling
		{"U1F", false, 0, false},
		{"U00000041", false, 0x41, true},
		{"U000000041", false, 0, false},
		{"U110000", false, 0, false},
		{"0x1008ff12", false, 0x1008ff12, true},
		{"0X41", false, 0, false},
		{"0X41", true, 0x41, true},
		{"0x000000041", false, 0, false},
		{"XF86_AudioMute", false, 0x1008ff12, true},
		{"xf86_audiomute", true, 0x1008ff12, true},
		{"", false, 0, false},
		{"NoSuchKeysym", false, 0, false},
	}
	for _, tt := range tests {
		f, fn := keysym.FromName, "FromName"
		if tt.ci {
			f, fn = keysym.FromNameCaseInsensitive, "FromNameCaseInsensitive"
		}
		if got, ok := f(tt.name); got != tt.want || ok != tt.wantOK {
			t.Errorf("%s(%q) = %#x, %v; want %#x, %v", fn, tt.name, uint32(got), ok, uint32(tt.want), tt.wantOK)
		}
	}
}

// sampleKeysyms returns the header's keysyms, every value below 0x20000,
// the whole Unicode keysym range with its edges, and a seeded random sample
// of the rest of the 32-bit space.
func sampleKeysyms(full bool) []keysym.Keysym {
	seen := map[keysym.Keysym]bool{}
	var ks []keysym.Keysym
	add := func(k keysym.Keysym) {
		if !seen[k] {
			seen[k] = true
			ks = append(ks, k)
		}
	}
	for _, e := range keysym.HeaderEntries() {
		add(e.KS)
	}
	for k := keysym.Keysym(0); k < 0x20000; k++ {
		add(k)
	}
	step := keysym.Keysym(1)
	if !full {
		step = 7
	}
	for k := keysym.Keysym(0x1000000); k <= 0x1110010; k += step {
		add(k)
	}
	for _, k := range []keysym.Keysym{0x10000ff, 0x1000100, 0x100ffff, 0x1010000, 0x110ffff, 0x1110000, 0x1fffffff, 0x20000000, 0xffffffff} {
		add(k)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		add(keysym.Keysym(rng.Uint32()))
		add(keysym.Keysym(rng.Uint32() & 0x1fffffff))
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
	return ks
}

func toUint32(ks []keysym.Keysym) []uint32 {
	out := make([]uint32, len(ks))
	for i, k := range ks {
		out[i] = uint32(k)
	}
	return out
}

// report fails t with the first few mismatches and their count.
type report struct {
	t     *testing.T
	what  string
	bad   int
	total int
}

func (r *report) check(ok bool, format string, args ...any) {
	r.total++
	if ok {
		return
	}
	r.bad++
	if r.bad <= 10 {
		r.t.Errorf(r.what+": "+format, args...)
	}
}

func (r *report) done() {
	if r.bad > 10 {
		r.t.Errorf("%s: %d mismatches in all", r.what, r.bad)
	}
	r.t.Logf("%s: %d compared, %d mismatches", r.what, r.total, r.bad)
}

func TestNameMatchesLibxkbcommon(t *testing.T) {
	o := oracle.New(t)
	ks := sampleKeysyms(true)
	want, err := o.KeysymNames(toUint32(ks))
	if err != nil {
		t.Fatal(err)
	}
	r := report{t: t, what: "Name"}
	for i, k := range ks {
		w := want[i]
		if w == "-" {
			w = "" // libxkbcommon reports an error
		}
		got := keysym.Name(k)
		r.check(got == w, "Name(%#x) = %q; libxkbcommon %q", uint32(k), got, w)
	}
	r.done()
}

// nameInputs returns every header name in three spellings, the names of
// sampled keysyms, and hand-picked edge cases of the U and 0x forms.
func nameInputs() []string {
	var in []string
	for _, e := range keysym.HeaderEntries() {
		in = append(in, e.Name, strings.ToLower(e.Name), strings.ToUpper(e.Name), "XF86_"+strings.TrimPrefix(e.Name, "XF86"))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		k := rng.Uint32() & 0x1fffffff
		cp := rng.Uint32() % 0x110010
		in = append(in, fmt.Sprintf("0x%x", k), fmt.Sprintf("0X%08X", k), fmt.Sprintf("U%x", cp), fmt.Sprintf("u%X", cp), fmt.Sprintf("U%08x", cp))
	}
	for cp := 0; cp < 0x120; cp++ {
		in = append(in, fmt.Sprintf("U%X", cp), fmt.Sprintf("U%04x", cp))
	}
	in = append(in, "", "U", "U+", "U+0041", "u+0041", "U 41", "Ux41", "U-41", "U0000000041", "U000000041",
		"U00000041", "U110000", "U10FFFF", "UFFFE", "UD800", "0x", "0x0", "0x00000000000041", "0x000000041",
		"0x1ffffffff", "0xffffffff", "0x+41", "0x-1", " U41", "U41 ", "XF86_", "XF86_0x41", "xF86_AudioMute",
		"XF86_audiomute", "NoSymbol", "nosymbol", "VoidSymbol", "a b", "é")
	return in
}

func TestFromNameMatchesLibxkbcommon(t *testing.T) {
	o := oracle.New(t)
	in := nameInputs()
	for _, ci := range []bool{false, true} {
		want, err := o.KeysymsFromNames(in, ci)
		if err != nil {
			t.Fatal(err)
		}
		f, fn := keysym.FromName, "FromName"
		if ci {
			f, fn = keysym.FromNameCaseInsensitive, "FromNameCaseInsensitive"
		}
		r := report{t: t, what: fn}
		for i, name := range in {
			got, ok := f(name)
			r.check(uint32(got) == want[i] && ok == (got != 0 || name == "NoSymbol" || ci && strings.EqualFold(name, "NoSymbol")),
				"%s(%q) = %#x, %v; libxkbcommon %#x", fn, name, uint32(got), ok, want[i])
		}
		r.done()
	}
}

func TestUTF32MatchesLibxkbcommon(t *testing.T) {
	o := oracle.New(t)
	ks := sampleKeysyms(true)
	want, err := o.KeysymsToUTF32(toUint32(ks))
	if err != nil {
		t.Fatal(err)
	}
	r := report{t: t, what: "ToUTF32"}
	for i, k := range ks {
		got := keysym.ToUTF32(k)
		r.check(uint32(got) == want[i], "ToUTF32(%#x) = %#x; libxkbcommon %#x", uint32(k), got, want[i])
	}
	r.done()

	var cps []uint32
	for cp := uint32(0); cp <= 0x110010; cp++ {
		cps = append(cps, cp)
	}
	cps = append(cps, 0x7fffffff, 0x80000000, 0xffffffff)
	wantKS, err := o.UTF32ToKeysyms(cps)
	if err != nil {
		t.Fatal(err)
	}
	r = report{t: t, what: "FromUTF32"}
	for i, cp := range cps {
		got := keysym.FromUTF32(rune(cp))
		r.check(uint32(got) == wantKS[i], "FromUTF32(%#x) = %#x; libxkbcommon %#x", cp, uint32(got), wantKS[i])
	}
	r.done()
}

func TestUTF8MatchesLibxkbcommon(t *testing.T) {
	o := oracle.New(t)
	ks := sampleKeysyms(false)
	want, err := o.KeysymsToUTF8(toUint32(ks))
	if err != nil {
		t.Fatal(err)
	}
	r := report{t: t, what: "AppendUTF8"}
	buf := make([]byte, 0, 8)
	for i, k := range ks {
		got := keysym.AppendUTF8(buf[:0], k)
		r.check(bytes.Equal(got, want[i]), "AppendUTF8(%#x) = %x; libxkbcommon %x", uint32(k), got, want[i])
	}
	r.done()
}

func TestCaseMatchesLibxkbcommon(t *testing.T) {
	o := oracle.New(t)
	ks := sampleKeysyms(true)
	up, err := o.KeysymsToUpper(toUint32(ks))
	if err != nil {
		t.Fatal(err)
	}
	lo, err := o.KeysymsToLower(toUint32(ks))
	if err != nil {
		t.Fatal(err)
	}
	r := report{t: t, what: "ToUpper/ToLower"}
	for i, k := range ks {
		gu, gl := keysym.ToUpper(k), keysym.ToLower(k)
		r.check(uint32(gu) == up[i] && uint32(gl) == lo[i], "ToUpper/ToLower(%#x) = %#x, %#x; libxkbcommon %#x, %#x",
			uint32(k), uint32(gu), uint32(gl), up[i], lo[i])
		r.check(keysym.IsLower(k) == (up[i] != lo[i] && lo[i] == uint32(k)) && keysym.IsUpper(k) == (up[i] != lo[i] && up[i] == uint32(k)),
			"IsLower/IsUpper(%#x) disagree with libxkbcommon's case conversion", uint32(k))
	}
	r.done()
}

func TestClassification(t *testing.T) {
	tests := []struct {
		name             string
		keypad, modifier bool
	}{
		{"KP_Space", true, false}, {"KP_Equal", true, false}, {"KP_Enter", true, false},
		{"Shift_L", false, true}, {"Hyper_R", false, true}, {"ISO_Level3_Shift", false, true},
		{"ISO_Level5_Lock", false, true}, {"Mode_switch", false, true}, {"Num_Lock", false, true},
		{"Caps_Lock", false, true}, {"a", false, false}, {"Return", false, false},
		{"ISO_Group_Latch", false, true}, {"ISO_Left_Tab", false, false},
	}
	for _, tt := range tests {
		ks, ok := keysym.FromName(tt.name)
		if !ok {
			t.Fatalf("FromName(%q) failed", tt.name)
		}
		if got := keysym.IsKeypad(ks); got != tt.keypad {
			t.Errorf("IsKeypad(%s) = %v; want %v", tt.name, got, tt.keypad)
		}
		if got := keysym.IsModifier(ks); got != tt.modifier {
			t.Errorf("IsModifier(%s) = %v; want %v", tt.name, got, tt.modifier)
		}
	}
}

func TestNoAllocations(t *testing.T) {
	buf := make([]byte, 0, 64)
	keys := []keysym.Keysym{0x61, 0xff0d, 0x10020ac, 0x6c1, 0x1001e9e}
	allocs := testing.AllocsPerRun(100, func() {
		_ = keysym.Name(0x61) // named keysyms only: unnamed ones need a new string
		_ = keysym.Name(0xff0d)
		for _, k := range keys {
			buf = keysym.AppendUTF8(buf[:0], k)
			buf = keysym.AppendName(buf[:0], k)
			_ = keysym.ToUpper(k)
			_ = keysym.ToLower(k)
			_ = keysym.ToUTF32(k)
			_, _ = keysym.FromName("Return")
			_, _ = keysym.FromNameCaseInsensitive("cyrillic_a")
		}
	})
	if allocs != 0 {
		t.Errorf("Name (named)/AppendUTF8/AppendName/ToUpper/ToLower/ToUTF32/FromName allocate %v times per run; want 0", allocs)
	}
}

var sink keysym.Keysym

// benchKeysyms are named keysyms the benchmarks cycle through: ASCII and
// Cyrillic letters, function and keypad keys.
func benchKeysyms() []keysym.Keysym {
	var ks []keysym.Keysym
	for k := keysym.Keysym(0x41); k <= 0x7a; k += 3 {
		ks = append(ks, k)
	}
	for k := keysym.Keysym(0x6c0); k <= 0x6ff; k += 5 {
		ks = append(ks, k)
	}
	return append(ks, 0xff0d, 0xffe1, 0xffb5, 0x20ac, 0xfe03, 0x1008ff12)
}

// anchor measures libxkbcommon on the same inputs, the library call alone
// in its timed loop as in ours; the returned function reports it as the
// libxkbcommon-ns/op metric next to ours and our time as a multiple of it
// (call it after the loop: b.Loop's timer reset drops metrics reported
// before).
func anchor(b *testing.B, op string, inputs []string) (report func()) {
	b.Helper()
	ns, err := oracle.New(b).BenchKeysym(op, inputs, 20000)
	if err != nil {
		b.Fatal(err)
	}
	return func() {
		b.ReportMetric(ns.Wall, "libxkbcommon-ns/op")
		if b.N > 0 {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/ns.Wall, "x-libxkbcommon")
		}
	}
}

func hexInputs(ks []keysym.Keysym) []string {
	in := make([]string, len(ks))
	for i, k := range ks {
		in[i] = fmt.Sprintf("%x", uint32(k))
	}
	return in
}

func nameInputsOf(ks []keysym.Keysym, lower bool) []string {
	in := make([]string, len(ks))
	for i, k := range ks {
		in[i] = keysym.Name(k)
		if lower {
			in[i] = strings.ToLower(in[i])
		}
	}
	return in
}

func BenchmarkName(b *testing.B) {
	ks := benchKeysyms()
	report := anchor(b, "name", hexInputs(ks))
	defer report()
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		n += len(keysym.Name(ks[i%len(ks)]))
	}
	_ = n
}

func BenchmarkAppendUTF8(b *testing.B) {
	ks := benchKeysyms()
	report := anchor(b, "utf8", hexInputs(ks))
	defer report()
	b.ReportAllocs()
	buf := make([]byte, 0, 8)
	for i := 0; b.Loop(); i++ {
		buf = keysym.AppendUTF8(buf[:0], ks[i%len(ks)])
	}
}

func BenchmarkToUpper(b *testing.B) {
	ks := benchKeysyms()
	report := anchor(b, "upper", hexInputs(ks))
	defer report()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sink = keysym.ToUpper(ks[i%len(ks)])
	}
}

func BenchmarkFromName(b *testing.B) {
	names := nameInputsOf(benchKeysyms(), false)
	report := anchor(b, "from-name", names)
	defer report()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sink, _ = keysym.FromName(names[i%len(names)])
	}
}

func BenchmarkFromNameCaseInsensitive(b *testing.B) {
	names := nameInputsOf(benchKeysyms(), true)
	report := anchor(b, "from-name-ci", names)
	defer report()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sink, _ = keysym.FromNameCaseInsensitive(names[i%len(names)])
	}
}

// FuzzFromName checks that any name either fails or gives a keysym whose
// own name leads back to it, and that nothing panics.
func FuzzFromName(f *testing.F) {
	for _, s := range []string{"a", "Return", "U20AC", "0x1008ff12", "XF86_AudioMute", "u+41", "Cyrillic_A", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, ci := range []bool{false, true} {
			get := keysym.FromName
			if ci {
				get = keysym.FromNameCaseInsensitive
			}
			ks, ok := get(name)
			if !ok || ks > 0x1fffffff {
				continue
			}
			back, ok := keysym.FromName(keysym.Name(ks))
			if !ok && ks != keysym.NoSymbol || back != ks {
				t.Errorf("FromName(Name(%#x) = %q) = %#x, %v; want the keysym back (from %q)", uint32(ks), keysym.Name(ks), uint32(back), ok, name)
			}
			_ = keysym.AppendUTF8(nil, ks)
			_ = keysym.ToUpper(ks)
		}
	})
}
