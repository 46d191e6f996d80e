package text

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// entities returns the surfaces of the entity terms, sorted.
func entities(ts []Term) []string {
	out := []string{}
	for _, t := range ts {
		if t.Entity {
			out = append(out, t.Surface)
		}
	}
	slices.Sort(out)
	return out
}

func keys(ts []Term) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.Key)
	}
	return out
}

func TestEntities(t *testing.T) {
	t.Parallel()
	a := NewAnalyzer(English())
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"names inside a sentence", "Talks between Xi Jinping and Vladimir Putin ended.", []string{"Vladimir Putin", "Xi Jinping"}},
		{"title word dropped", "He met Russian President Vladimir Putin today.", []string{"Russian", "Vladimir Putin"}},
		{"connector", "A warrant from the International Criminal Court of Justice arrived.", []string{"International Criminal Court of Justice"}},
		{"possessive ends a name", "It was China’s Foreign Ministry that spoke.", []string{"China", "Foreign Ministry"}},
		{"sentence start needs evidence", "Discussion ended. Observers left.", []string{}},
		{"sentence start with evidence", "Putin spoke. Later, Putin left.", []string{"Putin"}},
		{"headline in title case", "Leaders Meet In Moscow\nThe leaders met in Moscow on Monday.", []string{"Moscow"}},
		{"headline in capitals", "NATO LEADERS MEET\nThe leaders of NATO met.", []string{"NATO"}},
		{"headline in capitals with numbers", "FIRST WORLD CHEESE <FWCH> 4TH QTR LOSS\nNet loss 392,428 vs profit 1,255.", []string{}},
		{"acronym like a stop word", "Talks with the US ended.", []string{"US"}},
		{"dotted acronym", "He flew to the U.S. on Monday.", []string{"U.S."}},
		{"stop words never names", "Then the talks ended. The end.", []string{}},
		{"long runs are not names", "They sang Quick Brown Fox Jumps High Lazy Dogs Bark loudly.", []string{}},
		{"hyphenated name", "A suit against Wal-Mart and Rolls-Royce was filed.", []string{"Rolls-Royce", "Wal-Mart"}},
		{"hyphenated words are no name", "A long-standing Anglo-French plan.", []string{"Anglo-French"}},
		{"a title names the full name", "Talks began when Vladimir Putin arrived. Later President Putin spoke.", []string{"Vladimir Putin", "Vladimir Putin"}},
		{"a name alone stays alone", "Talks began when Vladimir Putin arrived. Later Putin spoke.", []string{"Putin", "Vladimir Putin"}},
		{"two names, one surname", "Then Gordon Brown met Nick Brown. Later Chancellor Brown spoke.", []string{"Brown", "Gordon Brown", "Nick Brown"}},
		{"days are not names", "They met on Monday in Paris.", []string{"Paris"}},
		{"months are not names", "Sales rose in February, and in March the Bank of Japan met.", []string{"Bank of Japan"}},
		{"a list of names is not a headline", "Talks between Xi Jinping, Vladimir Putin and Joe Biden ended.", []string{"Joe Biden", "Vladimir Putin", "Xi Jinping"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := entities(a.Analyze(Prose(tt.in, 1)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("entities of %q (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestAnalyzeFields(t *testing.T) {
	t.Parallel()
	a := NewAnalyzer(nil)
	got := a.Analyze(
		Prose("Ferry plans", 3),
		Prose("The ferry sails. Ferries are late.", 1),
		Keywords(2, "Ostrava Island", "climate change", ""),
		Field{}, // an empty field counts for nothing
	)
	want := []Term{
		{Key: "chang", Surface: "change", Weight: 2},
		{Key: "climat", Surface: "climate", Weight: 2},
		{Key: "climate change", Surface: "climate change", Weight: 2},
		{Key: "ferri", Surface: "ferry", Weight: 3 + 1 + 1},
		{Key: "island", Surface: "Island", Weight: 2},
		{Key: "late", Surface: "late", Weight: 1},
		{Key: "ostrava", Surface: "Ostrava", Weight: 2},
		{Key: "ostrava island", Surface: "Ostrava Island", Entity: true, Weight: 2},
		{Key: "plan", Surface: "plans", Weight: 3},
		{Key: "sail", Surface: "sails", Weight: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Analyze (-want +got):\n%s", diff)
	}
}

func TestWords(t *testing.T) {
	t.Parallel()
	got := NewAnalyzer(nil).Words("The ferries’ sailing to the U.S. was delayed, 2024.")
	want := []string{"ferri", "sail", "us", "delay"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Words (-want +got):\n%s", diff)
	}
}

func TestSnowball(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, word, want string
		stop             string
	}{
		{"english", "running", "run", "the"},
		{"french", "continuation", "continu", "le"},
		{"spanish", "corriendo", "corr", "el"},
		{"russian", "путешествия", "путешеств", "и"},
		{"swedish", "springande", "spring", "och"},
		{"norwegian", "hyggelig", "hygg", "og"},
		{"hungarian", "házakat", "ház", "és"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			l, err := Snowball(tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			if got := l.Stem(tt.word); got != tt.want {
				t.Errorf("Stem(%q) = %q, want %q", tt.word, got, tt.want)
			}
			if !l.IsStopWord(tt.stop) {
				t.Errorf("IsStopWord(%q) = false, want true", tt.stop)
			}
		})
	}
	if _, err := Snowball("klingon"); err == nil {
		t.Error(`Snowball("klingon") error = nil, want an error`)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("The Harbour Council met again in Port Vell. Ferries ran late; 好的 Привет! ", 5<<20/80)
	tests := []struct {
		name     string
		in       string
		wantKeys []string // nil: only check invariants
	}{
		{"empty", "", []string{}},
		{"spaces and punctuation", " \n\t… — !!", []string{}},
		{"one word", "Ferry", []string{"ferri"}},
		{"stop words only", "the and of", []string{}},
		{"Chinese", "习近平访问莫斯科", []string{"习近", "近平", "平访", "访问", "问莫", "莫斯", "斯科"}},
		{"Cyrillic", "Владимир Путин посетил Москву", []string{"владимир", "москву", "посетил", "путин"}},
		{"Arabic", "زار بوتين موسكو", []string{"بوتين", "زار", "موسكو"}},
		{"mixed", "Putin met 习近平 in Москва", nil},
		{"invalid UTF-8", "Putin \xff\xfe met", nil},
		{"5 MB body", big, nil},
	}
	a := NewAnalyzer(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkTerms(t, a.Analyze(Prose(tt.in, 1), Keywords(1, tt.in)))
			got := a.Analyze(Prose(tt.in, 1))
			checkTerms(t, got)
			if tt.wantKeys != nil {
				want := slices.Clone(tt.wantKeys)
				slices.Sort(want)
				if diff := cmp.Diff(want, keys(got)); diff != "" {
					t.Errorf("keys (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// checkTerms checks the invariants of an analysis.
func checkTerms(t *testing.T, ts []Term) {
	t.Helper()
	for i, term := range ts {
		if term.Key == "" || !utf8.ValidString(term.Key) || term.Surface == "" || !(term.Weight > 0) {
			t.Fatalf("term %d = %+v: want a valid key, a surface and a positive weight", i, term)
		}
		if i > 0 && ts[i-1].Key >= term.Key {
			t.Fatalf("terms %q and %q not sorted and distinct", ts[i-1].Key, term.Key)
		}
	}
}

func TestSeedStory(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "..", "shared", "reference", "seed-story.txt")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("reference story not available: %v", err)
	}
	terms := NewAnalyzer(nil).Analyze(Prose(string(b), 1))
	got := entities(terms)
	for _, want := range []string{"Xi Jinping", "Vladimir Putin", "International Criminal Court", "Moscow", "Ukraine", "NATO"} {
		if !slices.Contains(got, want) {
			t.Errorf("entity %q not found in %s; found %q", want, path, got)
		}
	}
	// "President Putin" is the word putin, shown as the name in full.
	if i := slices.IndexFunc(terms, func(t Term) bool { return t.Key == "putin" }); i < 0 || !terms[i].Entity || terms[i].Surface != "Vladimir Putin" {
		t.Errorf("term putin not an entity written Vladimir Putin in %s", path)
	}
	for _, bad := range []string{"President Vladimir Putin", "Putin’s", "Putin's", "The"} {
		if slices.Contains(got, bad) {
			t.Errorf("entity %q found in %s, want it not", bad, path)
		}
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	in, err := os.ReadFile(filepath.Join("testdata", "story.txt"))
	if err != nil {
		t.Fatal(err)
	}
	title, body, _ := strings.Cut(string(in), "\n")
	terms := NewAnalyzer(nil).Analyze(Prose(title, 3), Prose(body, 1), Keywords(2, "Port Vell", "ferries"))
	var b strings.Builder
	for _, term := range terms {
		e := " "
		if term.Entity {
			e = "E"
		}
		fmt.Fprintf(&b, "%s %-40q %-40q %g\n", e, term.Key, term.Surface, term.Weight)
	}
	golden := filepath.Join("testdata", "story.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("analysis of testdata/story.txt (-%s +got):\n%s", golden, diff)
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"", "Xi Jinping met Vladimir Putin.", "U.S. A.B.C. don't", "习近平 Путин بوتين", "Putin’s leaders' \xff", "1.5bn 2,000 e.g."} {
		f.Add(s)
	}
	a := NewAnalyzer(nil)
	f.Fuzz(func(t *testing.T, s string) {
		checkTerms(t, a.Analyze(Prose(s, 2), Keywords(1, s)))
		for _, k := range a.Words(s) {
			if k == "" {
				t.Fatalf("Words(%q) has an empty key", s)
			}
		}
	})
}

func BenchmarkAnalyze(b *testing.B) {
	in, err := os.ReadFile(filepath.Join("testdata", "story.txt"))
	if err != nil {
		b.Fatal(err)
	}
	body := strings.Repeat(string(in), 4)
	a := NewAnalyzer(nil)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		a.Analyze(Prose("Harbour Council Approves New Ferry Link", 3), Prose(body, 1))
	}
}

func TestStoryFields(t *testing.T) {
	t.Parallel()
	got := StoryFields("Title", "", "Body", []string{"Tag"}, "World")
	want := []Field{Prose("Title", TitleWeight), Prose("Body", BodyWeight), Keywords(TagWeight, "Tag"), Keywords(SectionWeight, "World")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("StoryFields (-want +got):\n%s", diff)
	}
}

// TestHeadlineSurfaces checks that a word is shown as the story's sentences
// write it, not as a headline in title case or capitals does.
func TestHeadlineSurfaces(t *testing.T) {
	t.Parallel()
	a := NewAnalyzer(English())
	terms := a.Analyze(Prose("JAPAN SAYS TARIFFS HURT EXPORTS", TitleWeight),
		Prose("Officials in Japan said the tariffs would hurt exports of chips.", BodyWeight),
		Prose("Harbour Ferry Talks Resume", TitleWeight))
	want := map[string]string{"tariff": "tariffs", "export": "exports", "japan": "Japan", "talk": "talks"}
	for _, term := range terms {
		if w, ok := want[term.Key]; ok && term.Surface != w {
			t.Errorf("surface of %q = %q, want %q", term.Key, term.Surface, w)
		}
	}
}
