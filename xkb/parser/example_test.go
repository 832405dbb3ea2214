package parser_test

import (
	"fmt"
	"strings"

	"gocomp/xkb/parser"
)

// Resolve a rules component and walk the include tree: the shape a
// compiler follows, merging each step's section into the result with the
// step's merge mode. (The key counts were checked against the xkb-data
// 2.35.1 files by hand.)
func ExampleLoader_ResolveSpec() {
	l := parser.NewLoader([]string{"/usr/share/X11/xkb"})
	r, err := l.ResolveSpec(parser.KindSymbols, "pc+us(intl):2")
	if err != nil {
		fmt.Println(err)
		return
	}
	var walk func(r *parser.Resolved, depth int)
	walk = func(r *parser.Resolved, depth int) {
		keys := 0
		for st, steps := range r.Items() {
			if _, ok := st.(*parser.KeyDef); ok {
				keys++
			}
			for _, step := range steps {
				group := ""
				if step.Group != 0 {
					group = fmt.Sprintf(" into group %d", step.Group)
				}
				fmt.Printf("%s%s %s(%s)%s\n", strings.Repeat("  ", depth), step.Merge,
					step.File, step.Section.Section.Name, group)
				walk(step.Section, depth+1)
			}
		}
		if keys > 0 {
			fmt.Printf("%s%d keys\n", strings.Repeat("  ", depth), keys)
		}
	}
	walk(r, 0)
	// Output:
	// default pc(pc105)
	//   default srvr_ctrl(fkey2vt)
	//     12 keys
	//   default pc(editing)
	//     13 keys
	//   default keypad(x11)
	//     default keypad(operators)
	//       4 keys
	//     14 keys
	//   default altwin(meta_alt)
	//     2 keys
	//   26 keys
	// override us(intl) into group 2
	//   default level3(ralt_switch)
	//     default level3(modifier_mapping)
	//       1 keys
	//     1 keys
	//   48 keys
}
