package parser

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unsafe"
)

const (
	maxErrors = 10  // Parse gives up after this many errors
	maxDepth  = 200 // deepest nesting of expressions and keysym groups
)

// Parse parses an XKB file: either one xkb_keymap (or xkb_semantics,
// xkb_layout) section holding component sections, and nothing after it,
// or a sequence of component sections as found in the keycodes, types,
// compat and symbols directories. xkb_geometry sections are checked for
// balanced braces and skipped.
//
// On failure Parse returns the part of the file it could parse and an
// ErrorList (at most ten errors, sorted, one per line) whose entries read
// "file:line:col: message". Parse copies src (once: names and strings in
// the tree are substrings of the copy), so the caller may reuse it.
func Parse(filename string, src []byte) (*File, error) {
	if len(src) > MaxSourceSize {
		return &File{Name: filename}, fmt.Errorf("xkb/parser: %s is %d bytes, more than the %d the parser takes", filename, len(src), MaxSourceSize)
	}
	p := newParser(filename, src)
	ws := new(workspace)
	p.a = allocs{&ws.nodes, &ws.scratch}
	p.guard(p.parseFile)
	sort.Stable(p.errors)
	return p.file, p.errors.Err()
}

func newParser(filename string, src []byte) *parser {
	return newTextParser(filename, string(src))
}

// newTextParser returns a parser over text, which names and strings in
// the tree will share.
func newTextParser(filename, text string) *parser {
	p := &parser{file: &File{Name: filename, src: text}}
	p.sc.init(text, p.scanError)
	p.next()
	return p
}

// guard runs fn, stopping quietly when it bails out after maxErrors.
func (p *parser) guard(fn func()) {
	defer func() {
		if r := recover(); r != nil && r != errBailout {
			panic(r)
		}
	}()
	fn()
}

// MaxSourceSize is the length of the longest file the parser takes: a Pos
// is a 32-bit offset. Keymap files are kilobytes; a gigabyte is garbage.
const MaxSourceSize = 1 << 30

// sectionReader parses a file one top-level section at a time and stops
// at the first error, the way libxkbcommon reads a file an include names:
// it stops at the section it is looking for, so errors further on do not
// matter.
type sectionReader struct {
	p    *parser
	done bool
	err  error

	// more, when not nil, reads the first n bytes of the file (or all of
	// it) and its length: the parser has only a head of the file, and size
	// is the file's length.
	more func(n int) ([]byte, int, error)
	size int

	own *workspace // what Next lends the parser (a Loader lends its own)
}

// newOwnedSectionReader reads the sections of src, handed over for
// good (a file the Loader has just read): nothing may change it
// afterwards, so the parser uses it in place instead of copying it.
func newOwnedSectionReader(filename string, src []byte) *sectionReader {
	return &sectionReader{p: newTextParser(filename, unsafe.String(unsafe.SliceData(src), len(src)))}
}

// newHeadSectionReader is newOwnedSectionReader for the first bytes of a
// file of size bytes: when a section (or the token after it) runs into
// the end of head, the reader gets a longer head (or the whole file) from
// more and parses that section again. Sections found early in big files
// so cost only their head.
//
// The scanner asks for a longer head when it gets within margin bytes of
// the end of the one it has, so that the section is parsed once; only a
// token or comment longer than margin makes Next parse it again.
func newHeadSectionReader(filename string, head []byte, size int, more func(n int) ([]byte, int, error), margin int) *sectionReader {
	r := newOwnedSectionReader(filename, head)
	if len(head) < size {
		r.more, r.size = more, size
		r.p.sc.refill, r.p.sc.margin = r.grow, margin
	}
	return r
}

// grow replaces the head the scanner has by a longer one, which holds the
// same bytes first, so that the tree so far stays valid: the scanner calls
// it before it runs out of head. After a token was already cut short, or
// when reading fails, it does nothing: Next then reads more itself and
// parses the section again (and reports the failure).
func (r *sectionReader) grow() {
	p := r.p
	head := p.sc.src
	if p.sc.hitEnd || r.more == nil {
		return
	}
	src, size, err := r.more(4 * len(head))
	if err != nil || size != r.size || len(src) <= len(head) || string(src[:len(head)]) != head {
		p.sc.refill = nil
		return
	}
	if len(src) == size {
		r.more, p.sc.refill = nil, nil
	}
	text := unsafe.String(unsafe.SliceData(src), len(src))
	p.file.setSource(text)
	p.sc.src = text
}

