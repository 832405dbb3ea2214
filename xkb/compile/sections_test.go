package compile

import "testing"

func TestFileIndex(t *testing.T) {
	src := `// a comment with { braces
default partial alphanumeric_keys xkb_symbols "basic" {
    name[Group1] = "with } brace";   # and } here
    key <A> { [ a ] };
};
xkb_symbols "second" { key <B> { [ b ] }; }
hidden xkb_symbols "third" {
    // } in a comment
};
`
	for _, tc := range []struct {
		section string
		found   bool
		name    string
	}{
		{"", true, "basic"},
		{"second", true, "second"},
		{"third", true, "third"},
		{"fourth", false, ""},
	} {
		x := &fileIndex{src: []byte(src)}
		sp, found, ok := x.find("symbols", tc.section)
		if !ok || found != tc.found || sp.name != tc.name {
			t.Errorf("find(%q) = %+v, %v, %v; want name %q found %v", tc.section, sp, found, ok, tc.name, tc.found)
		}
	}
	x := &fileIndex{src: []byte(src)}
	if _, found, _ := x.find("types", ""); found {
		t.Error("find in the types directory found a symbols section")
	}
	for _, bad := range []string{
		`xkb_symbols "a" { key <A> { [ a ] };`,
		`xkb_symbols "a" "b" { };`,
		`} xkb_symbols "a" { };`,
		`"a" { };`,
	} {
		x := &fileIndex{src: []byte(bad)}
		if _, _, ok := x.find("symbols", "zzz"); ok {
			t.Errorf("find in %q: index not marked bad", bad)
		}
	}
}
