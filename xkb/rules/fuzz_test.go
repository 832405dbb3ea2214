package rules_test

import (
	"os"
	"testing"

	"gocomp/xkb/includepath"
	"gocomp/xkb/rules"
)

// FuzzParse feeds arbitrary rules text and names: parsing and applying may
// fail but must not panic or loop.
func FuzzParse(f *testing.F) {
	base, err := os.ReadFile("testdata/base.rules")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(base, "us,de", ",dvorak", "grp:toggle,misc:typo")
	f.Add([]byte("! model = symbols\n * = %(v[1])%+l%_v%|l%-m%i%%\n"), "us", "intl", "")
	f.Add([]byte("! $g = a \\\n b\n! layout[2] variant[2] = symbols\n $g * = x\n"), "a,b", ",", "")
	f.Fuzz(func(t *testing.T, src []byte, layout, variant, options string) {
		file, err := rules.Parse("fuzz", src, rules.Env{SystemRoot: "/nonexistent"})
		if err != nil {
			return
		}
		_, _ = file.Apply(rules.Names{Rules: "fuzz", Model: "pc105", Layout: layout, Variant: variant, Options: options})
	})
}

// BenchmarkResolve is the whole rules step of a compile from names:
// read and parse evdev, then match.
func BenchmarkResolve(b *testing.B) {
	dirs := includepath.Dirs(os.Getenv)
	n := rules.Names{Rules: "evdev", Model: "pc105", Layout: "us,ru", Options: "grp:alt_shift_toggle"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rules.Resolve(dirs, n, rules.EnvFrom(os.Getenv)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApply matches names against an already parsed evdev.
func BenchmarkApply(b *testing.B) {
	path, err := rules.Find(includepath.Dirs(os.Getenv), "evdev")
	if err != nil {
		b.Fatal(err)
	}
	f, err := rules.Load(path, rules.EnvFrom(os.Getenv))
	if err != nil {
		b.Fatal(err)
	}
	n := rules.Names{Rules: "evdev", Model: "pc105", Layout: "us,ru", Options: "grp:alt_shift_toggle"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Apply(n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCacheResolve is the rules step with the parsed file cached.
func BenchmarkCacheResolve(b *testing.B) {
	dirs := includepath.Dirs(os.Getenv)
	n := rules.Names{Rules: "evdev", Model: "pc105", Layout: "us,ru", Options: "grp:alt_shift_toggle"}
	var c rules.Cache
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Resolve(dirs, n, rules.EnvFrom(os.Getenv)); err != nil {
			b.Fatal(err)
		}
	}
}
