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

// allocs holds the parser's slabs, chunks and the scratch stacks that
// lists are collected on before being copied into a chunk (stacks, so that
// nested lists, e.g. calls in call arguments, do not clobber each other).
type allocs struct {
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

	// The scratch stacks, lent to the parser while it parses (see
	// sectionReader.nextWith).
	*scratch
}

// scratch holds the stacks lists are collected on. They are empty
// between two sections, so the parsers of the files one Loader reads,
// which never run at the same time, share one set rather than each growing
// its own.
type scratch struct {
	symStack   []Keysym
	levelStack [][]Keysym
	exprStack  []Expr
	varStack   []*VarDef
	stmtStack  []Stmt
}
