// Package testsrv is the server side of the runtime tests' protocol
// (../testproto.xml).
package testsrv

//go:generate go run gocomp/protocols/internal/wlgen -xml ../testproto.xml -pkg testsrv -o testsrv.go
