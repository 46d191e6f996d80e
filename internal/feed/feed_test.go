package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"html"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mmcdole/gofeed"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

// format is one feed writer under test.
type format struct {
	name  string // also the golden file extension
	write func(io.Writer, Feed) error
}

// formats returns the feed writers.
func formats() []format {
	return []format{{"rss", WriteRSS}, {"atom", WriteAtom}, {"json", WriteJSON}}
}

// render runs write on f and fails t on error.
func render(t testing.TB, write func(io.Writer, Feed) error, f Feed) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b, f); err != nil {
		t.Fatalf("writing feed %q: %v", f.Title, err)
	}
	return b.Bytes()
}

// date returns a time in a fixed zone offset hours east of UTC.
func date(s string, offset int) time.Time {
	loc := time.FixedZone("", offset*3600)
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

// sampleFeed is a section feed with the text that breaks naive writers:
// ampersands and markup in titles, non-Latin scripts, "]]>" in content,
// control characters and invalid UTF-8.
func sampleFeed() Feed {
	return Feed{
		Title:       "The Broadsheet Courier — World & Politics",
		Description: "News <from> everywhere & nowhere",
		Link:        "https://news.example.com/world/",
		FeedURL:     "https://news.example.com/world/feed/",
		Language:    "en-GB",
		Updated:     date("2026-03-22 18:30", 0),
		Items: []Item{
			{
				ID:          "https://news.example.com/2026/03/22/putin-xi-talks/",
				Title:       `Putin & Xi meet: "no limits" <b>partnership</b>`,
				Link:        "https://news.example.com/2026/03/22/putin-xi-talks/",
				Summary:     "Leaders met for talks <on> trade & energy.",
				ContentHTML: `<p>Vladimir Putin and Xi Jinping met on <em>Sunday</em>.</p><p>Talks ran &amp; ran.</p>`,
				Authors: []Person{
					{Name: "Jane Doe", URL: "https://news.example.com/authors/jane-doe/"},
					{Name: "Иван Петров"},
				},
				Categories: []string{"World", "Ukraine", "Xi Jinping"},
				Published:  date("2026-03-22 09:00", 0),
				Updated:    date("2026-03-22 11:15", 0),
				ImageURL:   "https://news.example.com/media/2026/03/talks.jpg?w=1200&h=800",
			},
			{
				ID:          "tag:news.example.com,2026:article-41",
				Title:       "Zürich: 习近平 visits — café talks 🇨🇭",
				Link:        "https://news.example.com/2026/03/21/zurich-cafe/",
				Summary:     "Ein Besuch in Zürich.",
				ContentHTML: "<pre>if a[b[0]]>c { return }</pre>",
				Categories:  []string{"Europe"},
				Published:   date("2026-03-21 23:30", 1),
			},
			{
				Title:     "Breaking\x00 news\x1b[31m\x7f \xffnow",
				Link:      "https://news.example.com/2026/03/20/breaking/",
				Summary:   "Line one\nline two\ttabbed\x0b.",
				Authors:   []Person{{Name: " \x01 "}, {Name: "Desk"}},
				Published: date("2026-03-20 08:00", 0),
			},
		},
	}
}

// fixtures returns the feeds the golden and round-trip tests cover.
func fixtures() map[string]Feed {
	return map[string]Feed{
		"sample": sampleFeed(),
		"empty": {
			Title:   "Empty section",
			Link:    "https://news.example.com/empty/",
			FeedURL: "https://news.example.com/empty/feed/",
		},
		"zero": {},
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for name, f := range fixtures() {
		for _, fm := range formats() {
			t.Run(name+"."+fm.name, func(t *testing.T) {
				t.Parallel()
				golden(t, name+"."+fm.name, render(t, fm.write, f))
			})
		}
	}
}

// summary is what a feed reader takes from a feed, normalised so that the
// input and gofeed's reading of the output can be compared.
type summary struct {
	Title, Link, Language string
	Items                 []itemSummary
}

// itemSummary is what a feed reader takes from one item.
type itemSummary struct {
	ID, Title, Link, Summary, Content, Image string
	Authors, Categories                      []string
	Published, Updated                       time.Time
}

// expect returns what a reader of format should find in f.
func expect(f Feed, format string) summary {
	f = f.cleaned()
	s := summary{Title: f.Title, Link: f.Link, Language: f.Language}
	for _, it := range f.Items {
		is := itemSummary{
			ID: it.id(), Title: it.Title, Link: it.Link, Summary: it.Summary,
			Content: it.ContentHTML, Image: it.ImageURL, Categories: it.Categories,
			Published: it.Published,
		}
		for _, p := range it.Authors {
			is.Authors = append(is.Authors, p.Name)
		}
		switch format {
		case "rss":
			// gofeed reads the first dc:creator only; RSS has no updated.
			is.Authors = is.Authors[:min(1, len(is.Authors))]
		case "atom":
			is.Updated = it.updated()
			if is.Updated.IsZero() {
				is.Updated = time.Unix(0, 0)
			}
			if is.Published.IsZero() {
				is.Published = is.Updated
			}
		case "json":
			is.Updated = it.Updated
			if is.Content == "" {
				is.Content = is.Summary
			}
		}
		s.Items = append(s.Items, normalise(is))
	}
	return s
}

// readFeed returns what gofeed, an independent parser, finds in a feed.
func readFeed(t *testing.T, data []byte) summary {
	t.Helper()
	p := gofeed.NewParser()
	// Read the image only from where the writers put it, not from the body.
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	gf, err := p.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("gofeed cannot parse the output: %v\n%s", err, data)
	}
	s := summary{Title: gf.Title, Link: gf.Link, Language: gf.Language}
	for _, it := range gf.Items {
		is := itemSummary{
			ID: it.GUID, Title: it.Title, Link: it.Link, Summary: it.Description,
			Content: it.Content, Categories: it.Categories,
		}
		if gf.FeedType == "rss" {
			is.Summary = html.UnescapeString(is.Summary)
		}
		for _, p := range it.Authors {
			is.Authors = append(is.Authors, p.Name)
		}
		if it.PublishedParsed != nil {
			is.Published = *it.PublishedParsed
		}
		if it.UpdatedParsed != nil {
			is.Updated = *it.UpdatedParsed
		}
		if it.Image != nil {
			is.Image = it.Image.URL
		} else if m := it.Extensions["media"]["content"]; len(m) > 0 {
			is.Image = m[0].Attrs["url"]
		}
		s.Items = append(s.Items, normalise(is))
	}
	return s
}

// normalise removes differences no reader cares about: white space around
// text, time zones, fractions of a second (the formats are written to the
// second), and nil versus empty lists.
func normalise(is itemSummary) itemSummary {
	for _, p := range []*string{&is.ID, &is.Title, &is.Link, &is.Summary, &is.Content, &is.Image} {
		*p = strings.TrimSpace(*p)
	}
	if len(is.Authors) == 0 {
		is.Authors = nil
	}
	if len(is.Categories) == 0 {
		is.Categories = nil
	}
	is.Published = is.Published.UTC().Truncate(time.Second)
	is.Updated = is.Updated.UTC().Truncate(time.Second)
	return is
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for name, f := range fixtures() {
		for _, fm := range formats() {
			t.Run(name+"."+fm.name, func(t *testing.T) {
				t.Parallel()
				got := readFeed(t, render(t, fm.write, f))
				if diff := cmp.Diff(expect(f, fm.name), got); diff != "" {
					t.Errorf("gofeed read of %s mismatch (-want +got):\n%s", fm.name, diff)
				}
			})
		}
	}
}

// checkWellFormed fails t unless data is one well-formed XML document.
func checkWellFormed(t *testing.T, data []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("output is not well-formed XML: %v\n%s", err, data)
		}
	}
}

