package xdgshell

//go:generate go run gocomp/protocols/internal/wlgen -module github.com/neurlang/wayland -xml xdg/xdg-shell.xml -pkg xdgshell -import wl_=gocomp/protocols/wayland -o xdgshell.go
