package parser

import (
	"bytes"
	"strconv"
	"strings"
)

// lexeme is one scanned token with its position and value.
type lexeme struct {
	tok  token
	pos  Pos     // byte offset of the first byte
	end  Pos     // byte offset just after the last byte
	lit  string  // identifier (as written), decoded string, key name without <>
	ival int64   // tInt
	fval float64 // tFloat
}

// scanner splits XKB text into tokens. It never fails: bytes that form no
// token are reported through errh and returned as tIllegal.
//
// Lexical rules (as libxkbcommon 1.5 accepts them):
//   - white space is ' ', \t, \n, \r, \v, \f; comments run from "//" or "#"
//     to the end of the line ("/* */" is not a comment);
//   - identifiers are [A-Za-z_][A-Za-z0-9_]*; keywords are identifiers
//     matched case-insensitively;
//   - integers are decimal or 0x-hex and must fit in an int64; a decimal
//     integer followed by '.' and optional digits is a float (".5" and "1e3"
//     are not numbers);
//   - key names are '<' printable ASCII other than space and '>' '>';
//   - strings are '"' ... '"' on one line with the escapes \\ \n \t \r \b
//     \f \v \e and \NNN (1-3 octal digits, value taken modulo 256); a
//     backslash before any other byte is dropped and that byte is scanned
//     as usual, so "\"" ends the string; the value ends at the first NUL
//     byte (literal or \0), as libxkbcommon's C strings do; other bytes,
//     invalid UTF-8 included, are kept.
type scanner struct {
	src  string // the source, copied once; literals are substrings of it
	off  int
	errh func(pos Pos, msg string)

	// hitEnd records that a token or a comment ran up to the end of src:
	// when src is only the head of a file, that token may be cut short.
	hitEnd bool
	// refill, when not nil, is called before a token is scanned less than
	// margin bytes before the end of src, which is then the head of a
	// file: it may replace src by a longer head.
	refill func()
	margin int

	buf []byte // scratch for strings with escapes
}

