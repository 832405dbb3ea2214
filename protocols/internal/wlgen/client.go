package main

import (
	"fmt"
	"slices"
	"strings"
)

// The client side: per interface a proxy type whose methods encode
// requests, a listener interface with one method per event, a Nop
// listener to embed, an interface description whose Dispatch decodes
// events, and a BindXxx helper. Constants and enums are declared here
// unless -consts names the package that has them already.

// proxyMethods are the methods a generated proxy gets from client.Proxy or
// declares itself; a request with the same Go name could not be a method.
var proxyMethods = []string{
	"Base", "ID", "Version", "Conn", "Interface", "Destroyed", "String",
	"BeginRequest", "PutObject", "PutNewObject", "EndRequest", "EndDestructor", "SetListener",
}

// checkClient rejects protocols the client side cannot express.
func (g *generator) checkClient() {
	for _, in := range g.p.Interfaces {
		if slices.Contains(g.cfg.runtimeOwned, in.Name) {
			continue
		}
		for _, m := range in.Requests {
			if slices.Contains(proxyMethods, camel(m.Name)) {
				g.fail("%s.%s: request name collides with the proxy method %s", in.Name, m.Name, camel(m.Name))
				return
			}
			newIDs := 0
			for _, a := range m.Args {
				if a.Type == "new_id" {
					newIDs++
				}
			}
			if newIDs > 1 {
				g.fail("%s.%s: more than one new_id argument", in.Name, m.Name)
				return
			}
		}
		for _, m := range in.Events {
			newIDs := 0
			for _, a := range m.Args {
				if a.Type == "new_id" && a.Interface == "" {
					g.fail("%s.%s: event with an untyped new_id argument", in.Name, m.Name)
					return
				}
				if a.Type == "new_id" {
					newIDs++
				}
			}
			// The runtime tracks one object an event creates (Creates).
			if newIDs > 1 {
				g.fail("%s.%s: event with more than one new_id argument", in.Name, m.Name)
				return
			}
		}
	}
	g.checkCreatesCycle()
}

// checkCreatesCycle rejects events that create objects in a cycle (an
// event of a creates b, an event of b creates a): the interface
// descriptions would refer to each other, which Go's package
// initialisation cannot order.
func (g *generator) checkCreatesCycle() {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var visit func(name string, path []string) bool
	visit = func(name string, path []string) bool {
		switch state[name] {
		case visiting:
			g.fail("events create objects in a cycle: %s", strings.Join(append(path, name), " -> "))
			return false
		case done:
			return true
		}
		state[name] = visiting
		if in := g.local(name); in != nil {
			for _, m := range in.Events {
				for _, a := range m.Args {
					if a.Type == "new_id" && a.Interface != "" && !visit(a.Interface, append(path, name)) {
						return false
					}
				}
			}
		}
		state[name] = done
		return true
	}
	for _, in := range g.p.Interfaces {
		if !visit(in.Name, nil) {
			return
		}
	}
}

// clientPackageDoc is the rest of the package comment of a client binding.
func (g *generator) clientPackageDoc() string {
	var b strings.Builder
	b.WriteString(".\n//\n// Each interface has a proxy type with one method per request, a listener\n" +
		"// interface with one method per event, a Nop listener to embed, and a\n" +
		"// BindXxx helper for the registry. Requests above the proxy's version are\n" +
		"// refused with client.ErrVersion. An fd given to a request is duplicated\n" +
		"// (the caller keeps it); an fd in an event belongs to the listener.\n")
	var pkgs []string
	for _, path := range g.cfg.consts {
		if !slices.Contains(pkgs, path) {
			pkgs = append(pkgs, path)
		}
	}
	slices.Sort(pkgs)
	if len(pkgs) > 0 {
		fmt.Fprintf(&b, "//\n// Opcode and since constants and typed enums are those of %s,\n"+
			"// generated from the same XML, so values pass between the client and\n// server sides without conversion.\n",
			strings.Join(pkgs, " and "))
	}
	return b.String()
}

