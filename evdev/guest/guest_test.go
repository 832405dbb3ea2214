package guest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInitramfsLayout checks the newc archive entry by entry: magic, names,
// sizes, 4-byte alignment, and the trailer.
func TestInitramfsLayout(t *testing.T) {
	out := filepath.Join(t.TempDir(), "i.gz")
	if err := writeInitramfs(out, []File{{Path: "/etc/hello", Data: []byte("hi\n")}, {Path: "/x/y/z", Data: []byte("12345")}}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string]string{}
	for off := 0; ; {
		h := b[off : off+110]
		if string(h[:6]) != "070701" {
			t.Fatalf("entry at %d: magic %q", off, h[:6])
		}
		field := func(i int) int {
			var v int
			for _, c := range h[6+8*i : 14+8*i] {
				v = v*16 + strings.IndexByte("0123456789abcdef", byte(c))
			}
			return v
		}
		size, namesize := field(6), field(11)
		name := string(b[off+110 : off+110+namesize-1])
		off = (off + 110 + namesize + 3) &^ 3
		data := string(b[off : off+size])
		off = (off + size + 3) &^ 3
		if name == "TRAILER!!!" {
			if off != len(b) {
				t.Errorf("trailer at %d of %d bytes", off, len(b))
			}
			break
		}
		entries[name] = data
	}
	for name, want := range map[string]string{"etc/hello": "hi\n", "x/y/z": "12345", "x/y": "", "dev/console": ""} {
		if got, ok := entries[name]; !ok || got != want {
			t.Errorf("entry %q = %q (present %v); want %q", name, got, ok, want)
		}
	}
}

// TestGuestAgent boots the guest and exercises the agent: a command's
// output and exit status, a failing command, signals to a running one, and
// a dynamically linked program with its libraries.
func TestGuestAgent(t *testing.T) {
	wev, err := BinaryWithLibs("wev")
	if err != nil {
		t.Fatal(err)
	}
	vm := BootForTest(t, Config{Devices: []string{"virtio-keyboard-pci,id=kbd0"}, Files: wev})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// A dynamically linked Debian program runs with the libraries copied.
	if out, err := vm.Run(ctx, "/usr/bin/wev", "-h"); err != nil || !strings.HasPrefix(out, "Usage: wev") {
		t.Errorf("wev -h in the guest = %q, %v; want its usage", out, err)
	}

	out, err := vm.Run(ctx, "cat", "/proc/bus/input/devices")
	if err != nil || !strings.Contains(out, "QEMU Virtio Keyboard") {
		t.Errorf("cat /proc/bus/input/devices = %q, %v; want the virtio keyboard listed", out, err)
	}
	var exit *ExitError
	if _, err := vm.Run(ctx, "sh", "-c", "echo oops >&2; exit 3"); !errors.As(err, &exit) || exit.Code != 3 || exit.Stderr != "oops\n" {
		t.Errorf("failing command: err = %v; want exit status 3 with its stderr", err)
	}

	p, err := vm.Start(nil, "sh", "-c", "trap 'echo term; exit 0' TERM; echo up; while :; do sleep 0.1; done")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.WaitLine(ctx, 0, func(l string) bool { return l == "up" }); err != nil {
		t.Fatal(err)
	}
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.WaitLine(ctx, 0, func(l string) bool { return l == "term" }); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Errorf("after SIGTERM: %v", err)
	}
	if !bytes.Contains([]byte(vm.Serial()), []byte("init: modules loaded")) {
		t.Errorf("console lacks the init message:\n%s", vm.Serial())
	}
}

func TestBinaryWithLibs(t *testing.T) {
	files, err := BinaryWithLibs("wev")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	all := strings.Join(paths, " ")
	for _, want := range []string{"/usr/bin/wev", "libwayland-client.so", "libc.so.6", "ld-linux-x86-64.so.2"} {
		if !strings.Contains(all, want) {
			t.Errorf("BinaryWithLibs(wev) = %q; lacks %s", paths, want)
		}
	}
}

// TestMissingRigNamesTheFix: without qemu or a kernel, Boot fails (it never
// skips) with an error naming `make deps kernel`.
func TestMissingRigNamesTheFix(t *testing.T) {
	if _, err := FindKernel(t.TempDir()); !errors.Is(err, ErrSetup) || !strings.Contains(err.Error(), "make deps kernel") {
		t.Errorf("FindKernel(empty dir) = %v; want ErrSetup naming make deps kernel", err)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := Boot(context.Background(), Config{}); !errors.Is(err, ErrSetup) || !strings.Contains(err.Error(), "qemu-system-x86_64") {
		t.Errorf("Boot without qemu = %v; want ErrSetup naming qemu-system-x86_64", err)
	}
}
