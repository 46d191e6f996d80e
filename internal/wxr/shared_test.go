package wxr

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sharedDir returns the directory of the shared WordPress exports, or skips
// the test when it is absent.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data", "wxr")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared WXR data not found at %s (see shared/data/README.md): %v", dir, err)
	}
	return dir
}

// summary counts what a file holds.
type summary struct {
	Version    string
	Authors    int
	Categories int
	Tags       int
	Terms      int
	Types      map[string]int // items by post_type
	Comments   int
	Replies    int // comments with a parent
}

func summarize(t *testing.T, path string) (summary, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := summary{Types: map[string]int{}}
	r := NewReader(f)
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			if r.Items() != total(s.Types) {
				t.Errorf("Items() = %d, want %d", r.Items(), total(s.Types))
			}
			return s, nil
		}
		if err != nil {
			return s, err
		}
		switch rec := rec.(type) {
		case *Site:
			s.Version = rec.WXRVersion
		case *Author:
			s.Authors++
		case *Category:
			s.Categories++
		case *Tag:
			s.Tags++
		case *Term:
			s.Terms++
		case *Item:
			s.Types[rec.PostType]++
			s.Comments += len(rec.Comments)
			for _, c := range rec.Comments {
				if c.Parent != 0 {
					s.Replies++
				}
			}
		}
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestSharedFiles reads every shared export. The item and comment counts
// are those of shared/data/README.md section 4; the a11y file also has one
// item without wp:post_type that the README leaves out.
func TestSharedFiles(t *testing.T) {
	t.Parallel()
	dir := sharedDir(t)
	tests := []struct {
		file string
		want summary
	}{
		{"wptt-themeunittestdata.wordpress.xml", summary{Version: "1.2", Authors: 2, Categories: 68, Tags: 110, Terms: 7,
			Types: map[string]int{"post": 58, "page": 21, "attachment": 37, "nav_menu_item": 70}, Comments: 33, Replies: 10}},
		{"wptt-64-block-test-data.xml", summary{Version: "1.2", Authors: 2, Categories: 7, Tags: 4, Terms: 13,
			Types: map[string]int{"post": 61, "page": 1, "attachment": 9, "wp_navigation": 1}, Comments: 2, Replies: 1}},
		{"wptt-theme-preview.xml", summary{Version: "1.2",
			Types: map[string]int{"post": 7}, Comments: 2}},
		{"wpimporter-a11y-unit-test-data.xml", summary{Version: "1.2", Categories: 27, Tags: 61, Terms: 5,
			Types: map[string]int{"post": 47, "page": 17, "attachment": 39, "nav_menu_item": 50, "": 1}, Comments: 29, Replies: 9}},
		{"wpimporter-small-export.xml", summary{Version: "1.1", Authors: 3, Categories: 30, Tags: 3,
			Types: map[string]int{"post": 6, "page": 5}, Comments: 1}},
		{"wpimporter-valid-wxr-1.0.xml", summary{Version: "1.0", Categories: 5, Tags: 4,
			Types: map[string]int{"post": 3, "page": 3}, Comments: 1}},
		{"wpimporter-valid-wxr-1.1.xml", summary{Version: "1.1", Authors: 1, Categories: 1, Tags: 1, Terms: 1,
			Types: map[string]int{"post": 1, "page": 1}, Comments: 1}},
		{"wpimporter-wxr-utf-8-challenges.xml", summary{Version: "1.2", Authors: 1,
			Types: map[string]int{"post": 1}}},
		{"wpimporter-crazy-cdata.xml", summary{Version: "1.1",
			Types: map[string]int{"post": 1}}},
		{"wpimporter-slashes.xml", summary{Version: "1.1", Authors: 1, Categories: 1, Tags: 1,
			Types: map[string]int{"post": 1}, Comments: 1}},
		{"wpimporter-test-serialized-comment-meta.xml", summary{Version: "1.0",
			Types: map[string]int{"post": 1}, Comments: 1}},
		// Tolerated: no wp:wxr_version (WordPress's importer rejects it).
		{"wpimporter-missing-version-tag.xml", summary{Authors: 1, Categories: 21, Tags: 18, Terms: 14,
			Types: map[string]int{}}},
		{"cclabs-blog-2007-2014.wordpress.xml", summary{Version: "1.2", Authors: 30, Categories: 98, Tags: 171,
			Types: map[string]int{"post": 219, "page": 5}, Comments: 181, Replies: 3}},
		{"mythz-blog-servicestack.wordpress.xml", summary{Version: "1.1", Authors: 2, Categories: 1,
			Types: map[string]int{"post": 29, "page": 2, "attachment": 52}, Comments: 91, Replies: 16}},
		{"isso-test-wordpress.xml", summary{
			Types: map[string]int{"post": 1, "": 2}, Comments: 8, Replies: 3}},
	}
	seen := map[string]bool{"wpimporter-malformed.xml": true} // see TestSharedMalformed
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got, err := summarize(t, filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatalf("Next() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: summary mismatch (-want +got):\n%s", tt.file, diff)
			}
		})
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("shared file %s has no expectation in this test", filepath.Base(f))
		}
	}
}

