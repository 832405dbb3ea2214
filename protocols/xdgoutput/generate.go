package xdgoutput

//go:generate go run gocomp/protocols/internal/wlgen -xml /usr/share/wayland-protocols/unstable/xdg-output/xdg-output-unstable-v1.xml -pkg xdgoutput -import wl_=gocomp/protocols/wayland -o xdgoutput.go