// readMore replaces the head the parser has by one four times as long
// (or the whole file) and rewinds the parser to offset off, where it must
// be between two sections with the given brace count.
func (r *sectionReader) readMore(off Pos, braces int) error {
	p := r.p
	head := p.sc.src
	src, size, err := r.more(4 * len(head))
	if err != nil {
		return fmt.Errorf("read include file: %w", err)
	}
	if size != r.size || len(src) <= len(head) || string(src[:len(head)]) != head {
		return fmt.Errorf("read include file %s: it changed while it was read", p.file.Name)
	}
	if len(src) == size {
		r.more, p.sc.refill = nil, nil
	}
	text := unsafe.String(unsafe.SliceData(src), len(src))
	p.file.setSource(text)
	p.sc.init(text, p.scanError)
	p.sc.off = int(off)
	p.tok, p.hasPeek = lexeme{end: off}, false
	p.braces, p.depth, p.errors = braces, 0, nil
	clear(p.a.exprStack)
	p.a.exprStack, p.a.varStack = p.a.exprStack[:0], p.a.varStack[:0]
	p.next()
	return nil
}

// File returns the file with the sections read so far.
func (r *sectionReader) File() *File { return r.p.file }

// Next parses the next section and appends it to File().Sections. At the
// end of the file it returns nil, nil (or an error if the file has no
// section at all); after an error it keeps returning that error.
func (r *sectionReader) Next() (*Section, error) {
	if r.own == nil {
		r.own = new(workspace)
	}
	return r.nextWith(r.own)
}

// nextWith is Next with the parser allocating from ws: a Loader lends its
// own, shared by the files it reads (see allocs).
func (r *sectionReader) nextWith(ws *workspace) (*Section, error) {
	if r.done {
		return nil, r.err
	}
	p := r.p
	p.a = allocs{&ws.nodes, &ws.scratch}
	defer func() {
		ws.scratch.reset()
		p.a = allocs{}
	}()
	// Where to start again if the head of the file proves too short: just
	// after the last section, before the white space and comments that
	// scanning the current token skipped.
	off, braces := p.prevEnd, p.braces
	for r.more != nil && p.sc.hitEnd {
		if err := r.readMore(off, braces); err != nil {
			r.done, r.err = true, err
			return nil, err
		}
	}
	if p.tok.tok == tEOF {
		r.done = true
		if len(p.file.Sections) == 0 {
			p.addError(p.tok.pos, "expected section, found end of file")
			r.err = p.errors
		}
		return nil, r.err
	}
	var s *Section
	p.guard(func() { s = p.parseSection(true) })
	for r.more != nil && p.sc.hitEnd {
		if err := r.readMore(off, braces); err != nil {
			r.done, r.err = true, err
			return nil, err
		}
		p.guard(func() { s = p.parseSection(true) })
	}
	if s == nil || len(p.errors) > 0 {
		if len(p.errors) == 0 { // cannot happen: a nil section comes with an error
			p.addError(p.tok.pos, "expected section, found "+p.describe())
		}
		sort.Stable(p.errors)
		r.done, r.err = true, p.errors
		return nil, r.err
	}
	p.file.Sections = append(p.file.Sections, s)
	if s.Kind == KindKeymap && len(p.file.Sections) == 1 && p.tok.tok != tEOF {
		p.addError(p.tok.pos, "expected end of file after xkb_keymap, found "+p.describe())
		r.done, r.err = true, p.errors
		return nil, r.err
	}
	return s, nil
}

// Sentinel panics: errSync unwinds to the enclosing statement, which then
// skips to its end; errBailout stops parsing after maxErrors errors.
type parseAbort int

const (
	errSync parseAbort = iota
	errBailout
)

type parser struct {
	sc      scanner
	file    *File
	tok     lexeme // current token
	peeked  lexeme // the token after tok, when hasPeek
	hasPeek bool
	prevEnd Pos // offset just after the last consumed token
	braces  int // number of '{' consumed minus '}' consumed
	depth   int // expression nesting
	errors  ErrorList
	a       allocs
}

