// Package xkbfile reads the many small data files a keymap compile needs
// (rules files and include files) with plain system calls.
//
// An os.File costs more than the read for a file of a few kilobytes: Go
// registers it with the runtime poller (which regular files refuse, at
// the price of an epoll_ctl and fcntl calls), allocates it and attaches a
// cleanup to it. A compile reads some thirty files, so going straight to
// openat, fstat, read and close takes a measurable share off its time.
package xkbfile

import (
	"io/fs"
	"time"

	"golang.org/x/sys/unix"
)

// Info is what stat (or fstat, for a file being read) said about a file.
type Info struct {
	// Size is the file's length; for a file being read, the length read
	// when the read found the end earlier than fstat said.
	Size    int64
	ModTime time.Time
	Regular bool
	Dir     bool
}

// ReadPrefix reads the file at path: all of it when n <= 0, when the file
// is at most 2*n bytes long or when it is not a regular file, else its
// first n bytes. It returns the bytes read and the file's Info. A missing
// file gives an error that matches fs.ErrNotExist; every error names the
// path.
func ReadPrefix(path string, n int) ([]byte, Info, error) {
	fd, err := open(path)
	if err != nil {
		return nil, Info{}, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := retry(func() error { return unix.Fstat(fd, &st) }); err != nil {
		return nil, Info{}, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	info := infoOf(&st)
	var src []byte
	switch {
	case info.Dir:
		err = unix.EISDIR
	case !info.Regular || st.Size == 0:
		// Unknown length (a pipe, a file in /proc): read to the end.
		src, err = readAll(fd, make([]byte, 0, 512))
	default:
		// A known length: one read, without a second to see the end. A
		// file that changes meanwhile gets a new time, which the callers'
		// caches notice.
		want := st.Size
		if n > 0 && want > int64(2*n) {
			want = int64(n)
		}
		src = make([]byte, want)
		var got int
		got, err = readFull(fd, src)
		src = src[:got]
		if int64(got) < want {
			info.Size = int64(got) // it shrank while it was read
		}
	}
	if err != nil {
		return nil, info, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	return src, info, nil
}

// Stat returns the Info of the file at path (following symbolic links),
// as os.Stat would, without allocating.
func Stat(path string) (Info, error) {
	var st unix.Stat_t
	if err := retry(func() error { return unix.Stat(path, &st) }); err != nil {
		return Info{}, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	return infoOf(&st), nil
}

func infoOf(st *unix.Stat_t) Info {
	return Info{
		Size:    st.Size,
		ModTime: time.Unix(st.Mtim.Unix()),
		Regular: st.Mode&unix.S_IFMT == unix.S_IFREG,
		Dir:     st.Mode&unix.S_IFMT == unix.S_IFDIR,
	}
}

// ReadFile reads the whole file at path, as os.ReadFile does, and returns
// it with the file's Info.
func ReadFile(path string) ([]byte, Info, error) { return ReadPrefix(path, 0) }

func open(path string) (int, error) {
	var fd int
	err := retry(func() (err error) {
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		return err
	})
	if err != nil {
		return -1, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return fd, nil
}

// readFull fills buf from fd, stopping early only at the end of the file.
func readFull(fd int, buf []byte) (int, error) {
	got := 0
	for got < len(buf) {
		var n int
		err := retry(func() (err error) {
			n, err = unix.Read(fd, buf[got:])
			return err
		})
		if err != nil {
			return got, err
		}
		if n == 0 {
			break
		}
		got += n
	}
	return got, nil
}

// readAll appends the rest of fd to buf.
func readAll(fd int, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		var n int
		err := retry(func() (err error) {
			n, err = unix.Read(fd, buf[len(buf):cap(buf)])
			return err
		})
		if err != nil {
			return buf, err
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// retry calls fn again while it fails with EINTR.
func retry(fn func() error) error {
	for {
		if err := fn(); err != unix.EINTR {
			return err
		}
	}
}
