package wxr

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sample returns one record of every kind, with the awkward values an
// export meets: "]]>" in content, Unicode, backslashes, serialized meta,
// drafts without dates, threaded comments and a pingback.
func sample(t testing.TB) []Record {
	t.Helper()
	return []Record{
		&Site{
			Title: "The Daily Example", Link: "https://news.example.com", Description: "News & views <daily>",
			PubDate: "Mon, 02 Mar 2026 09:00:00 +0000", Language: "en-GB", WXRVersion: "1.2",
			BaseSiteURL: "https://news.example.com", BaseBlogURL: "https://news.example.com",
		},
		&Author{ID: 1, Login: "editor", Email: "editor@example.com", DisplayName: "Ed Itor", FirstName: "Ed", LastName: "Itor"},
		&Author{ID: 7, Login: "zoë", Email: "zoe@example.com", DisplayName: "Zoë Ünïcode"},
		&Category{TermID: 3, Nicename: "world", Name: "World", Description: "Stories from abroad"},
		&Category{TermID: 4, Nicename: "europe", Parent: "world", Name: "Europe",
			Meta: []Meta{{Key: "colour", Value: "blue"}}},
		&Tag{TermID: 10, Slug: "elections", Name: "Elections"},
		&Tag{TermID: 11, Slug: "q-a", Name: `Q\'s & A's`, Description: "Questions"},
		&Term{TermID: 20, Taxonomy: "nav_menu", Slug: "main", Name: "Main menu"},
		&Item{
			Title: "Polls close <early> & count begins", Link: "https://news.example.com/2026/03/01/polls-close/",
			PubDate: "Sun, 01 Mar 2026 21:00:00 +0000", Creator: "editor",
			GUID: "https://news.example.com/?p=100", Description: "",
			Content: "<!-- wp:paragraph -->\n<p>Counting began at 10pm.</p>\n<!-- /wp:paragraph -->\n\nA CDATA end ]]> inside, and another]]>",
			Excerpt: "Counting began.", PostID: 100,
			PostDate: mustDate(t, "2026-03-01 21:00:00"), PostDateGMT: mustDate(t, "2026-03-01 21:00:00"),
			PostModified: mustDate(t, "2026-03-02 08:15:00"), PostModifiedGMT: mustDate(t, "2026-03-02 08:15:00"),
			CommentStatus: "open", PingStatus: "closed", PostName: "polls-close", Status: "publish",
			PostType: "post", IsSticky: true,
			Categories: []ItemTerm{
				{Domain: "category", Nicename: "europe", Name: "Europe"},
				{Domain: "post_tag", Nicename: "elections", Name: "Elections"},
			},
			Postmeta: []Meta{
				{Key: "_edit_last", Value: "1"},
				{Key: "array", Value: `a:1:{s:3:"key";s:13:"¯\_(ツ)_/¯";}`},
			},
			Comments: []Comment{
				{ID: 1, Author: "Reader One", AuthorEmail: "one@example.org", AuthorURL: "https://one.example.org/?a=1&b=2",
					AuthorIP: "192.0.2.1", Date: mustDate(t, "2026-03-01 22:00:00"), DateGMT: mustDate(t, "2026-03-01 22:00:00"),
					Content: "First!\nSecond line.", Approved: "1", Type: "comment"},
				{ID: 2, Author: "Zoë", AuthorEmail: "zoe@example.com", AuthorIP: "2001:db8::1",
					Date: mustDate(t, "2026-03-01 22:05:00"), DateGMT: mustDate(t, "2026-03-01 22:05:00"),
					Content: "A reply.", Approved: "0", Parent: 1, UserID: 7,
					Meta: []Meta{{Key: "akismet_result", Value: "false"}}},
				{ID: 3, Author: "Other Blog", AuthorURL: "https://other.example/",
					Date: mustDate(t, "2026-03-02 01:00:00"), DateGMT: mustDate(t, "2026-03-02 01:00:00"),
					Content: "[&#8230;] linked here [&#8230;]", Approved: "spam", Type: "pingback"},
			},
		},
		&Item{
			Title: "About us", Link: "https://news.example.com/about/", Creator: "zoë",
			GUID: "https://news.example.com/about/", GUIDIsPermaLink: true,
			Content: "We report.\n\nWe explain.", PostID: 2,
			CommentStatus: "closed", PingStatus: "closed", PostName: "about", Status: "draft",
			MenuOrder: 3, PostType: "page", PostPassword: "s3cret",
		},
		&Item{
			Title: "ballot-box.jpg", Link: "https://news.example.com/ballot-box/", Creator: "editor",
			GUID: "https://news.example.com/wp-content/uploads/ballot-box.jpg", PostID: 101,
			PostDate: mustDate(t, "2026-03-01 20:00:00"), PostDateGMT: mustDate(t, "2026-03-01 20:00:00"),
			Status: "inherit", PostParent: 100, PostType: "attachment",
			AttachmentURL: "https://news.example.com/wp-content/uploads/ballot-box.jpg",
			Postmeta:      []Meta{{Key: "_wp_attached_file", Value: "ballot-box.jpg"}},
		},
	}
}