// next advances to the next token, keeping count of braces.
func (p *parser) next() {
	switch p.tok.tok {
	case tLBrace:
		p.braces++
	case tRBrace:
		p.braces--
	}
	p.prevEnd = p.tok.end
	if p.hasPeek {
		p.tok, p.hasPeek = p.peeked, false
		return
	}
	p.sc.next(&p.tok)
}

// peek returns the kind of the token after the current one.
func (p *parser) peek() token {
	if !p.hasPeek {
		p.sc.next(&p.peeked)
		p.hasPeek = true
	}
	return p.peeked.tok
}

func (p *parser) scanError(pos Pos, msg string) { p.addError(pos, msg) }

// addError records an error, keeping one per line, and bails out after
// maxErrors.
func (p *parser) addError(pos Pos, msg string) {
	position := p.file.Position(pos)
	if n := len(p.errors); n > 0 {
		last := p.errors[n-1].Pos
		if last.Filename == position.Filename && last.Line == position.Line {
			return
		}
	}
	p.errors = append(p.errors, &Error{Pos: position, Msg: msg})
	if len(p.errors) >= maxErrors {
		panic(errBailout)
	}
}

// fail records "expected what, found <current token>" and unwinds to the
// enclosing statement.
func (p *parser) fail(what string) {
	if p.tok.tok != tIllegal { // the scanner has reported it already
		p.addError(p.tok.pos, "expected "+what+", found "+p.describe())
	}
	panic(errSync)
}

func (p *parser) describe() string {
	l := &p.tok
	switch {
	case l.tok == tIdent:
		return "identifier " + l.lit
	case l.tok.isKeyword():
		return "keyword " + l.lit
	case l.tok == tString:
		s := l.lit
		if len(s) > 20 {
			s = s[:20] + "..."
		}
		return "string " + strconv.Quote(s)
	case l.tok == tInt:
		return "integer " + strconv.FormatInt(l.ival, 10)
	case l.tok == tFloat:
		return "float " + strconv.FormatFloat(l.fval, 'g', -1, 64)
	case l.tok == tKeyName:
		return "key name <" + l.lit + ">"
	}
	return l.tok.String()
}

// expect consumes a token of kind t or fails.
func (p *parser) expect(t token) Pos {
	pos := p.tok.pos
	if p.tok.tok != t {
		p.fail(t.String())
	}
	p.next()
	return pos
}

// expectSemi consumes the ';' that ends a statement or section. A missing
// one is reported just after the previous token, and parsing goes on as if
// it were there.
func (p *parser) expectSemi() {
	if p.tok.tok == tSemi {
		p.next()
		return
	}
	if p.tok.tok != tIllegal {
		p.addError(p.prevEnd, "expected ';', found "+p.describe())
	}
}

// sync skips to the end of the current statement: past a ';' at brace
// level braces, or up to a '}' that closes the enclosing block.
func (p *parser) sync(braces int) {
	for p.tok.tok != tEOF {
		if p.braces < braces {
			return
		}
		if p.braces == braces {
			switch p.tok.tok {
			case tSemi:
				p.next()
				return
			case tRBrace:
				return
			}
		}
		p.next()
	}
}

var mergeModes = [...]MergeMode{tAugment: MergeAugment, tOverride: MergeOverride,
	tReplace: MergeReplace, tAlternate: MergeAlternate}

var sectionFlags = map[token]Flags{
	tPartial:          FlagPartial,
	tDefault:          FlagDefault,
	tHidden:           FlagHidden,
	tAlphanumericKeys: FlagAlphanumericKeys,
	tModifierKeys:     FlagModifierKeys,
	tKeypadKeys:       FlagKeypadKeys,
	tFunctionKeys:     FlagFunctionKeys,
	tAlternateGroup:   FlagAlternateGroup,
}

var sectionKinds = map[token]SectionKind{
	tXkbKeymap:   KindKeymap,
	tXkbKeycodes: KindKeycodes,
	tXkbTypes:    KindTypes,
	tXkbCompat:   KindCompat,
	tXkbSymbols:  KindSymbols,
	tXkbGeometry: KindGeometry,
}

