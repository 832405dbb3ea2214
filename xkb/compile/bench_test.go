package compile

import (
	"sync"
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

// refTimes caches libxkbcommon's ns/op per measurement, taken once per
// test binary run so that every ratio compares with the same run.
var refTimes sync.Map

func refTime(b *testing.B, key string, measure func(o *oracle.Oracle) (float64, error)) float64 {
	if v, ok := refTimes.Load(key); ok {
		return v.(float64)
	}
	ns, err := measure(oracle.New(b))
	if err != nil {
		b.Fatal(err)
	}
	refTimes.Store(key, ns)
	return ns
}

// report adds libxkbcommon's time and our ratio to it to the benchmark.
func report(b *testing.B, ref float64) {
	ours := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(ref, "libxkbcommon-ns/op")
	b.ReportMetric(ours/ref, "x-libxkbcommon")
}

// BenchmarkCompileNames compiles from RMLVO names without any cache, as
// libxkbcommon's xkb_keymap_new_from_names does.
func BenchmarkCompileNames(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			ref := refTime(b, "compile "+bn.name, func(o *oracle.Oracle) (float64, error) { return o.BenchCompile(bn.names, 50) })
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := NewCache().FromNames(xkbDirs, bn.names); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			report(b, ref)
		})
	}
}

// BenchmarkCompileNamesFileCache compiles with parsed files cached (what a
// long-running compositor gets when the keymap changes).
func BenchmarkCompileNamesFileCache(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			ref := refTime(b, "compile "+bn.name, func(o *oracle.Oracle) (float64, error) { return o.BenchCompile(bn.names, 50) })
			c := NewCache()
			if _, err := c.FromNames(xkbDirs, bn.names); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.keymaps = map[string]cachedKeymap{}
				if _, err := c.FromNames(xkbDirs, bn.names); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			report(b, ref)
		})
	}
}

// BenchmarkCompileNamesCached is FromNames with the keymap cache warm: the
// cost is checking the mtimes of the files the keymap was built from.
func BenchmarkCompileNamesCached(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			ref := refTime(b, "compile "+bn.name, func(o *oracle.Oracle) (float64, error) { return o.BenchCompile(bn.names, 50) })
			if _, err := FromNames(xkbDirs, bn.names); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := FromNames(xkbDirs, bn.names); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			report(b, ref)
		})
	}
}

// BenchmarkSerialize turns a compiled keymap into keymap text v1.
func BenchmarkSerialize(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			ref := refTime(b, "serialize "+bn.name, func(o *oracle.Oracle) (float64, error) { return o.BenchSerialize(bn.names, 200) })
			km, err := FromNames(xkbDirs, bn.names)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_ = km.Text()
			}
			b.StopTimer()
			report(b, ref)
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
			ref := refTime(b, "parse "+bn.name, func(o *oracle.Oracle) (float64, error) { return o.BenchParse(text, 50) })
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := FromText("bench.xkb", []byte(text), nil); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			report(b, ref)
		})
	}
}
