package compile

import (
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"gocomp/xkb/includepath"
	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/registry"
	"gocomp/xkb/rules"
)

// xkbDirs is the include path libxkbcommon uses too.
var (
	xkbDirs = includepath.Dirs(os.Getenv)
	xkbEnv  = rules.EnvFrom(os.Getenv)
)

// registryEntries lists every layout and layout(variant) of the registry.
func registryEntries(t testing.TB) []rules.Names {
	reg, err := registry.Load(xkbDirs, "evdev")
	if err != nil {
		t.Fatal(err)
	}
	var out []rules.Names
	for _, l := range reg.Layouts {
		out = append(out, rules.Names{Rules: "evdev", Model: "pc105", Layout: l.Name, Variant: l.Variant})
	}
	return out
}

// compileNames compiles n with our whole pipeline (rules, includes,
// compiler) and serializes the result.
func compileNames(o *oracle.Oracle, n rules.Names) (string, error) {
	km, err := FromNames(xkbDirs, n, xkbEnv)
	if err != nil {
		return "", err
	}
	return km.Text(), nil
}

type result struct {
	names    rules.Names
	err      string
	bothFail bool // neither libxkbcommon nor we compile it (a match)
}

// compareAll compiles every entry with both compilers and compares them,
// on a bounded worker pool; it returns the mismatches. Entries neither
// compiler accepts agree, but a registry whose entries mostly fail would
// prove nothing: more than 2% of them fails t.
func compareAll(t *testing.T, o *oracle.Oracle, all []rules.Names) (matched int, bad []result) {
	t.Helper()
	failing := 0
	defer func() {
		t.Logf("%d of %d entries fail to compile with both libxkbcommon and us", failing, len(all))
		if failing > len(all)/50 {
			t.Errorf("%d of %d entries rejected by both compilers; want at most 2%%", failing, len(all))
		}
	}()
	jobs := make(chan rules.Names)
	res := make(chan result)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0)+1; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range jobs {
				res <- compareOne(o, n)
			}
		}()
	}
	go func() {
		for _, n := range all {
			jobs <- n
		}
		close(jobs)
		wg.Wait()
		close(res)
	}()
	for r := range res {
		if r.bothFail {
			failing++
		}
		if r.err == "" {
			matched++
		} else {
			bad = append(bad, r)
		}
	}
	return matched, bad
}

func compareOne(o *oracle.Oracle, n rules.Names) result {
	_, refErr := o.CompileNames(n)
	text, err := compileNames(o, n)
	switch {
	case refErr != nil && err != nil:
		return result{names: n, bothFail: true}
	case refErr != nil:
		return result{names: n, err: "libxkbcommon fails but we compile: " + refErr.Error()}
	case err != nil:
		return result{names: n, err: "we fail where libxkbcommon compiles: " + err.Error()}
	}
	d, err := o.CompareNamesWithText(n, text)
	if err != nil {
		return result{names: n, err: err.Error()}
	}
	if !d.Empty() {
		return result{names: n, err: d.String()}
	}
	return result{names: n}
}

func reportBad(t *testing.T, what string, total, matched int, bad []result) {
	t.Logf("%s: %d of %d match libxkbcommon", what, matched, total)
	for i, r := range bad {
		if i == 20 {
			t.Errorf("... and %d more", len(bad)-20)
			break
		}
		t.Errorf("%s %+v: %s", what, r.names, strings.TrimSpace(r.err))
	}
}

func TestRegistryMatchesLibxkbcommon(t *testing.T) {
	o := oracle.New(t)
	all := registryEntries(t)
	if len(all) < 500 {
		t.Fatalf("registry has %d entries; want the full xkeyboard-config list", len(all))
	}
	matched, bad := compareAll(t, o, all)
	reportBad(t, "registry", len(all), matched, bad)
}

