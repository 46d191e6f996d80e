package exporter_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/exporter"
	"github.com/broadsheet/broadsheet/internal/importer"
	"github.com/broadsheet/broadsheet/internal/sanitize"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
	"github.com/broadsheet/broadsheet/internal/wxr"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var now = time.Date(2026, 3, 22, 9, 30, 0, 0, time.UTC)

func newStore(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "site.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("sqlite.Open = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func importOptions() importer.Options {
	return importer.Options{Renderer: article.NewRenderer(sanitize.New()), Location: time.UTC,
		Now: func() time.Time { return now }}
}

// importInto imports files (readers named name) into st.
func importInto(t testing.TB, st store.Store, files ...importer.File) {
	t.Helper()
	if _, err := importer.Import(t.Context(), st, files, importOptions()); err != nil {
		t.Fatalf("Import = %v", err)
	}
}

// fixture is a site made from the importer's WordPress and Disqus test files, with a story
// written in Broadsheet (Markdown, two bylines, notes) beside them.
func fixture(t testing.TB) *sqlite.DB {
	t.Helper()
	st := newStore(t)
	var files []importer.File
	for _, n := range []string{"site.xml", "disqus.xml"} {
		f, err := os.Open(filepath.Join("..", "importer", "testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		files = append(files, importer.File{Name: n, R: f})
	}
	importInto(t, st, files...)
	a := &article.Article{Kind: article.Story, Slug: "written-here", Title: "Written <here> & now",
		Body: "A *Markdown* story.\n\n- one\n- two\n\n    code\n", Status: article.Published,
		PublishedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), UpdatedAt: time.Date(2025, 1, 3, 0, 0, 0, 0, time.UTC),
		CreatedAt: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), CommentsOpen: true,
		Authors:  []article.Author{{Name: "Zoë Zeller", Slug: "zoe-zeller"}, {Name: "Amy Abbott", Slug: "amy-abbott"}},
		Section:  article.Section{Name: "Science", Slug: "science"},
		Notes:    []article.Note{{Kind: article.Correction, Text: "Corrects a name.", At: time.Date(2025, 1, 3, 0, 0, 0, 0, time.UTC)}},
		ImageURL: "/media/lab.jpg", ImageAlt: "The lab"}
	if err := importOptions().Renderer.Prepare(a); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	c := &comment.Comment{ArticleID: a.ID, Type: comment.Regular, Status: comment.Approved, AuthorName: "Lee",
		AuthorEmail: "lee@example.net", AuthorIP: "192.0.2.30", Content: "x < y & \"quotes\"\n\n\nthree lines apart",
		CreatedAt: time.Date(2025, 1, 2, 5, 0, 0, 0, time.UTC)}
	if err := st.CreateComment(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	return st
}

func exportOptions(private bool) exporter.Options {
	return exporter.Options{BaseURL: "https://news.example", Title: "The Example News", Description: "News, examples",
		Language: "en-GB", Location: time.UTC, Now: func() time.Time { return now }, Private: private}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-golden +got):\n%s", name, diff)
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	tests := []struct {
		name  string
		write func(*testing.T, *bytes.Buffer) (exporter.Counts, error)
	}{
		{"site.wxr", func(t *testing.T, b *bytes.Buffer) (exporter.Counts, error) {
			return exporter.WriteWXR(t.Context(), st, b, exportOptions(false))
		}},
		{"site.jsonl", func(t *testing.T, b *bytes.Buffer) (exporter.Counts, error) {
			return exporter.WriteJSONL(t.Context(), st, b, exportOptions(false))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			n, err := tc.write(t, &b)
			if err != nil {
				t.Fatal(err)
			}
			if n != (exporter.Counts{Articles: 9, Comments: 12}) {
				t.Errorf("Counts = %+v, want 9 articles (one trashed on the old site, unpublished) and 12 comments", n)
			}
			golden(t, tc.name, b.Bytes())
		})
	}
}

func TestPrivateDataOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	private := []string{"carol@example.net", "192.0.2.10", "lee@example.net", "192.0.2.30"}
	for _, priv := range []bool{false, true} {
		for name, write := range map[string]func(*bytes.Buffer) error{
			"wxr": func(b *bytes.Buffer) error {
				_, err := exporter.WriteWXR(t.Context(), st, b, exportOptions(priv))
				return err
			},
			"jsonl": func(b *bytes.Buffer) error {
				_, err := exporter.WriteJSONL(t.Context(), st, b, exportOptions(priv))
				return err
			},
		} {
			var b bytes.Buffer
			if err := write(&b); err != nil {
				t.Fatal(err)
			}
			for _, p := range private {
				if got := strings.Contains(b.String(), p); got != priv {
					t.Errorf("%s export with Private %v holds %q: %v, want %v", name, priv, p, got, priv)
				}
			}
		}
	}
}

