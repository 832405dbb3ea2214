// Package guest boots a Linux kernel in qemu for tests that need a real
// kernel: real evdev devices, uevents, uinput, hotplug. It builds an
// initramfs from busybox-static, the Debian kernel package's modules, a
// small agent and the files a test asks for; boots it with
// qemu-system-x86_64 -accel tcg; and drives the guest from Go: QMP for
// input and hotplug, the agent (over virtio-serial) to run programs and
// stream their output.
//
// The kernel comes from `make kernel` (Debian's current linux-image
// package unpacked under .cache/kernel/current); qemu, busybox-static and
// cpio from `make deps`.
package guest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gocomp/evdev/guest/internal/agentproto"
)

// DefaultModules returns the modules /init loads, in order: virtio PCI
// devices (input and the agent's serial port), USB keyboards and mice
// behind xHCI, uinput and evdev.
func DefaultModules() []string {
	return []string{
		"virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci",
		"virtio_console", "virtio_input",
		"usb-common", "usbcore", "xhci-hcd", "xhci-pci", "hid", "usbhid", "hid-generic",
		"uinput", "evdev",
	}
}

// Config describes a guest.
type Config struct {
	// KernelDir holds the unpacked kernel package (boot/vmlinuz-*,
	// lib/modules/<version>/), or a directory with such a root/
	// subdirectory. Empty: $GOCOMP_KERNEL_DIR, then the repository's
	// .cache/kernel/current.
	KernelDir string
	// Devices are qemu -device arguments, such as
	// "virtio-keyboard-pci,id=kbd0" or "usb-kbd,id=ukbd,bus=xhci.0". An
	// xHCI controller with id "xhci" is always present.
	Devices []string
	// Files are added to the initramfs (test binaries, fixtures).
	Files []File
	// Modules are loaded after DefaultModules (for example drm ones).
	Modules []string
	// LaterModules are put in the initramfs but not loaded: the test
	// loads them when it wants with VM.LoadModules.
	LaterModules []string
	// MemoryMB is the guest's memory; 0 means 512.
	MemoryMB int
	// QEMUArgs are appended to qemu's command line.
	QEMUArgs []string
	// Logf, if set, receives progress messages (t.Logf).
	Logf func(format string, args ...any)
}

// VM is a running guest.
type VM struct {
	dir    string
	cmd    *exec.Cmd
	qmp    *qmp
	agent  net.Conn
	logf   func(string, ...any)
	exited chan struct{}

	wmu sync.Mutex // agent writes

	mu      sync.Mutex
	procs   map[int]*Process
	nextID  int
	changed chan struct{} // closed and replaced on every agent message
	err     error         // set when the agent connection ends
	ready   bool
}

// ErrSetup wraps every failure caused by missing tools or kernel.
var ErrSetup = errors.New("guest: rig not installed (run `make deps kernel`)")

// Boot builds the initramfs and starts the guest, returning once the agent
// in the guest is ready (about 10 s under TCG). The caller must Close the
// VM.
func Boot(ctx context.Context, cfg Config) (*VM, error) {
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		return nil, fmt.Errorf("%w: qemu-system-x86_64: %w", ErrSetup, err)
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		return nil, fmt.Errorf("%w: busybox-static: %w", ErrSetup, err)
	}
	k, err := FindKernel(cfg.KernelDir)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gocomp-guest-")
	if err != nil {
		return nil, fmt.Errorf("guest: %w", err)
	}
	vm := &VM{dir: dir, logf: cfg.Logf, procs: map[int]*Process{}, changed: make(chan struct{}), exited: make(chan struct{})}
	if vm.logf == nil {
		vm.logf = func(string, ...any) {}
	}
	if err := vm.boot(ctx, qemu, k, cfg); err != nil {
		vm.Close()
		return nil, err
	}
	return vm, nil
}

// Kernel is a located kernel image and its module tree.
type Kernel struct {
	Vmlinuz string
	Modules string // lib/modules/<version>
}

