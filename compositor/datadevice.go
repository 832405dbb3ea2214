package compositor

import (
	"gocomp/protocols/server"
	"gocomp/protocols/wayland"
)

// The data device manager exists so that clients which require it start.
// Sources and devices are real objects with their state checked, but there
// is no drag and drop and no selection transfer yet: a drag is cancelled at
// once and a selection is remembered but offered to nobody.

// dataDeviceManagerHandler serves one wl_data_device_manager.
type dataDeviceManagerHandler struct{}

// bindDataDeviceManager runs when a client binds wl_data_device_manager.
func (s *Server) bindDataDeviceManager(r *wayland.DataDeviceManager) error {
	r.SetHandler(dataDeviceManagerHandler{})
	return nil
}

// CreateDataSource runs on wl_data_device_manager.create_data_source.
func (dataDeviceManagerHandler) CreateDataSource(_ *wayland.DataDeviceManager, id *wayland.DataSource) error {
	id.SetHandler(&dataSource{})
	return nil
}

// GetDataDevice runs on wl_data_device_manager.get_data_device.
func (dataDeviceManagerHandler) GetDataDevice(_ *wayland.DataDeviceManager, id *wayland.DataDevice, _ *wayland.Seat) error {
	id.SetHandler(&dataDevice{})
	return nil
}

// dataSource serves one wl_data_source.
type dataSource struct {
	mimeTypes []string
	actions   wayland.DataDeviceManagerDNDAction
	used      bool // handed to start_drag or set_selection
}

// maxMimeTypes bounds what one source may offer.
const maxMimeTypes = 256

// Offer runs on wl_data_source.offer.
func (ds *dataSource) Offer(r *wayland.DataSource, mimeType string) error {
	if len(ds.mimeTypes) >= maxMimeTypes {
		return server.Errorf(r, server.ErrorNoMemory, "more than %d mime types", maxMimeTypes)
	}
	ds.mimeTypes = append(ds.mimeTypes, mimeType)
	return nil
}

// Destroy runs on wl_data_source.destroy.
func (ds *dataSource) Destroy(*wayland.DataSource) error { return nil }

// SetActions runs on wl_data_source.set_actions.
func (ds *dataSource) SetActions(r *wayland.DataSource, actions wayland.DataDeviceManagerDNDAction) error {
	all := wayland.DataDeviceManagerDNDActionCopy | wayland.DataDeviceManagerDNDActionMove | wayland.DataDeviceManagerDNDActionAsk
	if actions&^all != 0 {
		return server.Errorf(r, uint32(wayland.DataSourceErrorInvalidActionMask), "invalid action mask %#x", uint32(actions))
	}
	if ds.used {
		return server.Errorf(r, uint32(wayland.DataSourceErrorInvalidSource), "set_actions after the source was used")
	}
	ds.actions = actions
	return nil
}

// dataSourceOf returns the state behind a wl_data_source argument (nil
// for none or a destroyed one).
func dataSourceOf(res *wayland.DataSource) (*dataSource, error) {
	return server.ImplArg[*dataSource](res, "a wl_data_source of this compositor")
}

// dataDevice serves one wl_data_device.
type dataDevice struct {
	selection *wayland.DataSource
}

// StartDrag runs on wl_data_device.start_drag: without a pointer there is
// no drag, so the source is cancelled.
func (dd *dataDevice) StartDrag(_ *wayland.DataDevice, source *wayland.DataSource, _, _ *wayland.Surface, _ uint32) error {
	ds, err := dataSourceOf(source)
	if err != nil {
		return err
	}
	if ds != nil {
		ds.used = true
		source.SendCancelled()
	}
	return nil
}

// SetSelection runs on wl_data_device.set_selection.
func (dd *dataDevice) SetSelection(r *wayland.DataDevice, source *wayland.DataSource, _ uint32) error {
	ds, err := dataSourceOf(source)
	if err != nil {
		return err
	}
	if ds != nil {
		ds.used = true
	}
	if dd.selection != nil && dd.selection != source {
		dd.selection.SendCancelled()
	}
	dd.selection = source
	return nil
}

// Release runs on wl_data_device.release.
func (dd *dataDevice) Release(*wayland.DataDevice) error { return nil }
