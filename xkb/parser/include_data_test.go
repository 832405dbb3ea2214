package parser

import (
	"bytes"
	"fmt"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// libxkbcommonCompiles reports whether libxkbcommon compiles a keymap whose
// component of the given kind is `include "spec"` (the other components
// are the usual evdev/complete ones).
func libxkbcommonCompiles(t *testing.T, kind SectionKind, spec string) (bool, string) {
	t.Helper()
	comps := map[SectionKind]string{KindKeycodes: "evdev", KindTypes: "complete", KindCompat: "complete", KindSymbols: "pc+us"}
	comps[kind] = spec
	var b strings.Builder
	b.WriteString("xkb_keymap {\n")
	for _, k := range []SectionKind{KindKeycodes, KindTypes, KindCompat, KindSymbols} {
		fmt.Fprintf(&b, "\t%s { include %q };\n", k, comps[k])
	}
	b.WriteString("};\n")
	cmd := exec.Command("xkbcli", "compile-keymap", "--include", xkbRoot, "--from-xkb")
	cmd.Stdin = strings.NewReader(b.String())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("run xkbcli: %v", err)
	}
	// xkbcli 1.5 exits with an unreliable status; a keymap on stdout is
	// the sign of success.
	return bytes.HasPrefix(stdout.Bytes(), []byte("xkb_keymap")), stderr.String()
}

// TestResolveXKBData resolves the includes of every section of every
// installed xkb-data component file. xkb-data ships a few vendor sections
// whose includes name missing files or sections; for each section we
// reject, libxkbcommon must reject it too. A sample of the sections we
// accept must compile with libxkbcommon.
func TestResolveXKBData(t *testing.T) {
	l := NewLoader([]string{xkbRoot})
	kinds := map[string]SectionKind{"keycodes": KindKeycodes, "types": KindTypes, "compat": KindCompat, "symbols": KindSymbols}
	dirs := []string{"keycodes", "types", "compat", "symbols"}
	n, failed := 0, 0
	for _, dir := range dirs {
		kind := kinds[dir]
		root := filepath.Join(xkbRoot, dir)
		var paths []string
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && d.Name() != "README" {
				paths = append(paths, path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range paths {
			rel, _ := filepath.Rel(root, path)
			f, err := l.LoadFile(kind, rel)
			if err != nil {
				t.Errorf("LoadFile(%s): %v", path, err)
				continue
			}
			for _, s := range f.Sections {
				spec := rel + "(" + s.Name + ")"
				_, err := l.Resolve(s)
				n++
				if err != nil {
					failed++
					if ok, _ := libxkbcommonCompiles(t, kind, spec); ok {
						t.Errorf("Resolve(%s %s) = %v; libxkbcommon accepts it", kind, spec, err)
					}
				} else if n%97 == 0 {
					if ok, msg := libxkbcommonCompiles(t, kind, spec); !ok {
						t.Errorf("Resolve(%s %s) succeeded; libxkbcommon fails:\n%s", kind, spec, msg)
					}
				}
			}
		}
	}
	if n < 1500 {
		t.Errorf("resolved only %d sections; want all of xkb-data's (over 1500)", n)
	}
	if failed > 20 {
		t.Errorf("%d sections failed to resolve; xkb-data 2.35.1 has 12 broken ones", failed)
	}
}
