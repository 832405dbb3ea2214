package wlclient

//go:generate go run gocomp/protocols/internal/wlgen -side client -module github.com/neurlang/wayland -xml wl/wayland.xml -pkg wlclient -consts wl_=gocomp/protocols/wayland -runtime-owned wl_display,wl_registry -o wlclient.go
