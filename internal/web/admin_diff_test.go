package web

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sides rebuilds both texts from a diff: kept and deleted runs make the old text, kept and
// inserted runs the new one.
func sides(parts []diffPart) (string, string) {
	var a, b strings.Builder
	for _, p := range parts {
		if p.Op != "ins" {
			a.WriteString(p.Text)
		}
		if p.Op != "del" {
			b.WriteString(p.Text)
		}
	}
	return a.String(), b.String()
}

func TestDiffText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, a, b string
		want       []diffPart
	}{
		{"same", "Tide at noon.", "Tide at noon.", []diffPart{{"eq", "Tide at noon."}}},
		{"both empty", "", "", nil},
		{"from nothing", "", "New text.", []diffPart{{"ins", "New text."}}},
		{"to nothing", "Old text.", "", []diffPart{{"del", "Old text."}}},
		{"one word", "High water at noon.", "High water at half past twelve.",
			[]diffPart{{"eq", "High water at "}, {"del", "noon"}, {"ins", "half past twelve"}, {"eq", "."}}},
		{"insertion", "The council met.", "The council met and voted.",
			[]diffPart{{"eq", "The council met"}, {"ins", " and voted"}, {"eq", "."}}},
		{"paragraphs", "One.\n\nTwo.\n\nThree.\n", "One.\n\nThree.\n\nFour.\n",
			[]diffPart{{"eq", "One.\n\n"}, {"del", "Two.\n\n"}, {"eq", "Three.\n"}, {"ins", "\nFour.\n"}}},
		{"moved paragraph", "A.\nB.\nC.\n", "C.\nA.\nB.\n", []diffPart{{"ins", "C.\n"}, {"eq", "A.\nB.\n"}, {"del", "C.\n"}}},
		{"unicode", "Zoë’s café", "Zoë’s bistro", []diffPart{{"eq", "Zoë’s "}, {"del", "café"}, {"ins", "bistro"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := diffText(tt.a, tt.b)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diffText(%q, %q) (-want +got):\n%s", tt.a, tt.b, diff)
			}
			if a, b := sides(got); a != tt.a || b != tt.b {
				t.Errorf("diffText(%q, %q) rebuilds %q and %q", tt.a, tt.b, a, b)
			}
		})
	}
}

// TestDiffLarge checks that scattered edits to a long story stay correct, fine-grained and
// quick.
func TestDiffLarge(t *testing.T) {
	t.Parallel()
	var a, b strings.Builder
	for i := range 3000 {
		line := "Paragraph " + itoa(i) + " of the long read, with some words in it.\n\n"
		a.WriteString(line)
		if i%3 == 0 {
			b.WriteString("Rewritten paragraph " + itoa(i) + " says something else entirely.\n\n")
		} else {
			b.WriteString(line)
		}
	}
	got := diffText(a.String(), b.String())
	if x, y := sides(got); x != a.String() || y != b.String() {
		t.Fatal("a large diff does not rebuild its texts")
	}
	if len(got) < 100 {
		t.Errorf("a large diff of scattered edits has %d runs; it fell back to replacing everything", len(got))
	}
}

func FuzzDiffText(f *testing.F) {
	f.Add("High water at noon.", "High water at half past twelve.")
	f.Add("", "x")
	f.Add("a\nb\nc", "c\nb\na")
	f.Add("\xff\xfe", "é")
	f.Fuzz(func(t *testing.T, a, b string) {
		got := diffText(a, b)
		if x, y := sides(got); x != a || y != b {
			t.Errorf("diffText(%q, %q) rebuilds %q and %q", a, b, x, y)
		}
		for i := 1; i < len(got); i++ {
			if got[i].Op == got[i-1].Op {
				t.Errorf("diffText(%q, %q): two %s runs in a row", a, b, got[i].Op)
			}
		}
	})
}

func BenchmarkDiffText(b *testing.B) {
	old := strings.Repeat("The council met on Tuesday and voted on the harbour budget. ", 400)
	changed := strings.Replace(old, "Tuesday", "Wednesday", 5)
	for b.Loop() {
		diffText(old, changed)
	}
}
