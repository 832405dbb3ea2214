package state_test

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"gocomp/xkb/compile"
	"gocomp/xkb/includepath"
	"gocomp/xkb/internal/oracle"
	"gocomp/xkb/registry"
	"gocomp/xkb/rules"
	"gocomp/xkb/state"
)

// conformanceAll makes TestConformanceRegistry check every layout and
// option of the installed registry instead of a sample (make conformance).
var conformanceAll = flag.Bool("conformance.all", false, "check every registry layout and option, not a sample")

// conformanceEvents is the length of each random key stream of
// TestConformanceRegistry.
const conformanceEvents = 400

// registryVerdict is how one RMLVO fared.
type registryVerdict int

const (
	agree      registryVerdict = iota // both compile, the streams agree
	disagree                          // one compiles and not the other, or the streams differ
	bothReject                        // neither compiles it
)

// TestConformanceRegistry is the registry-wide check `make conformance`
// runs (with -conformance.all) on the user's own xkeyboard-config and
// libxkbcommon: every layout(variant) of the registry, and every option
// (on the us layout), is compiled by gocomp and by libxkbcommon and a
// random key stream goes through both engines; a table sums up. Without
// the flag a sample of every 15th entry runs (make test).
func TestConformanceRegistry(t *testing.T) {
	o := oracle.New(t)
	dirs := includepath.Dirs(os.Getenv)
	reg, err := registry.Load(dirs, "evdev")
	if err != nil {
		t.Fatal(err)
	}
	var layouts, options []rules.Names
	for _, l := range reg.Layouts {
		layouts = append(layouts, defaults(rules.Names{Layout: l.Name, Variant: l.Variant}))
	}
	for _, g := range reg.OptionGroups {
		for _, opt := range g.Options {
			options = append(options, defaults(rules.Names{Layout: "us", Options: opt.Name}))
		}
	}
	if len(layouts) < 500 || len(options) < 100 {
		t.Fatalf("the registry has %d layouts and %d options; want xkeyboard-config's full lists", len(layouts), len(options))
	}
	if !*conformanceAll {
		layouts, options = every(layouts, 15), every(options, 15)
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%-8s %8s %8s %9s %12s\n", "", "checked", "agree", "disagree", "both reject")
	for _, part := range []struct {
		name  string
		names []rules.Names
	}{{"layouts", layouts}, {"options", options}} {
		counts, rejected := checkRegistry(t, o, dirs, part.names)
		fmt.Fprintf(&table, "%-8s %8d %8d %9d %12d\n", part.name, len(part.names), counts[agree], counts[disagree], counts[bothReject])
		if len(rejected) > 0 {
			t.Logf("%s neither compiler accepts: %s", part.name, strings.Join(rejected, ", "))
		}
		// Registry entries the installed libxkbcommon itself rejects are
		// few; many would mean a broken install rather than agreement.
		if counts[bothReject] > len(part.names)/50 {
			t.Errorf("%d of %d %s rejected by both compilers; want at most 2%%", counts[bothReject], len(part.names), part.name)
		}
	}
	t.Logf("gocomp against libxkbcommon, %d random key events each:\n%s", conformanceEvents, table.String())
}

// every keeps every nth element of s.
func every(s []rules.Names, n int) []rules.Names {
	var out []rules.Names
	for i := 0; i < len(s); i += n {
		out = append(out, s[i])
	}
	return out
}

// checkRegistry compiles and runs every entry on a bounded worker pool and
// counts the verdicts; disagreements are test errors, the entries both
// compilers reject are returned.
func checkRegistry(t *testing.T, o *oracle.Oracle, dirs []string, all []rules.Names) (counts [3]int, rejected []string) {
	type result struct {
		n       rules.Names
		verdict registryVerdict
		why     string
	}
	jobs, results := make(chan int), make(chan result)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) + 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				v, why := checkEntry(o, dirs, all[i], int64(7000+i))
				results <- result{all[i], v, why}
			}
		}()
	}
	go func() {
		for i := range all {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	for r := range results {
		counts[r.verdict]++
		name := fmt.Sprintf("%s(%s)+%s", r.n.Layout, r.n.Variant, r.n.Options)
		switch r.verdict {
		case disagree:
			t.Errorf("%s: %s", name, r.why)
		case bothReject:
			rejected = append(rejected, name)
		}
	}
	return counts, rejected
}

// checkEntry compiles n with both compilers and compares a random stream
// of seed's events.
func checkEntry(o *oracle.Oracle, dirs []string, n rules.Names, seed int64) (registryVerdict, string) {
	km, err := compile.FromNames(dirs, n, rules.EnvFrom(os.Getenv))
	_, refErr := o.CompileNames(n)
	switch {
	case err != nil && refErr != nil:
		return bothReject, ""
	case err != nil:
		return disagree, "gocomp rejects what libxkbcommon compiles: " + err.Error()
	case refErr != nil:
		return disagree, "gocomp compiles what libxkbcommon rejects: " + refErr.Error()
	}
	evs := genEvents(seed, km, conformanceEvents)
	want, err := o.Eval(oracle.Source{Names: n}, eventText(evs))
	if err != nil {
		return disagree, "libxkbcommon eval: " + err.Error()
	}
	if bad, msg := compareLines(evs, run(km, state.Options{}, evs), want); bad > 0 {
		return disagree, fmt.Sprintf("%d of %d events differ:\n%s", bad, len(evs), msg)
	}
	return agree, ""
}