func (p *parser) parseFile() {
	for p.tok.tok != tEOF {
		s := p.parseSection(true)
		if s == nil {
			if p.tok.tok == tRBrace { // stray '}' at the top level
				p.next()
			}
			continue
		}
		p.file.Sections = append(p.file.Sections, s)
		if s.Kind == KindKeymap && len(p.file.Sections) == 1 && p.tok.tok != tEOF {
			// As with libxkbcommon, a file that starts with a keymap
			// holds nothing else.
			p.addError(p.tok.pos, "expected end of file after xkb_keymap, found "+p.describe())
			return
		}
	}
	if len(p.file.Sections) == 0 {
		p.addError(p.tok.pos, "expected section, found end of file")
	}
}

// parseSection parses `flags kind "name" { ... };`. It returns nil when
// the section could not be recognised; errors inside the body are
// recovered from.
func (p *parser) parseSection(top bool) (s *Section) {
	start := p.braces
	defer func() {
		if r := recover(); r != nil {
			if r != errSync {
				panic(r)
			}
			s = nil
			p.sync(start)
		}
	}()
	s = &Section{Pos: p.tok.pos, File: p.file}
	for {
		f, ok := sectionFlags[p.tok.tok]
		if !ok {
			break
		}
		s.Flags |= f
		p.next()
	}
	kind, ok := sectionKinds[p.tok.tok]
	if !ok || kind == KindKeymap && !top {
		if top {
			p.fail("section keyword (xkb_keymap, xkb_keycodes, xkb_types, xkb_compatibility, xkb_symbols, xkb_geometry)")
		}
		p.fail("component section keyword (xkb_keycodes, xkb_types, xkb_compatibility, xkb_symbols, xkb_geometry)")
	}
	s.Kind, s.Keyword = kind, p.tok.lit
	p.next()
	if p.tok.tok == tString {
		s.Name, s.HasName = escapeSectionName(p.tok.lit), true
		p.next()
	}
	p.expect(tLBrace)
	switch kind {
	case KindKeymap:
		errorsBefore := len(p.errors)
		for p.tok.tok != tRBrace && p.tok.tok != tEOF {
			sub := p.parseSection(false)
			if sub == nil {
				if p.tok.tok == tRBrace {
					break
				}
				continue
			}
			s.Sections = append(s.Sections, sub)
		}
		if len(s.Sections) == 0 && p.tok.tok == tRBrace && len(p.errors) == errorsBefore {
			p.fail("section")
		}
	case KindGeometry:
		p.skipBody()
	default:
		p.parseStmts(s)
	}
	p.expect(tRBrace)
	p.expectSemi()
	return s
}

// skipBody skips tokens up to the '}' that closes the current block.
func (p *parser) skipBody() {
	level := p.braces
	for p.tok.tok != tEOF && !(p.tok.tok == tRBrace && p.braces == level) {
		p.next()
	}
}

func (p *parser) parseStmts(s *Section) {
	stmts := p.a.stmtStack[:0]
	for p.tok.tok != tRBrace && p.tok.tok != tEOF {
		if st := p.parseStmtOrSync(); st != nil { // nil: error or geometry
			stmts = append(stmts, st)
		}
	}
	s.Stmts = make([]Stmt, len(stmts))
	copy(s.Stmts, stmts)
	clear(stmts)
	p.a.stmtStack = stmts
}

// parseStmtOrSync parses one statement; after an error it skips to the
// statement's end and returns nil.
func (p *parser) parseStmtOrSync() (st Stmt) {
	start := p.braces
	defer func() {
		if r := recover(); r != nil {
			if r != errSync {
				panic(r)
			}
			st = nil
			p.depth = 0
			clear(p.a.exprStack)
			p.a.exprStack = p.a.exprStack[:0]
			p.a.varStack = p.a.varStack[:0]
			before := p.tok.pos
			p.sync(start)
			if p.tok.pos == before && p.tok.tok != tRBrace && p.tok.tok != tEOF {
				p.next() // guarantee progress
			}
		}
	}()
	return p.parseStmt()
}

// isElement reports whether t may name an element in a field reference
// (key.type, interpret.repeat, ...).
func isElement(t token) bool {
	switch t {
	case tAction, tInterpret, tType, tKey, tGroup, tModifierMap, tIndicator,
		tShape, tRow, tSection, tText:
		return true
	}
	return false
}

