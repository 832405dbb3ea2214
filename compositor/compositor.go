package compositor

import (
	"fmt"

	"gocomp/protocols/screencopy"
	"gocomp/protocols/server"
	"gocomp/protocols/virtualkeyboard"
	"gocomp/protocols/wayland"
	"gocomp/protocols/xdgoutput"
)

// Advertised global versions. Each is the highest version whose requests
// and events this package implements.
const (
	compositorVersion        = 6
	subcompositorVersion     = 1
	shmVersion               = 2
	outputVersion            = 4
	seatVersion              = 9
	dataDeviceManagerVersion = 3
	wmBaseVersion            = 6
)

// addGlobals advertises the core globals; each output adds its wl_output
// when the backend reports it.
func (s *Server) addGlobals() error {
	d := s.display
	adds := []struct {
		name string
		add  func() (*server.Global, error)
	}{
		{"wl_compositor", func() (*server.Global, error) {
			return wayland.AddCompositorGlobal(d, compositorVersion, s.bindCompositor)
		}},
		{"wl_subcompositor", func() (*server.Global, error) {
			return wayland.AddSubcompositorGlobal(d, subcompositorVersion, s.bindSubcompositor)
		}},
		{"wl_shm", func() (*server.Global, error) { return wayland.AddShmGlobal(d, shmVersion, s.bindShm) }},
		{"wl_seat", func() (*server.Global, error) { return wayland.AddSeatGlobal(d, s.seat.Version(), s.seat.Bind) }},
		{"wl_data_device_manager", func() (*server.Global, error) {
			return wayland.AddDataDeviceManagerGlobal(d, dataDeviceManagerVersion, s.bindDataDeviceManager)
		}},
		{"xdg_wm_base", s.addWmBaseGlobal},
		// wl_fixes lets a client destroy its wl_registry objects, which
		// wl_registry itself cannot (libwayland 1.24 clients use it).
		{"wl_fixes", d.AddFixesGlobal},
		{"zxdg_output_manager_v1", func() (*server.Global, error) {
			return xdgoutput.AddOutputManagerV1Global(d, xdgOutputManagerVersion, s.bindXdgOutputManager)
		}},
	}
	if vs, ok := s.seat.(VirtualKeyboardSeat); ok && !s.cfg.NoVirtualKeyboard {
		adds = append(adds, struct {
			name string
			add  func() (*server.Global, error)
		}{"zwp_virtual_keyboard_manager_v1", func() (*server.Global, error) {
			return virtualkeyboard.AddVirtualKeyboardManagerV1Global(d, virtualkeyboard.VirtualKeyboardManagerV1Version, vs.BindVirtualKeyboardManager)
		}})
	}
	if !s.cfg.NoScreencopy {
		adds = append(adds, struct {
			name string
			add  func() (*server.Global, error)
		}{"zwlr_screencopy_manager_v1", func() (*server.Global, error) {
			return screencopy.AddScreencopyManagerV1Global(d, screencopyVersion, s.bindScreencopyManager)
		}})
	}
	for _, a := range adds {
		if _, err := a.add(); err != nil {
			return fmt.Errorf("compositor: add global %s: %w", a.name, err)
		}
	}
	return nil
}

// compositorHandler serves one client's wl_compositor.
type compositorHandler struct{ s *Server }

// bindCompositor runs when a client binds wl_compositor.
func (s *Server) bindCompositor(r *wayland.Compositor) error {
	r.SetHandler(compositorHandler{s})
	return nil
}

// CreateSurface runs on wl_compositor.create_surface; id is registered.
func (h compositorHandler) CreateSurface(r *wayland.Compositor, id *wayland.Surface) error {
	h.s.newSurface(id)
	return nil
}

// CreateRegion runs on wl_compositor.create_region; id is registered.
func (h compositorHandler) CreateRegion(r *wayland.Compositor, id *wayland.Region) error {
	newRegion(id)
	return nil
}
