package parser

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// xkbRoot is where Debian's xkb-data installs the keymap data.
const xkbRoot = "/usr/share/X11/xkb"

// TestParseXKBData parses every file of the installed xkb-data component
// directories; all of them must parse without error.
func TestParseXKBData(t *testing.T) {
	n := 0
	for _, dir := range []string{"keycodes", "types", "compat", "symbols"} {
		root := filepath.Join(xkbRoot, dir)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() == "README" {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			f, err := Parse(path, src)
			if err != nil {
				t.Errorf("Parse(%s): %v", path, err)
				return nil
			}
			if len(f.Sections) == 0 {
				t.Errorf("Parse(%s): no sections", path)
			}
			n++
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", root, err)
		}
	}
	if n < 200 {
		t.Errorf("parsed only %d files under %s; is xkb-data installed?", n, xkbRoot)
	}
}

// compileKeymap runs libxkbcommon's xkbcli to produce keymap text v1.
func compileKeymap(tb testing.TB, args ...string) []byte {
	tb.Helper()
	out, err := exec.Command("xkbcli", append([]string{"compile-keymap"}, args...)...).Output()
	if err != nil {
		tb.Fatalf("xkbcli compile-keymap %v: %v", args, err)
	}
	return out
}

// TestParseXkbcliKeymaps parses keymaps serialized by libxkbcommon.
func TestParseXkbcliKeymaps(t *testing.T) {
	for _, args := range [][]string{
		{"--layout", "us"},
		{"--layout", "de", "--variant", "neo"},
		{"--layout", "us,ru,de", "--options", "grp:alt_shift_toggle,ctrl:nocaps"},
		{"--layout", "fr", "--variant", "bepo", "--options", "lv3:ralt_switch,compose:menu"},
		{"--layout", "jp", "--model", "jp106"},
		{"--layout", "cn", "--variant", "tib"},
	} {
		src := compileKeymap(t, args...)
		f, err := Parse("keymap", src)
		if err != nil {
			t.Errorf("Parse(xkbcli %v): %v", args, err)
			continue
		}
		if len(f.Sections) != 1 || f.Sections[0].Kind != KindKeymap || len(f.Sections[0].Sections) != 4 {
			t.Errorf("Parse(xkbcli %v): want one keymap with 4 components, got %d sections", args, len(f.Sections))
		}
	}
}
