package screencopy

//go:generate go run gocomp/protocols/internal/wlgen -xml wlr-screencopy-unstable-v1.xml -pkg screencopy -import wl_=gocomp/protocols/wayland -o screencopy.go
