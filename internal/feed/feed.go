// Package feed writes a site's stories as RSS 2.0, Atom 1.0 and JSON Feed 1.1
// documents, and its URLs as sitemaps and Google News sitemaps.
//
// The package defines the small input types it needs and imports no other
// Broadsheet package. Output is deterministic: the same input always gives
// the same bytes. Every string is cleaned of characters XML cannot carry
// (control characters, invalid UTF-8) before it is written, so every XML
// document is well-formed whatever the input.
package feed

import (
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Feed is one syndication feed: the front page, a section, a tag or an
// author's stories.
type Feed struct {
	// Title names the publication or page, as plain text.
	Title string
	// Description is a plain-text sentence about the feed.
	Description string
	// Link is the absolute URL of the HTML page the feed mirrors.
	Link string
	// FeedURL is the absolute URL the feed itself is served from; feeds
	// name themselves with it (atom:link rel="self", feed_url).
	FeedURL string
	// Language is a language tag such as "en" or "en-GB"; empty omits it.
	Language string
	// Updated is when the feed last changed. When zero, the newest
	// Published or Updated time of the items is used.
	Updated time.Time
	// Logo is the absolute URL of the publication's logo, a raster picture (RSS <image>, Atom
	// <logo>, JSON Feed icon), LogoWidth and LogoHeight its size in pixels when known; Icon is
	// the absolute URL of its small icon (Atom <icon>, JSON Feed favicon). Empty omits them.
	Logo                  string
	LogoWidth, LogoHeight int
	Icon                  string
	// Items are written in the order given, newest first by convention.
	Items []Item
}

// Item is one story in a feed.
type Item struct {
	// ID identifies the story for ever, even when its URL changes: a
	// permalink or a tag: URI. Atom needs an IRI here. Empty means Link.
	ID string
	// Title is the headline, as plain text.
	Title string
	// Link is the absolute URL of the story page.
	Link string
	// Summary is the standfirst, as plain text.
	Summary string
	// ContentHTML is the full story body as HTML that has already been
	// sanitised (see package sanitize); empty omits it. Its URLs may be
	// relative: writers resolve them against Link (see Absolute).
	ContentHTML string
	// Authors are the story's bylines, in order.
	Authors []Person
	// Categories are the section and tags, as plain text.
	Categories []string
	// Published is when the story was first published.
	Published time.Time
	// Updated is when the story last changed; zero means Published.
	Updated time.Time
	// ImageURL is the URL of the story's lead image, resolved against Link;
	// empty omits it.
	ImageURL string
}

// Person is an author as feeds show them: a name and, optionally, the URL of
// a public page about them.
//
// Privacy: Person has no email field, on purpose. Feeds are public and are
// harvested by spammers, and RSS would otherwise expect an address in
// <author>; a byline is written as dc:creator, Atom author/name and JSON Feed
// authors[].name instead. Never put an email address in Name or URL.
type Person struct {
	// Name is the byline as readers see it.
	Name string
	// URL is the author's public page (e.g. the site's author archive).
	URL string
}

// updated returns when the item last changed.
func (it Item) updated() time.Time {
	if it.Updated.IsZero() {
		return it.Published
	}
	return it.Updated
}

// id returns the item's identifier, falling back to its link.
func (it Item) id() string {
	if it.ID == "" {
		return it.Link
	}
	return it.ID
}

// updated returns when the feed last changed: Feed.Updated, or else the
// newest time of its items, or else the zero time.
func (f Feed) updated() time.Time {
	if !f.Updated.IsZero() {
		return f.Updated
	}
	var newest time.Time
	for _, it := range f.Items {
		for _, t := range []time.Time{it.Published, it.Updated} {
			if t.After(newest) {
				newest = t
			}
		}
	}
	return newest
}

// rfc3339 formats t to the second for Atom, JSON Feed and sitemaps, or
// returns "" for the zero time. Times keep their own location; pass UTC times for output that
// does not depend on where the server runs.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// cleaned returns a copy of f with every string cleaned by clean. The
// caller's slices are not modified.
func (f Feed) cleaned() Feed {
	f.Title = clean(f.Title)
	f.Description = clean(f.Description)
	f.Link = clean(f.Link)
	f.FeedURL = clean(f.FeedURL)
	f.Language = clean(f.Language)
	f.Logo, f.Icon = clean(f.Logo), clean(f.Icon)
	items := make([]Item, len(f.Items))
	for i, it := range f.Items {
		it.ID = clean(it.ID)
		it.Title = clean(it.Title)
		it.Link = clean(it.Link)
		it.Summary = clean(it.Summary)
		it.ContentHTML = Absolute(clean(it.ContentHTML), it.Link)
		it.ImageURL = resolveString(it.Link, clean(it.ImageURL))
		it.Authors = cleanPeople(it.Authors)
		it.Categories = cleanStrings(it.Categories)
		items[i] = it
	}
	f.Items = items
	return f
}

// cleanPeople returns a cleaned copy of ps, without entries left empty.
func cleanPeople(ps []Person) []Person {
	var out []Person
	for _, p := range ps {
		p = Person{Name: strings.TrimSpace(clean(p.Name)), URL: clean(p.URL)}
		if p.Name != "" {
			out = append(out, p)
		}
	}
	return out
}

// cleanStrings returns a cleaned copy of ss, without entries left empty.
func cleanStrings(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(clean(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// clean returns s without the characters XML 1.0 cannot carry (C0 controls
// other than tab, newline and carriage return; U+FFFE and U+FFFF; surrogates)
// and without C1 controls or invalid UTF-8, so any document built from it is
// well-formed and readers see no stray control codes.
func clean(s string) string {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !allowed(r, size) {
			return cleanFrom(s, i)
		}
		i += size
	}
	return s
}

// cleanFrom is clean for a string whose first bad character is at i.
func cleanFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if allowed(r, size) {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// allowed reports whether rune r, decoded from size bytes, may be written.
func allowed(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return false // invalid UTF-8
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20, 0x7f <= r && r <= 0x9f:
		return false
	case 0xd800 <= r && r <= 0xdfff, r == 0xfffe, r == 0xffff:
		return false
	}
	return true
}

// TagURI is a permanent identifier for an item (RFC 4151): tag:HOST,DATE:SPECIFIC, where host
// is the site's domain (a port is dropped), date the day (UTC) the thing came into being and
// specific names it without its slug ("story/42"). A changed slug or headline leaves it alone,
// so a feed reader does not show a renamed story twice.
func TagURI(host string, date time.Time, specific string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	return "tag:" + host + "," + date.UTC().Format("2006-01-02") + ":" + specific
}

// resolveString resolves u against base when both parse, or returns u.
func resolveString(base, u string) string {
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() {
		return u
	}
	return resolve(b, u)
}
