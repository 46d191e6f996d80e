package text

import (
	"fmt"
	"unicode"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/hungarian"
	"github.com/kljensen/snowball/norwegian"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
	"github.com/kljensen/snowball/swedish"
)

// Language supplies the language-specific parts of analysis.
//
// Both methods receive a word that is already case-folded. Implementations
// must be safe for concurrent use and deterministic.
type Language interface {
	// Stem returns the stem of word, or word itself when it has none.
	Stem(word string) string
	// IsStopWord reports whether word carries too little meaning to be a term.
	IsStopWord(word string) bool
}

// English returns the English language: Snowball (Porter2) stemming and a stop
// list of function words plus the most frequent verbs of reporting.
func English() Language { return englishLanguage{} }

type englishLanguage struct{}

func (englishLanguage) Stem(word string) string {
	if !isLatin(word) {
		return word
	}
	return english.Stem(word, true)
}

func (englishLanguage) IsStopWord(word string) bool {
	_, ok := englishStopWords[word]
	return ok
}

// Snowball returns the Snowball stemmer and stop list for name, one of
// "english", "french", "hungarian", "norwegian", "russian", "spanish" and
// "swedish". Snowball("english") is English().
func Snowball(name string) (Language, error) {
	switch name {
	case "english":
		return English(), nil
	case "french":
		return snowballLanguage{french.Stem, french.IsStopWord}, nil
	case "hungarian":
		return snowballLanguage{hungarian.Stem, hungarian.IsStopWord}, nil
	case "norwegian":
		return snowballLanguage{norwegian.Stem, norwegian.IsStopWord}, nil
	case "russian":
		return snowballLanguage{russian.Stem, russian.IsStopWord}, nil
	case "spanish":
		return snowballLanguage{spanish.Stem, spanish.IsStopWord}, nil
	case "swedish":
		return snowballLanguage{swedish.Stem, swedish.IsStopWord}, nil
	}
	return nil, fmt.Errorf("text: no snowball stemmer for language %q", name)
}

type snowballLanguage struct {
	stem func(string, bool) string
	stop func(string) bool
}

func (l snowballLanguage) Stem(word string) string     { return l.stem(word, true) }
func (l snowballLanguage) IsStopWord(word string) bool { return l.stop(word) }

// isLatin reports whether every letter of word is in the Latin script, so
// that a Latin-script stemmer may touch it.
func isLatin(word string) bool {
	for _, r := range word {
		if r < 0x80 {
			continue
		}
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}