func TestCleaning(t *testing.T) {
	t.Parallel()
	f := sampleFeed()
	before := f.Items[2].Title
	for _, fm := range formats() {
		out := render(t, fm.write, f)
		if fm.name != "json" {
			checkWellFormed(t, out)
		}
		for _, bad := range []string{"\x00", "\x1b", "\x7f", "\xff", "\x0b", "\x01"} {
			if bytes.Contains(out, []byte(bad)) {
				t.Errorf("%s output contains %q", fm.name, bad)
			}
		}
	}
	if f.Items[2].Title != before {
		t.Errorf("writing changed the caller's item title to %q", f.Items[2].Title)
	}
}

func TestClean(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"tab\tnew\nline\rcr", "tab\tnew\nline\rcr"},
		{"a\x00b\x08c\x1fd", "abcd"},
		{"del\x7f c1\u0085\u009f", "del c1"},
		{"bad\xff\xfeutf8", "badutf8"},
		{"nonchars\uFFFE\uFFFF", "nonchars"},
		{"keep\uFFFD replacement", "keep\uFFFD replacement"},
		{"emoji 🇺🇦 and 习近平", "emoji 🇺🇦 and 习近平"},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRSSDetails(t *testing.T) {
	t.Parallel()
	out := string(render(t, WriteRSS, sampleFeed()))
	for _, want := range []string{
		`<guid isPermaLink="true">https://news.example.com/2026/03/22/putin-xi-talks/</guid>`,
		`<guid isPermaLink="false">tag:news.example.com,2026:article-41</guid>`,
		`<pubDate>Sat, 21 Mar 2026 23:30:00 +0100</pubDate>`,
		`<atom:link href="https://news.example.com/world/feed/" rel="self" type="application/rss+xml">`,
		`<dc:creator>Иван Петров</dc:creator>`,
		// Plain text is escaped for HTML, then for XML.
		`<description>Leaders met for talks &amp;lt;on&amp;gt; trade &amp;amp; energy.</description>`,
		`<title>Putin &amp; Xi meet: &#34;no limits&#34; &lt;b&gt;partnership&lt;/b&gt;</title>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("WriteRSS output lacks %s", want)
		}
	}
}

func TestAtomFeedAuthor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		items []Item
		want  bool
	}{
		{"every entry has an author", []Item{{ID: "urn:a", Authors: []Person{{Name: "A"}}}}, false},
		{"an entry lacks one", []Item{{ID: "urn:a", Authors: []Person{{Name: "A"}}}, {ID: "urn:b"}}, true},
		{"no entries", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := string(render(t, WriteAtom, Feed{Title: "Desk", Items: tt.items}))
			got := strings.Contains(out, "\n  <author>\n    <name>Desk</name>")
			if got != tt.want {
				t.Errorf("feed-level author written = %v, want %v:\n%s", got, tt.want, out)
			}
		})
	}
}

// TestPersonHasNoEmail guards the privacy rule: feeds are public, so the
// type they are built from must not be able to carry an email address.
func TestPersonHasNoEmail(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeFor[Person]()
	for i := range typ.NumField() {
		if name := strings.ToLower(typ.Field(i).Name); strings.Contains(name, "mail") {
			t.Errorf("Person has field %s; feeds must never carry email addresses", typ.Field(i).Name)
		}
	}
}

func TestWriteError(t *testing.T) {
	t.Parallel()
	for _, fm := range formats() {
		err := fm.write(failingWriter{}, sampleFeed())
		if !errors.Is(err, errWrite) {
			t.Errorf("%s to a failing writer: error %v, want %v", fm.name, err, errWrite)
		}
	}
}

var errWrite = errors.New("disk full")

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestTagURI(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 3, 22, 23, 30, 0, 0, time.FixedZone("EST", -5*3600)) // 23 March in UTC
	tests := []struct {
		host, specific, want string
	}{
		{"news.example.org", "story/42", "tag:news.example.org,2026-03-23:story/42"},
		{"News.Example.org:8080", "comment/7", "tag:news.example.org,2026-03-23:comment/7"},
		{"127.0.0.1:8080", "story/1", "tag:127.0.0.1,2026-03-23:story/1"},
	}
	for _, tt := range tests {
		if got := TagURI(tt.host, day, tt.specific); got != tt.want {
			t.Errorf("TagURI(%q, %v, %q) = %q, want %q", tt.host, day, tt.specific, got, tt.want)
		}
	}
}