// TestSharedMalformed checks that a file that is not well-formed is
// rejected with the line of the damage (line 90: <notachanneltag> closed by
// </channel>), as WordPress's XML parsers reject it.
func TestSharedMalformed(t *testing.T) {
	t.Parallel()
	path := filepath.Join(sharedDir(t), "wpimporter-malformed.xml")
	_, err := summarize(t, path)
	se, ok := errors.AsType[*SyntaxError](err)
	if !ok {
		t.Fatalf("reading %s: error = %v, want a *SyntaxError", path, err)
	}
	if se.Line != 90 {
		t.Errorf("SyntaxError.Line = %d, want 90 (%v)", se.Line, se)
	}
	if !strings.Contains(err.Error(), "wxr: line 90, column ") {
		t.Errorf("Error() = %q, want it to name line 90 and a column", err)
	}
}

// TestSharedContent checks the fields of the tricky fixtures that
// WordPress's own parser tests check.
func TestSharedContent(t *testing.T) {
	t.Parallel()
	dir := sharedDir(t)
	tests := []struct {
		file  string
		check func(t *testing.T, items []*Item)
	}{
		{"wpimporter-crazy-cdata.xml", func(t *testing.T, items []*Item) {
			want := &Item{
				Title: "Hello world!", Link: "http://example.org/?p=1", PubDate: "Thu, 05 Jan 2012 14:30:46 +0000",
				Creator: "admin", GUID: "http://example.org/?p=1",
				Content: "Content with nested <![CDATA[ tags ]]> :)",
				PostID:  1, PostDate: mustDate(t, "2012-01-05 14:30:46"), PostDateGMT: mustDate(t, "2012-01-05 14:30:46"),
				CommentStatus: "open", PingStatus: "open", PostName: "hello-world", Status: "publish", PostType: "post",
				Postmeta: []Meta{
					{Key: "Plain string", Value: "Foo"},
					{Key: "Closing CDATA", Value: "]]>"},
					{Key: "Alot of CDATA", Value: "This has <![CDATA[ opening and ]]> closing <![CDATA[ tags like this: ]]>"},
				},
			}
			if diff := cmp.Diff([]*Item{want}, items); diff != "" {
				t.Errorf("items mismatch (-want +got):\n%s", diff)
			}
		}},
		{"wpimporter-slashes.xml", func(t *testing.T, items []*Item) {
			if got, want := items[0].Content, `Slashes aren\'t \"cool\"`; got != want {
				t.Errorf("Content = %q, want %q", got, want)
			}
			if got, want := items[0].Comments[0].Content, `\o/ ¯\_(ツ)_/¯`; got != want {
				t.Errorf("comment Content = %q, want %q", got, want)
			}
			if diff := cmp.Diff([]ItemTerm{{Domain: "category", Nicename: "alpha", Name: `a \"great\" category`}}, items[0].Categories); diff != "" {
				t.Errorf("Categories mismatch (-want +got):\n%s", diff)
			}
		}},
		{"wpimporter-test-serialized-comment-meta.xml", func(t *testing.T, items []*Item) {
			want := []Meta{
				{Key: "string", Value: `¯\_(ツ)_/¯`},
				{Key: "array", Value: `a:1:{s:3:"key";s:13:"¯\_(ツ)_/¯";}`},
			}
			if diff := cmp.Diff(want, items[0].Comments[0].Meta); diff != "" {
				t.Errorf("comment Meta mismatch (-want +got):\n%s", diff)
			}
			if !items[0].PostDateGMT.IsZero() {
				t.Errorf("PostDateGMT = %v, want the zero time for 0000-00-00 00:00:00", items[0].PostDateGMT)
			}
		}},
		{"wpimporter-wxr-utf-8-challenges.xml", func(t *testing.T, items []*Item) {
			it := items[0]
			if want := "hello-w\u202eorld\u202c-utf8-💫-test"; it.PostName != want {
				t.Errorf("PostName = %q, want %q", it.PostName, want)
			}
			if want := "&#xD800;&#xDC00;"; !strings.Contains(it.Content, want) {
				t.Errorf("Content lacks %q kept literally inside CDATA", want)
			}
			if got, want := it.Postmeta[4].Value, "&#x202E;&#x202D;&#x200B;&#x200C;&#x200D;&#x2060;&#xFEFF;&#xFFFD;"; got != want {
				t.Errorf("Postmeta[4].Value = %q, want %q", got, want)
			}
		}},
		{"wpimporter-valid-wxr-1.0.xml", func(t *testing.T, items []*Item) {
			want := []ItemTerm{
				{Domain: "category", Nicename: "alpha", Name: "alpha"},
				{Domain: "post_tag", Nicename: "news", Name: "news"},
				{Domain: "post_tag", Nicename: "roar", Name: "roar"},
			}
			if diff := cmp.Diff(want, items[2].Categories); diff != "" {
				t.Errorf("items[2].Categories mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]Meta{{Key: "_wp_page_template", Value: "default"}}, items[1].Postmeta); diff != "" {
				t.Errorf("items[1].Postmeta mismatch (-want +got):\n%s", diff)
			}
		}},
		{"isso-test-wordpress.xml", func(t *testing.T, items []*Item) {
			c := items[0].Comments[0]
			if c.AuthorEmail != "test@example.org" {
				t.Errorf("AuthorEmail = %q, want it trimmed to %q", c.AuthorEmail, "test@example.org")
			}
			if got := strings.TrimSpace(c.Content); got != "Erster!1" {
				t.Errorf("Content = %q, want %q", got, "Erster!1")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			recs, err := readAll(NewReader(f))
			if err != nil {
				t.Fatalf("Next() error = %v", err)
			}
			var items []*Item
			for _, rec := range recs {
				if it, ok := rec.(*Item); ok {
					items = append(items, it)
				}
			}
			if len(items) == 0 {
				t.Fatalf("%s: no items", tt.file)
			}
			tt.check(t, items)
		})
	}
}
