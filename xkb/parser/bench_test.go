package parser

import (
	"testing"

	"gocomp/xkb/internal/oracle"
)

// BenchmarkParseKeymapUS parses the keymap text libxkbcommon prints for
// layout us. The libxkbcommon-ns/op metric is libxkbcommon 1.5 loading the
// same text in the same run (xkb_keymap_new_from_string: its parse AND its
// compile of the text, so it does more than this benchmark's Parse).
func BenchmarkParseKeymapUS(b *testing.B) {
	src := compileKeymap(b, "--layout", "us")
	anchor, err := oracle.New(b).BenchParse(string(src), 200)
	if err != nil {
		b.Fatalf("libxkbcommon bench-parse: %v", err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("us", src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(anchor, "libxkbcommon-ns/op")
}

// BenchmarkResolveSymbolsUS loads and resolves the symbols of "pc+us+inet(evdev)"
// from the installed xkb-data with a fresh Loader each time (file reads
// and parses included).
func BenchmarkResolveSymbolsUS(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		l := NewLoader([]string{xkbRoot})
		if _, err := l.ResolveSpec(KindSymbols, "pc+us+inet(evdev)"); err != nil {
			b.Fatal(err)
		}
	}
}
