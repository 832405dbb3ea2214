package drm

import "testing"

// testEDID builds a 128-byte base block the way the VESA spec lays it
// out: the header, manufacturer id "RHT" (R=18, H=8, T=20 in five-bit
// letters: 0x4914), product code 0x1234, serial 42, and display
// descriptors given as (tag, text).
func testEDID(descs ...any) []byte {
	b := make([]byte, 128)
	copy(b, []byte{0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0})
	b[8], b[9] = 0x49, 0x14
	b[10], b[11] = 0x34, 0x12
	b[12] = 42
	for i := 0; i+1 < len(descs); i += 2 {
		d := b[54+18*(i/2):][:18]
		d[3] = descs[i].(byte)
		text := []byte(descs[i+1].(string) + "\n            ")
		copy(d[5:18], text)
	}
	return b
}

func TestParseEDID(t *testing.T) {
	for _, tc := range []struct {
		name string
		edid []byte
		want edidInfo
		ok   bool
	}{
		{"name and serial descriptors", testEDID(byte(0xfc), "QEMU Monitor", byte(0xff), "SN123"), edidInfo{"RHT", "QEMU Monitor", "SN123"}, true},
		{"header fields only", testEDID(), edidInfo{"RHT", "0x1234", "42"}, true},
		{"too short", testEDID()[:100], edidInfo{}, false},
		{"bad header", append([]byte{1}, testEDID()[1:]...), edidInfo{}, false},
	} {
		got, ok := parseEDID(tc.edid)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: parseEDID = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
