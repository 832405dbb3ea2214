package drm

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// edidInfo is what the backend reads from a monitor's EDID.
type edidInfo struct {
	make   string // the three-letter PNP manufacturer id, e.g. "DEL"
	model  string // the monitor name descriptor, else the product code
	serial string // the serial string descriptor, else the serial number
}

// parseEDID reads the base block of an EDID (VESA E-EDID 1.3/1.4): the
// manufacturer id, product code and serial number of the header, and the
// name and serial display descriptors. ok is false for anything that is
// not an EDID.
func parseEDID(b []byte) (info edidInfo, ok bool) {
	if len(b) < 128 || !bytes.Equal(b[:8], []byte{0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0}) {
		return edidInfo{}, false
	}
	// Three letters of five bits each, 1 for 'A', big-endian.
	id := binary.BigEndian.Uint16(b[8:])
	letters := []byte{byte(id>>10&31) + 'A' - 1, byte(id>>5&31) + 'A' - 1, byte(id&31) + 'A' - 1}
	for _, l := range letters {
		if l < 'A' || l > 'Z' {
			return edidInfo{}, false
		}
	}
	info.make = string(letters)
	info.model = fmt.Sprintf("0x%04X", binary.LittleEndian.Uint16(b[10:]))
	if sn := binary.LittleEndian.Uint32(b[12:]); sn != 0 {
		info.serial = fmt.Sprint(sn)
	}
	// Four 18-byte descriptors; a display descriptor starts with 0, 0.
	for off := 54; off+18 <= 126; off += 18 {
		d := b[off : off+18]
		if d[0] != 0 || d[1] != 0 {
			continue
		}
		switch d[3] {
		case 0xfc:
			info.model = descriptorText(d[5:])
		case 0xff:
			info.serial = descriptorText(d[5:])
		}
	}
	return info, true
}

// descriptorText reads a display descriptor's text: ASCII up to a line
// feed, padded with spaces. Bytes that are not printable ASCII (a broken
// or hostile monitor's) become '?': the text goes out in wl_output
// strings, where a NUL would end it and other bytes need not be UTF-8.
func descriptorText(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	b = bytes.TrimRight(b, " ")
	text := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		text[i] = c
	}
	return string(text)
}