// parseStmt parses one statement of a component section, with its
// optional merge-mode prefix. It returns nil for a geometry declaration.
func (p *parser) parseStmt() Stmt {
	base := StmtBase{Pos: p.tok.pos}
	switch p.tok.tok {
	case tInclude:
		// `include` followed by anything but a string is a merge-mode
		// prefix meaning "default", as libxkbcommon reads it.
		p.next()
		if p.tok.tok == tString {
			return p.parseInclude(base)
		}
	case tAugment, tOverride, tReplace, tAlternate:
		base.Merge = mergeModes[p.tok.tok]
		p.next()
		if p.tok.tok == tString {
			return p.parseInclude(base)
		}
	}
	t := p.tok.tok
	if isElement(t) {
		switch p.peek() {
		case tDot, tLBracket, tEquals:
			return p.parseVarDef(base)
		}
	}
	switch t {
	case tKey:
		return p.parseKey(base)
	case tKeyName:
		d := p.a.keycodeDefs.new()
		*d = KeycodeDef{StmtBase: base, Name: p.tok.lit}
		p.next()
		p.expect(tEquals)
		if p.tok.tok != tInt {
			p.fail("keycode")
		}
		d.Code = p.tok.ival
		p.next()
		p.expectSemi()
		return d
	case tAlias:
		p.next()
		d := &AliasDef{StmtBase: base}
		d.Alias = p.keyName()
		p.expect(tEquals)
		d.Real = p.keyName()
		p.expectSemi()
		return d
	case tVirtualMods:
		p.next()
		d := &VModDef{StmtBase: base}
		for {
			m := VMod{Pos: p.tok.pos, Name: p.ident()}
			if p.tok.tok == tEquals {
				p.next()
				m.Value = p.parseExpr()
			}
			d.Mods = append(d.Mods, m)
			if p.tok.tok != tComma {
				break
			}
			p.next()
		}
		p.expectSemi()
		return d
	case tType:
		p.next()
		d := &KeyTypeDef{StmtBase: base, Name: p.str()}
		d.Body = p.parseVarBlock()
		return d
	case tInterpret:
		p.next()
		d := &InterpretDef{StmtBase: base, Sym: p.keysym()}
		if p.tok.tok == tPlus {
			p.next()
			d.Match = p.parseExpr()
		}
		d.Body = p.parseVarBlock()
		return d
	case tIndicator:
		p.next()
		if p.tok.tok == tString {
			d := &LEDMapDef{StmtBase: base, Name: p.tok.lit}
			p.next()
			d.Body = p.parseVarBlock()
			return d
		}
		return p.parseLEDName(base, false)
	case tVirtual:
		p.next()
		p.expect(tIndicator)
		return p.parseLEDName(base, true)
	case tModifierMap:
		p.next()
		d := &ModMapDef{StmtBase: base, Modifier: p.ident()}
		p.expect(tLBrace)
		for {
			d.Keys = append(d.Keys, p.parseExpr())
			if p.tok.tok != tComma {
				break
			}
			p.next()
		}
		p.expect(tRBrace)
		p.expectSemi()
		return d
	case tGroup:
		p.next()
		d := &GroupCompatDef{StmtBase: base, Group: p.integer("group number")}
		p.expect(tEquals)
		d.Value = p.parseExpr()
		p.expectSemi()
		return d
	case tIdent, tDefault, tExclam:
		return p.parseVarDef(base)
	case tShape, tSection, tText, tOutline, tSolid, tLogo:
		// Geometry declarations are accepted in every section, as
		// libxkbcommon does, and ignored: no statement.
		p.next()
		p.str()
		p.expect(tLBrace)
		p.skipBody()
		p.expect(tRBrace)
		p.expectSemi()
		return nil
	}
	p.fail("statement")
	return nil
}

// parseInclude builds the include statement whose string is the current
// token.
func (p *parser) parseInclude(base StmtBase) Stmt {
	d := &Include{StmtBase: base, Spec: p.tok.lit}
	// A malformed spec is reported when the include is resolved (an
	// illegal one is ignored then, as libxkbcommon does), so the file's
	// other sections stay usable; Steps is nil then.
	if steps, err := ParseIncludeSpec(d.Spec, base.Merge); err == nil {
		d.Steps = steps
	}
	p.next()
	return d
}

// parseLEDName parses `N = expr;` after `indicator` or `virtual indicator`.
func (p *parser) parseLEDName(base StmtBase, virtual bool) Stmt {
	d := &LEDNameDef{StmtBase: base, Virtual: virtual, Index: p.integer("indicator number")}
	p.expect(tEquals)
	d.Name = p.parseExpr()
	p.expectSemi()
	return d
}

