package oracle

import (
	"os/exec"
	"strings"
	"testing"
)

// TestGocompDoesNotLinkTheOracle keeps the shipped binary free of the
// oracle (and so of gcc and libxkbcommon): only _test.go files may import it.
func TestGocompDoesNotLinkTheOracle(t *testing.T) {
	out, err := exec.Command("go", "list", "-e", "-deps", "gocomp/cmd/gocomp").Output()
	if err != nil {
		t.Fatalf("go list -deps gocomp/cmd/gocomp: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list found only %d dependencies: %q", len(deps), deps)
	}
	for _, d := range deps {
		if d == "gocomp/xkb/internal/oracle" {
			t.Fatal("gocomp/cmd/gocomp depends on gocomp/xkb/internal/oracle; import it from _test.go files only")
		}
	}
}
