package web

import (
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
	LD          any // JSON-LD, rendered as application/ld+json
	Year        int
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
	Reason     string // why a related story is related, for its title attribute
}

type pager struct {
	Page, Pages int
	Prev, Next  string
}

type homePage struct {
	Layout
	Lead    *storyCard
	Stories []storyCard
	Pager   pager
}

type storyPage struct {
	Layout
	Article  *article.Article
	URL      string
	Body     any // template.HTML of the sanitised body
	Related  []storyCard
	Modified bool
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
}

// layout fills the frame every page shares.
func (s *Server) layout(r *http.Request, title string) Layout {
	secs, err := s.store.Sections(r.Context())
	if err != nil {
		secs = nil // the navigation is an ornament; the page can do without it
	}
	return Layout{SiteTitle: s.cfg.Title, Title: title, Description: s.cfg.Description,
		Canonical: s.abs(r.URL.Path), Sections: secs, Year: s.now().In(s.cfg.Location).Year(),
		Feeds: []feedLink{
			{"application/rss+xml", s.cfg.Title + " (RSS)", s.abs("/feed/")},
			{"application/atom+xml", s.cfg.Title + " (Atom)", s.abs("/feed/atom/")},
			{"application/feed+json", s.cfg.Title + " (JSON Feed)", s.abs("/feed.json")},
		}}
}

func (s *Server) card(a *article.Article) storyCard {
	return storyCard{URL: s.permalink(a), Title: a.Title, Standfirst: a.Standfirst, Published: a.PublishedAt,
		Section: a.Section, Authors: a.Authors, ImageURL: a.ImageURL, ImageAlt: a.ImageAlt}
}

func (s *Server) cards(list []*article.Article) []storyCard {
	out := make([]storyCard, len(list))
	for i, a := range list {
		out[i] = s.card(a)
	}
	return out
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

// listDeps are the cache dependencies of a listing: its own key and every story it shows.
func listDeps(key string, list []*article.Article) []string {
	deps := []string{key, "front"}
	for _, a := range list {
		deps = append(deps, "article:"+itoa64(a.ID))
	}
	return deps
}