// write writes records (a *Site first) with a Writer.
func write(t testing.TB, recs []Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, *recs[0].(*Site))
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		switch rec := rec.(type) {
		case *Author:
			err = w.WriteAuthor(rec)
		case *Category:
			err = w.WriteCategory(rec)
		case *Tag:
			err = w.WriteTag(rec)
		case *Term:
			err = w.WriteTerm(rec)
		case *Item:
			err = w.WriteItem(rec)
		}
		if err != nil {
			t.Fatalf("writing %T: %v", rec, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	return buf.Bytes()
}

// TestWriterGolden compares the Writer's output with a golden file. That
// output, and the rewritten shared exports, were also read by the
// SimpleXML parser of WordPress's importer (PHP 8.2): it accepted every file
// and read the same values as the Reader.
func TestWriterGolden(t *testing.T) {
	t.Parallel()
	got := write(t, sample(t))
	golden := filepath.Join("testdata", "sample.golden.xml")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("Writer output mismatch (-%s +got); run go test -update if the change is intended:\n%s", golden, diff)
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	want := sample(t)
	got, err := readAll(NewReader(bytes.NewReader(write(t, want))))
	if err != nil {
		t.Fatalf("reading written WXR: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("write then read mismatch (-want +got):\n%s", diff)
	}
}

// TestRoundTripShared writes every record of the shared WordPress exports
// and reads them back unchanged.
func TestRoundTripShared(t *testing.T) {
	t.Parallel()
	dir := sharedDir(t)
	for _, name := range []string{
		"wptt-themeunittestdata.wordpress.xml", "wpimporter-crazy-cdata.xml",
		"wpimporter-wxr-utf-8-challenges.xml", "cclabs-blog-2007-2014.wordpress.xml",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			want, err := readAll(NewReader(bytes.NewReader(src)))
			if err != nil {
				t.Fatal(err)
			}
			want[0].(*Site).WXRVersion = "1.2"
			for _, rec := range want {
				if it, ok := rec.(*Item); ok {
					it.PubDate = strings.TrimSpace(it.PubDate)
				}
			}
			got, err := readAll(NewReader(bytes.NewReader(write(t, want))))
			if err != nil {
				t.Fatalf("reading written WXR: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: write then read mismatch (-want +got):\n%s", name, diff)
			}
		})
	}
}

func TestWriterOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		steps func(w *Writer) error
	}{
		{"author after item", func(w *Writer) error {
			if err := w.WriteItem(&Item{}); err != nil {
				return err
			}
			return w.WriteAuthor(&Author{})
		}},
		{"category after tag", func(w *Writer) error {
			if err := w.WriteTag(&Tag{}); err != nil {
				return err
			}
			return w.WriteCategory(&Category{})
		}},
		{"term after item", func(w *Writer) error {
			if err := w.WriteItem(&Item{}); err != nil {
				return err
			}
			return w.WriteTerm(&Term{})
		}},
		{"item after close", func(w *Writer) error {
			if err := w.Close(); err != nil {
				return err
			}
			return w.WriteItem(&Item{})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, err := NewWriter(&bytes.Buffer{}, Site{})
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.steps(w); !errors.Is(err, ErrOrder) {
				t.Errorf("%s: error = %v, want ErrOrder", tt.name, err)
			}
		})
	}
}

// TestWriterText checks what the Writer does with text XML cannot carry
// as is.
func TestWriterText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain", "plain", "plain"},
		{"cdata end", "a]]>b", "a]]>b"},
		{"cdata ends", "]]>]]>", "]]>]]>"},
		{"bracket before end", "x]", "x]"},
		{"nested cdata", "<![CDATA[ x ]]>", "<![CDATA[ x ]]>"},
		{"control characters", "a\x00b\x1bc\x7f", "a\uFFFDb\uFFFDc\x7f"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"noncharacter", "a\uFFFEb", "a\uFFFDb"},
		{"replacement kept", "a\uFFFDb", "a\uFFFDb"},
		{"carriage return", "a\r\nb\rc", "a\nb\nc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			recs := []Record{&Site{}, &Item{Content: tt.in, Postmeta: []Meta{{Key: tt.in, Value: tt.in}}}}
			got, err := readAll(NewReader(bytes.NewReader(write(t, recs))))
			if err != nil {
				t.Fatalf("reading written WXR: %v", err)
			}
			it := got[1].(*Item)
			if it.Content != tt.want {
				t.Errorf("Content %q written and read = %q, want %q", tt.in, it.Content, tt.want)
			}
			if diff := cmp.Diff([]Meta{{Key: tt.want, Value: tt.want}}, it.Postmeta); diff != "" {
				t.Errorf("Postmeta mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
