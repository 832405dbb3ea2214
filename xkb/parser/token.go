package parser

// token is the kind of a lexical token of the XKB text format.
type token uint8

const (
	tEOF     token = iota
	tIllegal       // a byte sequence that is no token; the scanner has reported it
	tIdent         // Shift_L, Group1, SetMods
	tString        // "basic" (value decoded)
	tInt           // 10, 0x1008FF13
	tFloat         // 1.5
	tKeyName       // <AE01> (value without the angle brackets)

	tSemi     // ;
	tLBrace   // {
	tRBrace   // }
	tEquals   // =
	tLBracket // [
	tRBracket // ]
	tLParen   // (
	tRParen   // )
	tDot      // .
	tComma    // ,
	tPlus     // +
	tMinus    // -
	tTimes    // *
	tDivide   // /
	tExclam   // !
	tInvert   // ~

	keywordBeg
	// Keywords; matched case-insensitively, as libxkbcommon does.
	tAction
	tAlias
	tAlphanumericKeys
	tAlternateGroup
	tAlternate
	tAugment
	tDefault
	tFunctionKeys
	tGroup
	tHidden
	tInclude
	tIndicator
	tInterpret
	tKeypadKeys
	tKey
	tKeys
	tLogo
	tModifierKeys
	tModifierMap // modifier_map, mod_map, modmap
	tOutline
	tOverlay
	tOverride
	tPartial
	tReplace
	tRow
	tSection
	tShape
	tSolid
	tText
	tType
	tVirtualMods // virtual_modifiers
	tVirtual
	tXkbCompat // xkb_compatibility_map, xkb_compatibility, xkb_compat_map, xkb_compat
	tXkbGeometry
	tXkbKeycodes
	tXkbKeymap // xkb_keymap, xkb_semantics, xkb_layout
	tXkbSymbols
	tXkbTypes
	keywordEnd
)

var tokenNames = [...]string{
	tEOF:      "end of file",
	tIllegal:  "illegal token",
	tIdent:    "identifier",
	tString:   "string",
	tInt:      "integer",
	tFloat:    "float",
	tKeyName:  "key name",
	tSemi:     "';'",
	tLBrace:   "'{'",
	tRBrace:   "'}'",
	tEquals:   "'='",
	tLBracket: "'['",
	tRBracket: "']'",
	tLParen:   "'('",
	tRParen:   "')'",
	tDot:      "'.'",
	tComma:    "','",
	tPlus:     "'+'",
	tMinus:    "'-'",
	tTimes:    "'*'",
	tDivide:   "'/'",
	tExclam:   "'!'",
	tInvert:   "'~'",

	tAction:           "action",
	tAlias:            "alias",
	tAlphanumericKeys: "alphanumeric_keys",
	tAlternateGroup:   "alternate_group",
	tAlternate:        "alternate",
	tAugment:          "augment",
	tDefault:          "default",
	tFunctionKeys:     "function_keys",
	tGroup:            "group",
	tHidden:           "hidden",
	tInclude:          "include",
	tIndicator:        "indicator",
	tInterpret:        "interpret",
	tKeypadKeys:       "keypad_keys",
	tKey:              "key",
	tKeys:             "keys",
	tLogo:             "logo",
	tModifierKeys:     "modifier_keys",
	tModifierMap:      "modifier_map",
	tOutline:          "outline",
	tOverlay:          "overlay",
	tOverride:         "override",
	tPartial:          "partial",
	tReplace:          "replace",
	tRow:              "row",
	tSection:          "section",
	tShape:            "shape",
	tSolid:            "solid",
	tText:             "text",
	tType:             "type",
	tVirtualMods:      "virtual_modifiers",
	tVirtual:          "virtual",
	tXkbCompat:        "xkb_compatibility",
	tXkbGeometry:      "xkb_geometry",
	tXkbKeycodes:      "xkb_keycodes",
	tXkbKeymap:        "xkb_keymap",
	tXkbSymbols:       "xkb_symbols",
	tXkbTypes:         "xkb_types",
}

func (t token) String() string {
	if int(t) < len(tokenNames) && tokenNames[t] != "" {
		return tokenNames[t]
	}
	return "token"
}

func (t token) isKeyword() bool { return t > keywordBeg && t < keywordEnd }

// keywords maps the lower-case spelling of every keyword to its token.
var keywords = map[string]token{
	"action":                tAction,
	"alias":                 tAlias,
	"alphanumeric_keys":     tAlphanumericKeys,
	"alternate_group":       tAlternateGroup,
	"alternate":             tAlternate,
	"augment":               tAugment,
	"default":               tDefault,
	"function_keys":         tFunctionKeys,
	"group":                 tGroup,
	"hidden":                tHidden,
	"include":               tInclude,
	"indicator":             tIndicator,
	"interpret":             tInterpret,
	"keypad_keys":           tKeypadKeys,
	"key":                   tKey,
	"keys":                  tKeys,
	"logo":                  tLogo,
	"modifier_keys":         tModifierKeys,
	"modifier_map":          tModifierMap,
	"mod_map":               tModifierMap,
	"modmap":                tModifierMap,
	"outline":               tOutline,
	"overlay":               tOverlay,
	"override":              tOverride,
	"partial":               tPartial,
	"replace":               tReplace,
	"row":                   tRow,
	"section":               tSection,
	"shape":                 tShape,
	"solid":                 tSolid,
	"text":                  tText,
	"type":                  tType,
	"virtual_modifiers":     tVirtualMods,
	"virtual":               tVirtual,
	"xkb_compatibility_map": tXkbCompat,
	"xkb_compatibility":     tXkbCompat,
	"xkb_compat_map":        tXkbCompat,
	"xkb_compat":            tXkbCompat,
	"xkb_geometry":          tXkbGeometry,
	"xkb_keycodes":          tXkbKeycodes,
	"xkb_keymap":            tXkbKeymap,
	"xkb_semantics":         tXkbKeymap,
	"xkb_layout":            tXkbKeymap,
	"xkb_symbols":           tXkbSymbols,
	"xkb_types":             tXkbTypes,
}

// maxKeywordLen is the length of the longest keyword ("xkb_compatibility_map").
const maxKeywordLen = 21

// keywordStarts[n] has bit c-'a' set when a keyword of length n starts
// with the letter c: a cheap filter before the map lookup.
var keywordStarts = func() (m [maxKeywordLen + 1]uint32) {
	for kw := range keywords {
		m[len(kw)] |= 1 << (kw[0] - 'a')
	}
	return m
}()
