package drm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// card is an open DRM device (/dev/dri/cardN): thin wrappers around the
// legacy modesetting ioctls. It never closes its fd: the session that
// opened it does.
type card struct {
	fd   int
	path string
	// events is the buffer the card's events are read into.
	events [1024]byte
}

// ioctl runs one DRM ioctl whose argument is the struct at arg, retrying
// when a signal or a busy driver interrupts it.
func (c *card) ioctl(req uintptr, arg unsafe.Pointer) error {
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(c.fd), req, uintptr(arg))
		if e == unix.EINTR || e == unix.EAGAIN {
			continue
		}
		if e != 0 {
			return e
		}
		return nil
	}
}

// ptr returns the address of the first element of s as a uint64, for the
// kernel's array pointers; pin keeps s in place until the ioctl is done.
func ptr[T any](pin *runtime.Pinner, s []T) uint64 {
	if len(s) == 0 {
		return 0
	}
	pin.Pin(&s[0])
	return uint64(uintptr(unsafe.Pointer(&s[0])))
}

// capability reads a DRM_CAP_* value.
func (c *card) capability(cap uint64) (uint64, error) {
	arg := getCap{Capability: cap}
	if err := c.ioctl(ioctlGetCap, unsafe.Pointer(&arg)); err != nil {
		return 0, err
	}
	return arg.Value, nil
}

// isMaster reports whether the fd is the card's current DRM master: the
// authentication request is for masters only, so a non-master gets EACCES
// (magic 0 is refused with EINVAL by a master).
func (c *card) isMaster() bool {
	var magic uint32
	return !errors.Is(c.ioctl(ioctlAuthMagic, unsafe.Pointer(&magic)), unix.EACCES)
}

// resources are the card's CRTCs, connectors and encoders.
type resources struct {
	crtcs, connectors, encoders []uint32
}

// resources reads the card's object ids: counts first, then the arrays,
// again if the counts grew meanwhile (a connector hotplugged).
func (c *card) resources() (resources, error) {
	for {
		var counts cardRes
		if err := c.ioctl(ioctlGetResources, unsafe.Pointer(&counts)); err != nil {
			return resources{}, err
		}
		r := resources{
			crtcs:      make([]uint32, counts.CountCRTCs),
			connectors: make([]uint32, counts.CountConnectors),
			encoders:   make([]uint32, counts.CountEncoders),
		}
		var pin runtime.Pinner
		arg := cardRes{
			CRTCIDPtr: ptr(&pin, r.crtcs), ConnectorIDPtr: ptr(&pin, r.connectors), EncoderIDPtr: ptr(&pin, r.encoders),
			CountCRTCs: counts.CountCRTCs, CountConnectors: counts.CountConnectors, CountEncoders: counts.CountEncoders,
		}
		err := c.ioctl(ioctlGetResources, unsafe.Pointer(&arg))
		pin.Unpin()
		if err != nil {
			return resources{}, err
		}
		if arg.CountCRTCs <= counts.CountCRTCs && arg.CountConnectors <= counts.CountConnectors && arg.CountEncoders <= counts.CountEncoders {
			r.crtcs, r.connectors, r.encoders = r.crtcs[:arg.CountCRTCs], r.connectors[:arg.CountConnectors], r.encoders[:arg.CountEncoders]
			return r, nil
		}
	}
}

// connector is what the kernel says about a connector.
type connector struct {
	id, typ, typeID uint32
	connection      uint32
	mmWidth         uint32
	mmHeight        uint32
	encoderID       uint32 // the encoder driving it now, 0 for none
	encoders        []uint32
	modes           []modeInfo
	props           []uint32
	propValues      []uint64
}

// name is the connector's name, e.g. "Virtual-1".
func (cn *connector) name() string { return connectorName(cn.typ, cn.typeID) }

