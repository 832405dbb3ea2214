package compositor

import (
	"fmt"
	"image"
	"image/png"
	"os"

	"gocomp/compositor/backend"
	"gocomp/compositor/render"
)

// Screenshot draws the whole layout (every output side by side, the
// software cursor included) as the outputs show it once their pending
// damage is drawn, into a new image. Loop goroutine.
func (s *Server) Screenshot() *image.RGBA {
	b := s.layoutBounds()
	img := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	if b.Empty() {
		return img
	}
	pix := backend.Pixels{Width: b.Dx(), Height: b.Dy(), Stride: 4 * b.Dx(), Format: backend.XRGB8888,
		Data: make([]byte, 4*b.Dx()*b.Dy())}
	render.Draw(pix, b, []image.Rectangle{b}, s.appendLayers(nil, b))
	for i := 0; i < len(pix.Data); i += 4 {
		// XRGB8888 little-endian is B, G, R, X.
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = pix.Data[i+2], pix.Data[i+1], pix.Data[i], 0xff
	}
	return img
}

// WriteScreenshot writes Screenshot as a PNG file at path.
func (s *Server) WriteScreenshot(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("compositor: screenshot: %w", err)
	}
	if err := png.Encode(f, s.Screenshot()); err != nil {
		f.Close()
		return fmt.Errorf("compositor: screenshot %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("compositor: screenshot: %w", err)
	}
	return nil
}
