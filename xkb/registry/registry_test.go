package registry_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gocomp/xkb/includepath"
	"gocomp/xkb/registry"
)

func TestParse(t *testing.T) {
	f, err := os.Open("testdata/small.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reg, err := registry.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	want := &registry.Registry{
		Models: []registry.Model{{Name: "pc105", Vendor: "Generic", Description: "Generic 105-key PC"}},
		Layouts: []registry.Layout{
			{Name: "us", Brief: "en", Description: "English (US)"},
			{Name: "us", Variant: "intl", Brief: "en", Description: "English (US, intl.)"}, // brief inherited
			{Name: "us", Variant: "chr", Brief: "chr", Description: "Cherokee"},
			{Name: "de", Brief: "de", Description: "German"},
		},
		OptionGroups: []registry.OptionGroup{
			{Name: "grp", Description: "Switching to another layout", AllowMultiple: true, Options: []registry.Option{{Name: "grp:toggle", Description: "Right Alt"}}},
			{Name: "eurosign", Description: "Euro sign", Options: []registry.Option{{Name: "eurosign:e", Description: "E"}}},
		},
	}
	if !reflect.DeepEqual(reg, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", reg, want)
	}
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{
		"<xkbConfigRegistry><layoutList><layout><configItem>",
		"<xkbConfigRegistry><layoutList><layout><configItem><name></name></configItem></layout></layoutList></xkbConfigRegistry>",
		"not xml at all",
	} {
		if _, err := registry.Parse(strings.NewReader(src)); err == nil {
			t.Errorf("Parse(%q): no error", src)
		}
	}
}

func TestLoadMergesRoots(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	small, err := os.ReadFile("testdata/small.xml")
	if err != nil {
		t.Fatal(err)
	}
	extra := strings.Replace(string(small), "<name>de</name>", "<name>fr</name>", 1)
	for dir, src := range map[string]string{first: extra, second: string(small)} {
		if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "rules", "evdev.xml"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reg, err := registry.Load([]string{first, t.TempDir(), second}, "evdev")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range reg.Layouts {
		got = append(got, l.Name+"("+l.Variant+")")
	}
	want := []string{"us()", "us(intl)", "us(chr)", "fr()", "de()"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merged layouts = %q; want %q", got, want)
	}
	if len(reg.Models) != 1 || len(reg.OptionGroups) != 2 || len(reg.OptionGroups[0].Options) != 1 {
		t.Errorf("merged models/options not deduplicated: %+v", reg)
	}
	if _, err := registry.Load([]string{t.TempDir()}, "evdev"); err == nil {
		t.Error("Load without any registry file: no error")
	}
}

// TestInstalledRegistry pins the figures of Debian's xkb-data 2.35.1.
func TestInstalledRegistry(t *testing.T) {
	reg, err := registry.Load(includepath.Dirs(os.Getenv), "evdev")
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.Layouts) != 578 {
		t.Errorf("%d layouts and variants; xkb-data 2.35.1 has 578", len(reg.Layouts))
	}
	// Option families go by prefix: the "Compose key" group holds compose:*.
	families := map[string]int{}
	for _, g := range reg.OptionGroups {
		for _, o := range g.Options {
			prefix, _, _ := strings.Cut(o.Name, ":")
			families[prefix]++
		}
	}
	for _, f := range []string{"grp", "lv3", "lv5", "ctrl", "caps", "compose", "altwin", "shift", "eurosign", "keypad", "nbsp"} {
		if families[f] == 0 {
			t.Errorf("no %s:* options", f)
		}
	}
}
