package includepath_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gocomp/xkb/includepath"
	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/rules"
)

// env returns a getenv over the given "NAME=value" pairs.
func env(pairs ...string) func(string) string {
	m := map[string]string{}
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

func TestCandidates(t *testing.T) {
	tests := []struct {
		env  []string
		want []string
	}{
		{nil, []string{"/etc/xkb", "/usr/share/X11/xkb"}},
		{[]string{"HOME=/h"}, []string{"/h/.config/xkb", "/h/.xkb", "/etc/xkb", "/usr/share/X11/xkb"}},
		{[]string{"HOME=/h", "XDG_CONFIG_HOME=/x"}, []string{"/x/xkb", "/h/.xkb", "/etc/xkb", "/usr/share/X11/xkb"}},
		{[]string{"XDG_CONFIG_HOME=/x", "XKB_CONFIG_EXTRA_PATH=/e", "XKB_CONFIG_ROOT=/r"}, []string{"/x/xkb", "/e", "/r"}},
	}
	for _, tt := range tests {
		if got := includepath.Candidates(env(tt.env...)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Candidates(%q) = %q; want %q", tt.env, got, tt.want)
		}
	}
}

func TestDirsKeepsExistingInOrder(t *testing.T) {
	home, root := t.TempDir(), t.TempDir()
	if err := os.Mkdir(filepath.Join(home, ".xkb"), 0o755); err != nil {
		t.Fatal(err)
	}
	// ~/.config/xkb is a file, not a directory: skipped like a missing one.
	if err := os.MkdirAll(filepath.Join(home, ".config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".config", "xkb"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got := includepath.Dirs(env("HOME="+home, "XKB_CONFIG_EXTRA_PATH="+filepath.Join(root, "missing"), "XKB_CONFIG_ROOT="+root))
	want := []string{filepath.Join(home, ".xkb"), root}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Dirs = %q; want %q", got, want)
	}
}

func TestDefaultNames(t *testing.T) {
	tests := []struct {
		env  []string
		want [5]string
	}{
		{nil, [5]string{"evdev", "pc105", "us", "", ""}},
		{[]string{"XKB_DEFAULT_RULES=base", "XKB_DEFAULT_MODEL=pc104", "XKB_DEFAULT_LAYOUT=de", "XKB_DEFAULT_VARIANT=neo", "XKB_DEFAULT_OPTIONS=ctrl:nocaps"},
			[5]string{"base", "pc104", "de", "neo", "ctrl:nocaps"}},
		// A default variant without a default layout is ignored.
		{[]string{"XKB_DEFAULT_VARIANT=intl"}, [5]string{"evdev", "pc105", "us", "", ""}},
	}
	for _, tt := range tests {
		r, m, l, v, o := includepath.DefaultNames(env(tt.env...))
		if got := [5]string{r, m, l, v, o}; got != tt.want {
			t.Errorf("DefaultNames(%q) = %q; want %q", tt.env, got, tt.want)
		}
	}
}

// TestFillDefaultsMatchesLibxkbcommon resolves partly empty names after
// FillDefaults and compares with libxkbcommon completing the same names
// from the same XKB_DEFAULT_* variables.
func TestFillDefaultsMatchesLibxkbcommon(t *testing.T) {
	o := oracle.New(t)
	names := []rules.Names{
		{}, {Layout: "us"}, {Variant: "intl"}, {Layout: "fr", Options: "compose:ralt"},
		{Rules: "evdev", Model: "pc105", Layout: "fr"}, {Model: "pc104", Layout: "de,us", Variant: "nodeadkeys,"},
		{Rules: "base"},
	}
	dirs := includepath.Dirs(os.Getenv)
	compared := 0
	for _, e := range [][]string{
		nil,
		{"XKB_DEFAULT_LAYOUT=de", "XKB_DEFAULT_VARIANT=neo", "XKB_DEFAULT_OPTIONS=ctrl:nocaps", "XKB_DEFAULT_MODEL=macintosh"},
		{"XKB_DEFAULT_VARIANT=intl", "XKB_DEFAULT_RULES=base"},
		{"XKB_DEFAULT_LAYOUT=us,ru", "XKB_DEFAULT_VARIANT=,phonetic", "XKB_DEFAULT_OPTIONS=grp:alt_shift_toggle"},
	} {
		// Unset what the test does not set, so the caller's environment
		// cannot leak into libxkbcommon's answer.
		full := []string{"XKB_DEFAULT_RULES", "XKB_DEFAULT_MODEL", "XKB_DEFAULT_LAYOUT", "XKB_DEFAULT_VARIANT", "XKB_DEFAULT_OPTIONS"}
		for _, k := range full {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
		want, err := o.ComponentsWithEnv(e, names)
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range names {
			filled := includepath.FillDefaults(n, env(e...))
			got, err := rules.Resolve(dirs, filled, rules.EnvFrom(os.Getenv))
			got.Geometry = ""
			if err != nil || got != want[i] {
				t.Errorf("env %q: Resolve(FillDefaults(%+v) = %+v) = %+v, %v; libxkbcommon %+v", e, n, filled, got, err, want[i])
			}
			compared++
		}
	}
	t.Logf("%d name sets compared", compared)
}