func (p *parser) keyName() string {
	if p.tok.tok != tKeyName {
		p.fail("key name")
	}
	s := p.tok.lit
	p.next()
	return s
}

// ident parses an identifier; the keyword "default" is one too
// (PtrBtn(button=default)).
func (p *parser) ident() string {
	if p.tok.tok != tIdent && p.tok.tok != tDefault {
		p.fail("identifier")
	}
	s := p.tok.lit
	p.next()
	return s
}

func (p *parser) str() string {
	if p.tok.tok != tString {
		p.fail("string")
	}
	s := p.tok.lit
	p.next()
	return s
}

func (p *parser) integer(what string) int64 {
	if p.tok.tok != tInt {
		p.fail(what)
	}
	v := p.tok.ival
	p.next()
	return v
}

// keysym parses a keysym: a name, the keyword "section" (a keysym name
// too) or an integer.
func (p *parser) keysym() Keysym {
	k := Keysym{Pos: p.tok.pos}
	switch p.tok.tok {
	case tIdent, tSection:
		k.Name = p.tok.lit
	case tInt:
		k.IsInt, k.Int = true, p.tok.ival
	default:
		p.fail("keysym")
	}
	p.next()
	return k
}

// parseVarBlock parses `{ vardef+ };` (libxkbcommon rejects an empty
// block).
func (p *parser) parseVarBlock() []*VarDef {
	p.expect(tLBrace)
	base := len(p.a.varStack)
	for {
		v := p.parseVarDef(StmtBase{Pos: p.tok.pos})
		p.a.varStack = append(p.a.varStack, v)
		if p.tok.tok == tRBrace {
			break
		}
	}
	defs := p.a.vars.copyOf(p.a.varStack[base:])
	p.a.varStack = p.a.varStack[:base]
	p.next()
	p.expectSemi()
	return defs
}

// parseVarDef parses `lhs = value;`, `name;` or `!name;`.
func (p *parser) parseVarDef(base StmtBase) *VarDef {
	d := p.a.varDefs.new()
	d.StmtBase = base
	p.parseVarBody(d, false)
	p.expectSemi()
	return d
}

// parseVarBody parses `lhs = value`, `name` or `!name`; inKey says
// whether it is an item of a key body (ended by ',' or '}', not ';').
func (p *parser) parseVarBody(d *VarDef, inKey bool) {
	if p.tok.tok == tExclam {
		p.next()
		pos := p.tok.pos
		id := p.a.idents.new()
		*id = Ident{Pos: pos, Name: p.ident()}
		b := p.a.bools.new()
		*b = Bool{Pos: d.Pos, Value: false}
		d.Name, d.Value = id, b
		return
	}
	d.Name = p.parseLhs()
	end := p.tok.tok == tSemi
	if inKey {
		end = p.tok.tok == tComma || p.tok.tok == tRBrace
	}
	if id, ok := d.Name.(*Ident); ok && end {
		b := p.a.bools.new()
		*b = Bool{Pos: id.Pos, Value: true}
		d.Value = b
		return
	}
	p.expect(tEquals)
	if inKey {
		d.Value = p.parseValue()
	} else {
		d.Value = p.parseExpr()
	}
}

// fieldSpec parses an identifier or an element keyword.
func (p *parser) fieldSpec() string {
	if p.tok.tok != tIdent && p.tok.tok != tDefault && !isElement(p.tok.tok) {
		p.fail("identifier")
	}
	s := p.tok.lit
	p.next()
	return s
}

// parseLhs parses `field`, `element.field`, `field[index]` or
// `element.field[index]`.
func (p *parser) parseLhs() Expr {
	pos := p.tok.pos
	return p.parseLhsRest(pos, p.fieldSpec())
}

func (p *parser) parseLhsRest(pos Pos, name string) Expr {
	elem, field := "", name
	if p.tok.tok == tDot {
		p.next()
		elem, field = name, p.fieldSpec()
	}
	if p.tok.tok == tLBracket {
		p.next()
		idx := p.parseExpr()
		p.expect(tRBracket)
		x := p.a.arrayRefs.new()
		*x = ArrayRef{Pos: pos, Element: elem, Field: field, Index: idx}
		return x
	}
	if elem != "" {
		x := p.a.fieldRefs.new()
		*x = FieldRef{Pos: pos, Element: elem, Field: field}
		return x
	}
	x := p.a.idents.new()
	*x = Ident{Pos: pos, Name: field}
	return x
}

