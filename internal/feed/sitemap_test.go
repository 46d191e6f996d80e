package feed

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// parsedURLSet is a sitemap as encoding/xml reads it, news fields included.
type parsedURLSet struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
		News    *struct {
			Name     string `xml:"publication>name"`
			Language string `xml:"publication>language"`
			Date     string `xml:"publication_date"`
			Title    string `xml:"title"`
		} `xml:"http://www.google.com/schemas/sitemap-news/0.9 news"`
	} `xml:"url"`
}

// parsedIndex is a sitemap index as encoding/xml reads it.
type parsedIndex struct {
	XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"sitemap"`
}

// sitemapCase is one sitemap writer run on fixed input.
type sitemapCase struct {
	name  string
	write func(io.Writer) error
}

func sitemapCases() []sitemapCase {
	return []sitemapCase{
		{"sitemap.xml", func(w io.Writer) error {
			return WriteSitemap(w, []URL{
				{Loc: "https://news.example.com/", LastMod: date("2026-03-22 18:30", 0)},
				{Loc: "https://news.example.com/2026/03/21/zürich-café/", LastMod: date("2026-03-21 23:30", 1)},
				{Loc: "https://news.example.com/search/?q=a&b=c"},
			})
		}},
		{"sitemap-empty.xml", func(w io.Writer) error { return WriteSitemap(w, nil) }},
		{"sitemap-index.xml", func(w io.Writer) error {
			return WriteSitemapIndex(w, []Sitemap{
				{Loc: "https://news.example.com/sitemap-1.xml", LastMod: date("2026-03-22 18:30", 0)},
				{Loc: "https://news.example.com/sitemap-2.xml"},
			})
		}},
		{"sitemap-news.xml", func(w io.Writer) error {
			return WriteNewsSitemap(w, []NewsURL{{
				Loc:             "https://news.example.com/2026/03/22/putin-xi-talks/",
				Title:           "Putin & Xi meet: <b>no limits</b>\x00",
				PublicationName: "The Broadsheet Courier",
				Language:        "en",
				Published:       date("2026-03-22 09:00", 0),
			}, {
				Loc:             "https://news.example.com/2026/03/22/xi-visit/",
				Title:           "习近平 visits Zürich",
				PublicationName: "The Broadsheet Courier",
				Language:        "en",
				Published:       date("2026-03-22 10:00", 8),
			}})
		}},
	}
}

func TestSitemapGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range sitemapCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			golden(t, tc.name, sitemapBytes(t, tc.name))
		})
	}
}

// sitemapBytes returns the output of the sitemap case called name.
func sitemapBytes(t *testing.T, name string) []byte {
	t.Helper()
	for _, tc := range sitemapCases() {
		if tc.name == name {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatalf("writing %s: %v", name, err)
			}
			return b.Bytes()
		}
	}
	t.Fatalf("no sitemap case %s", name)
	return nil
}

func TestSitemapParse(t *testing.T) {
	t.Parallel()
	data := sitemapBytes(t, "sitemap.xml")
	var got parsedURLSet
	if err := xml.Unmarshal(data, &got); err != nil {
		t.Fatalf("sitemap does not parse: %v", err)
	}
	var locs, mods []string
	for _, u := range got.URLs {
		locs = append(locs, u.Loc)
		mods = append(mods, u.LastMod)
	}
	wantLocs := []string{
		"https://news.example.com/",
		"https://news.example.com/2026/03/21/z%C3%BCrich-caf%C3%A9/",
		"https://news.example.com/search/?q=a&b=c",
	}
	if diff := cmp.Diff(wantLocs, locs); diff != "" {
		t.Errorf("sitemap locs mismatch (-want +got):\n%s", diff)
	}
	wantMods := []string{"2026-03-22T18:30:00Z", "2026-03-21T23:30:00+01:00", ""}
	if diff := cmp.Diff(wantMods, mods); diff != "" {
		t.Errorf("sitemap lastmods mismatch (-want +got):\n%s", diff)
	}
}

func TestSitemapIndexParse(t *testing.T) {
	t.Parallel()
	data := sitemapBytes(t, "sitemap-index.xml")
	var got parsedIndex
	if err := xml.Unmarshal(data, &got); err != nil {
		t.Fatalf("sitemap index does not parse: %v", err)
	}
	if len(got.Sitemaps) != 2 || got.Sitemaps[1].Loc != "https://news.example.com/sitemap-2.xml" {
		t.Errorf("sitemap index read back as %+v", got.Sitemaps)
	}
}

func TestNewsSitemapParse(t *testing.T) {
	t.Parallel()
	data := sitemapBytes(t, "sitemap-news.xml")
	var got parsedURLSet
	if err := xml.Unmarshal(data, &got); err != nil {
		t.Fatalf("news sitemap does not parse: %v", err)
	}
	if len(got.URLs) != 2 || got.URLs[0].News == nil {
		t.Fatalf("news sitemap read back as %+v", got)
	}
	n := got.URLs[0].News
	want := []string{"The Broadsheet Courier", "en", "2026-03-22T09:00:00Z", "Putin & Xi meet: <b>no limits</b>"}
	if diff := cmp.Diff(want, []string{n.Name, n.Language, n.Date, n.Title}); diff != "" {
		t.Errorf("news fields mismatch (-want +got):\n%s", diff)
	}
	if d := got.URLs[1].News.Date; d != "2026-03-22T10:00:00+08:00" {
		t.Errorf("news publication_date = %q, want %q", d, "2026-03-22T10:00:00+08:00")
	}
}

func TestSitemapErrors(t *testing.T) {
	t.Parallel()
	good := NewsURL{Loc: "https://news.example.com/a/", Title: "T", PublicationName: "P",
		Language: "en", Published: date("2026-03-22 09:00", 0)}
	without := func(edit func(*NewsURL)) []NewsURL {
		n := good
		edit(&n)
		return []NewsURL{n}
	}
	tests := []struct {
		name  string
		write func(io.Writer) error
		want  string // a phrase the error must contain
	}{
		{"too many urls", func(w io.Writer) error {
			return WriteSitemap(w, make([]URL, MaxSitemapURLs+1))
		}, "more than the limit of 50000"},
		{"too many sitemaps", func(w io.Writer) error {
			return WriteSitemapIndex(w, make([]Sitemap, MaxSitemapURLs+1))
		}, "more than the limit of 50000"},
		{"too many news urls", func(w io.Writer) error {
			return WriteNewsSitemap(w, make([]NewsURL, MaxNewsURLs+1))
		}, "more than the limit of 1000"},
		{"relative loc", func(w io.Writer) error {
			return WriteSitemap(w, []URL{{Loc: "https://news.example.com/"}, {Loc: "/about/"}})
		}, "sitemap url 1: loc \"/about/\" is not an absolute http or https url"},
		{"ftp loc", func(w io.Writer) error {
			return WriteSitemapIndex(w, []Sitemap{{Loc: "ftp://news.example.com/s.xml"}})
		}, "is not an absolute http or https url"},
		{"unparseable loc", func(w io.Writer) error {
			return WriteSitemap(w, []URL{{Loc: "https://news.example.com/%zz"}})
		}, "invalid URL escape"},
		{"news without title", func(w io.Writer) error {
			return WriteNewsSitemap(w, without(func(n *NewsURL) { n.Title = "\x00" }))
		}, "title is empty"},
		{"news without publication", func(w io.Writer) error {
			return WriteNewsSitemap(w, without(func(n *NewsURL) { n.PublicationName = "" }))
		}, "publication name is empty"},
		{"news without language", func(w io.Writer) error {
			return WriteNewsSitemap(w, without(func(n *NewsURL) { n.Language = "" }))
		}, "language is empty"},
		{"news without date", func(w io.Writer) error {
			return WriteNewsSitemap(w, without(func(n *NewsURL) { n.Published = time.Time{} }))
		}, "publication date is zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			err := tt.write(&b)
			if err == nil {
				t.Fatalf("got no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes before failing, want none", b.Len())
			}
		})
	}
}

func TestSitemapByteLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("writes about 55 MB")
	}
	t.Parallel()
	long := "https://news.example.com/" + strings.Repeat("a", 1050) + "/%d"
	urls := make([]URL, MaxSitemapURLs)
	for i := range urls {
		urls[i].Loc = fmt.Sprintf(long, i)
	}
	err := WriteSitemap(io.Discard, urls)
	if err == nil || !strings.Contains(err.Error(), "more than the limit of 52428800") {
		t.Errorf("WriteSitemap of %d long urls: error %v, want the byte limit", len(urls), err)
	}
}
