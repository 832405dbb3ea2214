package guest

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
)

// File is one entry of the guest's initramfs.
type File struct {
	// Path is the absolute path in the guest ("/bin/gocomp").
	Path string
	// Host is a file on the host to copy; Data is used when Host is empty.
	Host string
	Data []byte
	// Mode is the permission bits; 0 means 0755 for Host files, 0644 for Data.
	Mode os.FileMode
}

// cpio newc mode bits.
const (
	modeDir  = 0o040000
	modeFile = 0o100000
	modeChar = 0o020000
)

// cpioWriter writes a cpio "newc" archive.
type cpioWriter struct {
	w    *bufio.Writer
	ino  int
	dirs map[string]bool
	err  error
}

func (c *cpioWriter) header(name string, mode, size, rmajor, rminor int) {
	if c.err != nil {
		return
	}
	c.ino++
	name = strings.TrimPrefix(name, "/")
	_, c.err = fmt.Fprintf(c.w, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		c.ino, mode, 0, 0, 1, 0, size, 0, 0, rmajor, rminor, len(name)+1, 0)
	if c.err == nil {
		_, c.err = c.w.WriteString(name + "\x00")
	}
	c.pad(110 + len(name) + 1)
}

// pad aligns to 4 bytes after n bytes.
func (c *cpioWriter) pad(n int) {
	if c.err == nil && n%4 != 0 {
		_, c.err = c.w.Write(make([]byte, 4-n%4))
	}
}

// mkdirAll adds p and its parents as directories.
func (c *cpioWriter) mkdirAll(p string) {
	if p == "/" || p == "." || c.dirs[p] {
		return
	}
	c.mkdirAll(path.Dir(p))
	c.dirs[p] = true
	c.header(p, modeDir|0o755, 0, 0, 0)
}

func (c *cpioWriter) file(p string, mode os.FileMode, r io.Reader, size int) {
	c.mkdirAll(path.Dir(p))
	c.header(p, modeFile|int(mode.Perm()), size, 0, 0)
	if c.err != nil {
		return
	}
	var n int64
	n, c.err = io.Copy(c.w, r)
	if c.err == nil && n != int64(size) {
		c.err = fmt.Errorf("guest: %s changed size while archiving", p)
	}
	c.pad(size)
}

func (c *cpioWriter) charDev(p string, major, minor int) {
	c.mkdirAll(path.Dir(p))
	c.header(p, modeChar|0o600, 0, major, minor)
}

// writeInitramfs writes a gzip-compressed newc cpio archive of files (plus
// /dev/console and the usual mount points) to out.
func writeInitramfs(out string, files []File) error {
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("guest: create initramfs: %w", err)
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	c := &cpioWriter{w: bufio.NewWriterSize(zw, 1<<20), dirs: map[string]bool{}}
	for _, d := range []string{"/proc", "/sys", "/dev", "/tmp", "/run", "/root", "/etc", "/bin", "/sbin", "/usr/bin", "/lib/modules"} {
		c.mkdirAll(d)
	}
	c.charDev("/dev/console", 5, 1)
	sorted := append([]File(nil), files...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	for _, fl := range sorted {
		if !path.IsAbs(fl.Path) {
			return fmt.Errorf("guest: initramfs path %q is not absolute", fl.Path)
		}
		if fl.Host == "" {
			mode := fl.Mode
			if mode == 0 {
				mode = 0o644
			}
			c.file(fl.Path, mode, strings.NewReader(string(fl.Data)), len(fl.Data))
			continue
		}
		hf, err := os.Open(fl.Host)
		if err != nil {
			return fmt.Errorf("guest: initramfs: %w", err)
		}
		st, err := hf.Stat()
		if err != nil {
			hf.Close()
			return fmt.Errorf("guest: initramfs: %w", err)
		}
		mode := fl.Mode
		if mode == 0 {
			mode = 0o755
		}
		c.file(fl.Path, mode, hf, int(st.Size()))
		hf.Close()
	}
	c.header("TRAILER!!!", 0, 0, 0, 0)
	if c.err != nil {
		return fmt.Errorf("guest: write initramfs: %w", c.err)
	}
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("guest: write initramfs: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("guest: write initramfs: %w", err)
	}
	return f.Close()
}
