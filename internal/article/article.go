// Package article holds the newsroom's domain: stories, their bylines, sections and tags, the
// publishing states a story moves through, and the rules that decide what a reader may see.
package article

import (
	"html"
	"regexp"
	"strings"
	"time"
)

// Status is where a story stands in the publishing workflow.
type Status string

// The publishing states. A scheduled story becomes visible at its PublishedAt time without any
// further action; Live reports that rule.
const (
	Draft       Status = "draft"
	Pending     Status = "pending" // submitted for review by a contributor
	Scheduled   Status = "scheduled"
	Published   Status = "published"
	Unpublished Status = "unpublished"
)

// Valid reports whether s is one of the known states.
func (s Status) Valid() bool {
	switch s {
	case Draft, Pending, Scheduled, Published, Unpublished:
		return true
	}
	return false
}

// Kind tells a dated news story from a standing page (About, Contact).
type Kind string

// The kinds of article.
const (
	Story Kind = "story"
	Page  Kind = "page"
)

// Author is a byline: the public face of a writer, not a login.
type Author struct {
	ID   int64
	Name string
	Slug string
	Bio  string
}

// Section is the one desk a story belongs to (Politics, Business).
type Section struct {
	ID          int64
	Name        string
	Slug        string
	Description string
}

// Tag is a free label shared by stories.
type Tag struct {
	ID   int64
	Name string
	Slug string
}

// NoteKind distinguishes an update from a correction.
type NoteKind string

// The kinds of note appended to a published story.
const (
	Update     NoteKind = "update"
	Correction NoteKind = "correction"
)

// Note is an update or correction shown with its time at the foot of a story.
type Note struct {
	Kind NoteKind
	Text string
	At   time.Time
}

// Article is a story or page with everything the story page shows.
type Article struct {
	ID         int64
	Kind       Kind
	Slug       string
	Title      string
	Standfirst string
	// Body is the source the editor writes: Markdown, which may contain HTML.
	Body string
	// BodyHTML is Body rendered and sanitised; stores keep it so a page view renders nothing.
	BodyHTML string
	// BodyText is the plain text of BodyHTML, for search, feeds and the related-stories engine.
	BodyText string
	Authors  []Author
	Section  Section
	Tags     []Tag
	Status   Status
	// PublishedAt is when the story went (or goes, when scheduled) live; zero for drafts.
	PublishedAt time.Time
	// Zone is the IANA time zone the editor chose PublishedAt in ("America/New_York"), so the
	// editor shows the time as it was typed; empty means the newsroom's zone.
	Zone         string
	UpdatedAt    time.Time
	CreatedAt    time.Time
	ImageURL     string
	ImageAlt     string
	CommentsOpen bool
	Notes        []Note
	// Version counts saves; a save that names an older version is an edit conflict.
	Version int
}

// Live reports whether a reader may see the article at now.
func (a *Article) Live(now time.Time) bool {
	return IsLive(a.Status, a.PublishedAt, now)
}

// IsLive is the visibility rule: published stories are visible, and so are scheduled stories
// whose time has come.
func IsLive(s Status, publishedAt, now time.Time) bool {
	switch s {
	case Published:
		return true
	case Scheduled:
		return !publishedAt.IsZero() && !publishedAt.After(now)
	}
	return false
}

// SortTime is when a listing places the article: its publication, or its last change while it
// has none (a draft).
func (a *Article) SortTime() time.Time {
	if a.PublishedAt.IsZero() {
		return a.UpdatedAt
	}
	return a.PublishedAt
}

// Path is the story's permalink in the WordPress style, /YYYY/MM/DD/slug/, or /slug/ for a page.
// The date is the publication date in loc.
func (a *Article) Path(loc *time.Location) string {
	return Permalink(a.Kind, a.Slug, a.PublishedAt, loc)
}

// Permalink builds the path of an article from its parts; see Article.Path.
func Permalink(k Kind, slug string, publishedAt time.Time, loc *time.Location) string {
	if k == Page || publishedAt.IsZero() {
		return "/" + slug + "/"
	}
	return publishedAt.In(loc).Format("/2006/01/02/") + slug + "/"
}

// Description is the plain-text summary used for meta descriptions and feeds: the standfirst,
// or failing that the start of the body.
func (a *Article) Description(plainBody string) string {
	if s := strings.TrimSpace(a.Standfirst); s != "" {
		return s
	}
	return Excerpt(plainBody, 200)
}

// Excerpt shortens s to at most n runes at a word boundary, adding an ellipsis when it cuts.
func Excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

// firstImage finds the source of the first image in sanitised HTML.
var firstImage = regexp.MustCompile(`<img\b[^>]*?\bsrc="([^"]+)"`)

// ShareImage is the image that link previews and search results show for the article: its lead
// image, else the first image of its body; never an SVG (social networks refuse them) nor an
// inline data: image. Empty when there is none.
func (a *Article) ShareImage() string {
	candidates := []string{a.ImageURL}
	for _, m := range firstImage.FindAllStringSubmatch(a.BodyHTML, 10) {
		candidates = append(candidates, html.UnescapeString(m[1]))
	}
	for _, u := range candidates {
		path, _, _ := strings.Cut(u, "?")
		path, _, _ = strings.Cut(path, "#")
		if u != "" && !strings.HasPrefix(u, "data:") && !strings.HasSuffix(strings.ToLower(path), ".svg") {
			return u
		}
	}
	return ""
}
