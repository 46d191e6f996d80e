package feed

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"time"
)

// Limits set by the sitemaps protocol (sitemaps.org) and Google News.
const (
	// MaxSitemapURLs is the most URLs one sitemap, or sitemaps one
	// sitemap index, may list.
	MaxSitemapURLs = 50000
	// MaxSitemapBytes is the largest a sitemap may be, uncompressed.
	MaxSitemapBytes = 50 * 1024 * 1024
	// MaxNewsURLs is the most URLs one Google News sitemap may list.
	MaxNewsURLs = 1000
)

// URL is one page in a sitemap.
type URL struct {
	// Loc is the page's absolute http or https URL.
	Loc string
	// LastMod is when the page last changed; zero omits it.
	LastMod time.Time
}

// Sitemap is one sitemap in a sitemap index.
type Sitemap struct {
	// Loc is the sitemap's absolute http or https URL.
	Loc string
	// LastMod is when the sitemap last changed; zero omits it.
	LastMod time.Time
}

// NewsURL is one story in a Google News sitemap. Google News reads only
// stories published in the last two days; choosing them is the caller's job.
type NewsURL struct {
	// Loc is the story's absolute http or https URL.
	Loc string
	// Title is the headline, as plain text.
	Title string
	// PublicationName is the publication as Google News knows it.
	PublicationName string
	// Language is an ISO 639 code such as "en", or "zh-cn" and "zh-tw".
	Language string
	// Published is when the story was first published.
	Published time.Time
}

// WriteSitemap writes urls to w as a sitemap (<urlset>).
//
// It returns an error, before writing anything, when there are more than
// MaxSitemapURLs URLs or a Loc is not an absolute http(s) URL. Locations are
// written percent-encoded (url.URL.String). If the document grows past
// MaxSitemapBytes it returns an error after writing it: write to a buffer
// when a partial document must not be sent.
func WriteSitemap(w io.Writer, urls []URL) error {
	if len(urls) > MaxSitemapURLs {
		return fmt.Errorf("feed: sitemap has %d urls, more than the limit of %d", len(urls), MaxSitemapURLs)
	}
	out := make([]sitemapURL, len(urls))
	for i, u := range urls {
		loc, err := checkLoc(u.Loc)
		if err != nil {
			return fmt.Errorf("feed: sitemap url %d: %w", i, err)
		}
		out[i] = sitemapURL{Loc: loc, LastMod: rfc3339(u.LastMod)}
	}
	return writeSitemapDoc(w, "sitemap", `<urlset xmlns="`+nsSitemap+`">`, "</urlset>", out)
}

// WriteSitemapIndex writes maps to w as a sitemap index (<sitemapindex>).
// It has the same limits and errors as WriteSitemap.
func WriteSitemapIndex(w io.Writer, maps []Sitemap) error {
	if len(maps) > MaxSitemapURLs {
		return fmt.Errorf("feed: sitemap index has %d sitemaps, more than the limit of %d", len(maps), MaxSitemapURLs)
	}
	out := make([]sitemapEntry, len(maps))
	for i, m := range maps {
		loc, err := checkLoc(m.Loc)
		if err != nil {
			return fmt.Errorf("feed: sitemap index entry %d: %w", i, err)
		}
		out[i] = sitemapEntry{Loc: loc, LastMod: rfc3339(m.LastMod)}
	}
	return writeSitemapDoc(w, "sitemap index", `<sitemapindex xmlns="`+nsSitemap+`">`, "</sitemapindex>", out)
}

