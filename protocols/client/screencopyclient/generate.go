package screencopyclient

//go:generate go run gocomp/protocols/internal/wlgen -side client -xml ../../screencopy/wlr-screencopy-unstable-v1.xml -pkg screencopyclient -consts zwlr_=gocomp/protocols/screencopy -import wl_=gocomp/protocols/client/wlclient -o screencopyclient.go
