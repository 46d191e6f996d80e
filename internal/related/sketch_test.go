package related

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

// words splits s into lower-case words, numbers included, as text.Tokens
// does for plain English.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
}

// fixture reads testdata/copies/name.txt: its first line is the headline,
// the rest the body.
func fixture(t *testing.T, name string) (title, body string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "copies", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	title, body, _ = strings.Cut(string(b), "\n")
	return title, body
}

// jaccard is the exact resemblance of two texts' sets of shingles.
func jaccard(a, b []string) float64 {
	set := func(ws []string) map[string]bool {
		m := map[string]bool{}
		for i := 0; i+shingleSize <= len(ws); i++ {
			m[strings.Join(ws[i:i+shingleSize], " ")] = true
		}
		return m
	}
	sa, sb := set(a), set(b)
	both := 0
	for s := range sa {
		if sb[s] {
			both++
		}
	}
	return float64(both) / float64(len(sa)+len(sb)-both)
}

// TestSketchResemblance checks the sketches of the fixtures: a wire copy
// under another headline with one paragraph rewritten resembles its
// original, another story on the same event does not, and the estimates
// are close to the exact resemblance.
func TestSketchResemblance(t *testing.T) {
	t.Parallel()
	_, wire := fixture(t, "wire")
	for _, tt := range []struct {
		name   string
		copied bool
	}{{"wire-copy", true}, {"same-topic", false}} {
		_, body := fixture(t, tt.name)
		a, b := NewSketch(words(wire)), NewSketch(words(body))
		got, exact := a.Resemblance(b), jaccard(words(wire), words(body))
		t.Logf("%s: resemblance %.3f, exact %.3f", tt.name, got, exact)
		if d := got - exact; d > 0.15 || d < -0.15 {
			t.Errorf("%s: Resemblance = %.3f, exact %.3f", tt.name, got, exact)
		}
		if copied := a.copyOf(b, DefaultConfig().CopyResemblance); copied != tt.copied {
			t.Errorf("%s: told a copy: %v (resemblance %.3f), want %v", tt.name, copied, got, tt.copied)
		}
	}
	if r := NewSketch(words(wire)).Resemblance(NewSketch(words(wire))); r != 1 {
		t.Errorf("a text's Resemblance to itself = %v, want 1", r)
	}
	if r := (Sketch{}).Resemblance(NewSketch(words(wire))); r != 0 || !(Sketch{}).IsZero() {
		t.Errorf("the zero Sketch's Resemblance = %v, want 0", r)
	}
}

// TestSketchShortTexts checks that briefs too short to judge by resemblance
// are copies only when their texts are the same.
func TestSketchShortTexts(t *testing.T) {
	t.Parallel()
	brief := "Qtly div 12 cts vs 12 cts prior pay April 15 record March 31"
	other := "Qtly div 15 cts vs 12 cts prior pay April 15 record March 31"
	a, b, c := NewSketch(words(brief)), NewSketch(words(brief)), NewSketch(words(other))
	min := DefaultConfig().CopyResemblance
	if !a.copyOf(b, min) {
		t.Errorf("two identical briefs are not told copies")
	}
	if a.copyOf(c, min) {
		t.Errorf("two briefs from one template are told copies (resemblance %.3f)", a.Resemblance(c))
	}
}

// sketched builds a story from a fixture: each word a term of weight 1, the
// headline's of weight 3, and the body's sketch.
func sketched(t *testing.T, id int64, name string) Document {
	t.Helper()
	title, body := fixture(t, name)
	var ts []Term
	for _, w := range words(title) {
		ts = append(ts, Term{Key: w, Weight: 3})
	}
	for _, w := range words(body) {
		ts = append(ts, Term{Key: w, Weight: 1})
	}
	return NewSketchedDocument(id, day0, ts, NewSketch(words(body)))
}

// TestCopiesBySketch checks that the index never lists the wire copy as
// related to its original, lists it among the original's Copies, still
// lists the other story on the same event, and keeps the sketches in its
// snapshot.
func TestCopiesBySketch(t *testing.T) {
	t.Parallel()
	docs := []Document{sketched(t, 1, "wire"), sketched(t, 2, "wire-copy"), sketched(t, 3, "same-topic"),
		doc(4, 0, "budget", "school", "teachers"), doc(5, 0, "match", "goal", "harbour")}
	for _, tt := range []struct {
		name          string
		cfg           Config
		related, copy []int64
	}{
		{"default", Config{}, []int64{3, 5}, []int64{2}},
		{"by sketch alone", Config{CopyOverlap: -1}, []int64{3, 5}, []int64{2}},
		{"copies listed", Config{CopyOverlap: -1, CopyResemblance: -1}, []int64{2, 3, 5}, nil},
	} {
		ix := build(t, tt.cfg, docs)
		var buf bytes.Buffer
		if _, err := ix.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := ReadIndex(&buf, tt.cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, ix := range []*Index{ix, back} {
			rs, err := ix.Related(1, 5)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(rs)
			slices.Sort(got)
			if diff := cmp.Diff(tt.related, got); diff != "" {
				t.Errorf("%s: Related(1) IDs (-want +got):\n%s", tt.name, diff)
			}
			copies, err := ix.Copies(1, 5)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.copy, copies); diff != "" {
				t.Errorf("%s: Copies(1) (-want +got):\n%s", tt.name, diff)
			}
		}
	}
}

func BenchmarkNewSketch(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("testdata", "copies", "wire.txt"))
	if err != nil {
		b.Fatal(err)
	}
	ws := words(string(body))
	for b.Loop() {
		NewSketch(ws)
	}
}
