package parser

import (
	"syscall"
	"testing"
	"time"

	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/rules"
)

// cpuTime returns the user+system CPU time used so far by this process
// (who = RUSAGE_SELF, all threads including the GC's) or by its waited-for
// children (RUSAGE_CHILDREN).
func cpuTime(tb testing.TB, who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkParseKeymapUS parses the keymap text libxkbcommon prints for
// layout us. libxkbcommon has no parse-only entry point, so there is no
// like-for-like anchor: for scale, libxkbcommon-parse+compile-ns/op is
// libxkbcommon 1.5 loading the same text in the same run
// (xkb_keymap_new_from_string, its parse and its compile; compare it with
// compile's BenchmarkFromText, which does both too). cpu-ns/op is our CPU
// time per parse (GC threads included), steadier than wall-clock time on a
// loaded machine.
func BenchmarkParseKeymapUS(b *testing.B) {
	src := compileKeymap(b, "--layout", "us")
	anchor, err := oracle.New(b).BenchParse(string(src), 200)
	if err != nil {
		b.Fatalf("libxkbcommon bench-parse: %v", err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	s0 := cpuTime(b, syscall.RUSAGE_SELF)
	n := 0
	for b.Loop() {
		if _, err := Parse("us", src); err != nil {
			b.Fatal(err)
		}
		n++
	}
	ours := cpuTime(b, syscall.RUSAGE_SELF) - s0
	b.ReportMetric(anchor.Wall, "libxkbcommon-parse+compile-ns/op")
	b.ReportMetric(float64(ours.Nanoseconds())/float64(n), "cpu-ns/op")
}

// BenchmarkResolveSymbolsUS loads and resolves the symbols of
// "pc+us+inet(evdev)" from the installed xkb-data with a fresh Loader each
// time (file reads and parses included).
func BenchmarkResolveSymbolsUS(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		l := NewLoader([]string{xkbRoot})
		if _, err := l.ResolveSpec(KindSymbols, "pc+us+inet(evdev)"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResolveComponentsUS resolves all four KcCGST components of
// the evdev rules for layout us with a fresh Loader each time: the
// file-reading and parsing part of a compile from names. For scale it
// reports libxkbcommon's whole compile from names (rules, parse, compile)
// measured in the same run, as wall and CPU time, and our CPU time.
func BenchmarkResolveComponentsUS(b *testing.B) {
	benchmarkResolveComponentsUS(b, nil)
}

// BenchmarkResolveComponentsUSCached is BenchmarkResolveComponentsUS with
// a warm FileCache: each Loader only stats the files and builds the tree.
func BenchmarkResolveComponentsUSCached(b *testing.B) {
	benchmarkResolveComponentsUS(b, NewFileCache())
}

func benchmarkResolveComponentsUS(b *testing.B, cache *FileCache) {
	anchor, err := oracle.New(b).BenchCompile(rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}, 100)
	if err != nil {
		b.Fatalf("libxkbcommon bench-compile: %v", err)
	}
	b.ReportAllocs()
	s0 := cpuTime(b, syscall.RUSAGE_SELF)
	n := 0
	for b.Loop() {
		n++
		l := NewLoader([]string{xkbRoot})
		if cache != nil {
			l = NewLoaderWithCache([]string{xkbRoot}, cache)
		}
		for _, c := range []struct {
			kind SectionKind
			spec string
		}{
			{KindKeycodes, "evdev+aliases(qwerty)"},
			{KindTypes, "complete"},
			{KindCompat, "complete"},
			{KindSymbols, "pc+us+inet(evdev)"},
		} {
			if _, err := l.ResolveSpec(c.kind, c.spec); err != nil {
				b.Fatal(err)
			}
		}
	}
	ours := cpuTime(b, syscall.RUSAGE_SELF) - s0
	b.ReportMetric(anchor.Wall, "libxkbcommon-whole-compile-ns/op")
	b.ReportMetric(float64(ours.Nanoseconds())/float64(n), "cpu-ns/op")
	b.ReportMetric(anchor.CPU, "libxkbcommon-whole-compile-cpu-ns/op")
}
