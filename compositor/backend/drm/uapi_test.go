package drm

import (
	"testing"
	"unsafe"
)

// TestIoctlNumbers compares the ioctl numbers built from the Go structs
// with the kernel's (x86_64 values from drm.h and drm_mode.h, the same on
// arm and arm64): a struct of the wrong size gives a wrong number. Run
// under qemu-arm by `make cross` too, where Go's own alignment differs.
func TestIoctlNumbers(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"GET_CAP", ioctlGetCap, 0xc010640c},
		{"SET_CLIENT_CAP", ioctlSetClientCap, 0x4010640d},
		{"AUTH_MAGIC", ioctlAuthMagic, 0x40046411},
		{"MODE_GETRESOURCES", ioctlGetResources, 0xc04064a0},
		{"MODE_GETCRTC", ioctlGetCRTC, 0xc06864a1},
		{"MODE_SETCRTC", ioctlSetCRTC, 0xc06864a2},
		{"MODE_GETENCODER", ioctlGetEncoder, 0xc01464a6},
		{"MODE_GETCONNECTOR", ioctlGetConnector, 0xc05064a7},
		{"MODE_GETPROPERTY", ioctlGetProperty, 0xc04064aa},
		{"MODE_GETPROPBLOB", ioctlGetPropBlob, 0xc01064ac},
		{"MODE_RMFB", ioctlRmFB, 0xc00464af},
		{"MODE_PAGE_FLIP", ioctlPageFlip, 0xc01864b0},
		{"MODE_DIRTYFB", ioctlDirtyFB, 0xc01864b1},
		{"MODE_CREATE_DUMB", ioctlCreateDumb, 0xc02064b2},
		{"MODE_MAP_DUMB", ioctlMapDumb, 0xc01064b3},
		{"MODE_DESTROY_DUMB", ioctlDestroyDumb, 0xc00464b4},
		{"MODE_ADDFB2", ioctlAddFB2, 0xc06864b8},
		{"MODE_OBJ_GETPROPERTIES", ioctlObjGetProperties, 0xc02064b9},
		{"MODE_OBJ_SETPROPERTY", ioctlObjSetProperty, 0xc01864ba},
	} {
		if tc.got != tc.want {
			t.Errorf("DRM_IOCTL_%s = %#x; want %#x", tc.name, tc.got, tc.want)
		}
	}
}

// TestStructLayout checks sizes and the offsets of the fields that follow
// padding in the kernel's structs, as the C compiler lays them out.
func TestStructLayout(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof drm_mode_modeinfo", unsafe.Sizeof(modeInfo{}), 68},
		{"sizeof drm_mode_card_res", unsafe.Sizeof(cardRes{}), 64},
		{"sizeof drm_mode_get_connector", unsafe.Sizeof(getConnector{}), 80},
		{"drm_mode_get_connector.connector_id", unsafe.Offsetof(getConnector{}.ConnectorID), 48},
		{"drm_mode_get_connector.subpixel", unsafe.Offsetof(getConnector{}.Subpixel), 72},
		{"sizeof drm_mode_get_encoder", unsafe.Sizeof(getEncoder{}), 20},
		{"sizeof drm_mode_crtc", unsafe.Sizeof(modeCRTC{}), 104},
		{"drm_mode_crtc.mode", unsafe.Offsetof(modeCRTC{}.Mode), 36},
		{"sizeof drm_mode_create_dumb", unsafe.Sizeof(createDumb{}), 32},
		{"drm_mode_create_dumb.size", unsafe.Offsetof(createDumb{}.Size), 24},
		{"drm_mode_map_dumb.offset", unsafe.Offsetof(mapDumb{}.Offset), 8},
		{"sizeof drm_mode_fb_cmd2", unsafe.Sizeof(fbCmd2{}), 104},
		{"drm_mode_fb_cmd2.modifier", unsafe.Offsetof(fbCmd2{}.Modifier), 72},
		{"sizeof drm_mode_crtc_page_flip", unsafe.Sizeof(crtcPageFlip{}), 24},
		{"drm_mode_crtc_page_flip.user_data", unsafe.Offsetof(crtcPageFlip{}.UserData), 16},
		{"drm_mode_fb_dirty_cmd.clips_ptr", unsafe.Offsetof(fbDirtyCmd{}.ClipsPtr), 16},
		{"sizeof drm_clip_rect", unsafe.Sizeof(clipRect{}), 8},
		{"drm_mode_get_property.count_values", unsafe.Offsetof(getProperty{}.CountValues), 56},
		{"sizeof drm_mode_obj_set_property", unsafe.Sizeof(objSetProperty{}), 24},
		{"drm_mode_get_blob.data", unsafe.Offsetof(getBlob{}.Data), 8},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %d; want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestConnectorName(t *testing.T) {
	for _, tc := range []struct {
		typ, id uint32
		want    string
	}{{15, 1, "Virtual-1"}, {11, 2, "HDMI-A-2"}, {14, 1, "eDP-1"}, {99, 3, "Unknown-3"}} {
		if got := connectorName(tc.typ, tc.id); got != tc.want {
			t.Errorf("connectorName(%d, %d) = %q; want %q", tc.typ, tc.id, got, tc.want)
		}
	}
}
