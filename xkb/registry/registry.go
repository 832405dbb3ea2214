// Package registry reads the xkeyboard-config registry (rules/evdev.xml):
// the models, layouts with their variants, and option groups that a rules
// file knows, in registry order.
package registry

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Registry is the content of one or more registry files.
type Registry struct {
	Models       []Model
	Layouts      []Layout // base layouts and variants, each variant after its layout
	OptionGroups []OptionGroup
}

// Model is a keyboard model ("pc105").
type Model struct {
	Name, Vendor, Description string
}

// Layout is a base layout (Variant empty) or one of its variants.
type Layout struct {
	Name        string // layout name, e.g. "us"
	Variant     string // variant name, e.g. "intl"; "" for the base layout
	Brief       string // short description, e.g. "en"
	Description string // e.g. "English (US, intl., with dead keys)"
}

// OptionGroup is a family of options such as "grp" or "ctrl".
type OptionGroup struct {
	Name          string
	Description   string
	AllowMultiple bool // several options of the group may be used together
	Options       []Option
}

// Option is one XKB option, such as "grp:alt_shift_toggle".
type Option struct {
	Name, Description string
}

// configItem is the XML element describing any registry entry.
type configItem struct {
	Name             string `xml:"name"`
	ShortDescription string `xml:"shortDescription"`
	Description      string `xml:"description"`
	Vendor           string `xml:"vendor"`
}

// document mirrors the parts of xkbConfigRegistry that Registry holds.
type document struct {
	Models []struct {
		Item configItem `xml:"configItem"`
	} `xml:"modelList>model"`
	Layouts []struct {
		Item     configItem `xml:"configItem"`
		Variants []struct {
			Item configItem `xml:"configItem"`
		} `xml:"variantList>variant"`
	} `xml:"layoutList>layout"`
	Groups []struct {
		AllowMultiple string     `xml:"allowMultipleSelection,attr"`
		Item          configItem `xml:"configItem"`
		Options       []struct {
			Item configItem `xml:"configItem"`
		} `xml:"option"`
	} `xml:"optionList>group"`
}

// Parse reads one registry file.
func Parse(r io.Reader) (*Registry, error) {
	var doc document
	d := xml.NewDecoder(r)
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	reg := &Registry{}
	for _, m := range doc.Models {
		reg.Models = append(reg.Models, Model{Name: m.Item.Name, Vendor: m.Item.Vendor, Description: m.Item.Description})
	}
	for _, l := range doc.Layouts {
		if l.Item.Name == "" {
			return nil, errors.New("registry: a layout without a name")
		}
		reg.Layouts = append(reg.Layouts, Layout{Name: l.Item.Name, Brief: l.Item.ShortDescription, Description: l.Item.Description})
		for _, v := range l.Variants {
			if v.Item.Name == "" {
				return nil, fmt.Errorf("registry: a variant of %s without a name", l.Item.Name)
			}
			brief := v.Item.ShortDescription
			if brief == "" {
				brief = l.Item.ShortDescription
			}
			reg.Layouts = append(reg.Layouts, Layout{Name: l.Item.Name, Variant: v.Item.Name, Brief: brief, Description: v.Item.Description})
		}
	}
	for _, g := range doc.Groups {
		og := OptionGroup{Name: g.Item.Name, Description: g.Item.Description, AllowMultiple: g.AllowMultiple == "true"}
		for _, o := range g.Options {
			og.Options = append(og.Options, Option{Name: o.Item.Name, Description: o.Item.Description})
		}
		reg.OptionGroups = append(reg.OptionGroups, og)
	}
	return reg, nil
}

// Load reads rules/<ruleset>.xml under each of dirs (XKB roots, see
// includepath.Dirs) that has one and merges them: entries of earlier
// directories come first and a later entry with the same name (layout and
// variant, model, option) is dropped. It fails when no directory has the
// file.
func Load(dirs []string, ruleset string) (*Registry, error) {
	merged := &Registry{}
	seenLayout := map[[2]string]bool{}
	seenModel := map[string]bool{}
	groupIndex := map[string]int{}
	seenOption := map[string]bool{}
	found := false
	for _, d := range dirs {
		path := filepath.Join(d, "rules", ruleset+".xml")
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("registry: %w", err)
		}
		reg, err := Parse(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%w (in %s)", err, path)
		}
		found = true
		for _, m := range reg.Models {
			if !seenModel[m.Name] {
				seenModel[m.Name] = true
				merged.Models = append(merged.Models, m)
			}
		}
		for _, l := range reg.Layouts {
			if k := [2]string{l.Name, l.Variant}; !seenLayout[k] {
				seenLayout[k] = true
				merged.Layouts = append(merged.Layouts, l)
			}
		}
		for _, g := range reg.OptionGroups {
			i, ok := groupIndex[g.Name]
			if !ok {
				i = len(merged.OptionGroups)
				groupIndex[g.Name] = i
				merged.OptionGroups = append(merged.OptionGroups, OptionGroup{Name: g.Name, Description: g.Description, AllowMultiple: g.AllowMultiple})
			}
			for _, o := range g.Options {
				if !seenOption[o.Name] {
					seenOption[o.Name] = true
					merged.OptionGroups[i].Options = append(merged.OptionGroups[i].Options, o)
				}
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("registry: no rules/%s.xml in %v", ruleset, dirs)
	}
	return merged, nil
}
