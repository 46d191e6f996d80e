package importer_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/broadsheet/broadsheet/internal/embed"
	"github.com/broadsheet/broadsheet/internal/highlight"
	"github.com/broadsheet/broadsheet/internal/importer"
	"github.com/broadsheet/broadsheet/internal/sanitize"
	"github.com/broadsheet/broadsheet/internal/wxr"
)

// sharedData returns the directory of the shared test data, or skips the test when it is absent.
func sharedData(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared data not found at %s (see shared/data/README.md): %v", dir, err)
	}
	return dir
}

// TestSharedFiles imports every real export and feed of shared/data into an empty site, checks
// what it created against the files' own counts (shared/data/README.md), then imports it again
// and checks that nothing was duplicated. The malformed files must fail with their line and
// column and change nothing.
func TestSharedFiles(t *testing.T) {
	t.Parallel()
	type c = map[string]int
	tests := []struct {
		file    string
		created c
		// unmatched counts the Disqus thread URLs no story matches (here: all of them, with posts).
		unmatched int
		err       string
	}{
		// Three comments of the a11y file (and one of isso's) hang on an item without a post
		// type, which WordPress's importer refuses too.
		{"wxr/cclabs-blog-2007-2014.wordpress.xml", c{"stories": 219, "pages": 5, "comments": 119, "pingbacks": 62}, 0, ""},
		{"wxr/isso-test-wordpress.xml", c{"stories": 1, "comments": 7}, 0, ""},
		{"wxr/mythz-blog-servicestack.wordpress.xml", c{"stories": 29, "pages": 2, "comments": 72, "pingbacks": 19}, 0, ""},
		{"wxr/wpimporter-a11y-unit-test-data.xml", c{"stories": 47, "pages": 17, "comments": 22, "pingbacks": 4}, 0, ""},
		{"wxr/wpimporter-crazy-cdata.xml", c{"stories": 1}, 0, ""},
		{"wxr/wpimporter-malformed.xml", nil, 0, "wxr: line 90, column 1: element <notachanneltag> closed by </channel>"},
		{"wxr/wpimporter-missing-version-tag.xml", c{}, 0, ""},
		{"wxr/wpimporter-slashes.xml", c{"stories": 1, "comments": 1}, 0, ""},
		{"wxr/wpimporter-small-export.xml", c{"stories": 6, "pages": 5, "comments": 1}, 0, ""},
		{"wxr/wpimporter-test-serialized-comment-meta.xml", c{"stories": 1, "comments": 1}, 0, ""},
		{"wxr/wpimporter-valid-wxr-1.0.xml", c{"stories": 3, "pages": 3, "comments": 1}, 0, ""},
		{"wxr/wpimporter-valid-wxr-1.1.xml", c{"stories": 1, "pages": 1, "comments": 1}, 0, ""},
		{"wxr/wpimporter-wxr-utf-8-challenges.xml", c{"stories": 1}, 0, ""},
		{"wxr/wptt-64-block-test-data.xml", c{"stories": 61, "pages": 1, "comments": 2}, 0, ""},
		{"wxr/wptt-theme-preview.xml", c{"stories": 7, "comments": 2}, 0, ""},
		{"wxr/wptt-themeunittestdata.wordpress.xml", c{"stories": 58, "pages": 21, "comments": 29, "pingbacks": 2, "trackbacks": 2}, 0, ""},
		// Alone, a Disqus export finds no stories: every thread with comments is reported.
		{"disqus/isso-test-disqus.xml", c{}, 2, ""},
		{"disqus/tanglei-blog-disqus-export.xml", c{}, 340, ""},
		{"disqus/yesilmavihayat-disqus-export.xml", c{}, 1, ""},
		{"feeds/feedjira-HuffPostCanada.xml", c{"stories": 2}, 0, ""},
		{"feeds/feedjira-RSSWithComments.xml", c{"stories": 30}, 0, ""},
		{"feeds/feedjira-TechCrunch.xml", nil, 0, "RSS feed: line 2, column 1: XML declaration not at the start of the document"},
		{"feeds/feedrs-atom_mediarss_newscred_1.xml", c{"stories": 1}, 0, ""},
		{"feeds/feedrs-rss_2.0_bbc.xml", c{"stories": 1}, 0, ""},
		{"feeds/feedrs-rss_2.0_cloudflare.xml", c{"stories": 1}, 0, ""},
		{"feeds/feedrs-rss_2.0_ilgiornale.xml", c{"stories": 1}, 0, ""},
		{"feeds/feedrs-rss_2.0_ilmessaggero.xml", c{"stories": 1}, 0, ""},
		{"feeds/feedrs-rss_2.0_nbcny.xml", c{"stories": 1}, 0, ""},
		{"feeds/feedrs-rss_2.0_spiegel.xml", c{"stories": 1}, 0, ""},
		{"feeds/feedrs-rss_2.0_wirecutter.xml", c{"stories": 1}, 0, ""},
		{"feeds/rssparser-content-encoded.rss", c{"stories": 7}, 0, ""},
		{"feeds/rssparser-encoding.rss", c{"stories": 40}, 0, ""},
		{"feeds/rssparser-feedburner.atom", c{"stories": 25}, 0, ""},
		{"feeds/rssparser-guardian.rss", c{"stories": 55}, 0, ""},
		{"feeds/rssparser-heise.atom", c{"stories": 15}, 0, ""},
		{"feeds/rssparser-many-links.rss", c{"stories": 25}, 0, ""},
		{"feeds/rssparser-rss-1.rss", c{"stories": 69}, 0, ""},
		{"feeds/rssparser-uolNoticias.rss", nil, 0, "RSS feed: line 5, column 16: invalid UTF-8"},
	}
	dir, err := filepath.Abs(sharedData(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		seen[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			st := newStore(t)
			path := filepath.Join(dir, tc.file)
			sums, err := importer.Import(t.Context(), st, open(t, path), options())
			if tc.err != "" {
				if err == nil || !strings.HasSuffix(err.Error(), tc.err) {
					t.Fatalf("Import(%s) = %v, want an error ending %q", tc.file, err, tc.err)
				}
				if n := countAll(t, st); n.Articles != 0 || n.Comments != 0 {
					t.Errorf("after the failed import the store holds %+v, want nothing", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Import(%s) = %v", tc.file, err)
			}
			created := map[string]int{}
			for _, k := range []string{importer.KindStory, importer.KindPage, importer.KindComment, importer.KindPingback, importer.KindTrackback} {
				if n := sums[0].Created[k]; n > 0 {
					created[k] = n
				}
			}
			if diff := cmp.Diff(tc.created, created, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Import(%s) created (-want +got):\n%s", tc.file, diff)
			}
			if got := len(sums[0].Unmatched); got != tc.unmatched {
				t.Errorf("Import(%s) left %d threads unmatched, want %d", tc.file, got, tc.unmatched)
			}
			before := countAll(t, st)
			again, err := importer.Import(t.Context(), st, open(t, path), options())
			if err != nil {
				t.Fatalf("Import(%s) again = %v", tc.file, err)
			}
			after := countAll(t, st)
			if after.Articles != before.Articles || after.Comments != before.Comments {
				t.Errorf("imported again: %d articles, %d comments; want %d and %d", after.Articles, after.Comments, before.Articles, before.Comments)
			}
			for k, n := range again[0].Created {
				if n != 0 && k != importer.KindUser {
					t.Errorf("imported again: created %d %s, want none", n, k)
				}
			}
		})
	}
	// Every file of the shared data is in the table.
	for _, sub := range []string{"wxr", "disqus", "feeds"} {
		names, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
		for _, n := range names {
			if f := sub + "/" + filepath.Base(n); !seen[f] {
				t.Errorf("shared file %s is not tested", f)
			}
		}
	}
}

// TestWordPressContentPassesThrough checks that the HTML made of every post of the shared
// exports is one that CommonMark renders as it is: the store keeps it as the Markdown source.
func TestWordPressContentPassesThrough(t *testing.T) {
	t.Parallel()
	dir := sharedData(t, "wxr")
	names, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	r, san := options().Renderer, sanitize.New()
	posts := 0
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		rd := wxr.NewReader(f)
		for {
			rec, err := rd.Next()
			if errors.Is(err, io.EOF) || (err != nil && strings.Contains(name, "malformed")) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			it, ok := rec.(*wxr.Item)
			if !ok || (it.PostType != "post" && it.PostType != "page") {
				continue
			}
			posts++
			body := importer.WordPressBody(it.Content)
			got, err := r.HTML(body)
			if err != nil {
				t.Fatal(err)
			}
			// Rendering the body as Markdown must give what sanitising it as HTML gives (with the
			// renderer's embeds and code colours).
			if want := strings.TrimSpace(highlight.HTML(san.Article(embed.HTML(body)))); strings.TrimSpace(got) != want {
				t.Errorf("%s, %q: Markdown rendering changed the HTML:\n got %.300q\nwant %.300q", filepath.Base(name), it.Title, got, want)
			}
		}
		f.Close()
	}
	if posts < 400 {
		t.Errorf("checked %d posts, want the 400 and more of the shared exports", posts)
	}
}
