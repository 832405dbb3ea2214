package parser

import (
	"fmt"
	"sort"
	"strings"
)

// Position is a Pos resolved to a file, line and column (both 1-based;
// the column counts bytes).
type Position struct {
	Filename string
	Offset   int
	Line     int
	Column   int
}

// String returns "file:line:col".
func (p Position) String() string {
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

// Position resolves an offset in f's source to file:line:col. Line starts
// are computed on the first call, so parsing never pays for them. It is
// safe for concurrent use.
func (f *File) Position(p Pos) Position {
	f.mu.Lock()
	if f.lines == nil {
		f.lines = lineStarts(f.src)
	}
	src, ls := f.src, f.lines
	f.mu.Unlock()
	off := int(p)
	if off < 0 {
		off = 0
	}
	if off > len(src) {
		off = len(src)
	}
	i := sort.Search(len(ls), func(i int) bool { return ls[i] > off }) - 1
	return Position{Filename: f.Name, Offset: off, Line: i + 1, Column: off - ls[i] + 1}
}

// setSource replaces f's source by a longer text that starts with it (the
// rest of a file read in two parts).
func (f *File) setSource(src string) {
	f.mu.Lock()
	f.src, f.lines = src, nil
	f.mu.Unlock()
}

func lineStarts(src string) []int {
	ls := []int{0}
	for {
		i := strings.IndexByte(src[ls[len(ls)-1]:], '\n')
		if i < 0 {
			return ls
		}
		ls = append(ls, ls[len(ls)-1]+i+1)
	}
}

// Error is an error at a place in a file.
type Error struct {
	Pos Position
	Msg string
	// Err is the underlying error when there is one (errors.Is sees it,
	// e.g. ErrIllegalInclude); nil otherwise.
	Err error
}

// Error returns "file:line:col: message".
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// ErrorList is a list of errors sorted by position. Parse returns one as
// its error; use errors.As to get at the individual errors.
type ErrorList []*Error

// Len, Swap and Less sort the list by file, then offset.
func (l ErrorList) Len() int { return len(l) }

// Swap swaps two errors.
func (l ErrorList) Swap(i, j int) { l[i], l[j] = l[j], l[i] }

// Less orders errors by file name, then offset.
func (l ErrorList) Less(i, j int) bool {
	a, b := l[i].Pos, l[j].Pos
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	return a.Offset < b.Offset
}

// Error returns the errors, one per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err returns l as an error, or nil when l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
