package feed

import (
	"cmp"
	"encoding/xml"
	"html"
	"io"
	"time"
)

// WriteRSS writes f to w as an RSS 2.0 document.
//
// Each item has a guid (isPermaLink="true" when it is the story's URL), a
// pubDate in RFC 1123 form with a numeric zone, one dc:creator per author (a
// name, never an email address), a category per category, the summary as the
// description and the HTML body as content:encoded. The channel names itself
// with atom:link rel="self".
func WriteRSS(w io.Writer, f Feed) error {
	f = f.cleaned()
	doc := rssDoc{
		Version:   "2.0",
		NSAtom:    nsAtom,
		NSContent: nsContent,
		NSDC:      nsDC,
		NSMedia:   nsMedia,
		Channel: rssChannel{
			Title:         f.Title,
			Link:          f.Link,
			Description:   cmp.Or(f.Description, f.Title), // RSS requires one; the title says what the feed is
			Language:      f.Language,
			LastBuildDate: rfc1123(f.updated()),
		},
	}
	if f.FeedURL != "" {
		doc.Channel.Self = &rssAtomLink{Href: f.FeedURL, Rel: "self", Type: "application/rss+xml"}
	}
	if f.Logo != "" {
		doc.Channel.Image = &rssImage{URL: f.Logo, Title: f.Title, Link: f.Link}
		if f.LogoWidth > 0 && f.LogoWidth <= 144 && f.LogoHeight > 0 && f.LogoHeight <= 400 { // RSS's limits
			doc.Channel.Image.Width, doc.Channel.Image.Height = f.LogoWidth, f.LogoHeight
		}
	}
	for _, it := range f.Items {
		doc.Channel.Items = append(doc.Channel.Items, newRSSItem(it))
	}
	return writeXML(w, "rss", doc)
}

// newRSSItem converts one cleaned item.
func newRSSItem(it Item) rssItem {
	out := rssItem{
		Title:      it.Title,
		Link:       it.Link,
		PubDate:    rfc1123(it.Published),
		Categories: it.Categories,
		Media:      newMedia(it.ImageURL),
	}
	if id := it.id(); id != "" {
		out.GUID = &rssGUID{Value: id, IsPermaLink: id == it.Link}
	}
	for _, p := range it.Authors {
		out.Creators = append(out.Creators, p.Name)
	}
	if it.Summary != "" {
		// Readers treat description as HTML, so plain text is escaped once
		// for HTML here and once more for XML by the encoder.
		out.Description = html.EscapeString(it.Summary)
	}
	if it.ContentHTML != "" {
		out.Content = &cdata{Text: it.ContentHTML}
	}
	return out
}

// rfc1123 formats t to the second for RSS, or returns "" for the zero time.
func rfc1123(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC1123Z)
}

// rssDoc is the <rss> element.
type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	NSMedia   string     `xml:"xmlns:media,attr"`
	Channel   rssChannel `xml:"channel"`
}

// rssChannel is the <channel> element.
type rssChannel struct {
	Title         string       `xml:"title"`
	Link          string       `xml:"link"`
	Description   string       `xml:"description"`
	Language      string       `xml:"language,omitempty"`
	LastBuildDate string       `xml:"lastBuildDate,omitempty"`
	Self          *rssAtomLink `xml:"atom:link"`
	Image         *rssImage    `xml:"image"`
	Items         []rssItem    `xml:"item"`
}

// rssImage is the channel's <image>: the publication's logo.
type rssImage struct {
	URL    string `xml:"url"`
	Title  string `xml:"title"`
	Link   string `xml:"link"`
	Width  int    `xml:"width,omitempty"`
	Height int    `xml:"height,omitempty"`
}

// rssAtomLink is the channel's <atom:link rel="self">.
type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

// rssItem is one <item>.
type rssItem struct {
	Title       string        `xml:"title,omitempty"`
	Link        string        `xml:"link,omitempty"`
	GUID        *rssGUID      `xml:"guid"`
	PubDate     string        `xml:"pubDate,omitempty"`
	Creators    []string      `xml:"dc:creator"`
	Categories  []string      `xml:"category"`
	Description string        `xml:"description,omitempty"`
	Content     *cdata        `xml:"content:encoded"`
	Media       *mediaContent `xml:"media:content"`
}

// rssGUID is an item's <guid>.
type rssGUID struct {
	Value       string `xml:",chardata"`
	IsPermaLink bool   `xml:"isPermaLink,attr"`
}