// clientIface writes the client side of one interface.
func (g *generator) clientIface(in *xmlIface) {
	if slices.Contains(g.cfg.runtimeOwned, in.Name) {
		return
	}
	cl := g.use("gocomp/protocols/client")
	t := typeName(in.Name)
	q := g.constsQualifier(in.Name)
	if q == "" {
		g.constants(in, t)
	}

	// Interface description.
	g.printf("// %sInterface describes %s to the client runtime.\n", t, in.Name)
	g.printf("var %sInterface = &%s.Interface{\n\tName: %q,\n\tVersion: %d,\n", t, cl, in.Name, in.version)
	g.messages(cl, "Requests", in.Requests)
	g.messages(cl, "Events", in.Events)
	if len(in.Events) > 0 {
		g.printf("\tDispatch: dispatch%s,\n", t)
	}
	g.printf("}\n\n")

	// Proxy type.
	g.printf("// %s is a %s proxy.\ntype %s struct {\n\t%s.Proxy\n", t, in.Name, t, cl)
	if len(in.Events) > 0 {
		g.printf("\tlistener %sListener\n", t)
	}
	g.printf("}\n\n")
	g.printf("// Base returns the embedded proxy; nil for a nil %s.\n", t)
	g.printf("func (p *%s) Base() *%s.Proxy {\n\tif p == nil {\n\t\treturn nil\n\t}\n\treturn &p.Proxy\n}\n\n", t, cl)
	if len(in.Events) > 0 {
		g.printf("// SetListener sets the listener of %s events. Without one, events are\n// dropped and their fds closed.\n", in.Name)
		g.printf("func (p *%s) SetListener(l %sListener) { p.listener = l }\n\n", t, t)
	}
	g.printf("// Bind%s binds the first %s the registry advertises, at the highest\n", t, in.Name)
	g.printf("// version that the server offers, this binding knows and is at most version.\n")
	g.printf("func Bind%s(r *%s.Registry, version uint32) (*%s, error) {\n\tp := &%s{}\n", t, cl, t, t)
	g.printf("\tif err := r.BindFirst(p, %sInterface, version); err != nil {\n\t\treturn nil, err\n\t}\n\treturn p, nil\n}\n\n", t)

	for _, m := range in.Requests {
		g.request(in, t, q, m)
	}
	if len(in.Events) > 0 {
		g.listener(in, t)
		g.clientDispatch(in, t, q)
	}
	if q == "" {
		for _, e := range in.Enums {
			g.enum(in, t, e)
		}
	}
}

// messages writes one message table of an Interface description, whose
// runtime package is imported as qualifier; on the client side it also
// says which messages destroy their object and what events create.
func (g *generator) messages(qualifier, field string, msgs []*message) {
	if len(msgs) == 0 {
		return
	}
	g.printf("\t%s: []%s.Message{\n", field, qualifier)
	for _, m := range msgs {
		g.printf("\t\t{Name: %q, Since: %d, Signature: %q, FDs: %d", m.Name, m.since, signatureCode(m), fdCount(m))
		if !g.cfg.client() {
			g.printf("},\n")
			continue
		}
		if m.Type == "destructor" {
			g.printf(", Destructor: true")
		}
		if field == "Events" {
			for _, a := range m.Args {
				if a.Type == "new_id" {
					g.printf(", Creates: %sInterface", g.ifaceType(a.Interface))
				}
			}
		}
		g.printf("},\n")
	}
	g.printf("\t},\n")
}

// fdCount is the number of fd arguments of m.
func fdCount(m *message) int {
	n := 0
	for _, a := range m.Args {
		if a.Type == "fd" {
			n++
		}
	}
	return n
}

