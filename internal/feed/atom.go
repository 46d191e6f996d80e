package feed

import (
	"encoding/xml"
	"io"
	"time"
)

// WriteAtom writes f to w as an Atom 1.0 (RFC 4287) document.
//
// The feed's id is FeedURL (or Link when FeedURL is empty). Each entry has an
// id, an updated time, a link rel="alternate", one author per byline (name
// and uri, never an email address), the summary as text and the body as
// content type="html". Atom requires an author for every entry, so when an
// item has none the feed itself is credited to its Title. When no time is
// known at all, updated is the Unix epoch, which keeps the document valid.
func WriteAtom(w io.Writer, f Feed) error {
	f = f.cleaned()
	doc := atomFeed{
		Lang:     f.Language,
		Title:    f.Title,
		Subtitle: f.Description,
		Icon:     f.Icon,
		Logo:     f.Logo,
		ID:       f.FeedURL,
		Updated:  atomTime(f.updated()),
	}
	if doc.ID == "" {
		doc.ID = f.Link
	}
	if f.Link != "" {
		doc.Links = append(doc.Links, atomLink{Rel: "alternate", Type: "text/html", Href: f.Link})
	}
	if f.FeedURL != "" {
		doc.Links = append(doc.Links, atomLink{Rel: "self", Type: "application/atom+xml", Href: f.FeedURL})
	}
	for _, it := range f.Items {
		if len(it.Authors) == 0 {
			doc.Author = &atomPerson{Name: f.Title}
		}
		if it.ImageURL != "" {
			doc.NSMedia = nsMedia
		}
		doc.Entries = append(doc.Entries, newAtomEntry(it))
	}
	return writeXML(w, "atom", doc)
}

// newAtomEntry converts one cleaned item.
func newAtomEntry(it Item) atomEntry {
	out := atomEntry{
		Title:     it.Title,
		ID:        it.id(),
		Published: rfc3339(it.Published),
		Updated:   atomTime(it.updated()),
		Summary:   it.Summary,
		Media:     newMedia(it.ImageURL),
	}
	if it.Link != "" {
		out.Links = []atomLink{{Rel: "alternate", Type: "text/html", Href: it.Link}}
	}
	for _, p := range it.Authors {
		out.Authors = append(out.Authors, atomPerson(p))
	}
	for _, c := range it.Categories {
		out.Categories = append(out.Categories, atomCategory{Term: c})
	}
	if it.ContentHTML != "" {
		out.Content = &atomContent{Type: "html", Text: it.ContentHTML}
	}
	return out
}

// atomTime formats t for a required Atom date, using the Unix epoch for the
// zero time.
func atomTime(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0).UTC()
	}
	return rfc3339(t)
}

// atomFeed is the <feed> element.
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"xml:lang,attr,omitempty"`
	NSMedia  string      `xml:"xmlns:media,attr,omitempty"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	Icon     string      `xml:"icon,omitempty"`
	Logo     string      `xml:"logo,omitempty"`
	ID       string      `xml:"id"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   *atomPerson `xml:"author"`
	Entries  []atomEntry `xml:"entry"`
}

// atomLink is a <link>.
type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

// atomPerson is an <author>. Its fields match Person's, so a Person
// converts to it directly; it has no <email> on purpose.
type atomPerson struct {
	Name string `xml:"name"`
	URL  string `xml:"uri,omitempty"`
}

// atomCategory is a <category>.
type atomCategory struct {
	Term string `xml:"term,attr"`
}

// atomContent is an entry's <content type="html">.
type atomContent struct {
	Type string `xml:"type,attr"`
	Text string `xml:",cdata"`
}

// atomEntry is one <entry>.
type atomEntry struct {
	Title      string         `xml:"title"`
	Links      []atomLink     `xml:"link"`
	ID         string         `xml:"id"`
	Published  string         `xml:"published,omitempty"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    string         `xml:"summary,omitempty"`
	Content    *atomContent   `xml:"content"`
	Media      *mediaContent  `xml:"media:content"`
}
