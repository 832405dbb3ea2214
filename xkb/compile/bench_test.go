package compile

import (
	"testing"

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

// compare runs body b.N times and reports, next to our ns/op,
// libxkbcommon's ns/op for the same work (measured by the oracle right
// before and right after our loop, averaged, so that both see the same
// machine load) and our time as a multiple of it.
func compare(b *testing.B, measure func(o *oracle.Oracle) (float64, error), body func()) {
	o := oracle.New(b)
	before, err := measure(o)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body()
	}
	b.StopTimer()
	after, err := measure(o)
	if err != nil {
		b.Fatal(err)
	}
	ref := (before + after) / 2
	ours := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(ref, "libxkbcommon-ns/op")
	b.ReportMetric(ours/ref, "x-libxkbcommon")
}

func compileRef(n rules.Names) func(o *oracle.Oracle) (float64, error) {
	return func(o *oracle.Oracle) (float64, error) { return o.BenchCompile(n, 20) }
}

// BenchmarkCompileNames compiles from RMLVO names without any cache, as
// libxkbcommon's xkb_keymap_new_from_names does.
func BenchmarkCompileNames(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			compare(b, compileRef(bn.names), func() {
				if _, err := NewCache().FromNames(xkbDirs, bn.names); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkCompileNamesFileCache compiles with parsed files cached (what a
// long-running compositor gets when the keymap changes).
func BenchmarkCompileNamesFileCache(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			c := NewCache()
			if _, err := c.FromNames(xkbDirs, bn.names); err != nil {
				b.Fatal(err)
			}
			compare(b, compileRef(bn.names), func() {
				c.keymaps = map[string]cachedKeymap{}
				if _, err := c.FromNames(xkbDirs, bn.names); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkCompileNamesCached is FromNames with the keymap cache warm: the
// cost is checking the mtimes of the files the keymap was built from.
func BenchmarkCompileNamesCached(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			if _, err := FromNames(xkbDirs, bn.names); err != nil {
				b.Fatal(err)
			}
			compare(b, compileRef(bn.names), func() {
				if _, err := FromNames(xkbDirs, bn.names); err != nil {
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
			km, err := FromNames(xkbDirs, bn.names)
			if err != nil {
				b.Fatal(err)
			}
			compare(b, func(o *oracle.Oracle) (float64, error) { return o.BenchSerialize(bn.names, 100) }, func() {
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
			km, err := FromNames(xkbDirs, bn.names)
			if err != nil {
				b.Fatal(err)
			}
			text := km.Text()
			compare(b, func(o *oracle.Oracle) (float64, error) { return o.BenchParse(text, 20) }, func() {
				if _, err := FromText("bench.xkb", []byte(text), nil); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
