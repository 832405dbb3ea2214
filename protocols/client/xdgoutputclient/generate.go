package xdgoutputclient

//go:generate go run gocomp/protocols/internal/wlgen -side client -xml /usr/share/wayland-protocols/unstable/xdg-output/xdg-output-unstable-v1.xml -pkg xdgoutputclient -consts zxdg_=gocomp/protocols/xdgoutput -import wl_=gocomp/protocols/client/wlclient -o xdgoutputclient.go
