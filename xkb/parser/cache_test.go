package parser

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestFileCache checks that Loaders sharing a FileCache parse an
// unchanged file once, share its sections, and re-read a changed file.
func TestFileCache(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "symbols"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "symbols", "f")
	write := func(src string, mtime time.Time) {
		t.Helper()
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	write(`xkb_symbols "a" { key <A> { [ a ] }; }; xkb_symbols "b" { include "f(a)" };`, t0)

	cache := NewFileCache()
	reads := 0
	newLoader := func() *Loader {
		l := NewLoaderWithCache([]string{dir}, cache)
		l.readFile = func(p string) ([]byte, error) {
			reads++
			return os.ReadFile(p)
		}
		return l
	}
	r1, err := newLoader().ResolveSpec(KindSymbols, "f(b)")
	if err != nil {
		t.Fatal(err)
	}
	l2 := newLoader()
	r2, err := l2.ResolveSpec(KindSymbols, "f(b)")
	if err != nil {
		t.Fatal(err)
	}
	if reads != 1 {
		t.Errorf("file read %d times by two Loaders sharing a cache; want 1", reads)
	}
	if s1, s2 := r1.Includes[0].Steps[0].Section.Section, r2.Includes[0].Steps[0].Section.Section; s1 != s2 {
		t.Error("the two Loaders got different *Section values for f(b); want the cached one")
	}
	if got := l2.Paths(); len(got) != 1 || got[0] != path {
		t.Errorf("Paths() = %v; want [%s] even when served from the cache", got, path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := l2.Stamps(); len(got) != 1 || got[0].Path != path || got[0].Size != fi.Size() || !got[0].ModTime.Equal(t0) {
		t.Errorf("Stamps() = %v; want [{%s %d %v}]", got, path, fi.Size(), t0)
	}

	// A changed file (size and time) is parsed again.
	write(`xkb_symbols "b" { key <B> { [ b ] }; };`, t0.Add(time.Second))
	r3, err := newLoader().ResolveSpec(KindSymbols, "f(b)")
	if err != nil {
		t.Fatal(err)
	}
	if reads != 2 {
		t.Errorf("changed file read %d times in all; want 2", reads)
	}
	if k, ok := r3.Includes[0].Steps[0].Section.Section.Stmts[0].(*KeyDef); !ok || k.Name != "B" {
		t.Errorf("after the change f(b) starts with %#v; want key <B>", r3.Includes[0].Steps[0].Section.Section.Stmts[0])
	}
}

// TestFileCacheConcurrent resolves the us components from several
// goroutines through one cache (run it with -race).
func TestFileCacheConcurrent(t *testing.T) {
	cache := NewFileCache()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := NewLoaderWithCache([]string{xkbRoot}, cache)
			for _, spec := range []string{"pc+us(intl)+inet(evdev)", "pc+de+inet(evdev)", "pc+us+nosuch"} {
				_, err := l.ResolveSpec(KindSymbols, spec)
				if (err != nil) != (spec == "pc+us+nosuch") {
					t.Errorf("ResolveSpec(%q): %v", spec, err)
				}
			}
		}()
	}
	wg.Wait()
}
