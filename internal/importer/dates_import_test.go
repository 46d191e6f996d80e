package importer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
)

// TestFeedDatesNeverInvented imports a feed whose dates are localized or unreadable: the first
// are read, the others wait as drafts, reported in the summary, never dated "now".
func TestFeedDatesNeverInvented(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	sums := importFiles(t, st, options(), "dates.rss")
	tests := []struct {
		slug   string
		status article.Status
		at     time.Time
	}{
		{"marche-de-noel", article.Published, time.Date(2022, 11, 16, 9, 30, 0, 0, time.UTC)},
		{"holiday-parade", article.Published, time.Date(2023, 12, 16, 14, 2, 33, 0, time.UTC)},
		{"archive-piece", article.Draft, time.Time{}},
		{"undated-note", article.Draft, time.Time{}},
	}
	for _, tc := range tests {
		a := bySlug(t, st, tc.slug)
		if a.Status != tc.status || !a.PublishedAt.Equal(tc.at) {
			t.Errorf("%s: %s at %v, want %s at %v", tc.slug, a.Status, a.PublishedAt, tc.status, tc.at)
		}
	}
	var b strings.Builder
	if _, err := sums[0].WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`held 1: unreadable date: imported as a draft, to be dated by hand (Archive piece (sometime in 1987))`,
		`held 1: no date: imported as a draft, to be dated by hand (Undated note)`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}