// FindKernel locates the kernel in dir (see Config.KernelDir).
func FindKernel(dir string) (Kernel, error) {
	if dir == "" {
		dir = os.Getenv("GOCOMP_KERNEL_DIR")
	}
	if dir == "" {
		if root, err := moduleRoot(); err == nil {
			dir = filepath.Join(root, ".cache/kernel/current")
		}
	}
	for _, d := range []string{filepath.Join(dir, "root"), dir} {
		vm, _ := filepath.Glob(filepath.Join(d, "boot/vmlinuz-*"))
		mods, _ := filepath.Glob(filepath.Join(d, "lib/modules/*/kernel"))
		if len(vm) > 0 && len(mods) > 0 {
			return Kernel{Vmlinuz: vm[0], Modules: filepath.Dir(mods[0])}, nil
		}
	}
	return Kernel{}, fmt.Errorf("%w: no kernel in %q", ErrSetup, dir)
}

// moduleRoot returns the directory of the gocomp module (where go.mod is).
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("guest: go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("guest: not inside the gocomp module")
	}
	return filepath.Dir(gomod), nil
}

// BuildStatic builds the Go package pkg (an import path of the gocomp
// module, such as "gocomp/cmd/gocomp") with CGO_ENABLED=0 into out.
func BuildStatic(ctx context.Context, pkg, out string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("guest: go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// findModules maps each module name to its .ko file.
func findModules(k Kernel, names []string) ([]File, error) {
	byName := map[string]string{}
	err := filepath.WalkDir(filepath.Join(k.Modules, "kernel"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".ko") {
			byName[strings.ReplaceAll(strings.TrimSuffix(d.Name(), ".ko"), "-", "_")] = p
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("guest: modules: %w", err)
	}
	var files []File
	for _, n := range names {
		p, ok := byName[strings.ReplaceAll(n, "-", "_")]
		if !ok {
			return nil, fmt.Errorf("%w: module %s not in %s", ErrSetup, n, k.Modules)
		}
		files = append(files, File{Path: "/lib/modules/" + n + ".ko", Host: p, Mode: 0o644})
	}
	return files, nil
}

// initScript mounts the pseudo file systems, loads modules in order and
// runs the agent.
func initScript(modules []string) string {
	return `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
for m in ` + strings.Join(modules, " ") + `; do
	insmod /lib/modules/$m.ko || echo "init: insmod $m failed"
done
echo "init: modules loaded"
/bin/agent
echo "init: agent exited with $?"
poweroff -f
`
}

func (vm *VM) boot(ctx context.Context, qemu string, k Kernel, cfg Config) error {
	start := time.Now()
	agentBin := filepath.Join(vm.dir, "agent")
	if err := BuildStatic(ctx, "gocomp/evdev/guest/agent", agentBin); err != nil {
		return err
	}
	modules := append(DefaultModules(), cfg.Modules...)
	files, err := findModules(k, append(modules, cfg.LaterModules...))
	if err != nil {
		return err
	}
	files = append(files,
		File{Path: "/init", Data: []byte(initScript(modules)), Mode: 0o755},
		File{Path: "/bin/busybox", Host: "/bin/busybox"},
		File{Path: "/bin/agent", Host: agentBin},
	)
	files = append(files, cfg.Files...)
	initrd := filepath.Join(vm.dir, "initrd.gz")
	if err := writeInitramfs(initrd, files); err != nil {
		return err
	}

	agentL, err := net.Listen("unix", filepath.Join(vm.dir, "agent.sock"))
	if err != nil {
		return fmt.Errorf("guest: %w", err)
	}
	defer agentL.Close()
	qmpL, err := net.Listen("unix", filepath.Join(vm.dir, "qmp.sock"))
	if err != nil {
		return fmt.Errorf("guest: %w", err)
	}
	defer qmpL.Close()

	mem := cfg.MemoryMB
	if mem == 0 {
		mem = 512
	}
	args := []string{
		"-accel", "tcg", "-m", fmt.Sprint(mem), "-M", "pc", "-display", "none", "-no-reboot",
		"-kernel", k.Vmlinuz, "-initrd", initrd,
		"-append", "console=ttyS0 rdinit=/init panic=-1 loglevel=4",
		"-serial", "file:" + filepath.Join(vm.dir, "serial.log"),
		"-chardev", "socket,id=qmp,path=" + filepath.Join(vm.dir, "qmp.sock"),
		"-mon", "chardev=qmp,mode=control",
		"-chardev", "socket,id=agent,path=" + filepath.Join(vm.dir, "agent.sock"),
		"-device", "virtio-serial-pci,id=vser",
		"-device", "virtserialport,chardev=agent,name=" + agentproto.PortName,
		"-device", "qemu-xhci,id=xhci",
		// Logs each input event qemu drops because the guest has not
		// refilled the virtio-input queue (see InputQueueFull).
		"-trace", "virtio_input_queue_full",
	}
	for _, d := range cfg.Devices {
		args = append(args, "-device", d)
	}
	args = append(args, cfg.QEMUArgs...)
	log, err := os.Create(filepath.Join(vm.dir, "qemu.log"))
	if err != nil {
		return fmt.Errorf("guest: %w", err)
	}
	vm.cmd = exec.Command(qemu, args...)
	vm.cmd.Stdout, vm.cmd.Stderr = log, log
	if err := vm.cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("guest: start qemu: %w", err)
	}
	go func() {
		vm.cmd.Wait()
		log.Close()
		close(vm.exited)
	}()
	vm.logf("guest: qemu started (%d modules, initramfs built in %v)", len(modules), time.Since(start).Round(time.Millisecond))

	qconn, err := vm.accept(ctx, qmpL)
	if err != nil {
		return err
	}
	if vm.qmp, err = newQMP(ctx, qconn); err != nil {
		return err
	}
	if vm.agent, err = vm.accept(ctx, agentL); err != nil {
		return err
	}
	go vm.readAgent()

	bootCtx, cancel := context.WithTimeout(ctx, 150*time.Second)
	defer cancel()
	for {
		vm.mu.Lock()
		ready, changed, aerr := vm.ready, vm.changed, vm.err
		vm.mu.Unlock()
		if ready {
			break
		}
		if aerr != nil {
			return fmt.Errorf("%w\n%s", aerr, vm.diagnostics())
		}
		select {
		case <-changed:
		case <-vm.exited:
			return fmt.Errorf("guest: qemu exited during boot\n%s", vm.diagnostics())
		case <-bootCtx.Done():
			return fmt.Errorf("guest: agent not ready: %w\n%s", bootCtx.Err(), vm.diagnostics())
		}
	}
	vm.logf("guest: ready after %v", time.Since(start).Round(time.Millisecond))
	return nil
}

// accept waits for qemu to connect to l.
func (vm *VM) accept(ctx context.Context, l net.Listener) (net.Conn, error) {
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := l.Accept()
		ch <- res{c, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("guest: accept qemu connection: %w", r.err)
		}
		return r.c, nil
	case <-vm.exited:
		return nil, fmt.Errorf("guest: qemu exited at start\n%s", vm.diagnostics())
	case <-ctx.Done():
		return nil, fmt.Errorf("guest: qemu did not connect: %w", ctx.Err())
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("guest: qemu did not connect within 30s\n%s", vm.diagnostics())
	}
}

// readAgent routes agent replies to their processes.
func (vm *VM) readAgent() {
	sc := bufio.NewScanner(vm.agent)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		var r agentproto.Reply
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			continue
		}
		vm.mu.Lock()
		if r.Op == agentproto.OpReady {
			vm.ready = true
		} else if p := vm.procs[r.ID]; p != nil {
			p.handle(r)
		}
		vm.notifyLocked()
		vm.mu.Unlock()
	}
	vm.mu.Lock()
	vm.err = fmt.Errorf("guest: agent connection ended: %v", sc.Err())
	vm.notifyLocked()
	vm.mu.Unlock()
}

