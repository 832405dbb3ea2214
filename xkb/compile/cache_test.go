package compile

import (
	"testing"

	"gocomp/xkb/rules"
)

// TestCacheIsBounded compiles more distinct keymaps than a Cache keeps:
// the oldest go, the newest stay and are served without a compile.
func TestCacheIsBounded(t *testing.T) {
	layouts := []string{"us", "de", "fr", "gb", "es", "it", "se", "no", "dk", "fi", "pl", "cz", "hu", "pt", "nl", "be", "ch", "at"}
	if len(layouts) <= maxCachedKeymaps {
		t.Fatalf("%d layouts do not overflow a cache of %d", len(layouts), maxCachedKeymaps)
	}
	c := NewCache()
	first := map[string]any{}
	for _, l := range layouts {
		km, err := c.FromNames(xkbDirs, rules.Names{Rules: "evdev", Model: "pc105", Layout: l}, xkbEnv)
		if err != nil {
			t.Fatalf("layout %s: %v", l, err)
		}
		first[l] = km
	}
	if len(c.keymaps) != maxCachedKeymaps || len(c.order) != maxCachedKeymaps {
		t.Fatalf("cache holds %d keymaps (%d keys in order); want %d", len(c.keymaps), len(c.order), maxCachedKeymaps)
	}
	get := func(l string) any {
		t.Helper()
		km, err := c.FromNames(xkbDirs, rules.Names{Rules: "evdev", Model: "pc105", Layout: l}, xkbEnv)
		if err != nil {
			t.Fatalf("layout %s again: %v", l, err)
		}
		return km
	}
	last := layouts[len(layouts)-1]
	if get(last) != first[last] {
		t.Errorf("the newest keymap (%s) was compiled again; want it from the cache", last)
	}
	if get(layouts[0]) == first[layouts[0]] {
		t.Errorf("the oldest keymap (%s) came from the cache; want it evicted", layouts[0])
	}
	if len(c.keymaps) > maxCachedKeymaps {
		t.Errorf("cache grew to %d keymaps", len(c.keymaps))
	}
}
