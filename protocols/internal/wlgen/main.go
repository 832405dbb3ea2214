// Command wlgen generates Go bindings for gocomp from Wayland protocol XML:
// the server side (resources and handlers, on gocomp/protocols/server) or,
// with -side client, the client side (proxies and listeners, on
// gocomp/protocols/client). It reads the XML from a pinned Go module (or a
// file) and writes one Go file; `go generate` runs it through //go:generate
// lines beside the output.
//
// Usage:
//
//	wlgen -module github.com/neurlang/wayland -xml wl/wayland.xml -pkg wayland -o wayland.go
//	wlgen -xml /usr/share/wayland-protocols/... -pkg foo -import wl_=gocomp/protocols/wayland -o foo.go
//	wlgen -side client -module github.com/neurlang/wayland -xml wl/wayland.xml -pkg wlclient \
//		-consts wl_=gocomp/protocols/wayland -runtime-owned wl_display,wl_registry -o wlclient.go
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// importFlag collects -import prefix=path pairs.
type importFlag map[string]string

func (f importFlag) String() string { return fmt.Sprint(map[string]string(f)) }

func (f importFlag) Set(s string) error {
	prefix, path, ok := strings.Cut(s, "=")
	if !ok || prefix == "" || path == "" {
		return fmt.Errorf("want prefix=importpath, got %q", s)
	}
	f[prefix] = path
	return nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "wlgen:", err)
		os.Exit(1)
	}
}

func run(argv []string) error {
	fs := flag.NewFlagSet("wlgen", flag.ContinueOnError)
	module := fs.String("module", "", "Go module holding the XML (its version comes from go.mod); -xml is then relative to it")
	xmlPath := fs.String("xml", "", "protocol XML file")
	pkg := fs.String("pkg", "", "Go package name of the output")
	out := fs.String("o", "", "output Go file")
	runtimeOwned := fs.String("runtime-owned", "", "comma-separated interfaces the runtime serves itself: no Add*Global helper (server), no proxy (client)")
	side := fs.String("side", "server", "which side to generate: server or client")
	imports := importFlag{}
	fs.Var(imports, "import", "prefix=importpath: interfaces named prefix* live in that package (repeatable)")
	consts := importFlag{}
	fs.Var(consts, "consts", "prefix=importpath: the constants and enums of interfaces named prefix* are those of that package (repeatable; client side)")
	if err := fs.Parse(argv); err != nil {
		return err
	}
	if *xmlPath == "" || *pkg == "" || *out == "" {
		return fmt.Errorf("-xml, -pkg and -o are required")
	}
	file, source := *xmlPath, *xmlPath
	if *module != "" {
		dir, version, err := moduleDir(*module)
		if err != nil {
			return err
		}
		file = filepath.Join(dir, filepath.FromSlash(*xmlPath))
		source = *module + "@" + version + " " + *xmlPath
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	p, err := parseProtocol(f)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	src, err := generate(p, config{pkg: *pkg, source: source, imports: imports,
		runtimeOwned: splitList(*runtimeOwned), side: *side, consts: consts})
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if old, err := os.ReadFile(*out); err == nil && bytes.Equal(old, src) {
		return nil // unchanged: keep the file's timestamp
	}
	return os.WriteFile(*out, src, 0o644)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// moduleDir asks the go command where the module the main module requires
// lives, and at which version.
func moduleDir(module string) (dir, version string, err error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}} {{.Version}}", module)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("go list -m %s: %w", module, err)
	}
	dir, version, _ = strings.Cut(strings.TrimSpace(string(b)), " ")
	if dir == "" {
		return "", "", fmt.Errorf("module %s is not downloaded (run go mod download %s)", module, module)
	}
	return dir, version, nil
}
