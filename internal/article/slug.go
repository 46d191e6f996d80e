package article

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MaxSlugLen is the longest slug Slugify produces, in runes.
const MaxSlugLen = 80

// Slugify makes a URL slug from a title: letters and digits of any script, lower-cased, accents
// removed from Latin letters, everything else folded into single hyphens. It returns "" when the
// title has no letter or digit at all; callers then fall back to another name (see UniqueSlug).
func Slugify(title string) string {
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, title)
	if err != nil {
		folded = title
	}
	folded = strings.ReplaceAll(folded, "ß", "ss")
	var b strings.Builder
	dash := false
	for _, r := range folded {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
			// "Putin's" reads better as "putins" than as "putin-s".
		default:
			dash = true
		}
	}
	slug := []rune(b.String())
	if len(slug) > MaxSlugLen {
		// Cut at the last word boundary that fits, unless that loses more than half.
		cut := MaxSlugLen
		if slug[cut] != '-' {
			if i := strings.LastIndexByte(string(slug[:cut]), '-'); i >= 0 && len([]rune(string(slug[:cut])[:i])) > MaxSlugLen/2 {
				cut = len([]rune(string(slug[:cut])[:i]))
			}
		}
		slug = slug[:cut]
	}
	return strings.Trim(string(slug), "-")
}

// ValidSlug reports whether s could have come from Slugify: non-empty, no leading, trailing or
// doubled hyphens, only lower-case letters, digits and hyphens.
func ValidSlug(s string) bool {
	if s == "" || len([]rune(s)) > MaxSlugLen || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if r != '-' && !unicode.IsDigit(r) && !(unicode.IsLetter(r) && !unicode.IsUpper(r)) {
			return false
		}
	}
	return true
}

// UniqueSlug returns base, or base-2, base-3 … the first for which taken reports false.
// An empty base becomes fallback.
func UniqueSlug(base, fallback string, taken func(string) (bool, error)) (string, error) {
	if base == "" {
		base = fallback
	}
	for i := 1; ; i++ {
		s := base
		if i > 1 {
			s = base + "-" + strconv.Itoa(i)
		}
		t, err := taken(s)
		if err != nil {
			return "", err
		}
		if !t {
			return s, nil
		}
	}
}
