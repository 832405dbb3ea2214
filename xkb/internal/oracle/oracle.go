// Package oracle runs Debian's libxkbcommon as the reference XKB
// implementation for gocomp's tests.
//
// It is test-only: import it from _test.go files alone, so that the gocomp
// binary stays pure Go. New compiles a small C helper (csrc/oracle.c) against
// the system libxkbcommon with gcc and pkg-config, once per test binary and
// cached on disk by a hash of its source; every method runs that helper as a
// child process. The helper only calls libxkbcommon's public API.
package oracle

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gocomp/xkb/rules"
)

//go:embed csrc/oracle.c
var source []byte

// Oracle runs the libxkbcommon helper. Its methods may be called from
// several goroutines.
type Oracle struct {
	bin string
}

// build holds the helper binary built for this test process.
var build struct {
	once sync.Once
	bin  string
	err  error
}

// New returns an Oracle, building the helper on first use in this process.
// It fails tb when gcc, pkg-config or libxkbcommon-dev is missing.
func New(tb testing.TB) *Oracle {
	tb.Helper()
	build.once.Do(func() { build.bin, build.err = buildHelper() })
	if build.err != nil {
		tb.Fatalf("oracle: %v (make deps installs gcc, pkg-config and libxkbcommon-dev)", build.err)
	}
	return &Oracle{bin: build.bin}
}

// buildHelper compiles csrc/oracle.c into a cache directory keyed by the
// hash of the source and of the compiler flags, unless it is already there.
func buildHelper() (string, error) {
	out, err := exec.Command("pkg-config", "--cflags", "--libs", "xkbcommon").Output()
	if err != nil {
		return "", fmt.Errorf("pkg-config xkbcommon: %w", err)
	}
	flags := strings.Fields(string(out))
	version, err := exec.Command("pkg-config", "--modversion", "xkbcommon").Output()
	if err != nil {
		return "", fmt.Errorf("pkg-config --modversion xkbcommon: %w", err)
	}
	h := sha256.New()
	h.Write(source)
	fmt.Fprintf(h, "\x00%q\x00%s", flags, version)
	dir := filepath.Join(os.TempDir(), "gocomp-xkb-oracle", hex.EncodeToString(h.Sum(nil))[:20])
	bin := filepath.Join(dir, "oracle")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create cache dir: %w", err)
	}
	src := filepath.Join(dir, fmt.Sprintf("oracle-%d.c", os.Getpid()))
	if err := os.WriteFile(src, source, 0o644); err != nil {
		return "", fmt.Errorf("write helper source: %w", err)
	}
	defer os.Remove(src)
	tmp := filepath.Join(dir, fmt.Sprintf("oracle-%d.tmp", os.Getpid()))
	args := append([]string{"-O2", "-Wall", "-o", tmp, src}, flags...)
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("gcc %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	// Rename is atomic, so concurrent test binaries never run a half-written file.
	if err := os.Rename(tmp, bin); err != nil {
		return "", fmt.Errorf("install helper: %w", err)
	}
	return bin, nil
}

// run executes the helper with args and stdin and returns its stdout.
func (o *Oracle) run(stdin []byte, args ...string) ([]byte, error) {
	return o.runEnv(nil, stdin, args...)
}

// runEnv is run with extra environment variables ("NAME=value").
func (o *Oracle) runEnv(env []string, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command(o.bin, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("oracle %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// runBoth is run that also returns stderr, even on success.
func (o *Oracle) runBoth(stdin []byte, args ...string) ([]byte, string, error) {
	cmd := exec.Command(o.bin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, stderr.String(), fmt.Errorf("oracle %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), stderr.String(), nil
}

// rmlvo returns n as the helper's five positional arguments.
func rmlvo(n rules.Names) []string {
	return []string{n.Rules, n.Model, n.Layout, n.Variant, n.Options}
}

// lines splits out into lines without their newlines.
func lines(out []byte) []string {
	s := strings.TrimSuffix(string(out), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