// WriteNewsSitemap writes urls to w as a Google News sitemap: a <urlset>
// whose entries carry news:news with the publication, the publication date
// and the title.
//
// It returns an error, before writing anything, when there are more than
// MaxNewsURLs URLs, a Loc is not an absolute http(s) URL, or a title,
// publication name, language or publication date is missing.
func WriteNewsSitemap(w io.Writer, urls []NewsURL) error {
	if len(urls) > MaxNewsURLs {
		return fmt.Errorf("feed: news sitemap has %d urls, more than the limit of %d", len(urls), MaxNewsURLs)
	}
	out := make([]newsURL, len(urls))
	for i, u := range urls {
		n, err := newNewsURL(u)
		if err != nil {
			return fmt.Errorf("feed: news sitemap url %d: %w", i, err)
		}
		out[i] = n
	}
	open := `<urlset xmlns="` + nsSitemap + `" xmlns:news="` + nsNews + `">`
	return writeSitemapDoc(w, "news sitemap", open, "</urlset>", out)
}

// newNewsURL checks and converts one news entry.
func newNewsURL(u NewsURL) (newsURL, error) {
	loc, err := checkLoc(u.Loc)
	if err != nil {
		return newsURL{}, err
	}
	n := newsURL{Loc: loc, News: newsNews{
		Publication: newsPublication{Name: clean(u.PublicationName), Language: clean(u.Language)},
		Date:        rfc3339(u.Published),
		Title:       clean(u.Title),
	}}
	switch {
	case n.News.Title == "":
		return newsURL{}, fmt.Errorf("%s: title is empty", loc)
	case n.News.Publication.Name == "":
		return newsURL{}, fmt.Errorf("%s: publication name is empty", loc)
	case n.News.Publication.Language == "":
		return newsURL{}, fmt.Errorf("%s: language is empty", loc)
	case n.News.Date == "":
		return newsURL{}, fmt.Errorf("%s: publication date is zero", loc)
	}
	return n, nil
}

// checkLoc returns loc percent-encoded, or an error if it is not an absolute
// http or https URL.
func checkLoc(loc string) (string, error) {
	u, err := url.Parse(clean(loc))
	if err != nil {
		return "", fmt.Errorf("loc %q: %w", loc, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("loc %q is not an absolute http or https url", loc)
	}
	return u.String(), nil
}

// writeSitemapDoc streams one sitemap document: the XML declaration, the
// root start tag open, each entry indented, and the end tag end.
func writeSitemapDoc[T any](w io.Writer, format, open, end string, entries []T) error {
	cw := &countingWriter{w: w}
	bw := bufio.NewWriter(cw)
	bw.WriteString(xml.Header)
	bw.WriteString(open)
	enc := xml.NewEncoder(bw)
	enc.Indent("  ", "  ")
	bw.WriteByte('\n')
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("feed: writing %s: %w", format, err)
		}
	}
	if len(entries) > 0 {
		bw.WriteByte('\n')
	}
	bw.WriteString(end)
	bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("feed: writing %s: %w", format, err)
	}
	if cw.n > MaxSitemapBytes {
		return fmt.Errorf("feed: %s is %d bytes, more than the limit of %d", format, cw.n, MaxSitemapBytes)
	}
	return nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

// Write implements io.Writer.
func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// sitemapURL is a <url>.
type sitemapURL struct {
	XMLName xml.Name `xml:"url"`
	Loc     string   `xml:"loc"`
	LastMod string   `xml:"lastmod,omitempty"`
}

// sitemapEntry is a <sitemap> in an index.
type sitemapEntry struct {
	XMLName xml.Name `xml:"sitemap"`
	Loc     string   `xml:"loc"`
	LastMod string   `xml:"lastmod,omitempty"`
}

// newsURL is a <url> with Google News metadata.
type newsURL struct {
	XMLName xml.Name `xml:"url"`
	Loc     string   `xml:"loc"`
	News    newsNews `xml:"news:news"`
}

// newsNews is <news:news>.
type newsNews struct {
	Publication newsPublication `xml:"news:publication"`
	Date        string          `xml:"news:publication_date"`
	Title       string          `xml:"news:title"`
}

// newsPublication is <news:publication>.
type newsPublication struct {
	Name     string `xml:"news:name"`
	Language string `xml:"news:language"`
}
