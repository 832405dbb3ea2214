// Package xcursor reads cursor images from Xcursor themes, the cursor
// files desktop themes (Adwaita, ...) install under /usr/share/icons.
//
// A file holds the same cursor at several nominal sizes (and, for animated
// cursors, several frames per size): Decode returns every image, Best
// picks the frame-0 image closest to a wanted size, and Theme.Load finds a
// cursor by name through a theme and the themes it inherits from.
package xcursor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Image is one cursor image: premultiplied ARGB pixels (0xAARRGGBB words,
// row by row) with the hotspot.
type Image struct {
	// Size is the nominal size the image was drawn for (24, 32, ...).
	Size          int
	Width, Height int
	HotX, HotY    int
	// Delay is the time to the next frame of an animated cursor, in ms.
	Delay  int
	Pixels []uint32
}

// File format facts: a header ("Xcur", header size, version, number of
// table entries), a table of (type, subtype, position) entries, and chunks
// at those positions; an image chunk has type 0xfffd0002, a 36-byte header
// (size, type, nominal size, version, width, height, hotspot, delay) and
// width*height pixels.
const (
	magic          = "Xcur"
	fileHeaderSize = 16
	tocEntrySize   = 12
	imageType      = 0xfffd0002
	imageHeader    = 36
	// maxDimension bounds an image side, as the format's writers do.
	maxDimension = 0x7fff
	// maxEntries bounds the table of contents a hostile file may claim.
	maxEntries = 0x10000
)

var errFormat = errors.New("xcursor: not an Xcursor file")

// Decode returns every image in an Xcursor file. It fails on a file that
// is not one or whose tables point outside it; it never panics.
func Decode(data []byte) ([]Image, error) {
	le := binary.LittleEndian
	if len(data) < fileHeaderSize || string(data[:4]) != magic {
		return nil, errFormat
	}
	hdr := le.Uint32(data[4:])
	n := le.Uint32(data[12:])
	if hdr < fileHeaderSize || uint64(hdr) > uint64(len(data)) || n > maxEntries ||
		uint64(hdr)+uint64(n)*tocEntrySize > uint64(len(data)) {
		return nil, fmt.Errorf("xcursor: bad header (size %d, %d entries, file %d bytes)", hdr, n, len(data))
	}
	var imgs []Image
	for i := range n {
		e := data[hdr+i*tocEntrySize:]
		if le.Uint32(e) != imageType {
			continue
		}
		img, err := decodeImage(data, le.Uint32(e[8:]))
		if err != nil {
			return nil, fmt.Errorf("xcursor: image %d: %w", i, err)
		}
		imgs = append(imgs, img)
	}
	if len(imgs) == 0 {
		return nil, errors.New("xcursor: no image in the file")
	}
	return imgs, nil
}

// decodeImage decodes the image chunk at pos.
func decodeImage(data []byte, pos uint32) (Image, error) {
	le := binary.LittleEndian
	if uint64(pos)+imageHeader > uint64(len(data)) {
		return Image{}, fmt.Errorf("chunk at %d past the end", pos)
	}
	c := data[pos:]
	if le.Uint32(c) != imageHeader || le.Uint32(c[4:]) != imageType {
		return Image{}, fmt.Errorf("chunk at %d: not an image header", pos)
	}
	img := Image{
		Size:   int(le.Uint32(c[8:])),
		Width:  int(le.Uint32(c[16:])),
		Height: int(le.Uint32(c[20:])),
		HotX:   int(le.Uint32(c[24:])),
		HotY:   int(le.Uint32(c[28:])),
		Delay:  int(le.Uint32(c[32:])),
	}
	if img.Width <= 0 || img.Height <= 0 || img.Width > maxDimension || img.Height > maxDimension ||
		img.HotX > img.Width || img.HotY > img.Height {
		return Image{}, fmt.Errorf("size %dx%d with hotspot %d,%d", img.Width, img.Height, img.HotX, img.HotY)
	}
	px := c[imageHeader:]
	need := uint64(img.Width) * uint64(img.Height) * 4
	if uint64(len(px)) < need {
		return Image{}, fmt.Errorf("%dx%d pixels past the end of the file", img.Width, img.Height)
	}
	img.Pixels = make([]uint32, img.Width*img.Height)
	for i := range img.Pixels {
		img.Pixels[i] = le.Uint32(px[4*i:])
	}
	return img, nil
}

// Best returns the first image of the nominal size closest to size.
func Best(imgs []Image, size int) Image {
	best := imgs[0]
	for _, img := range imgs[1:] {
		if abs(img.Size-size) < abs(best.Size-size) {
			best = img
		}
	}
	return best
}

func abs(v int) int { return max(v, -v) }

// Theme finds cursors in a named theme.
type Theme struct {
	// Name is the theme ("Adwaita"; "default" follows the system's
	// choice in default/index.theme).
	Name string
	// Path is the list of directories holding themes, searched in order.
	Path []string
}

// DefaultPath returns the theme directories: $XCURSOR_PATH (colon-
// separated) when set, otherwise the user's and the system's icon
// directories.
func DefaultPath(getenv func(string) string) []string {
	if p := getenv("XCURSOR_PATH"); p != "" {
		return strings.Split(p, ":")
	}
	var dirs []string
	if home := getenv("HOME"); home != "" {
		data := getenv("XDG_DATA_HOME")
		if data == "" {
			data = filepath.Join(home, ".local/share")
		}
		dirs = append(dirs, filepath.Join(data, "icons"), filepath.Join(home, ".icons"))
	}
	return append(dirs, "/usr/share/icons", "/usr/share/pixmaps")
}

// maxInherit bounds the chain of inherited themes (and breaks cycles).
const maxInherit = 8

// Load returns the images of the cursor called name, looked up in the
// theme, then in the themes it inherits from.
func (t Theme) Load(name string) ([]Image, error) {
	seen := map[string]bool{}
	queue := []string{t.Name}
	for depth := 0; len(queue) > 0 && depth < maxInherit*4; depth++ {
		theme := queue[0]
		queue = queue[1:]
		if seen[theme] {
			continue
		}
		seen[theme] = true
		for _, dir := range t.Path {
			data, err := os.ReadFile(filepath.Join(dir, theme, "cursors", name))
			if err == nil {
				imgs, err := Decode(data)
				if err != nil {
					return nil, fmt.Errorf("xcursor: %s/%s/cursors/%s: %w", dir, theme, name, err)
				}
				return imgs, nil
			}
		}
		for _, dir := range t.Path {
			queue = append(queue, inherits(filepath.Join(dir, theme, "index.theme"))...)
		}
	}
	return nil, fmt.Errorf("xcursor: no cursor %q in theme %q or the themes it inherits (searched %s)",
		name, t.Name, strings.Join(t.Path, ":"))
}

// inherits returns the themes an index.theme file names in Inherits=.
func inherits(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Inherits"); ok {
			if v, ok = strings.CutPrefix(strings.TrimSpace(v), "="); ok {
				var out []string
				for _, name := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
					out = append(out, name)
				}
				return out
			}
		}
	}
	return nil
}