func (vm *VM) notifyLocked() {
	close(vm.changed)
	vm.changed = make(chan struct{})
}

// request sends one message to the agent.
func (vm *VM) request(r agentproto.Request) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("guest: %w", err)
	}
	vm.wmu.Lock()
	defer vm.wmu.Unlock()
	if _, err := vm.agent.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("guest: write to agent: %w", err)
	}
	return nil
}

// Start runs argv in the guest (stdin /dev/null, PATH covering busybox and
// the files you added) and returns at once; use the Process to follow its
// output. env adds KEY=value entries to the environment.
func (vm *VM) Start(env []string, argv ...string) (*Process, error) {
	vm.mu.Lock()
	vm.nextID++
	p := &Process{vm: vm, id: vm.nextID, argv: argv}
	vm.procs[p.id] = p
	vm.mu.Unlock()
	if err := vm.request(agentproto.Request{Op: agentproto.OpStart, ID: p.id, Argv: argv, Env: env}); err != nil {
		return nil, err
	}
	return p, nil
}

// Run runs argv in the guest to completion and returns its stdout. A
// non-zero exit is an error that carries stderr.
func (vm *VM) Run(ctx context.Context, argv ...string) (string, error) {
	p, err := vm.Start(nil, argv...)
	if err != nil {
		return "", err
	}
	if err := p.Wait(ctx); err != nil {
		return p.Stdout(), err
	}
	return p.Stdout(), nil
}

