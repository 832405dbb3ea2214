package drm

import (
	"strconv"
	"unsafe"
)

// The kernel's DRM interface (include/uapi/drm/drm.h and drm_mode.h), as
// far as the backend uses it: legacy modesetting with dumb buffers. The
// structs mirror the kernel's layout on every architecture Go builds
// gocomp for: 64-bit fields sit at offsets that are multiples of 8, with
// explicit padding where the kernel's compiler would insert it (Go aligns
// uint64 to 4 bytes on 32-bit arm, the kernel's ABI to 8); uapi_test.go
// checks every size against the kernel's ioctl numbers.

// ioctl request encoding of asm-generic/ioctl.h (x86, arm, arm64).
const (
	iocWrite = 1
	iocRead  = 2

	drmIoctlBase = 'd'
)

// ioc builds an ioctl request number.
func ioc(dir, nr, size uintptr) uintptr {
	return dir<<30 | size<<16 | drmIoctlBase<<8 | nr
}

// drmIOWR is the kernel's DRM_IOWR.
func drmIOWR(nr uintptr, size uintptr) uintptr { return ioc(iocRead|iocWrite, nr, size) }

// getCap is struct drm_get_cap (also struct drm_set_client_cap).
type getCap struct {
	Capability uint64
	Value      uint64
}

// cardRes is struct drm_mode_card_res.
type cardRes struct {
	FBIDPtr, CRTCIDPtr, ConnectorIDPtr, EncoderIDPtr uint64

	CountFBs, CountCRTCs, CountConnectors, CountEncoders uint32
	MinWidth, MaxWidth, MinHeight, MaxHeight             uint32
}

// modeInfo is struct drm_mode_modeinfo: one video mode.
type modeInfo struct {
	Clock                                         uint32 // pixel clock, kHz
	HDisplay, HSyncStart, HSyncEnd, HTotal, HSkew uint16
	VDisplay, VSyncStart, VSyncEnd, VTotal, VScan uint16
	VRefresh                                      uint32
	Flags                                         uint32
	Type                                          uint32
	Name                                          [32]byte
}

// getConnector is struct drm_mode_get_connector.
type getConnector struct {
	EncodersPtr, ModesPtr, PropsPtr, PropValuesPtr uint64

	CountModes, CountProps, CountEncoders uint32

	EncoderID, ConnectorID, ConnectorType, ConnectorTypeID uint32
	Connection, MMWidth, MMHeight, Subpixel                uint32
	_                                                      uint32
}

// getEncoder is struct drm_mode_get_encoder.
type getEncoder struct {
	EncoderID, EncoderType, CRTCID, PossibleCRTCs, PossibleClones uint32
}

// modeCRTC is struct drm_mode_crtc (GETCRTC and SETCRTC).
type modeCRTC struct {
	SetConnectorsPtr uint64
	CountConnectors  uint32
	CRTCID, FBID     uint32
	X, Y             uint32
	GammaSize        uint32
	ModeValid        uint32
	Mode             modeInfo
}

// createDumb is struct drm_mode_create_dumb.
type createDumb struct {
	Height, Width, BPP, Flags uint32
	Handle, Pitch             uint32
	Size                      uint64
}

// mapDumb is struct drm_mode_map_dumb.
type mapDumb struct {
	Handle uint32
	_      uint32
	Offset uint64
}

// destroyDumb is struct drm_mode_destroy_dumb.
type destroyDumb struct {
	Handle uint32
}

// fbCmd2 is struct drm_mode_fb_cmd2 (ADDFB2).
type fbCmd2 struct {
	FBID, Width, Height, PixelFormat, Flags uint32
	Handles, Pitches, Offsets               [4]uint32
	_                                       uint32 // the kernel aligns Modifier to 8
	Modifier                                [4]uint64
}

// crtcPageFlip is struct drm_mode_crtc_page_flip.
type crtcPageFlip struct {
	CRTCID, FBID, Flags, Reserved uint32
	UserData                      uint64
}

// fbDirtyCmd is struct drm_mode_fb_dirty_cmd.
type fbDirtyCmd struct {
	FBID, Flags, Color, NumClips uint32
	ClipsPtr                     uint64
}

// clipRect is struct drm_clip_rect.
type clipRect struct {
	X1, Y1, X2, Y2 uint16
}

// getProperty is struct drm_mode_get_property.
type getProperty struct {
	ValuesPtr, EnumBlobPtr      uint64
	PropID, Flags               uint32
	Name                        [32]byte
	CountValues, CountEnumBlobs uint32
}

