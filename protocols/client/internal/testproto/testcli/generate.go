// Package testcli is the client side of the runtime tests' protocol
// (../testproto.xml).
package testcli

//go:generate go run gocomp/protocols/internal/wlgen -side client -xml ../testproto.xml -pkg testcli -consts tst_=gocomp/protocols/client/internal/testproto/testsrv -o testcli.go