// QMP executes a QMP command and returns its "return" value.
func (vm *VM) QMP(ctx context.Context, command string, args any) (json.RawMessage, error) {
	return vm.qmp.Execute(ctx, command, args)
}

// QMPEventMark returns a mark for WaitQMPEvent: events that arrive after
// it. Take it before the command whose event you will wait for.
func (vm *VM) QMPEventMark() int { return vm.qmp.eventCount() }

// WaitQMPEvent waits for the first QMP event called name after mark for
// which match (if not nil) is true.
func (vm *VM) WaitQMPEvent(ctx context.Context, mark int, name string, match func(data json.RawMessage) bool) (Event, error) {
	return vm.qmp.waitEvent(ctx, mark, name, match)
}

// Key is one key event for SendKeys: a QEMU qcode ("a", "shift", "ret",
// "caps_lock", ...) going down or up.
type Key struct {
	QCode string
	Down  bool
}

// SendKeys injects key events with one input-send-event command; the
// guest sees them as one frame per event on the active keyboard (the one
// most recently activated: a hotplugged keyboard takes over).
func (vm *VM) SendKeys(ctx context.Context, keys ...Key) error {
	evs := make([]InputEvent, len(keys))
	for i, k := range keys {
		evs[i] = KeyEvent(k.QCode, k.Down)
	}
	return vm.SendInput(ctx, evs...)
}

// InputEvent is one event of QMP's input-send-event; build it with
// KeyEvent, BtnEvent, RelEvent or AbsEvent.
type InputEvent map[string]any

// KeyEvent is a key, by QEMU qcode, going down or up.
func KeyEvent(qcode string, down bool) InputEvent {
	return InputEvent{"type": "key", "data": map[string]any{"down": down, "key": map[string]any{"type": "qcode", "data": qcode}}}
}

// BtnEvent is a pointer button ("left", "right", "middle", "wheel-up", ...)
// going down or up.
func BtnEvent(button string, down bool) InputEvent {
	return InputEvent{"type": "btn", "data": map[string]any{"down": down, "button": button}}
}

// RelEvent is relative motion on axis "x" or "y".
func RelEvent(axis string, value int) InputEvent {
	return InputEvent{"type": "rel", "data": map[string]any{"axis": axis, "value": value}}
}

// AbsEvent is an absolute position on axis "x" or "y" (0..32767 spans the
// screen).
func AbsEvent(axis string, value int) InputEvent {
	return InputEvent{"type": "abs", "data": map[string]any{"axis": axis, "value": value}}
}

// SendInput injects evs with one input-send-event command, followed by one
// sync: a virtio device delivers them to the guest as one frame.
func (vm *VM) SendInput(ctx context.Context, evs ...InputEvent) error {
	_, err := vm.QMP(ctx, "input-send-event", map[string]any{"events": evs})
	return err
}

// SelectMouse makes the QEMU mouse whose name contains name (as the
// monitor's `info mice` lists them: "QEMU HID Mouse", "QEMU HID Tablet",
// ...) the one that receives pointer events from SendInput.
func (vm *VM) SelectMouse(ctx context.Context, name string) error {
	out, err := vm.HMP(ctx, "info mice")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(out, "\n") {
		i := strings.Index(line, "Mouse #")
		if i < 0 || !strings.Contains(line, name) {
			continue
		}
		idx, _, _ := strings.Cut(line[i+len("Mouse #"):], ":")
		_, err := vm.HMP(ctx, "mouse_set "+strings.TrimSpace(idx))
		return err
	}
	return fmt.Errorf("guest: no mouse %q in:\n%s", name, out)
}

