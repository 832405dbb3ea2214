package wayland

//go:generate go run gocomp/protocols/internal/wlgen -module github.com/neurlang/wayland -xml wl/wayland.xml -pkg wayland -o wayland.go