// TestWXRIsWordPress reads an export back with the WXR reader, as WordPress's importer would:
// the records and their order are those WordPress expects.
func TestWXRIsWordPress(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	var b bytes.Buffer
	if _, err := exporter.WriteWXR(t.Context(), st, &b, exportOptions(false)); err != nil {
		t.Fatal(err)
	}
	rd := wxr.NewReader(&b)
	types := map[string]int{}
	var site *wxr.Site
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading the export: %v", err)
		}
		switch r := rec.(type) {
		case *wxr.Site:
			site = r
		case *wxr.Item:
			types[r.PostType+"/"+r.Status]++
			if r.PostType == "post" && r.Status == "publish" && !strings.HasPrefix(r.Content, "<!-- wp:html -->") {
				t.Errorf("item %q content is not a Custom HTML block: %.60q", r.Title, r.Content)
			}
		}
	}
	if site == nil || site.WXRVersion != "1.2" || site.BaseSiteURL != "https://news.example" {
		t.Errorf("site = %+v, want WXR 1.2 of https://news.example", site)
	}
	want := map[string]int{"post/publish": 4, "post/draft": 1, "post/future": 1, "post/private": 2, "page/publish": 1,
		"attachment/inherit": 2}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("items by type/status (-want +got):\n%s", diff)
	}
}

// site is what a comparison of two sites looks at: every article by its address, with its
// comments as a thread.
type site map[string]siteArticle

type siteArticle struct {
	Article  *article.Article
	Comments []string
}

func snapshot(t *testing.T, st store.Store) site {
	t.Helper()
	list, _, err := st.ListArticles(t.Context(), store.ArticleQuery{})
	if err != nil {
		t.Fatal(err)
	}
	out := site{}
	for _, a := range list {
		cs, _, err := st.ListComments(t.Context(), store.CommentQuery{ArticleID: a.ID, Oldest: true})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]*comment.Comment{}
		for _, c := range cs {
			byID[c.ID] = c
		}
		var rows []string
		for _, c := range cs {
			parent := ""
			if p := byID[c.ParentID]; p != nil {
				parent = p.AuthorName + " " + p.CreatedAt.UTC().Format(time.RFC3339)
			}
			rows = append(rows, strings.Join([]string{c.AuthorName, c.AuthorEmail, c.AuthorURL, c.AuthorIP, string(c.Type),
				string(c.Status), c.CreatedAt.UTC().Format(time.RFC3339), "reply to: " + parent, c.Content}, " | "))
		}
		sort.Strings(rows)
		out[a.Path(time.UTC)] = siteArticle{a, rows}
	}
	return out
}

// sameArticle compares articles as two sites keep them: not their IDs, versions or creation
// times, which a new site gives anew; bylines' biographies only travel in JSON Lines.
func sameArticle(withBio bool) cmp.Options {
	opts := cmp.Options{
		cmpopts.IgnoreFields(article.Article{}, "ID", "Version", "CreatedAt"),
		cmpopts.IgnoreFields(article.Author{}, "ID"),
		cmpopts.IgnoreFields(article.Section{}, "ID"),
		cmpopts.IgnoreFields(article.Tag{}, "ID"),
		cmpopts.EquateApproxTime(time.Microsecond),
		cmpopts.EquateEmpty(),
	}
	if !withBio {
		opts = append(opts, cmpopts.IgnoreFields(article.Author{}, "Bio"))
	}
	return opts
}

// TestRoundTrip exports a site, imports the export into an empty Broadsheet and compares the
// two: the same stories, comments, threads and URLs.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	want := snapshot(t, st)
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"wxr", func(b *bytes.Buffer) error {
			_, err := exporter.WriteWXR(t.Context(), st, b, exportOptions(true))
			return err
		}},
		{"jsonl", func(b *bytes.Buffer) error {
			_, err := exporter.WriteJSONL(t.Context(), st, b, exportOptions(true))
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			fresh := newStore(t)
			importInto(t, fresh, importer.File{Name: "export." + tc.name, R: bytes.NewReader(b.Bytes())})
			got := snapshot(t, fresh)
			if diff := cmp.Diff(want, got, sameArticle(tc.name == "jsonl")); diff != "" {
				t.Errorf("site after export and import (-before +after):\n%s", diff)
			}
			// And once more: the export of the copy imports into the copy without a change.
			var again bytes.Buffer
			if _, err := exporter.WriteJSONL(t.Context(), fresh, &again, exportOptions(true)); err != nil {
				t.Fatal(err)
			}
			var first exporter.Record
			if err := json.Unmarshal(bytes.SplitN(again.Bytes(), []byte("\n"), 2)[0], &first); err != nil || first.ID == "" {
				t.Errorf("JSON Lines export's first line = %+v, %v", first, err)
			}
		})
	}
}
