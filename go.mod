module gocomp

go 1.26.0

require (
	github.com/godbus/dbus/v5 v5.2.4
	github.com/neurlang/wayland v0.4.3
	github.com/pilebones/go-udev v0.9.1
	golang.org/x/sys v0.49.0
)

require github.com/yalue/native_endian v1.0.2 // indirect
