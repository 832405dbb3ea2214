package xdgclient

//go:generate go run gocomp/protocols/internal/wlgen -side client -module github.com/neurlang/wayland -xml xdg/xdg-shell.xml -pkg xdgclient -consts xdg_=gocomp/protocols/xdgshell -import wl_=gocomp/protocols/client/wlclient -o xdgclient.go
