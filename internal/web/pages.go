package web

import (
	"context"
	"html/template"
	"net/http"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
)

// Layout is what every page's frame shows: masthead, navigation and head metadata.
type Layout struct {
	SiteTitle   string
	Title       string // the document title, without the site's name
	Description string
	Canonical   string // absolute
	NoIndex     bool
	Sections    []article.Section
	Query       string
	Feeds       []feedLink
	OpenGraph   *openGraph
	LD          any      // JSON-LD, rendered as application/ld+json
	Scripts     []string // static script files the page enhances itself with
	Year        int
	// The theme's settings: the header's logo and menu, the breaking-news banner, the footer
	// text, the identity style sheet's address ("" for none) and the icon.
	Logo       *logoView
	Menu       []menuLink
	Breaking   *breakingBanner
	FooterHTML template.HTML
	SiteCSS    string
	Icon       string
	IconType   string
}

type feedLink struct {
	Type, Title, URL string
}

// openGraph is the Open Graph and Twitter card metadata of a page.
type openGraph struct {
	Type        string // "article" or "website"
	Title       string
	Description string
	URL         string
	Image       string
	ImageAlt    string
	Published   time.Time
	Modified    time.Time
	Section     string
	Tags        []string
}

// storyCard is a story as listings show it.
type storyCard struct {
	URL        string
	Title      string
	Standfirst string
	Published  time.Time
	Section    article.Section
	Authors    []article.Author
	ImageURL   string
	ImageAlt   string
	// Image is the card's picture, nil when the story has none.
	Image    *picture
	Reason   string // why a related story is related, for its title attribute
	Comments int    // approved comments
}

type pager struct {
	Page, Pages int
	Prev, Next  string
}

type homePage struct {
	Layout
	Lead *storyCard
	// Featured are the stories editors pinned under the lead; Blocks the sections they put
	// on the front page, in their order.
	Featured []storyCard
	Blocks   []frontBlock
	Stories  []storyCard
	Pager    pager
}

type storyPage struct {
	Layout
	Article  *article.Article
	Image    *picture
	URL      string
	Body     any // template.HTML of the sanitised body
	Related  []storyCard
	Modified bool
	Comments commentSection
}

type messagePage struct {
	Layout
	Heading string
	Message string
	// Action and Button make the page a one-button form (POST to Action).
	Action string
	Button string
}

type archivePage struct {
	Layout
	Kind    string // "Section", "Tag", "Author"
	Name    string
	Intro   string
	Stories []storyCard
	Pager   pager
	FeedURL string
}

type searchPage struct {
	Layout
	Query   string
	Hits    []searchHit
	Total   int
	Pager   pager
	Message string
}

type searchHit struct {
	storyCard
	Snippet string
}

type errorPage struct {
	Layout
	Code    int
	Message string
	// Comments, when set, holds a comment the site could not take, in its form to post again.
	Comments *commentSection
	URL      string // the story's address, for the form's "Cancel reply" link
}

// pageTitle is the document title of page n of a listing named name (the front page when
// empty), so that each page of an archive has its own title.
func pageTitle(name string, n int) string {
	if n <= 1 {
		return name
	}
	if name == "" {
		return "Page " + itoa(n)
	}
	return name + " — page " + itoa(n)
}

// layout fills the frame every page shares.
func (s *Server) layout(r *http.Request, title string) Layout {
	secs, err := s.store.Sections(r.Context())
	if err != nil {
		secs = nil // the navigation is an ornament; the page can do without it
	}
	st := s.settings()
	icon, iconType := s.icon()
	return Layout{SiteTitle: s.cfg.Title, Title: title, Description: s.cfg.Description,
		Canonical: s.abs(r.URL.Path), Sections: secs, Year: s.now().In(s.cfg.Location).Year(),
		Logo: st.headerLogo(), Menu: s.menu(r.Context(), secs), Breaking: s.breaking(r.Context()),
		FooterHTML: st.FooterHTML, SiteCSS: st.siteCSSURL(), Icon: icon, IconType: iconType,
		Feeds: []feedLink{
			{"application/rss+xml", s.cfg.Title + " (RSS)", s.abs("/feed/")},
			{"application/atom+xml", s.cfg.Title + " (Atom)", s.abs("/feed/atom/")},
			{"application/feed+json", s.cfg.Title + " (JSON Feed)", s.abs("/feed.json")},
			{"application/rss+xml", "Comments on " + s.cfg.Title + " (RSS)", s.abs("/comments/feed/")},
		}}
}

func (s *Server) card(a *article.Article) storyCard {
	return storyCard{URL: s.permalink(a), Title: a.Title, Standfirst: a.Standfirst, Published: a.PublishedAt,
		Section: a.Section, Authors: a.Authors, ImageURL: a.ImageURL, ImageAlt: a.ImageAlt}
}

// cards turns a listing into cards with their comment counts.
func (s *Server) cards(ctx context.Context, list []*article.Article) ([]storyCard, error) {
	ids := make([]int64, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}
	counts, err := s.store.CommentCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]storyCard, len(list))
	for i, a := range list {
		out[i] = s.card(a)
		out[i].Comments = counts[a.ID]
		out[i].Image = s.picture(ctx, a.ImageURL, a.ImageAlt, 640, cardSizes)
	}
	return out, nil
}

// paginate builds the pager for page of total items under path, or a not-found error when page
// is past the end (page 1 always exists, even when empty).
func (s *Server) paginate(path string, page, total int) pager {
	pages := max(1, (total+s.cfg.PageSize-1)/s.cfg.PageSize)
	p := pager{Page: page, Pages: pages}
	if page > 1 {
		p.Prev = path
		if page > 2 {
			p.Prev += "?page=" + itoa(page-1)
		}
	}
	if page < pages {
		p.Next = path + "?page=" + itoa(page+1)
	}
	return p
}

// listDeps are the cache dependencies of a listing: its own key, every story it shows and the
// comments of each (a listing shows their count), so that a comment on a story it does not
// show changes nothing of it.
func listDeps(key string, list []*article.Article) []string {
	deps := make([]string, 0, 2+2*len(list))
	deps = append(deps, key, "front")
	for _, a := range list {
		id := itoa64(a.ID)
		deps = append(deps, "article:"+id, "comments:"+id)
	}
	return deps
}
