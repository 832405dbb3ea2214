package wayland

//go:generate go run gocomp/protocols/internal/wlgen -module github.com/neurlang/wayland -xml wl/wayland.xml -pkg wayland -runtime-owned wl_display,wl_registry,wl_fixes -o wayland.go