// parseValue parses an expression or a `[ ... ]` keysym or action list.
func (p *parser) parseValue() Expr {
	if p.tok.tok == tLBracket {
		return p.parseList()
	}
	return p.parseExpr()
}

// parseList parses `[ keysyms ]` or `[ actions ]`.
func (p *parser) parseList() Expr {
	pos := p.expect(tLBracket)
	if p.startsLhs() && p.peek() == tLParen {
		l := &ActionList{Pos: pos}
		for {
			callPos := p.tok.pos
			name := p.fieldSpec()
			l.Actions = append(l.Actions, p.parseCall(callPos, name))
			if p.tok.tok != tComma {
				break
			}
			p.next()
		}
		p.expect(tRBracket)
		return l
	}
	l := p.a.symLists.new()
	l.Pos = pos
	if p.tok.tok == tRBracket {
		p.next()
		return l
	}
	p.a.levelStack = p.a.levelStack[:0]
	for {
		p.a.symStack = p.a.symStack[:0]
		if p.tok.tok == tLBrace {
			p.parseKeysymGroup()
		} else {
			p.a.symStack = append(p.a.symStack, p.keysym())
		}
		p.a.levelStack = append(p.a.levelStack, p.a.syms.copyOf(p.a.symStack))
		if p.tok.tok != tComma {
			break
		}
		p.next()
	}
	l.Levels = p.a.levels.copyOf(p.a.levelStack)
	p.expect(tRBracket)
	return l
}

// parseKeysymGroup parses `{ keysym or group, ... }`, appending the
// keysyms to p.a.symStack.
func (p *parser) parseKeysymGroup() {
	p.enter()
	p.expect(tLBrace)
	for {
		if p.tok.tok == tLBrace {
			p.parseKeysymGroup()
		} else {
			p.a.symStack = append(p.a.symStack, p.keysym())
		}
		if p.tok.tok != tComma {
			break
		}
		p.next()
	}
	p.expect(tRBrace)
	p.depth--
}

// parseKey parses `key <NAME> { item, ... };`.
func (p *parser) parseKey(base StmtBase) *KeyDef {
	p.expect(tKey)
	d := p.a.keyDefs.new()
	*d = KeyDef{StmtBase: base, Name: p.keyName()}
	p.expect(tLBrace)
	if p.tok.tok != tRBrace {
		start := len(p.a.varStack)
		for {
			v := p.a.varDefs.new()
			v.StmtBase = StmtBase{Pos: p.tok.pos}
			if p.tok.tok == tLBracket {
				v.Value = p.parseList()
			} else {
				p.parseVarBody(v, true)
			}
			p.a.varStack = append(p.a.varStack, v)
			if p.tok.tok != tComma {
				break
			}
			p.next()
		}
		d.Body = p.a.vars.copyOf(p.a.varStack[start:])
		p.a.varStack = p.a.varStack[:start]
	}
	p.expect(tRBrace)
	p.expectSemi()
	return d
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.addError(p.tok.pos, fmt.Sprintf("nesting deeper than %d levels", maxDepth))
		panic(errSync)
	}
}

// parseExpr parses an expression: assignments (in call arguments), then
// + and -, then * and /, then unary operators and terms.
func (p *parser) parseExpr() Expr {
	p.enter()
	x := p.parseBinary(1)
	p.depth--
	return x
}

// parseOperand parses an operand of a binary operator (or a whole
// expression): as in libxkbcommon's grammar, wherever an expression may
// stand, `lhs = expr` may too, binding loosest and to the right, so
// `a + b = c + d` is a + (b = (c + d)). After a unary operator or inside
// a parenthesised term the left side is not an lhs.
func (p *parser) parseOperand() Expr {
	if !p.startsLhs() {
		return p.parseUnary()
	}
	pos := p.tok.pos
	name := p.fieldSpec()
	if p.tok.tok == tLParen {
		return p.parseCall(pos, name)
	}
	x := p.parseLhsRest(pos, name)
	if p.tok.tok != tEquals {
		return x
	}
	p.next()
	a := p.a.assigns.new()
	*a = Assign{Pos: pos, Name: x, Value: p.parseExpr()}
	return a
}

