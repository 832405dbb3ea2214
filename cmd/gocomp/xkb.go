package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"gocomp/xkb/compile"
	"gocomp/xkb/includepath"
	"gocomp/xkb/keymap"
	"gocomp/xkb/rules"
)

// runXKB dispatches `gocomp xkb SUBCOMMAND`.
func runXKB(args []string) int {
	cmds := map[string]func([]string) int{
		"compile": runXKBCompile,
		"list":    runXKBList,
		"eval":    runXKBEval,
		"test":    runXKBTest,
		"diff":    runXKBDiff,
	}
	if len(args) == 0 || cmds[args[0]] == nil {
		fmt.Fprintln(os.Stderr, "usage: gocomp xkb compile|list|eval|test|diff [flags]")
		return 2
	}
	return cmds[args[0]](args[1:])
}

// keymapSource is the keymap a `gocomp xkb` subcommand works on: RMLVO
// names, whose empty fields take the XKB_DEFAULT_* defaults, or a keymap
// text file.
type keymapSource struct {
	names rules.Names
	file  string
}

// register adds --rules, --model, --layout, --variant, --options and
// --keymap to fs; fileUsage documents --keymap.
func (s *keymapSource) register(fs *flag.FlagSet, fileUsage string) {
	fs.StringVar(&s.names.Rules, "rules", "", "rules file (default $XKB_DEFAULT_RULES or evdev)")
	fs.StringVar(&s.names.Model, "model", "", "keyboard model (default $XKB_DEFAULT_MODEL or pc105)")
	fs.StringVar(&s.names.Layout, "layout", "", "layouts, comma-separated (default $XKB_DEFAULT_LAYOUT or us)")
	fs.StringVar(&s.names.Variant, "variant", "", "variants, comma-separated")
	fs.StringVar(&s.names.Options, "options", "", "options, comma-separated (default $XKB_DEFAULT_OPTIONS)")
	fs.StringVar(&s.file, "keymap", "", fileUsage)
}

// load compiles the keymap file when one is named (a file named "-" is read
// from stdin), else the names; the compiler's warnings go to stderr.
func (s *keymapSource) load(stdin io.Reader, stderr io.Writer) (*keymap.Keymap, error) {
	km, err := s.compile(stdin)
	if err != nil {
		return nil, err
	}
	for _, w := range km.Warnings {
		fmt.Fprintf(stderr, "gocomp: xkb: warning: %s\n", w)
	}
	return km, nil
}

// compile compiles the keymap file or the names.
func (s *keymapSource) compile(stdin io.Reader) (*keymap.Keymap, error) {
	dirs := includepath.Dirs(os.Getenv)
	if s.file == "" {
		return compile.FromNames(dirs, includepath.FillDefaults(s.names, os.Getenv), rules.EnvFrom(os.Getenv))
	}
	name := s.file
	var src []byte
	var err error
	if name == "-" {
		name = "<stdin>"
		src, err = io.ReadAll(stdin)
	} else {
		src, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, fmt.Errorf("read keymap: %w", err)
	}
	return compile.FromText(name, src, dirs)
}
