package compile

import (
	"syscall"
	"testing"
	"time"

	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/rules"
)

var benchNames = []struct {
	name  string
	names rules.Names
}{
	{"us", rules.Names{Rules: "evdev", Model: "pc105", Layout: "us"}},
	{"de", rules.Names{Rules: "evdev", Model: "pc105", Layout: "de"}},
	{"us,ru+grp:alt_shift_toggle", rules.Names{Rules: "evdev", Model: "pc105", Layout: "us,ru", Options: "grp:alt_shift_toggle"}},
}

// anchorKind says what the libxkbcommon figure beside a benchmark is.
type anchorKind int

const (
	// sameWork: libxkbcommon does what the benchmark body does; ratios
	// are reported.
	sameWork anchorKind = iota
	// scaleOnly: libxkbcommon's full, uncached work, beside a cached path
	// of ours that has no libxkbcommon counterpart; no ratio.
	scaleOnly
)

// compare runs body b.N times and reports, beside Go's wall-clock ns/op,
// our CPU time per operation (cpu-ns/op: every thread's, since a compile
// of ours runs two goroutines and libxkbcommon one) and libxkbcommon's
// wall-clock and CPU time for the same work, measured right before and
// right after our loop and averaged so that both see the same machine
// load. For sameWork anchors it adds our times as multiples of
// libxkbcommon's.
func compare(b *testing.B, kind anchorKind, measure func(o *oracle.Oracle) (oracle.Times, error), body func()) {
	o := oracle.New(b)
	before, err := measure(o)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	c0 := processCPU(b)
	for i := 0; i < b.N; i++ {
		body()
	}
	cpu := processCPU(b) - c0
	b.StopTimer()
	after, err := measure(o)
	if err != nil {
		b.Fatal(err)
	}
	ref := oracle.Times{Wall: (before.Wall + after.Wall) / 2, CPU: (before.CPU + after.CPU) / 2}
	ours := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	oursCPU := float64(cpu.Nanoseconds()) / float64(b.N)
	b.ReportMetric(oursCPU, "cpu-ns/op")
	switch kind {
	case sameWork:
		b.ReportMetric(ref.Wall, "libxkbcommon-ns/op")
		b.ReportMetric(ref.CPU, "libxkbcommon-cpu-ns/op")
		b.ReportMetric(ours/ref.Wall, "x-libxkbcommon")
		b.ReportMetric(oursCPU/ref.CPU, "x-libxkbcommon-cpu")
	case scaleOnly:
		b.ReportMetric(ref.Wall, "libxkbcommon-uncached-ns/op")
	}
}

// processCPU is the user+system CPU time this process has used, all
// threads (the GC's included).
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func compileRef(n rules.Names) func(o *oracle.Oracle) (oracle.Times, error) {
	return func(o *oracle.Oracle) (oracle.Times, error) { return o.BenchCompile(n, 20) }
}

// BenchmarkCompileNames compiles from RMLVO names without any cache, as
// libxkbcommon's xkb_keymap_new_from_names does: the same work on both
// sides.
func BenchmarkCompileNames(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			compare(b, sameWork, compileRef(bn.names), func() {
				if _, err := NewCache().FromNames(xkbDirs, bn.names, xkbEnv); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkCompileNamesFileCache compiles with parsed files cached (what a
// long-running compositor gets when the keymap changes). libxkbcommon has
// no such cache: its uncached compile is reported for scale only.
func BenchmarkCompileNamesFileCache(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			c := NewCache()
			if _, err := c.FromNames(xkbDirs, bn.names, xkbEnv); err != nil {
				b.Fatal(err)
			}
			compare(b, scaleOnly, compileRef(bn.names), func() {
				c.keymaps, c.order = map[string]cachedKeymap{}, nil
				if _, err := c.FromNames(xkbDirs, bn.names, xkbEnv); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkCompileNamesCached is FromNames with the keymap cache warm: the
// cost is checking the mtimes of the files the keymap was built from.
// libxkbcommon's uncached compile is reported for scale only.
func BenchmarkCompileNamesCached(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			if _, err := FromNames(xkbDirs, bn.names, xkbEnv); err != nil {
				b.Fatal(err)
			}
			compare(b, scaleOnly, compileRef(bn.names), func() {
				if _, err := FromNames(xkbDirs, bn.names, xkbEnv); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkSerialize turns a compiled keymap into keymap text v1.
func BenchmarkSerialize(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			km, err := FromNames(xkbDirs, bn.names, xkbEnv)
			if err != nil {
				b.Fatal(err)
			}
			compare(b, sameWork, func(o *oracle.Oracle) (oracle.Times, error) { return o.BenchSerialize(bn.names, 100) }, func() {
				_ = km.Text()
			})
		})
	}
}

// BenchmarkFromText compiles a serialized keymap (what a client does with
// wl_keyboard.keymap).
func BenchmarkFromText(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			km, err := FromNames(xkbDirs, bn.names, xkbEnv)
			if err != nil {
				b.Fatal(err)
			}
			text := km.Text()
			compare(b, sameWork, func(o *oracle.Oracle) (oracle.Times, error) { return o.BenchParse(text, 20) }, func() {
				if _, err := FromText("bench.xkb", []byte(text), nil); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