// objGetProperties is struct drm_mode_obj_get_properties.
type objGetProperties struct {
	PropsPtr, PropValuesPtr    uint64
	CountProps, ObjID, ObjType uint32
	_                          uint32
}

// objSetProperty is struct drm_mode_obj_set_property.
type objSetProperty struct {
	Value                  uint64
	PropID, ObjID, ObjType uint32
	_                      uint32 // the kernel's struct is padded to 8
}

// getBlob is struct drm_mode_get_blob.
type getBlob struct {
	BlobID, Length uint32
	Data           uint64
}

// The ioctls, numbered from the structs above.
var (
	ioctlGetCap           = drmIOWR(0x0c, unsafe.Sizeof(getCap{}))
	ioctlSetClientCap     = ioc(iocWrite, 0x0d, unsafe.Sizeof(getCap{}))
	ioctlAuthMagic        = ioc(iocWrite, 0x11, unsafe.Sizeof(uint32(0)))
	ioctlGetResources     = drmIOWR(0xa0, unsafe.Sizeof(cardRes{}))
	ioctlGetCRTC          = drmIOWR(0xa1, unsafe.Sizeof(modeCRTC{}))
	ioctlSetCRTC          = drmIOWR(0xa2, unsafe.Sizeof(modeCRTC{}))
	ioctlGetEncoder       = drmIOWR(0xa6, unsafe.Sizeof(getEncoder{}))
	ioctlGetConnector     = drmIOWR(0xa7, unsafe.Sizeof(getConnector{}))
	ioctlGetProperty      = drmIOWR(0xaa, unsafe.Sizeof(getProperty{}))
	ioctlGetPropBlob      = drmIOWR(0xac, unsafe.Sizeof(getBlob{}))
	ioctlRmFB             = drmIOWR(0xaf, unsafe.Sizeof(uint32(0)))
	ioctlPageFlip         = drmIOWR(0xb0, unsafe.Sizeof(crtcPageFlip{}))
	ioctlDirtyFB          = drmIOWR(0xb1, unsafe.Sizeof(fbDirtyCmd{}))
	ioctlCreateDumb       = drmIOWR(0xb2, unsafe.Sizeof(createDumb{}))
	ioctlMapDumb          = drmIOWR(0xb3, unsafe.Sizeof(mapDumb{}))
	ioctlDestroyDumb      = drmIOWR(0xb4, unsafe.Sizeof(destroyDumb{}))
	ioctlAddFB2           = drmIOWR(0xb8, unsafe.Sizeof(fbCmd2{}))
	ioctlObjGetProperties = drmIOWR(0xb9, unsafe.Sizeof(objGetProperties{}))
	ioctlObjSetProperty   = drmIOWR(0xba, unsafe.Sizeof(objSetProperty{}))
)

// Constants of drm.h and drm_mode.h.
const (
	capDumbBuffer = 0x1

	connected         = 1 // drm_mode_get_connector.connection
	disconnected      = 2
	unknownConnection = 3

	modeTypePreferred = 1 << 3
	modeFlagInterlace = 1 << 4
	modeFlagDblScan   = 1 << 5

	pageFlipEvent = 0x01

	eventFlipComplete = 0x02
	flipEventSize     = 32 // struct drm_event_vblank

	objectConnector = 0xc0c0c0c0

	propEnum = 1 << 3
	propBlob = 1 << 4

	dpmsOn  = 0
	dpmsOff = 3

	// formatXRGB8888 is DRM_FORMAT_XRGB8888, fourcc "XR24".
	formatXRGB8888 = 'X' | 'R'<<8 | '2'<<16 | '4'<<24
)

// connectorTypeNames name connector types (DRM_MODE_CONNECTOR_*) as the
// kernel's sysfs entries and other compositors do.
var connectorTypeNames = [...]string{
	"Unknown", "VGA", "DVI-I", "DVI-D", "DVI-A", "Composite", "SVIDEO", "LVDS", "Component",
	"DIN", "DP", "HDMI-A", "HDMI-B", "TV", "eDP", "Virtual", "DSI", "DPI", "Writeback", "SPI", "USB",
}

// connectorName returns a connector's name, e.g. "HDMI-A-1".
func connectorName(typ, typeID uint32) string {
	name := "Unknown"
	if int(typ) < len(connectorTypeNames) {
		name = connectorTypeNames[typ]
	}
	return name + "-" + strconv.FormatUint(uint64(typeID), 10)
}