// request writes the method that sends request m.
func (g *generator) request(in *xmlIface, t, q string, m *message) {
	cl := g.use("gocomp/protocols/client")
	args := g.args(in, m)
	var params []string
	var created *goArg
	for i := range args {
		a := &args[i]
		switch {
		case a.a.Type == "new_id" && a.a.Interface == "":
			params = append(params, a.name+"Interface *"+cl+".Interface", a.name+"Version uint32", a.name+" "+cl+".Object")
		case a.a.Type == "new_id":
			created = a
		default:
			params = append(params, a.name+" "+a.typ)
		}
	}
	name := camel(m.Name)
	g.printf("// %s sends %s.%s (since %d)", name, in.Name, m.Name, m.since)
	if created != nil {
		g.printf(" and returns the new %s, created at p's version", created.a.Interface)
	}
	g.printf(".")
	for _, a := range args {
		switch {
		case a.a.Type == "fd":
			g.printf(" A duplicate of %s is sent; the caller keeps %s.", a.name, a.name)
		case a.a.Type == "array":
			g.printf(" %s is copied.", a.name)
		case a.a.Type == "object" && a.a.AllowNull == "true":
			g.printf(" %s may be nil.", a.name)
		case a.a.Type == "new_id" && a.a.Interface == "":
			g.printf(" %s is a fresh proxy, created as %sInterface at %sVersion.", a.name, a.name, a.name)
		}
	}
	if m.Type == "destructor" {
		g.printf(" Destructor: p is destroyed once the request is queued.")
	}
	g.printf("\n")
	fail := "err"
	result := "error"
	if created != nil {
		fail = "nil, err"
		result = "(*" + created.iface + ", error)"
	}
	g.printf("func (p *%s) %s(%s) %s {\n", t, name, strings.Join(params, ", "), result)
	encVar := "_"
	for _, a := range m.Args {
		if a.Type != "object" && (a.Type != "new_id" || a.Interface == "") {
			encVar = "enc"
		}
	}
	op := q + t + "Request" + name
	// Base, unlike the promoted method, is safe on a nil p.
	g.printf("\t%s, err := p.Base().BeginRequest(%s, %sSince)\n\tif err != nil {\n\t\treturn %s\n\t}\n", encVar, op, op, fail)
	for _, a := range args {
		if g.encodePlain(a) {
			continue
		}
		switch a.a.Type {
		case "object":
			g.printf("\tp.PutObject(%s, %v)\n", a.name, a.a.AllowNull == "true")
		case "new_id":
			if a.a.Interface == "" {
				g.printf("\tif %sInterface == nil {\n\t\tenc.Fail(%s.ErrBadObject)\n\t} else {\n", a.name, cl)
				g.printf("\t\tenc.PutString(%sInterface.Name)\n\t\tenc.PutUint(%sVersion)\n\t\tp.PutNewObject(%s, %sInterface, %sVersion)\n\t}\n",
					a.name, a.name, a.name, a.name, a.name)
			} else {
				g.printf("\t%s := &%s{}\n\tp.PutNewObject(%s, %sInterface, p.Version())\n", a.name, a.iface, a.name, a.iface)
			}
		}
	}
	end := "EndRequest"
	if m.Type == "destructor" {
		end = "EndDestructor"
	}
	if created != nil {
		g.printf("\tif err := p.%s(); err != nil {\n\t\treturn nil, err\n\t}\n\treturn %s, nil\n}\n\n", end, created.name)
	} else {
		g.printf("\treturn p.%s()\n}\n\n", end)
	}
}

// listener writes the listener interface of in and its Nop implementation.
func (g *generator) listener(in *xmlIface, t string) {
	g.printf("// %sListener receives %s events. Methods run on the goroutine that\n", t, in.Name)
	g.printf("// owns the connection, from HandleReadable; p is the proxy the event is\n")
	g.printf("// for. Embed Nop%sListener to implement only some of them.\n", t)
	g.printf("type %sListener interface {\n", t)
	for _, m := range in.Events {
		args := g.args(in, m)
		g.printf("\t// %s runs on %s.%s (since %d).", camel(m.Name), in.Name, m.Name, m.since)
		g.argNotes(args, "listener", "is a new proxy, already registered", "is nil if we destroyed it")
		if m.Type == "destructor" {
			g.printf(" Destructor: p is destroyed after it returns.")
		}
		g.printf("\n\t%s(p *%s%s)\n", camel(m.Name), t, prefixComma(signature(args)))
	}
	g.printf("}\n\n")

	g.printf("// Nop%sListener implements %sListener by ignoring every event\n", t, t)
	g.printf("// (closing the fds they carry). Embed it in a listener that handles only\n// some events.\n")
	g.printf("type Nop%sListener struct{}\n\n", t)
	for _, m := range in.Events {
		args := g.args(in, m)
		var fds []string
		for _, a := range args {
			if a.a.Type == "fd" {
				fds = append(fds, a.name)
			}
		}
		if len(fds) == 0 {
			g.printf("// %s does nothing.\n", camel(m.Name))
		} else {
			g.printf("// %s closes %s.\n", camel(m.Name), strings.Join(fds, " and "))
		}
		g.printf("func (Nop%sListener) %s(p *%s%s) {", t, camel(m.Name), t, prefixComma(signature(args)))
		if len(fds) > 0 {
			unix := g.use("golang.org/x/sys/unix")
			g.printf("\n")
			for _, fd := range fds {
				g.printf("\t%s.Close(%s)\n", unix, fd)
			}
		}
		g.printf("}\n\n")
	}
}

// prefixComma returns ", "+s, or "" for an empty s.
func prefixComma(s string) string {
	if s == "" {
		return ""
	}
	return ", " + s
}

