package vkbdclient

//go:generate go run gocomp/protocols/internal/wlgen -side client -xml ../../virtualkeyboard/virtual-keyboard-unstable-v1.xml -pkg vkbdclient -consts zwp_=gocomp/protocols/virtualkeyboard -import wl_=gocomp/protocols/client/wlclient -o vkbdclient.go