// HMP runs a human monitor command and returns its output.
func (vm *VM) HMP(ctx context.Context, command string) (string, error) {
	raw, err := vm.QMP(ctx, "human-monitor-command", map[string]any{"command-line": command})
	if err != nil {
		return "", err
	}
	var out string
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("guest: %s: %w", command, err)
	}
	return out, nil
}

// Tap presses and releases qcode.
func (vm *VM) Tap(ctx context.Context, qcode string) error {
	if err := vm.SendKeys(ctx, Key{qcode, true}); err != nil {
		return err
	}
	return vm.SendKeys(ctx, Key{qcode, false})
}

// DeviceAdd hotplugs a device: driver such as "virtio-keyboard-pci", or
// "usb-kbd" with props {"bus": "xhci.0"}.
func (vm *VM) DeviceAdd(ctx context.Context, driver, id string, props map[string]any) error {
	args := map[string]any{"driver": driver, "id": id}
	for k, v := range props {
		args[k] = v
	}
	_, err := vm.QMP(ctx, "device_add", args)
	return err
}

// DeviceDel unplugs device id and waits until qemu reports it deleted
// (the guest has released it).
func (vm *VM) DeviceDel(ctx context.Context, id string) error {
	mark := vm.qmp.eventCount()
	if _, err := vm.QMP(ctx, "device_del", map[string]any{"id": id}); err != nil {
		return err
	}
	_, err := vm.qmp.waitEvent(ctx, mark, "DEVICE_DELETED", func(data json.RawMessage) bool {
		var d struct {
			Device string `json:"device"`
		}
		return json.Unmarshal(data, &d) == nil && d.Device == id
	})
	return err
}

// LoadModules loads kernel modules given in Config.LaterModules, in order.
func (vm *VM) LoadModules(ctx context.Context, names ...string) error {
	for _, n := range names {
		if out, err := vm.Run(ctx, "insmod", "/lib/modules/"+n+".ko"); err != nil {
			return fmt.Errorf("guest: insmod %s: %w %s", n, err, out)
		}
	}
	return nil
}

// Serial returns the guest's console output so far (kernel log, /init).
func (vm *VM) Serial() string {
	b, _ := os.ReadFile(filepath.Join(vm.dir, "serial.log"))
	return string(b)
}

// QEMULog returns qemu's own output so far (errors, trace events).
func (vm *VM) QEMULog() string {
	b, _ := os.ReadFile(filepath.Join(vm.dir, "qemu.log"))
	return string(b)
}

// InputQueueFull returns how many times qemu has dropped a virtio-input
// event frame so far because the guest had no free buffer in the event
// queue (the guest's vCPU fell behind, typically on a loaded host). Input
// lost that way never reached the guest kernel; tests use it to tell
// qemu's losses from the guest's.
func (vm *VM) InputQueueFull() int {
	return strings.Count(vm.QEMULog(), "virtio_input_queue_full")
}

// diagnostics returns the tails of the console and qemu logs.
func (vm *VM) diagnostics() string {
	tail := func(s string) string {
		if len(s) > 4000 {
			s = "..." + s[len(s)-4000:]
		}
		return s
	}
	return "--- guest console ---\n" + tail(vm.Serial()) + "\n--- qemu ---\n" + tail(vm.QEMULog())
}

// Diagnostics returns the tails of the guest console and qemu's own
// output, for a failing test's log.
func (vm *VM) Diagnostics() string { return vm.diagnostics() }

// Close stops qemu and removes the guest's files. Idempotent.
func (vm *VM) Close() error {
	if vm == nil || vm.dir == "" {
		return nil
	}
	if vm.cmd != nil && vm.cmd.Process != nil {
		if vm.qmp != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			vm.qmp.Execute(ctx, "quit", nil)
			cancel()
		}
		select {
		case <-vm.exited:
		case <-time.After(5 * time.Second):
			vm.cmd.Process.Kill()
			<-vm.exited
		}
	}
	if vm.qmp != nil {
		vm.qmp.conn.Close()
	}
	if vm.agent != nil {
		vm.agent.Close()
	}
	err := os.RemoveAll(vm.dir)
	vm.dir = ""
	return err
}