// connector reads a connector. The first pass asks for no modes, which
// makes the kernel probe the connector (its hotplug state and modes).
func (c *card) connector(id uint32) (connector, error) {
	for {
		counts := getConnector{ConnectorID: id}
		if err := c.ioctl(ioctlGetConnector, unsafe.Pointer(&counts)); err != nil {
			return connector{}, err
		}
		cn := connector{
			encoders:   make([]uint32, counts.CountEncoders),
			modes:      make([]modeInfo, counts.CountModes),
			props:      make([]uint32, counts.CountProps),
			propValues: make([]uint64, counts.CountProps),
		}
		var pin runtime.Pinner
		arg := getConnector{
			ConnectorID: id,
			EncodersPtr: ptr(&pin, cn.encoders), ModesPtr: ptr(&pin, cn.modes),
			PropsPtr: ptr(&pin, cn.props), PropValuesPtr: ptr(&pin, cn.propValues),
			CountEncoders: counts.CountEncoders, CountModes: counts.CountModes, CountProps: counts.CountProps,
		}
		if counts.CountModes == 0 {
			// A second probe would happen with a zero count; one entry
			// of room avoids it (the kernel reports the real count).
			cn.modes = make([]modeInfo, 1)
			arg.ModesPtr, arg.CountModes = ptr(&pin, cn.modes), 1
		}
		err := c.ioctl(ioctlGetConnector, unsafe.Pointer(&arg))
		pin.Unpin()
		if err != nil {
			return connector{}, err
		}
		if arg.CountEncoders > uint32(len(cn.encoders)) || arg.CountModes > uint32(len(cn.modes)) || arg.CountProps > uint32(len(cn.props)) {
			continue // it changed between the passes
		}
		cn.id, cn.typ, cn.typeID = id, arg.ConnectorType, arg.ConnectorTypeID
		cn.connection, cn.mmWidth, cn.mmHeight, cn.encoderID = arg.Connection, arg.MMWidth, arg.MMHeight, arg.EncoderID
		cn.encoders, cn.modes = cn.encoders[:arg.CountEncoders], cn.modes[:arg.CountModes]
		cn.props, cn.propValues = cn.props[:arg.CountProps], cn.propValues[:arg.CountProps]
		return cn, nil
	}
}

// encoder reads an encoder.
func (c *card) encoder(id uint32) (getEncoder, error) {
	arg := getEncoder{EncoderID: id}
	err := c.ioctl(ioctlGetEncoder, unsafe.Pointer(&arg))
	return arg, err
}

// setCRTC shows framebuffer fb on crtc in mode, driving the connector; fb
// 0 turns the CRTC off.
func (c *card) setCRTC(crtc, fb, conn uint32, mode *modeInfo) error {
	arg := modeCRTC{CRTCID: crtc, FBID: fb}
	conns := []uint32{conn}
	var pin runtime.Pinner
	defer pin.Unpin()
	if fb != 0 {
		arg.SetConnectorsPtr, arg.CountConnectors = ptr(&pin, conns), 1
		arg.Mode, arg.ModeValid = *mode, 1
	}
	return c.ioctl(ioctlSetCRTC, unsafe.Pointer(&arg))
}

// dumb is a dumb buffer with a framebuffer on it, mapped into memory.
type dumb struct {
	handle, fb uint32
	width      int
	height     int
	pitch      int
	data       []byte // the mapping
}

// newDumb creates a width x height XRGB8888 dumb buffer, a framebuffer
// on it and its mapping.
func (c *card) newDumb(width, height int) (*dumb, error) {
	cr := createDumb{Width: uint32(width), Height: uint32(height), BPP: 32}
	if err := c.ioctl(ioctlCreateDumb, unsafe.Pointer(&cr)); err != nil {
		return nil, fmt.Errorf("create dumb buffer %dx%d: %w", width, height, err)
	}
	d := &dumb{handle: cr.Handle, width: width, height: height, pitch: int(cr.Pitch)}
	fb := fbCmd2{Width: uint32(width), Height: uint32(height), PixelFormat: formatXRGB8888}
	fb.Handles[0], fb.Pitches[0] = cr.Handle, cr.Pitch
	if err := c.ioctl(ioctlAddFB2, unsafe.Pointer(&fb)); err != nil {
		c.destroyDumb(d)
		return nil, fmt.Errorf("add framebuffer: %w", err)
	}
	d.fb = fb.FBID
	mp := mapDumb{Handle: cr.Handle}
	if err := c.ioctl(ioctlMapDumb, unsafe.Pointer(&mp)); err != nil {
		c.destroyDumb(d)
		return nil, fmt.Errorf("map dumb buffer: %w", err)
	}
	data, err := unix.Mmap(c.fd, int64(mp.Offset), int(cr.Size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		c.destroyDumb(d)
		return nil, fmt.Errorf("mmap dumb buffer: %w", err)
	}
	d.data = data
	clear(d.data)
	return d, nil
}

// destroyDumb unmaps d and frees its framebuffer and buffer. Safe on nil.
func (c *card) destroyDumb(d *dumb) {
	if d == nil {
		return
	}
	if d.data != nil {
		unix.Munmap(d.data)
		d.data = nil
	}
	if d.fb != 0 {
		fb := d.fb
		c.ioctl(ioctlRmFB, unsafe.Pointer(&fb))
		d.fb = 0
	}
	if d.handle != 0 {
		arg := destroyDumb{Handle: d.handle}
		c.ioctl(ioctlDestroyDumb, unsafe.Pointer(&arg))
		d.handle = 0
	}
}

// pageFlip asks crtc to show fb from the next vertical blank on; a flip
// event carrying userData follows.
func (c *card) pageFlip(crtc, fb uint32, userData uint64) error {
	arg := crtcPageFlip{CRTCID: crtc, FBID: fb, Flags: pageFlipEvent, UserData: userData}
	return c.ioctl(ioctlPageFlip, unsafe.Pointer(&arg))
}

// maxClips bounds the rectangles one DIRTYFB carries.
const maxClips = 16

// dirtyFB tells the driver which parts of fb changed; drivers that scan
// out from memory directly answer ENOSYS, which is fine.
func (c *card) dirtyFB(fb uint32, rects []image.Rectangle, clips *[maxClips]clipRect) error {
	n := 0
	for _, r := range rects {
		if n == maxClips {
			n = 0 // too many: the whole buffer
			break
		}
		clips[n] = clipRect{X1: uint16(r.Min.X), Y1: uint16(r.Min.Y), X2: uint16(r.Max.X), Y2: uint16(r.Max.Y)}
		n++
	}
	arg := fbDirtyCmd{FBID: fb, NumClips: uint32(n)}
	var pin runtime.Pinner
	defer pin.Unpin()
	if n > 0 {
		arg.ClipsPtr = ptr(&pin, clips[:n])
	}
	err := c.ioctl(ioctlDirtyFB, unsafe.Pointer(&arg))
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		return nil
	}
	return err
}

