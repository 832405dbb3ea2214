// Package includepath finds the directories XKB data is read from and the
// default RMLVO names, the way libxkbcommon 1.5 does from the environment.
//
// The functions take getenv (usually os.Getenv) so that callers and tests
// control the environment explicitly.
package includepath

import (
	"os"
	"path/filepath"

	"gocomp/xkb/rules"
)

// Built-in defaults, used when the environment does not say otherwise.
const (
	DefaultConfigRoot = "/usr/share/X11/xkb" // XKB_CONFIG_ROOT
	DefaultExtraPath  = "/etc/xkb"           // XKB_CONFIG_EXTRA_PATH
	DefaultRules      = "evdev"
	DefaultModel      = "pc105"
	DefaultLayout     = "us"
)

// Candidates returns the include directories in libxkbcommon's search
// order, whether or not they exist: $XDG_CONFIG_HOME/xkb (or
// $HOME/.config/xkb when XDG_CONFIG_HOME is unset), $HOME/.xkb,
// $XKB_CONFIG_EXTRA_PATH (default /etc/xkb) and $XKB_CONFIG_ROOT (default
// /usr/share/X11/xkb). Directories under an unset HOME are left out.
func Candidates(getenv func(string) string) []string {
	var dirs []string
	home := getenv("HOME")
	if xdg := getenv("XDG_CONFIG_HOME"); xdg != "" {
		dirs = append(dirs, filepath.Join(xdg, "xkb"))
	} else if home != "" {
		dirs = append(dirs, filepath.Join(home, ".config", "xkb"))
	}
	if home != "" {
		dirs = append(dirs, filepath.Join(home, ".xkb"))
	}
	dirs = append(dirs, orDefault(getenv("XKB_CONFIG_EXTRA_PATH"), DefaultExtraPath))
	dirs = append(dirs, orDefault(getenv("XKB_CONFIG_ROOT"), DefaultConfigRoot))
	return dirs
}

// Dirs returns the Candidates that exist and are directories, in order.
// These are the roots under which rules/, keycodes/, types/, compat/ and
// symbols/ are looked up; the first root holding a file wins.
func Dirs(getenv func(string) string) []string {
	var dirs []string
	for _, d := range Candidates(getenv) {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// DefaultNames returns the RMLVO names libxkbcommon falls back on:
// XKB_DEFAULT_RULES, XKB_DEFAULT_MODEL and XKB_DEFAULT_LAYOUT, else evdev,
// pc105 and us; XKB_DEFAULT_VARIANT, but only when XKB_DEFAULT_LAYOUT is
// set (a default variant belongs to the default layout); and
// XKB_DEFAULT_OPTIONS. A variable set to the empty string counts as unset
// here, where libxkbcommon would use the empty value (and then fail for
// rules).
func DefaultNames(getenv func(string) string) (rules, model, layout, variant, options string) {
	layout = getenv("XKB_DEFAULT_LAYOUT")
	if layout != "" {
		variant = getenv("XKB_DEFAULT_VARIANT")
	}
	return orDefault(getenv("XKB_DEFAULT_RULES"), DefaultRules),
		orDefault(getenv("XKB_DEFAULT_MODEL"), DefaultModel),
		orDefault(layout, DefaultLayout),
		variant,
		getenv("XKB_DEFAULT_OPTIONS")
}

// FillDefaults returns n with its empty fields taken from DefaultNames, as
// libxkbcommon completes the names given to xkb_keymap_new_from_names: an
// empty Rules, Model or Options takes the default; an empty Layout takes
// the default layout and the default variant, dropping n.Variant (a variant
// without its layout means nothing).
func FillDefaults(n rules.Names, getenv func(string) string) rules.Names {
	r, m, l, v, o := DefaultNames(getenv)
	if n.Rules == "" {
		n.Rules = r
	}
	if n.Model == "" {
		n.Model = m
	}
	if n.Layout == "" {
		n.Layout, n.Variant = l, v
	}
	if n.Options == "" {
		n.Options = o
	}
	return n
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
