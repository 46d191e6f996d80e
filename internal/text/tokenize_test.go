package text

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tok describes a token for comparison: its text and flags.
type tok struct {
	Text  string
	Flags string
}

func describe(s string, ts []token) []tok {
	out := make([]tok, len(ts))
	for i, t := range ts {
		var f []byte
		for _, fl := range []struct {
			bit uint8
			c   byte
		}{{tokSentenceStart, 'S'}, {tokAdjacent, 'A'}, {tokPossessive, 'P'}, {tokAcronym, '.'}, {tokIdeographic, 'I'}, {tokHyphen, '-'}} {
			if t.has(fl.bit) {
				f = append(f, fl.c)
			}
		}
		out[i] = tok{s[t.start:t.end], string(f)}
	}
	return out
}

func TestTokenize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []tok
	}{
		{"empty", "", []tok{}},
		{"sentences", "One two. Three!", []tok{{"One", "S"}, {"two", "A"}, {"Three", "S"}}},
		{"punctuation breaks adjacency", "Moscow, Kyiv", []tok{{"Moscow", "S"}, {"Kyiv", ""}}},
		{"possessive", "Putin’s plan and the leaders' talks", []tok{{"Putin", "SP"}, {"plan", "A"}, {"and", "A"}, {"the", "A"}, {"leaders", "AP"}, {"talks", "A"}}},
		{"contraction", "don't", []tok{{"don't", "S"}}},
		{"acronym", "the U.S. said", []tok{{"the", "S"}, {"U.S.", "A."}, {"said", "A"}}},
		{"numbers", "1.5bn and 2,000", []tok{{"1.5bn", "S"}, {"and", "A"}, {"2,000", "A"}}},
		{"hyphen", "long-standing", []tok{{"long", "S"}, {"standing", "A-"}}},
		{"spaced dash", "Moscow - Kyiv", []tok{{"Moscow", "S"}, {"Kyiv", ""}}},
		{"two hyphens", "well--known", []tok{{"well", "S"}, {"known", ""}}},
		{"quote starts sentence", `said “Many provisions`, []tok{{"said", "S"}, {"Many", "S"}, {"provisions", "A"}}},
		{"line break", "Title\nBody", []tok{{"Title", "S"}, {"Body", "S"}}},
		{"Chinese bigrams", "习近平访问", []tok{{"习近", "I"}, {"近平", "I"}, {"平访", "I"}, {"访问", "I"}}},
		{"one ideograph", "中 x", []tok{{"中", "I"}, {"x", ""}}},
		{"Cyrillic", "Владимир Путин", []tok{{"Владимир", "S"}, {"Путин", "A"}}},
		{"Arabic", "فلاديمير بوتين", []tok{{"فلاديمير", "S"}, {"بوتين", "A"}}},
		{"combining mark", "cafe\u0301 noir", []tok{{"cafe\u0301", "S"}, {"noir", "A"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := describe(tt.in, tokenize(tt.in, nil))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("tokenize(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}
