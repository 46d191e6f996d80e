package importer_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/exporter"
	"github.com/broadsheet/broadsheet/internal/importer"
	"github.com/broadsheet/broadsheet/internal/store"
)

// landings is where every kept old URL of a site lands: the story it leads to (by headline
// and path) or, for what is no story, the path itself ("" for 410 Gone).
func landings(t *testing.T, st store.Store) map[string]string {
	t.Helper()
	ctx := t.Context()
	all, err := st.Redirects(ctx)
	if err != nil {
		t.Fatalf("Redirects = %v", err)
	}
	out := make(map[string]string, len(all))
	for _, r := range all {
		out[r.From] = r.To
		parts := strings.Split(strings.Trim(r.To, "/"), "/")
		if len(parts) == 5 && parts[4] == "feed" {
			parts = parts[:4]
		}
		if len(parts) != 4 && len(parts) != 1 {
			continue
		}
		a, err := st.ArticleBySlug(ctx, parts[len(parts)-1])
		if err == nil && strings.HasPrefix(r.To, a.Path(time.UTC)) {
			out[r.From] = "story " + a.Title + " at " + r.To
		}
	}
	return out
}

// TestRoundTripKeepsOldURLs imports each shared WordPress export, exports the site (as WXR and
// as JSON Lines) and imports that into an empty site: every old URL must land on the same
// story, or the same page, after the round trip as before.
func TestRoundTripKeepsOldURLs(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs(sharedData(t, "wxr"))
	if err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	names = slices.DeleteFunc(names, func(n string) bool { return strings.Contains(n, "malformed") })
	formats := map[string]func(context.Context, exporter.Store, io.Writer, exporter.Options) (exporter.Counts, error){
		"wxr": exporter.WriteWXR, "jsonl": exporter.WriteJSONL}
	for _, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			t.Parallel()
			first := newStore(t)
			importFiles(t, first, options(), name)
			before := landings(t, first)
			for format, write := range formats {
				var buf bytes.Buffer
				if _, err := write(t.Context(), first, &buf, exporter.Options{BaseURL: "https://new.example", Location: time.UTC}); err != nil {
					t.Fatalf("export %s = %v", format, err)
				}
				second := newStore(t)
				if _, err := importer.Import(t.Context(), second, []importer.File{{Name: "export." + format, R: &buf}}, options()); err != nil {
					t.Fatalf("import of the %s export = %v", format, err)
				}
				after := landings(t, second)
				kept := 0
				for from, to := range before {
					if after[from] == to {
						kept++
					}
				}
				t.Logf("%s through %s: %d of %d old URLs land where they did", filepath.Base(name), format, kept, len(before))
				if diff := cmp.Diff(before, after); diff != "" {
					t.Errorf("old URLs after a %s round trip (-before +after):\n%s", format, diff)
				}
			}
		})
	}
}
