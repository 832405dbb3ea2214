package parser

// The parser allocates AST nodes from slabs: one allocation serves many
// nodes of a type, which roughly halves parse time on keymap-sized input.
// A slab is never reused after Parse returns; the nodes live as long as
// any of them is referenced.

// Slabs and chunks start small (most included files are a few hundred
// bytes) and double up to maxSlab elements.
const (
	minSlab = 8
	maxSlab = 256
)

func grow(n int) int {
	if n == 0 {
		return minSlab
	}
	return min(2*n, maxSlab)
}

// slab hands out pointers into chunks of T.
type slab[T any] struct {
	buf  []T
	size int // length of the last chunk
}

func (s *slab[T]) new() *T {
	if len(s.buf) == 0 {
		s.size = grow(s.size)
		s.buf = make([]T, s.size)
	}
	x := &s.buf[0]
	s.buf = s.buf[1:]
	return x
}

// chunk hands out slices carved from larger backing arrays; each slice is
// capped so that appending to it cannot overwrite its neighbours.
type chunk[T any] struct {
	buf  []T
	size int
}

// copyOf returns a capped copy of src carved from the chunk (nil when src
// is empty).
func (c *chunk[T]) copyOf(src []T) []T {
	n := len(src)
	if n == 0 {
		return nil
	}
	if len(c.buf) < n {
		c.size = grow(c.size)
		c.buf = make([]T, max(n, c.size))
	}
	out := c.buf[:n:n]
	copy(out, src)
	c.buf = c.buf[n:]
	return out
}

// allocs is what a parser allocates from while it parses: node slabs and
// scratch stacks, lent by a Loader to the parser of each file it reads
// (see sectionReader.nextWith). The files a Loader reads are parsed one
// after another, never at the same time, so sharing one workspace between
// them lets its slabs grow to full size instead of every file starting
// small again and leaving the tails of its chunks unused.
type allocs struct {
	*nodes
	*scratch
}

// workspace is what a Loader lends.
type workspace struct {
	nodes
	scratch
}

// nodes holds the slabs and chunks AST nodes are carved from. Nodes
// outlive the parse; the slabs only hand out new ones.
type nodes struct {
	idents      slab[Ident]
	varDefs     slab[VarDef]
	keyDefs     slab[KeyDef]
	keycodeDefs slab[KeycodeDef]
	calls       slab[Call]
	assigns     slab[Assign]
	ints        slab[Int]
	keyNames    slab[KeyName]
	bools       slab[Bool]
	arrayRefs   slab[ArrayRef]
	fieldRefs   slab[FieldRef]
	binaries    slab[Binary]
	unaries     slab[Unary]
	strings     slab[String]
	symLists    slab[KeysymList]

	syms     chunk[Keysym]
	levels   chunk[[]Keysym]
	exprs    chunk[Expr]
	vars     chunk[*VarDef]
	callPtrs chunk[*Call]
}

// scratch holds the stacks lists are collected on before being copied
// into a chunk (stacks, so that nested lists, e.g. calls in call
// arguments, do not clobber each other). They are empty between two
// sections.
type scratch struct {
	symStack   []Keysym
	levelStack [][]Keysym
	exprStack  []Expr
	varStack   []*VarDef
	stmtStack  []Stmt
}

// reset empties the stacks (an error may have cut a list short). It does
// not clear them: what they still point to is in files the lender (a
// Loader, or a sectionReader) holds on to anyway, and clearing their
// whole capacity after every section cost more than it saved.
func (sc *scratch) reset() {
	sc.symStack, sc.levelStack = sc.symStack[:0], sc.levelStack[:0]
	sc.exprStack, sc.varStack, sc.stmtStack = sc.exprStack[:0], sc.varStack[:0], sc.stmtStack[:0]
}