// clientDispatch writes the event decoder of in.
func (g *generator) clientDispatch(in *xmlIface, t, q string) {
	cl := g.use("gocomp/protocols/client")
	wire := g.use("gocomp/protocols/wire")
	fmtPkg := g.use("fmt")
	g.printf("func dispatch%s(obj %s.Object, opcode uint16, d *%s.Decoder) error {\n", t, cl, wire)
	g.printf("\tp, ok := obj.(*%s)\n\tif !ok {\n\t\treturn %s.Errorf(\"%s: dispatch to %%T\", obj)\n\t}\n", t, fmtPkg, in.Name)
	g.printf("\tswitch opcode {\n")
	for _, m := range in.Events {
		args := g.args(in, m)
		g.printf("\tcase %s%sEvent%s:\n", q, t, camel(m.Name))
		g.decodeArgs(args)
		g.printf("\t\tif err := d.Finish(); err != nil {\n\t\t\treturn err\n\t\t}\n")
		var call []string
		for i, a := range args {
			v := g.plainArg(i, a)
			switch a.a.Type {
			case "object":
				want := a.a.Interface
				if want == "" {
					want = "object"
				}
				g.printf("\t\to%d, err := %s.ArgObject[%s](p.Conn(), arg%d, %v, %q)\n", i, cl, a.typ, i, a.a.AllowNull == "true", want)
				g.printf("\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n")
				v = fmt.Sprintf("o%d", i)
			case "new_id":
				g.printf("\t\tn%d := &%s{}\n", i, a.iface)
				g.printf("\t\tif err := p.Conn().AddServerObject(n%d, %sInterface, arg%d, p.Version()); err != nil {\n\t\t\treturn err\n\t\t}\n", i, a.iface, i)
				v = fmt.Sprintf("n%d", i)
			}
			call = append(call, v)
		}
		g.printf("\t\tif p.listener == nil {\n\t\t\treturn nil\n\t\t}\n")
		if fdCount(m) > 0 {
			g.printf("\t\td.ReleaseFDs()\n")
		}
		g.printf("\t\tp.listener.%s(%s)\n\t\treturn nil\n", camel(m.Name), strings.Join(append([]string{"p"}, call...), ", "))
	}
	g.printf("\t}\n\treturn %s.Errorf(\"%s: event %%d not dispatched\", opcode)\n}\n\n", fmtPkg, in.Name)
}

// decodeArgs writes one decoder call per argument into argN variables;
// decoding errors are sticky and checked once after.
func (g *generator) decodeArgs(args []goArg) {
	for i, a := range args {
		switch a.a.Type {
		case "int":
			g.printf("\t\targ%d := d.Int()\n", i)
		case "uint":
			g.printf("\t\targ%d := d.Uint()\n", i)
		case "fixed":
			g.printf("\t\targ%d := d.Fixed()\n", i)
		case "string":
			if a.a.AllowNull == "true" {
				g.printf("\t\targ%d, arg%dOK := d.OptStr()\n", i, i)
			} else {
				g.printf("\t\targ%d := d.Str()\n", i)
			}
		case "object":
			g.printf("\t\targ%d := d.Object()\n", i)
		case "new_id":
			if a.a.Interface == "" {
				g.printf("\t\targ%dInterface := d.Str()\n\t\targ%dVersion := d.Uint()\n", i, i)
			}
			g.printf("\t\targ%d := d.NewID()\n", i)
		case "array":
			g.printf("\t\targ%d := d.Array()\n", i)
		case "fd":
			g.printf("\t\targ%d := d.FD()\n", i)
		}
	}
}

// plainArg returns the Go expression passing decoded argument i to a
// handler or listener: argN, converted to its enum type, or for a
// nullable string a pointer (declared here) that is nil for null. Object
// and new_id arguments are resolved by each side itself.
func (g *generator) plainArg(i int, a goArg) string {
	switch {
	case (a.a.Type == "int" || a.a.Type == "uint") && a.a.Enum != "":
		return fmt.Sprintf("%s(arg%d)", a.typ, i)
	case a.a.Type == "string" && a.a.AllowNull == "true":
		g.printf("\t\tvar p%d *string\n\t\tif arg%dOK {\n\t\t\tp%d = &arg%d\n\t\t}\n", i, i, i, i)
		return fmt.Sprintf("p%d", i)
	}
	return fmt.Sprintf("arg%d", i)
}

// encodePlain writes the encoding of a, an argument of a message being
// sent, unless it is an object or new_id (which each side encodes
// itself); it reports whether it did.
func (g *generator) encodePlain(a goArg) bool {
	switch a.a.Type {
	case "int":
		g.printf("\tenc.PutInt(int32(%s))\n", a.name)
	case "uint":
		g.printf("\tenc.PutUint(uint32(%s))\n", a.name)
	case "fixed":
		g.printf("\tenc.PutFixed(%s)\n", a.name)
	case "string":
		if a.a.AllowNull == "true" {
			g.printf("\tif %s == nil {\n\t\tenc.PutNullString()\n\t} else {\n\t\tenc.PutString(*%s)\n\t}\n", a.name, a.name)
		} else {
			g.printf("\tenc.PutString(%s)\n", a.name)
		}
	case "array":
		g.printf("\tenc.PutArray(%s)\n", a.name)
	case "fd":
		g.printf("\tenc.PutFD(%s)\n", a.name)
	default:
		return false
	}
	return true
}
