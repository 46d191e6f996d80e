package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxWordBytes bounds a word; longer runs of letters (hashes, base64,
// joined URLs) are not words.
const maxWordBytes = 64

// token is one word of a text, as byte offsets into it.
type token struct {
	start, end int32 // the word, without a possessive "'s"
	flags      uint8
}

const (
	tokSentenceStart uint8 = 1 << iota // the first word of a sentence, line or quotation
	tokAdjacent                        // only spaces separate it from the previous word
	tokPossessive                      // written with "'s" or a trailing "s'"
	tokAcronym                         // written with dots, like "U.S."
	tokIdeographic                     // one or two ideographs (Han, Hiragana, Katakana)
	tokHyphen                          // a hyphen alone joins it to the previous word ("Wal-Mart")
)

func (t token) has(f uint8) bool { return t.flags&f != 0 }

// tokenize splits s into words following the spirit of Unicode word
// segmentation (UAX #29): letters, digits and combining marks form words;
// apostrophes join letters ("don't"); dots join single letters ("U.S.") and
// digits ("1.5"); ideographic scripts, written without spaces, become
// overlapping bigrams. Sentence boundaries are kept as flags on the first word
// after them. Tokens are appended to buf.
func tokenize(s string, buf []token) []token {
	sentence := true // the next word starts a sentence
	clean := false   // only spaces since the previous word
	hyphen := false  // only a hyphen since the previous word
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isIdeograph(r):
			j := i
			var runes [2]int // start offsets of the previous two ideographs
			n := 0
			for j < len(s) {
				r2, size2 := utf8.DecodeRuneInString(s[j:])
				if !isIdeograph(r2) {
					break
				}
				if n > 0 {
					buf = append(buf, token{start: int32(runes[(n-1)%2]), end: int32(j + size2), flags: tokIdeographic})
				}
				runes[n%2] = j
				n++
				j += size2
			}
			if n == 1 {
				buf = append(buf, token{start: int32(i), end: int32(j), flags: tokIdeographic})
			}
			sentence, clean = false, false
			i = j
		case isWordRune(r):
			end, next, acronym := scanWord(s, i)
			t := token{start: int32(i), end: int32(end)}
			if sentence {
				t.flags |= tokSentenceStart
			}
			if clean {
				t.flags |= tokAdjacent
			}
			if hyphen {
				t.flags |= tokHyphen
			}
			if acronym {
				t.flags |= tokAcronym
			}
			t.end, next = stripPossessive(s, t, next, &t.flags)
			if t.end-t.start <= maxWordBytes {
				buf = append(buf, t)
			}
			sentence, clean, hyphen = false, true, false
			i = next
		default:
			switch {
			case r == '\n' || r == '\r' || r == '.' || r == '!' || r == '?' || r == ':' ||
				r == '…' || r == '“' || r == '„' || r == '«' || r == '"' || r == '¿' || r == '¡':
				sentence, clean = true, false
			case unicode.IsSpace(r):
				hyphen = false
			case (r == '-' || r == '‐') && len(buf) > 0 && int(buf[len(buf)-1].end) == i && clean && !hyphen:
				// A hyphen between two words keeps them adjacent, so that
				// a hyphenated name is one phrase.
				r2, _ := utf8.DecodeRuneInString(s[i+size:])
				hyphen = isWordRune(r2) && !isIdeograph(r2)
				clean = hyphen
			default:
				clean, hyphen = false, false
			}
			i += size
		}
	}
	return buf
}

// scanWord returns the end of the word starting at i, where scanning should
// resume, and whether the word is a dotted acronym.
func scanWord(s string, i int) (end, next int, acronym bool) {
	j := i
	segment := 0 // runes since the start of the word or its last dot
	prev := rune(0)
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if isWordRune(r) && !isIdeograph(r) {
			j += size
			segment++
			prev = r
			continue
		}
		if j+size >= len(s) {
			break
		}
		r2, size2 := utf8.DecodeRuneInString(s[j+size:])
		switch {
		case isApostrophe(r) && unicode.IsLetter(prev) && unicode.IsLetter(r2):
			j += size
			continue
		case (r == '.' || r == ',') && unicode.IsDigit(prev) && unicode.IsDigit(r2):
			j += size
			continue
		case r == '.' && segment == 1 && unicode.IsLetter(prev) && unicode.IsLetter(r2):
			// "U.S." joins only single letters each followed by a dot.
			if k := j + size + size2; k < len(s) && s[k] == '.' {
				j += size
				segment = 0
				acronym = true
				continue
			}
		}
		break
	}
	if acronym && j < len(s) && s[j] == '.' {
		return j + 1, j + 1, true
	}
	return j, j, acronym
}

// stripPossessive drops a possessive "'s" from the word t, or notes a
// trailing "s'", and returns the new end of the word and where to resume.
func stripPossessive(s string, t token, next int, flags *uint8) (int32, int) {
	w := s[t.start:t.end]
	if n := len(w); n > 2 && (w[n-1] == 's' || w[n-1] == 'S') {
		r, size := utf8.DecodeLastRuneInString(w[:n-1])
		if isApostrophe(r) {
			*flags |= tokPossessive
			return t.end - 1 - int32(size), next
		}
		if next < len(s) {
			if r, size := utf8.DecodeRuneInString(s[next:]); isApostrophe(r) {
				after, _ := utf8.DecodeRuneInString(s[next+size:])
				if next+size >= len(s) || !unicode.IsLetter(after) {
					*flags |= tokPossessive
					return t.end, next + size
				}
			}
		}
	}
	return t.end, next
}

func isWordRune(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

// isIdeograph reports whether r belongs to a script written without spaces
// between words, whose text is indexed as character bigrams.
func isIdeograph(r rune) bool {
	if r < 0x2E80 {
		return false
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
}

// StoryTokens returns the tokens of a story by which near-copies are told:
// its body's, or its headline's when it has no body.
func StoryTokens(title, body string) []string {
	if strings.TrimSpace(body) == "" {
		return Tokens(title)
	}
	return Tokens(body)
}

// Tokens returns every word of s in order, case folded, numbers and stop
// words included: the text as a near-copy detector reads it.
func Tokens(s string) []string {
	var f folder
	ts := tokenize(s, nil)
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = f.fold(s[t.start:t.end], t.has(tokAcronym))
	}
	return out
}