// startsLhs reports whether the current token can begin an lhs.
func (p *parser) startsLhs() bool {
	t := p.tok.tok
	return t == tIdent || t == tDefault || isElement(t)
}

var binaryOps = map[token]BinaryOp{tPlus: OpAdd, tMinus: OpSub, tTimes: OpMul, tDivide: OpDiv}

func precedence(t token) int {
	switch t {
	case tPlus, tMinus:
		return 1
	case tTimes, tDivide:
		return 2
	}
	return 0
}

func (p *parser) parseBinary(prec int) Expr {
	x := p.parseOperand()
	for {
		op := p.tok.tok
		q := precedence(op)
		if q < prec {
			return x
		}
		p.next()
		p.enter()
		y := p.parseBinary(q + 1)
		p.depth--
		b := p.a.binaries.new()
		*b = Binary{Pos: x.Position(), Op: binaryOps[op], X: x, Y: y}
		x = b
	}
}

func (p *parser) parseUnary() Expr {
	pos := p.tok.pos
	var op UnaryOp
	switch p.tok.tok {
	case tMinus:
		op = OpNegate
	case tPlus:
		op = OpPlus
	case tExclam:
		op = OpNot
	case tInvert:
		op = OpInvert
	default:
		return p.parseTerm()
	}
	p.next()
	p.enter()
	x := p.parseUnary()
	p.depth--
	u := p.a.unaries.new()
	*u = Unary{Pos: pos, Op: op, X: x}
	return u
}

func (p *parser) parseTerm() Expr {
	l := &p.tok
	pos := l.pos
	switch l.tok {
	case tLParen:
		p.next()
		x := p.parseExpr()
		p.expect(tRParen)
		return x
	case tInt:
		x := p.a.ints.new()
		*x = Int{Pos: pos, Value: l.ival}
		p.next()
		return x
	case tFloat:
		x := &Float{Pos: pos, Value: l.fval}
		p.next()
		return x
	case tString:
		x := p.a.strings.new()
		*x = String{Pos: pos, Value: l.lit}
		p.next()
		return x
	case tKeyName:
		x := p.a.keyNames.new()
		*x = KeyName{Pos: pos, Name: l.lit}
		p.next()
		return x
	}
	if p.tok.tok != tIdent && p.tok.tok != tDefault && !isElement(p.tok.tok) {
		p.fail("expression")
	}
	name := p.fieldSpec()
	if p.tok.tok == tLParen {
		return p.parseCall(pos, name)
	}
	return p.parseLhsRest(pos, name)
}

// parseCall parses `( args )` after a call's name.
func (p *parser) parseCall(pos Pos, name string) *Call {
	p.expect(tLParen)
	c := p.a.calls.new()
	*c = Call{Pos: pos, Name: name}
	if p.tok.tok != tRParen {
		start := len(p.a.exprStack)
		for {
			x := p.parseExpr()
			p.a.exprStack = append(p.a.exprStack, x)
			if p.tok.tok != tComma {
				break
			}
			p.next()
		}
		c.Args = p.a.exprs.copyOf(p.a.exprStack[start:])
		clear(p.a.exprStack[start:])
		p.a.exprStack = p.a.exprStack[:start]
	}
	p.expect(tRParen)
	return c
}

// sectionNameLegal marks the bytes a section name keeps, as libxkbcommon
// keeps them: ASCII letters and digits, "()*-/?_" and the bytes
// 0xC0-0xFF but 0xD7 and 0xF7. Every other byte becomes '_'.
var sectionNameLegal = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("()*-/?_", byte(c)) >= 0 || c >= 0xc0 && c != 0xd7 && c != 0xf7
	}
	return t
}()

// escapeSectionName returns name with the bytes libxkbcommon does not keep
// in section names replaced by '_' ("evdev+aliases(qwerty)" becomes
// "evdev_aliases(qwerty)"), so that a keymap's text names its sections as
// libxkbcommon's does.
func escapeSectionName(name string) string {
	for i := 0; i < len(name); i++ {
		if !sectionNameLegal[name[i]] {
			b := []byte(name)
			for j := i; j < len(b); j++ {
				if !sectionNameLegal[b[j]] {
					b[j] = '_'
				}
			}
			return string(b)
		}
	}
	return name
}
