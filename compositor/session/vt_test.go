package session

import (
	"testing"
	"unsafe"
)

// TestVTStructLayout checks the VT ioctl structs against linux/vt.h as
// the C compiler lays them out (also under qemu-arm in `make cross`):
// struct vt_mode {char mode, waitv; short relsig, acqsig, frsig;} is 8
// bytes, struct vt_stat {unsigned short v_active, v_signal, v_state;} 6.
func TestVTStructLayout(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof vt_mode", unsafe.Sizeof(vtMode{}), 8},
		{"vt_mode.relsig", unsafe.Offsetof(vtMode{}.Relsig), 2},
		{"vt_mode.frsig", unsafe.Offsetof(vtMode{}.Frsig), 6},
		{"sizeof vt_stat", unsafe.Sizeof(vtStat{}), 6},
		{"vt_stat.v_state", unsafe.Offsetof(vtStat{}.State), 4},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %d; want %d", tc.name, tc.got, tc.want)
		}
	}
}
