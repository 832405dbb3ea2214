package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// protocol is the subset of the Wayland protocol XML schema the generator
// reads. Descriptions and summaries are deliberately not parsed.
type protocol struct {
	Name       string      `xml:"name,attr"`
	Interfaces []*xmlIface `xml:"interface"`
}

type xmlIface struct {
	Name     string     `xml:"name,attr"`
	Version  string     `xml:"version,attr"`
	Requests []*message `xml:"request"`
	Events   []*message `xml:"event"`
	Enums    []*xmlEnum `xml:"enum"`

	version uint32
}

type message struct {
	Name  string `xml:"name,attr"`
	Type  string `xml:"type,attr"`
	Since string `xml:"since,attr"`
	Args  []*arg `xml:"arg"`

	since uint32
}

type arg struct {
	Name      string `xml:"name,attr"`
	Type      string `xml:"type,attr"`
	Interface string `xml:"interface,attr"`
	AllowNull string `xml:"allow-null,attr"`
	Enum      string `xml:"enum,attr"`
}

type xmlEnum struct {
	Name     string   `xml:"name,attr"`
	Bitfield string   `xml:"bitfield,attr"`
	Entries  []*entry `xml:"entry"`
}

type entry struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`

	value uint32
}

// parseProtocol decodes and validates one protocol XML document. Errors
// name the element they are about.
func parseProtocol(r io.Reader) (*protocol, error) {
	var p protocol
	dec := xml.NewDecoder(r)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("parse protocol XML: %w", err)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

var argTypes = map[string]bool{
	"int": true, "uint": true, "fixed": true, "string": true, "object": true,
	"new_id": true, "array": true, "fd": true,
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func (p *protocol) validate() error {
	if !validName(p.Name) {
		return fmt.Errorf("protocol: bad or missing name %q", p.Name)
	}
	if len(p.Interfaces) == 0 {
		return fmt.Errorf("protocol %s: no interfaces", p.Name)
	}
	seen := map[string]bool{}
	for _, in := range p.Interfaces {
		if !validName(in.Name) || !strings.Contains(in.Name, "_") {
			return fmt.Errorf("interface %q: name must be lowercase prefix_name", in.Name)
		}
		if seen[in.Name] {
			return fmt.Errorf("interface %s: defined twice", in.Name)
		}
		seen[in.Name] = true
		v, err := strconv.ParseUint(in.Version, 10, 32)
		if err != nil || v == 0 {
			return fmt.Errorf("interface %s: bad version %q", in.Name, in.Version)
		}
		in.version = uint32(v)
		if len(in.Requests) > 0xffff || len(in.Events) > 0xffff {
			return fmt.Errorf("interface %s: too many messages", in.Name)
		}
		for _, list := range [][]*message{in.Requests, in.Events} {
			names := map[string]bool{}
			for _, m := range list {
				if err := m.validate(in, names); err != nil {
					return err
				}
			}
		}
		enums := map[string]bool{}
		for _, e := range in.Enums {
			if err := e.validate(in, enums); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *message) validate(in *xmlIface, names map[string]bool) error {
	where := in.Name + "." + m.Name
	if !validName(m.Name) {
		return fmt.Errorf("interface %s: bad message name %q", in.Name, m.Name)
	}
	if names[m.Name] {
		return fmt.Errorf("%s: defined twice", where)
	}
	names[m.Name] = true
	if m.Type != "" && m.Type != "destructor" {
		return fmt.Errorf("%s: unknown message type %q", where, m.Type)
	}
	m.since = 1
	if m.Since != "" {
		v, err := strconv.ParseUint(m.Since, 10, 32)
		if err != nil || v == 0 {
			return fmt.Errorf("%s: bad since %q", where, m.Since)
		}
		m.since = uint32(v)
	}
	if m.since > in.version {
		return fmt.Errorf("%s: since %d above interface version %d", where, m.since, in.version)
	}
	argNames := map[string]bool{}
	for _, a := range m.Args {
		if !validName(a.Name) {
			return fmt.Errorf("%s: bad argument name %q", where, a.Name)
		}
		if argNames[a.Name] {
			return fmt.Errorf("%s: argument %s defined twice", where, a.Name)
		}
		argNames[a.Name] = true
		if !argTypes[a.Type] {
			return fmt.Errorf("%s: argument %s: unknown type %q", where, a.Name, a.Type)
		}
		if a.Interface != "" && a.Type != "object" && a.Type != "new_id" {
			return fmt.Errorf("%s: argument %s: interface on a %s argument", where, a.Name, a.Type)
		}
		if a.AllowNull != "" && a.AllowNull != "true" && a.AllowNull != "false" {
			return fmt.Errorf("%s: argument %s: bad allow-null %q", where, a.Name, a.AllowNull)
		}
		if a.AllowNull == "true" && a.Type != "object" && a.Type != "string" {
			return fmt.Errorf("%s: argument %s: allow-null on a %s argument", where, a.Name, a.Type)
		}
		if a.Enum != "" && a.Type != "int" && a.Type != "uint" {
			return fmt.Errorf("%s: argument %s: enum on a %s argument", where, a.Name, a.Type)
		}
	}
	return nil
}

func (e *xmlEnum) validate(in *xmlIface, names map[string]bool) error {
	where := in.Name + "." + e.Name
	if !validName(e.Name) {
		return fmt.Errorf("interface %s: bad enum name %q", in.Name, e.Name)
	}
	if names[e.Name] {
		return fmt.Errorf("enum %s: defined twice", where)
	}
	names[e.Name] = true
	if e.Bitfield != "" && e.Bitfield != "true" && e.Bitfield != "false" {
		return fmt.Errorf("enum %s: bad bitfield %q", where, e.Bitfield)
	}
	if len(e.Entries) == 0 {
		return fmt.Errorf("enum %s: no entries", where)
	}
	entries := map[string]bool{}
	for _, en := range e.Entries {
		if en.Name == "" || strings.ContainsFunc(en.Name, func(c rune) bool {
			return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')
		}) {
			return fmt.Errorf("enum %s: bad entry name %q", where, en.Name)
		}
		if entries[en.Name] {
			return fmt.Errorf("enum %s: entry %s defined twice", where, en.Name)
		}
		entries[en.Name] = true
		v, err := strconv.ParseUint(en.Value, 0, 32)
		if err != nil {
			return fmt.Errorf("enum %s: entry %s: bad value %q", where, en.Name, en.Value)
		}
		en.value = uint32(v)
	}
	return nil
}
