package guest

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"
)

// SetDesktopSize connects to qemu's VNC server on the unix socket path
// (qemu -vnc unix:PATH,display=ID,head=N) as a minimal RFB 3.8 client and
// asks for a desktop of w x h (the ExtendedDesktopSize SetDesktopSize
// message). qemu passes the size to the display device as the user's
// window size: virtio-gpu then enables that head at that size, or
// disables it for 0x0, and tells the guest (a connector hotplug).
func SetDesktopSize(ctx context.Context, path string, w, h int) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return fmt.Errorf("guest: vnc: %w", err)
	}
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	c.SetDeadline(deadline)
	// Handshake: version, security type None, ClientInit (shared).
	version := make([]byte, 12)
	if _, err := io.ReadFull(c, version); err != nil {
		return fmt.Errorf("guest: vnc: read version: %w", err)
	}
	if _, err := c.Write([]byte("RFB 003.008\n")); err != nil {
		return fmt.Errorf("guest: vnc: %w", err)
	}
	var n [1]byte
	if _, err := io.ReadFull(c, n[:]); err != nil || n[0] == 0 {
		return fmt.Errorf("guest: vnc: no security types (%v)", err)
	}
	types := make([]byte, n[0])
	if _, err := io.ReadFull(c, types); err != nil {
		return fmt.Errorf("guest: vnc: %w", err)
	}
	if _, err := c.Write([]byte{1}); err != nil { // None
		return fmt.Errorf("guest: vnc: %w", err)
	}
	var result [4]byte
	if _, err := io.ReadFull(c, result[:]); err != nil || binary.BigEndian.Uint32(result[:]) != 0 {
		return fmt.Errorf("guest: vnc: security handshake failed (%v)", err)
	}
	if _, err := c.Write([]byte{1}); err != nil { // shared
		return fmt.Errorf("guest: vnc: %w", err)
	}
	var init [24]byte
	if _, err := io.ReadFull(c, init[:]); err != nil {
		return fmt.Errorf("guest: vnc: read ServerInit: %w", err)
	}
	if _, err := io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint32(init[20:]))); err != nil {
		return fmt.Errorf("guest: vnc: read the desktop name: %w", err)
	}
	// SetEncodings: ExtendedDesktopSize (-308), so the server answers.
	msg := []byte{2, 0, 0, 1}
	msg = binary.BigEndian.AppendUint32(msg, uint32(0xfffffecc))
	// SetDesktopSize: type 251, w, h, one screen (id 0 at 0,0, w x h).
	msg = append(msg, 251, 0)
	msg = binary.BigEndian.AppendUint16(msg, uint16(w))
	msg = binary.BigEndian.AppendUint16(msg, uint16(h))
	msg = append(msg, 1, 0)
	msg = binary.BigEndian.AppendUint32(msg, 0)
	msg = binary.BigEndian.AppendUint16(msg, 0)
	msg = binary.BigEndian.AppendUint16(msg, 0)
	msg = binary.BigEndian.AppendUint16(msg, uint16(w))
	msg = binary.BigEndian.AppendUint16(msg, uint16(h))
	msg = binary.BigEndian.AppendUint32(msg, 0)
	if _, err := c.Write(msg); err != nil {
		return fmt.Errorf("guest: vnc: SetDesktopSize: %w", err)
	}
	// The server acknowledges with a framebuffer update carrying an
	// ExtendedDesktopSize rectangle whose y position is the status.
	var upd [16]byte
	if _, err := io.ReadFull(c, upd[:]); err != nil {
		return fmt.Errorf("guest: vnc: no answer to SetDesktopSize: %w", err)
	}
	if upd[0] != 0 || int32(binary.BigEndian.Uint32(upd[12:])) != -308 {
		return fmt.Errorf("guest: vnc: unexpected answer % x", upd)
	}
	if status := binary.BigEndian.Uint16(upd[6:]); status != 0 && status != 4 {
		return fmt.Errorf("guest: vnc: SetDesktopSize refused (status %d)", status)
	}
	return nil
}
