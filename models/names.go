package models

import (
	"strings"
	"unicode"
)

// CleanName reports whether s can be shown as a name: clean text (see
// CleanText) on one line, without the invisible format characters that
// reorder or hide text — bidirectional embeddings, overrides, isolates and
// marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), zero-width
// spaces, the byte-order mark, soft hyphens, tag characters and every other
// Unicode format control (category Cf). They would let one name pass for
// another, or break a mail's lines. The zero-width joiner and non-joiner
// (U+200C, U+200D) stay: Persian, Urdu and Indic names need them.
func CleanName(s string) bool {
	if !CleanText(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			return false
		case r == '\u200c' || r == '\u200d':
		case unicode.Is(unicode.Cf, r):
			return false
		}
	}
	return true
}

// NormaliseEmail is an address as addresses are matched: trimmed, with the
// ASCII letters lower-cased and nothing else changed. Unicode case folding
// would make look-alikes equal (U+212A KELVIN SIGN folds to "k"), so that
// someone could hold another person's address for an event; mail servers
// compare the domain in ASCII and the local part as written.
func NormaliseEmail(s string) string {
	s = strings.TrimSpace(s)
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// NameMessage explains a refused name, beside its field.
const NameMessage = "Use one line of ordinary text: no line breaks, and no invisible characters that change the direction or look of text"

// checkName names in v what is wrong with the name in field: at most 200
// characters of one clean line. An empty name is refused with missing,
// or allowed when missing is "".
func checkName(v *ValidationError, field, name, missing string) {
	switch {
	case name == "":
		if missing != "" {
			v.Add(field, missing)
		}
	case len([]rune(name)) > 200:
		v.Add(field, "Name must be 200 characters or fewer")
	case !CleanName(name):
		v.Add(field, NameMessage)
	}
}

// checkEmail names in v what is wrong with the address in field; an
// empty one is refused with missing.
func checkEmail(v *ValidationError, field, email, missing string) {
	switch {
	case email == "":
		v.Add(field, missing)
	case len(email) > 254 || !ValidEmail(email):
		v.Add(field, "Enter an email address in the correct format, like name@example.org")
	}
}

// Plural is one or many, as n says.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
