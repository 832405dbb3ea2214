package virtualkeyboard

//go:generate go run gocomp/protocols/internal/wlgen -xml virtual-keyboard-unstable-v1.xml -pkg virtualkeyboard -import wl_=gocomp/protocols/wayland -o virtualkeyboard.go
