package guest

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// Screendump returns what the guest's display device shows on head (QMP
// screendump, pixel exact). device is the qemu id of the display device;
// "" means the primary one.
func (vm *VM) Screendump(ctx context.Context, device string, head int) (*image.RGBA, error) {
	vm.mu.Lock()
	vm.nextID++
	path := filepath.Join(vm.dir, "screendump-"+strconv.Itoa(vm.nextID)+".ppm")
	vm.mu.Unlock()
	args := map[string]any{"filename": path, "format": "ppm"}
	if device != "" {
		args["device"] = device
		args["head"] = head
	}
	if _, err := vm.QMP(ctx, "screendump", args); err != nil {
		return nil, err
	}
	defer os.Remove(path)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("guest: screendump: %w", err)
	}
	defer f.Close()
	img, err := ReadPPM(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("guest: screendump: %w", err)
	}
	return img, nil
}

// ReadPPM reads a binary PPM (P6) image with 8-bit channels, as qemu
// writes them.
func ReadPPM(r *bufio.Reader) (*image.RGBA, error) {
	var hdr [4]int // magic checked apart, then width, height, maxval
	magic := make([]byte, 2)
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != "P6" {
		return nil, fmt.Errorf("not a binary PPM (magic %q)", magic)
	}
	for i := 1; i < 4; i++ {
		n, err := ppmNumber(r)
		if err != nil {
			return nil, err
		}
		hdr[i] = n
	}
	w, h, maxval := hdr[1], hdr[2], hdr[3]
	if w <= 0 || h <= 0 || w > 1<<14 || h > 1<<14 || maxval != 255 {
		return nil, fmt.Errorf("unsupported PPM %dx%d, maxval %d", w, h, maxval)
	}
	rgb := make([]byte, 3*w*h)
	if _, err := io.ReadFull(r, rgb); err != nil {
		return nil, fmt.Errorf("PPM pixels: %w", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i, j := 0, 0; i < len(rgb); i, j = i+3, j+4 {
		img.Pix[j], img.Pix[j+1], img.Pix[j+2], img.Pix[j+3] = rgb[i], rgb[i+1], rgb[i+2], 0xff
	}
	return img, nil
}

// ppmNumber reads one decimal header field, skipping whitespace and
// comments before it and consuming the one whitespace after it.
func ppmNumber(r *bufio.Reader) (int, error) {
	n, digits := 0, 0
	for {
		c, err := r.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("PPM header: %w", err)
		}
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int(c-'0')
			digits++
		case c == '#' && digits == 0:
			if _, err := r.ReadString('\n'); err != nil {
				return 0, fmt.Errorf("PPM header: %w", err)
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if digits > 0 {
				return n, nil
			}
		default:
			return 0, fmt.Errorf("PPM header: unexpected %q", c)
		}
		if digits > 9 {
			return 0, fmt.Errorf("PPM header: number too long")
		}
	}
}
