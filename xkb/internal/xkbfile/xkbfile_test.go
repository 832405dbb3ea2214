package xkbfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadPrefix(t *testing.T) {
	dir := t.TempDir()
	content := []byte(strings.Repeat("0123456789abcdef", 100)) // 1600 bytes
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2024, 3, 1, 12, 0, 0, 123456789, time.UTC)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		n    int
		want int // bytes returned
	}{
		{"whole with n<=0", 0, 1600},
		{"whole when at most twice n", 800, 1600},
		{"prefix when longer than twice n", 799, 799},
		{"small prefix", 10, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, info, err := ReadPrefix(path, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(src, content[:tc.want]) {
				t.Errorf("got %d bytes, want the first %d of the file", len(src), tc.want)
			}
			if info.Size != 1600 || !info.Regular || !info.ModTime.Equal(mtime) {
				t.Errorf("info = %v, want size 1600, regular, modified %v", info, mtime)
			}
		})
	}
}

func TestReadFileMatchesOS(t *testing.T) {
	for _, path := range []string{"xkbfile.go", "/proc/self/status"} {
		got, info, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if path == "/proc/self/status" {
			// Its contents change between reads; its length is 0 to stat.
			if info.Regular && info.Size != 0 || len(got) == 0 || !bytes.HasPrefix(got, []byte("Name:")) {
				t.Errorf("%s: got %d bytes (%v)", path, len(got), info)
			}
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: ReadFile differs from os.ReadFile (%d vs %d bytes)", path, len(got), len(want))
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Size != fi.Size() || !info.ModTime.Equal(fi.ModTime()) {
			t.Errorf("%s: info %v, os.Stat size %d time %v", path, info, fi.Size(), fi.ModTime())
		}
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name     string
		path     string
		notExist bool
	}{
		{"missing", filepath.Join(dir, "nope"), true},
		{"directory", dir, false},
		{"under a file", "xkbfile.go/x", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadPrefix(tc.path, 64)
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, fs.ErrNotExist) != tc.notExist {
				t.Errorf("errors.Is(%v, fs.ErrNotExist) = %t, want %t", err, !tc.notExist, tc.notExist)
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name %s", err, tc.path)
			}
		})
	}
}