func (s *scanner) init(src string, errh func(Pos, string)) {
	s.src = src
	s.off = 0
	s.errh = errh
	s.hitEnd = false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isHex(c byte) bool    { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// identByte tells the bytes an identifier may continue with (isLetter or
// isDigit), in one load per byte.
var identByte = func() (t [256]bool) {
	for c := range t {
		t[c] = isLetter(byte(c)) || isDigit(byte(c))
	}
	return t
}()

// skipSpace skips white space and comments.
func (s *scanner) skipSpace() {
	for s.off < len(s.src) {
		switch c := s.src[s.off]; c {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			s.off++
		case '#':
			s.skipLine()
		case '/':
			if s.off+1 < len(s.src) && s.src[s.off+1] == '/' {
				s.skipLine()
				continue
			}
			return
		default:
			return
		}
	}
}

func (s *scanner) skipLine() {
	if i := strings.IndexByte(s.src[s.off:], '\n'); i >= 0 {
		s.off += i
	} else {
		s.off = len(s.src)
	}
}

// next scans the next token into l.
func (s *scanner) next(l *lexeme) {
	s.scan(l)
	l.end = Pos(s.off)
	if s.off >= len(s.src) {
		s.hitEnd = true
	}
}

func (s *scanner) scan(l *lexeme) {
	if s.refill != nil && len(s.src)-s.off < s.margin {
		s.refill()
	}
	s.skipSpace()
	// Reset l field by field: storing a whole lexeme{} writes lit, a
	// pointer, on every token (through the write barrier while the GC
	// marks), though it is empty after most tokens already.
	l.tok, l.pos, l.end, l.ival, l.fval = 0, Pos(s.off), 0, 0, 0
	if l.lit != "" {
		l.lit = ""
	}
	if s.off >= len(s.src) {
		l.tok = tEOF
		return
	}
	c := s.src[s.off]
	switch {
	case isLetter(c):
		s.scanIdent(l)
		return
	case isDigit(c):
		s.scanNumber(l)
		return
	}
	s.off++
	switch c {
	case '"':
		s.scanString(l)
	case '<':
		s.scanKeyName(l)
	case ';':
		l.tok = tSemi
	case '{':
		l.tok = tLBrace
	case '}':
		l.tok = tRBrace
	case '=':
		l.tok = tEquals
	case '[':
		l.tok = tLBracket
	case ']':
		l.tok = tRBracket
	case '(':
		l.tok = tLParen
	case ')':
		l.tok = tRParen
	case '.':
		l.tok = tDot
	case ',':
		l.tok = tComma
	case '+':
		l.tok = tPlus
	case '-':
		l.tok = tMinus
	case '*':
		l.tok = tTimes
	case '/':
		l.tok = tDivide
	case '!':
		l.tok = tExclam
	case '~':
		l.tok = tInvert
	default:
		l.tok = tIllegal
		s.errh(l.pos, "unrecognized token")
	}
}

func (s *scanner) scanIdent(l *lexeme) {
	start := s.off
	for s.off < len(s.src) && identByte[s.src[s.off]] {
		s.off++
	}
	word := s.src[start:s.off]
	l.tok, l.lit = tIdent, word
	if c := (word[0] | 0x20) - 'a'; len(word) <= maxKeywordLen && c < 26 && keywordStarts[len(word)]&(1<<c) != 0 {
		var lower [maxKeywordLen]byte
		for i := 0; i < len(word); i++ {
			c := word[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			lower[i] = c
		}
		if kw, ok := keywords[string(lower[:len(word)])]; ok {
			l.tok = kw
		}
	}
}

func (s *scanner) scanNumber(l *lexeme) {
	start := s.off
	if s.src[s.off] == '0' && s.off+1 < len(s.src) && (s.src[s.off+1] == 'x' || s.src[s.off+1] == 'X') {
		s.off += 2
		digits := s.off
		for s.off < len(s.src) && isHex(s.src[s.off]) {
			s.off++
		}
		if s.off == digits || s.off-digits > 16 && !leadingZeros(s.src[digits:s.off], 16) {
			s.malformedNumber(l, start)
			return
		}
		var v uint64
		for i := digits; i < s.off; i++ {
			v = v<<4 | uint64(hexVal(s.src[i]))
		}
		if v > 1<<63-1 {
			s.malformedNumber(l, start)
			return
		}
		l.tok, l.ival = tInt, int64(v)
		return
	}
	for s.off < len(s.src) && isDigit(s.src[s.off]) {
		s.off++
	}
	if s.off < len(s.src) && s.src[s.off] == '.' {
		s.off++
		for s.off < len(s.src) && isDigit(s.src[s.off]) {
			s.off++
		}
		v, err := strconv.ParseFloat(s.src[start:s.off], 64)
		if err != nil {
			s.malformedNumber(l, start)
			return
		}
		l.tok, l.fval = tFloat, v
		return
	}
	var v int64
	for i := start; i < s.off; i++ {
		d := int64(s.src[i] - '0')
		if v > (1<<63-1-d)/10 {
			s.malformedNumber(l, start)
			return
		}
		v = v*10 + d
	}
	l.tok, l.ival = tInt, v
}

// leadingZeros reports whether all but the last n digits are '0'.
func leadingZeros(digits string, n int) bool {
	for i := 0; i < len(digits)-n; i++ {
		if digits[i] != '0' {
			return false
		}
	}
	return true
}

func hexVal(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func (s *scanner) malformedNumber(l *lexeme, start int) {
	l.tok = tIllegal
	s.errh(Pos(start), "malformed number literal")
}

// scanString scans a string whose opening quote has been consumed.
func (s *scanner) scanString(l *lexeme) {
	start := s.off
	// Fast path: no escapes.
	for s.off < len(s.src) {
		c := s.src[s.off]
		if c == '"' {
			l.tok, l.lit = tString, s.src[start:s.off]
			s.off++
			return
		}
		if c == '\\' || c == '\n' || c == 0 {
			break
		}
		s.off++
	}
	buf := append(s.buf[:0], s.src[start:s.off]...)
loop:
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch c {
		case '"':
			s.off++
			if i := bytes.IndexByte(buf, 0); i >= 0 {
				buf = buf[:i] // libxkbcommon keeps C strings: a NUL ends the value
			}
			l.tok, l.lit = tString, string(buf)
			s.buf = buf
			return
		case '\n':
			break loop
		case '\\':
			s.off++
			if s.off >= len(s.src) {
				continue
			}
			e := s.src[s.off]
			switch e {
			case '\\':
				buf = append(buf, '\\')
			case 'n':
				buf = append(buf, '\n')
			case 't':
				buf = append(buf, '\t')
			case 'r':
				buf = append(buf, '\r')
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'v':
				buf = append(buf, '\v')
			case 'e':
				buf = append(buf, 0x1b)
			default:
				if e >= '0' && e <= '7' {
					v := 0
					for i := 0; i < 3 && s.off < len(s.src) && s.src[s.off] >= '0' && s.src[s.off] <= '7'; i++ {
						v = v*8 + int(s.src[s.off]-'0')
						s.off++
					}
					buf = append(buf, byte(v))
					continue
				}
				// Unknown escape: drop the backslash, scan e as usual.
				continue
			}
			s.off++
		default:
			buf = append(buf, c)
			s.off++
		}
	}
	s.buf = buf
	l.tok = tIllegal
	s.errh(l.pos, "unterminated string literal")
}

// scanKeyName scans a key name whose '<' has been consumed.
func (s *scanner) scanKeyName(l *lexeme) {
	start := s.off
	for s.off < len(s.src) {
		c := s.src[s.off]
		if c == '>' {
			l.tok, l.lit = tKeyName, s.src[start:s.off]
			s.off++
			return
		}
		if c < 0x21 || c > 0x7e {
			break
		}
		s.off++
	}
	l.tok = tIllegal
	s.errh(l.pos, "unterminated key name literal")
}
