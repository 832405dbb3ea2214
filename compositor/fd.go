package compositor

import "golang.org/x/sys/unix"

// closeFD closes an fd a request handed to us and we do not keep.
func closeFD(fd int) {
	if fd >= 0 {
		unix.Close(fd)
	}
}
