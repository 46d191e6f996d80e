package sqlite_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// TestMediaMonthsPlan: the library's month filter lists its months by jumping down the
// created_at index, one search a month, never reading every picture.
func TestMediaMonthsPlan(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "site.db")
	db := openAt(t, path, sqlite.Options{})
	var query string
	db.Trace(func(q string, args []any) { query = q })
	if _, err := db.MediaMonths(t.Context()); err != nil {
		t.Fatal(err)
	}
	db.Trace(nil)
	rows, err := raw(t, path).QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	searches := 0
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
		switch {
		case strings.Contains(detail, "SCAN media"):
			t.Errorf("MediaMonths reads every picture: %s", detail)
		case strings.HasPrefix(detail, "SEARCH media USING COVERING INDEX media_created"):
			searches++
		}
	}
	if searches != 2 {
		t.Errorf("MediaMonths's plan has %d searches of media_created, want 2 (the newest, then each month's):\n  %s", searches, strings.Join(plan, "\n  "))
	}
}
