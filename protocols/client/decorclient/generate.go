package decorclient

//go:generate go run gocomp/protocols/internal/wlgen -side client -xml /usr/share/wayland-protocols/unstable/xdg-decoration/xdg-decoration-unstable-v1.xml -pkg decorclient -import xdg_=gocomp/protocols/client/xdgclient -o decorclient.go