// property is a property's name and flags.
type property struct {
	name  string
	flags uint32
}

// property reads a property's name and flags.
func (c *card) property(id uint32) (property, error) {
	arg := getProperty{PropID: id}
	if err := c.ioctl(ioctlGetProperty, unsafe.Pointer(&arg)); err != nil {
		return property{}, err
	}
	name := arg.Name[:]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	return property{name: string(name), flags: arg.Flags}, nil
}

// findProperty returns the id and value of the property called name among
// a connector's, or ok false.
func (c *card) findProperty(cn *connector, name string) (id uint32, value uint64, ok bool) {
	for i, p := range cn.props {
		if pr, err := c.property(p); err == nil && pr.name == name {
			return p, cn.propValues[i], true
		}
	}
	return 0, 0, false
}

// setConnectorProperty sets a connector's property.
func (c *card) setConnectorProperty(conn, prop uint32, value uint64) error {
	arg := objSetProperty{Value: value, PropID: prop, ObjID: conn, ObjType: objectConnector}
	return c.ioctl(ioctlObjSetProperty, unsafe.Pointer(&arg))
}

// blob reads a property blob (an EDID).
func (c *card) blob(id uint32) ([]byte, error) {
	arg := getBlob{BlobID: id}
	if err := c.ioctl(ioctlGetPropBlob, unsafe.Pointer(&arg)); err != nil {
		return nil, err
	}
	data := make([]byte, arg.Length)
	var pin runtime.Pinner
	defer pin.Unpin()
	arg.Data = ptr(&pin, data)
	if err := c.ioctl(ioctlGetPropBlob, unsafe.Pointer(&arg)); err != nil {
		return nil, err
	}
	return data[:min(int(arg.Length), len(data))], nil
}

// flipEvent is a completed page flip.
type flipEvent struct {
	userData uint64
	crtc     uint32
	sequence uint32
	time     time.Duration // CLOCK_MONOTONIC of the vertical blank
}

// readEvents reads the events queued on the card and hands each completed
// flip to handle. It returns nil when none is left (EAGAIN).
func (c *card) readEvents(handle func(flipEvent)) error {
	for {
		n, err := unix.Read(c.fd, c.events[:])
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			return nil
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		parseEvents(c.events[:n], handle)
	}
}

// parseEvents splits a read of the card into events (struct drm_event:
// u32 type, u32 length) and hands the flips to handle.
func parseEvents(b []byte, handle func(flipEvent)) {
	for len(b) >= 8 {
		typ, length := binary.NativeEndian.Uint32(b), binary.NativeEndian.Uint32(b[4:])
		if length < 8 || uint64(length) > uint64(len(b)) {
			return
		}
		if typ == eventFlipComplete && length >= flipEventSize {
			sec, usec := binary.NativeEndian.Uint32(b[16:]), binary.NativeEndian.Uint32(b[20:])
			handle(flipEvent{
				userData: binary.NativeEndian.Uint64(b[8:]),
				sequence: binary.NativeEndian.Uint32(b[24:]),
				crtc:     binary.NativeEndian.Uint32(b[28:]),
				time:     time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond,
			})
		}
		b = b[length:]
	}
}