// optionFamilies returns every option of the registry's families the
// issue names.
func optionFamilies(t testing.TB) map[string][]string {
	reg, err := registry.Load(xkbDirs, "evdev")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"grp": true, "lv3": true, "lv5": true, "ctrl": true, "caps": true, "compose": true,
		"altwin": true, "shift": true, "eurosign": true, "keypad": true, "nbsp": true}
	out := map[string][]string{}
	for _, g := range reg.OptionGroups {
		for _, o := range g.Options {
			opt := o.Name
			fam, _, _ := strings.Cut(opt, ":")
			if want[fam] {
				out[fam] = append(out[fam], opt)
			}
		}
	}
	for fam := range want {
		if len(out[fam]) == 0 {
			t.Errorf("no %s:* options in the registry", fam)
		}
	}
	return out
}

func TestOptionsMatchLibxkbcommon(t *testing.T) {
	o := oracle.New(t)
	fams := optionFamilies(t)
	var all []rules.Names
	layouts := []string{"us,ru", "de,fr", "us,ru,de", "gb,il", "fr,us,ara"}
	i := 0
	famNames := make([]string, 0, len(fams))
	for fam := range fams {
		famNames = append(famNames, fam)
	}
	sort.Strings(famNames)
	for _, fam := range famNames {
		opts := fams[fam]
		if len(opts) == 0 {
			t.Errorf("option family %s is empty", fam)
		}
		for _, opt := range opts {
			l := layouts[i%len(layouts)]
			i++
			all = append(all, rules.Names{Rules: "evdev", Model: "pc105", Layout: l, Options: opt})
		}
	}
	// Combinations of several families at once.
	all = append(all,
		rules.Names{Rules: "evdev", Model: "pc105", Layout: "us,ru", Options: "grp:alt_shift_toggle,ctrl:nocaps,compose:ralt"},
		rules.Names{Rules: "evdev", Model: "pc105", Layout: "de,us", Variant: "neo,", Options: "lv3:ralt_switch_multikey,shift:breaks_caps"},
		rules.Names{Rules: "evdev", Model: "pc105", Layout: "us,ru,de", Options: "grp:shifts_toggle,caps:shiftlock,lv5:ralt_switch_lock"},
		rules.Names{Rules: "evdev", Model: "pc105", Layout: "us,ua,by,kz", Options: "grp:lalt_lshift_toggle,eurosign:e,nbsp:level3,keypad:pointerkeys,altwin:swap_alt_win"},
		rules.Names{Rules: "evdev", Model: "pc105", Layout: "us,ru,de,fr", Variant: "intl,phonetic,nodeadkeys,azerty"},
	)
	matched, bad := compareAll(t, o, all)
	reportBad(t, fmt.Sprintf("options (%d families)", len(fams)), len(all), matched, bad)
}

// TestRandomCombinationsMatchLibxkbcommon compiles seeded random RMLVO
// sets: one to three registry layouts (with their variants), zero to
// three options from every group of the registry, PC models.
func TestRandomCombinationsMatchLibxkbcommon(t *testing.T) {
	o := oracle.New(t)
	reg, err := registry.Load(xkbDirs, "evdev")
	if err != nil {
		t.Fatal(err)
	}
	var opts []string
	for _, g := range reg.OptionGroups {
		for _, op := range g.Options {
			opts = append(opts, op.Name)
		}
	}
	models := []string{"pc105", "pc104", "pc86", "pc101", "pc102"}
	r := rand.New(rand.NewSource(1))
	var all []rules.Names
	for i := 0; i < 300; i++ {
		var ls, vs, os []string
		for j := 0; j < 1+r.Intn(3); j++ {
			l := reg.Layouts[r.Intn(len(reg.Layouts))]
			ls, vs = append(ls, l.Name), append(vs, l.Variant)
		}
		for j := 0; j < r.Intn(4); j++ {
			os = append(os, opts[r.Intn(len(opts))])
		}
		all = append(all, rules.Names{Rules: "evdev", Model: models[r.Intn(len(models))],
			Layout: strings.Join(ls, ","), Variant: strings.Join(vs, ","), Options: strings.Join(os, ",")})
	}
	matched, bad := compareAll(t, o, all)
	reportBad(t, "random", len(all), matched, bad)
}
