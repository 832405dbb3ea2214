package guest

import (
	"context"
	"testing"
	"time"
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
	})
	return vm
}
