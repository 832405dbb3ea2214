package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"gocomp/xkb/includepath"
)

// xkbcliLayouts returns "layout variant" for every layout entry that
// `xkbcli list` prints, in its order. Its output is YAML-like:
//
//	layouts:
//	- layout: 'us'
//	  variant: ''
func xkbcliLayouts(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("xkbcli", "list").Output()
	if err != nil {
		t.Fatalf("xkbcli list: %v (make deps installs libxkbcommon-tools)", err)
	}
	unquote := func(s string) string { return strings.Trim(strings.TrimSpace(s), "'") }
	var entries []string
	section, layout := "", ""
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case line != "" && line[0] != ' ' && line[0] != '-':
			section = strings.TrimSuffix(line, ":")
		case section != "layouts":
		case strings.HasPrefix(line, "- layout:"):
			layout = unquote(strings.TrimPrefix(line, "- layout:"))
		case strings.HasPrefix(line, "  variant:"):
			entries = append(entries, layout+" "+unquote(strings.TrimPrefix(line, "  variant:")))
		}
	}
	return entries
}

func TestXKBListMatchesXkbcli(t *testing.T) {
	var out bytes.Buffer
	if err := xkbList(&out, includepath.Dirs(os.Getenv), "evdev"); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := xkbcliLayouts(t)
	if len(got) != 578 {
		t.Errorf("gocomp xkb list printed %d entries; xkb-data 2.35.1 has 578", len(got))
	}
	if len(want) != 578 {
		t.Errorf("xkbcli list printed %d layout entries; the parser or xkb-data changed", len(want))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		inGot := map[string]bool{}
		for _, g := range got {
			inGot[g] = true
		}
		for _, w := range want {
			if !inGot[w] {
				t.Errorf("xkbcli lists %q; gocomp does not", w)
			}
		}
		t.Errorf("gocomp xkb list differs from xkbcli list (order or content)")
	}
	if got[0] != "us " {
		t.Errorf("first line %q; want the base layout as %q", got[0], "us ")
	}
}

func TestXKBListCommand(t *testing.T) {
	if code := runXKBList([]string{"extra"}); code != 2 {
		t.Errorf("runXKBList(extra) = %d; want 2", code)
	}
	if err := xkbList(&bytes.Buffer{}, []string{t.TempDir()}, "evdev"); err == nil {
		t.Error("xkbList without a registry: no error")
	}
}
