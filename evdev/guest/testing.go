package guest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BootForTest boots cfg for t. A missing rig (qemu, busybox, the kernel)
// fails t with a message naming `make deps kernel`; it never skips. The VM
// is closed when t ends, and the guest console and qemu output are logged
// if t failed. Progress goes to t.Logf unless cfg.Logf is set.
func BootForTest(t testing.TB, cfg Config) *VM {
	t.Helper()
	if cfg.Logf == nil {
		cfg.Logf = t.Logf
	}
	unlock := lockGuests(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	vm, err := Boot(ctx, cfg)
	if err != nil {
		t.Fatalf("boot guest: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			out, err := vm.Run(ctx, "sh", "-c", "cat /proc/loadavg; ps; tail -n 30 /proc/interrupts")
			cancel()
			t.Logf("guest diagnostics:\n%s\n--- guest state (err %v) ---\n%s", vm.Diagnostics(), err, out)
		}
		vm.Close()
		unlock()
	})
	return vm
}

// lockGuests lets one test guest run at a time on this machine. go test
// runs packages in parallel, and two TCG guests on two cores starve each
// other's vCPUs while qemu's main threads keep injecting input, so input
// bursts overflow the guest kernels' buffers. It blocks until no other
// test holds the lock and returns the function that releases it.
func lockGuests(t testing.TB) (unlock func()) {
	t.Helper()
	path := filepath.Join(os.TempDir(), "gocomp-guest.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatalf("guest lock: %v", err)
	}
	start := time.Now()
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		t.Fatalf("guest lock %s: %v", path, err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Logf("waited %v for another test's guest to finish", waited.Round(time.Second))
	}
	return func() { f.Close() }
}
