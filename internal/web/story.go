package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/embed"
	"github.com/broadsheet/broadsheet/internal/store"
)

// handleStory serves GET /{year}/{month}/{day}/{slug}/: the story page with its comments. A
// former slug or a wrong date redirects to the permalink; ?replytocom=ID opens the form as a
// reply (the no-JavaScript way); ?held=TOKEN shows its author a comment awaiting moderation.
func (s *Server) handleStory(w http.ResponseWriter, r *http.Request) {
	s.showArticle(w, r, r.PathValue("slug"))
}

// handlePage serves GET /{slug}/: a standing page, or a story reached by its bare slug (the
// WordPress /%postname%/ permalink), which redirects.
// A year (/2026/) no page has for a slug is the year's archive.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	if yearOrPage(slug) {
		if _, err := s.store.ArticleBySlug(r.Context(), slug); errors.Is(err, store.ErrNotFound) {
			s.showDateArchive(w, r, slug, "", "")
			return
		}
	}
	s.showArticle(w, r, slug)
}

func (s *Server) showArticle(w http.ResponseWriter, r *http.Request, slug string) {
	if s.answerPlainLink(w, r) {
		return
	}
	q := r.URL.Query()
	replyTo, _ := strconv.ParseInt(q.Get("replytocom"), 10, 64)
	cpage, _ := strconv.Atoi(q.Get("cpage"))
	render := func() (*response, error) {
		a, err := s.store.ArticleBySlug(r.Context(), slug)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !a.Live(s.now())) {
			return s.oldURL(r)
		}
		if err != nil {
			return nil, err
		}
		if want := s.permalink(a); want != r.URL.Path {
			return redirectTo(want, "article:"+itoa64(a.ID)), nil
		}
		heldID, _ := comment.CheckHeldToken(s.secret, q.Get("held"), s.now())
		return s.renderStory(r, a, heldID, &commentForm{ParentID: replyTo}, cpage)
	}
	if q.Has("held") {
		// A reader's own held comment: rendered for them alone, kept by no cache.
		resp, err := render()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		resp.cacheControl = "private, no-store"
		s.send(w, r, resp)
		return
	}
	s.cached(w, r, render)
}

// renderStory renders a story page; heldID shows that pending comment to its author, and form
// is the comment form's state.
func (s *Server) renderStory(r *http.Request, a *article.Article, heldID int64, form *commentForm, cpage int) (*response, error) {
	url := s.abs(s.permalink(a))
	p := &storyPage{Layout: s.layout(r, a.Title), Article: a, URL: url,
		Body: s.storyBody(a), Modified: a.UpdatedAt.Sub(a.PublishedAt) > 60e9}
	p.Description = article.Excerpt(a.Description(a.BodyText), 200)
	p.Canonical = url
	deps := []string{"article:" + itoa64(a.ID), "comments:" + itoa64(a.ID), "related:" + itoa64(a.ID)}
	if a.Kind == article.Story {
		related, err := s.related(r, a)
		if err != nil {
			return nil, err
		}
		p.Related = related.cards
		deps = append(deps, related.deps...)
	}
	var err error
	if p.Comments, err = s.commentsFor(r.Context(), a, heldID, form, cpage); err != nil {
		return nil, err
	}
	if p.Comments.Open {
		p.Scripts = []string{"comments.js"}
	}
	frames := embed.Frames(a.BodyHTML)
	if len(frames) > 0 {
		p.Scripts = append(p.Scripts, "embeds.js")
	}
	if a.Kind == article.Story {
		p.Feeds = append(p.Feeds, feedLink{"application/rss+xml", "Comments on " + a.Title + " (RSS)", url + "feed/"},
			feedLink{"application/atom+xml", "Comments on " + a.Title + " (Atom)", url + "feed/atom/"})
	}
	tags := make([]string, len(a.Tags))
	for i, t := range a.Tags {
		tags[i] = t.Name
	}
	p.Image = s.picture(r.Context(), a.ImageURL, a.ImageAlt, 960, storySizes)
	social := s.absImage(a.ShareImage()) // the lead picture's card when the library has it
	if p.Image != nil {
		p.Image.Lead = true
		if p.Image.Social != "" {
			social = s.abs(p.Image.Social)
		}
	}
	p.OpenGraph = &openGraph{Type: "article", Title: a.Title, Description: p.Description, URL: url,
		Image: social, Published: a.PublishedAt, Modified: a.UpdatedAt,
		Section: a.Section.Name, Tags: tags}
	if a.ShareImage() == a.ImageURL {
		p.OpenGraph.ImageAlt = a.ImageAlt
	}
	if a.Kind == article.Story {
		ld := s.newsArticleLD(a, url, p.Description, tags)
		if social != "" {
			ld.Image = []string{social}
		}
		ld.CommentCount = p.Comments.Count
		p.LD = ld
	}
	body, err := s.views.render("story", p)
	if err != nil {
		return nil, err
	}
	resp := newResponse(http.StatusOK, "text/html; charset=utf-8", body)
	resp.deps = deps
	if len(frames) > 0 {
		resp.csp = contentPolicy(s.cfg.BaseURL, frames)
	}
	return resp, nil
}

// storyBody is the body readers see: the stored HTML, with the embeds of the providers the
// site loads at once as their frames.
func (s *Server) storyBody(a *article.Article) template.HTML {
	return template.HTML(embed.Immediate(a.BodyHTML, s.settings().LoadAtOnce))
}

// absImage makes a featured image URL absolute for metadata.
func (s *Server) absImage(u string) string {
	if strings.HasPrefix(u, "/") {
		return s.abs(u)
	}
	return u
}

type relatedList struct {
	cards []storyCard
	deps  []string
}

// related returns the story's stored related list or, when it has none, the stories that share
// its tags or section.
func (s *Server) related(r *http.Request, a *article.Article) (relatedList, error) {
	list, links, err := s.store.RelatedCards(r.Context(), a, s.now(), s.cfg.RelatedCount)
	if err != nil {
		return relatedList{}, err
	}
	var out relatedList
	if len(links) == 0 {
		// Any newly published story might join a fallback list.
		out.deps = append(out.deps, "front")
	}
	for i, x := range list {
		c := s.card(x)
		if i < len(links) {
			c.Reason = links[i].Reason
		}
		out.cards = append(out.cards, c)
		out.deps = append(out.deps, "article:"+itoa64(x.ID))
	}
	return out, nil
}

func itoa64(n int64) string { return fmt.Sprint(n) }

// newsArticleLD is the schema.org NewsArticle of a story.
func (s *Server) newsArticleLD(a *article.Article, url, desc string, tags []string) newsArticleLD {
	// Search engines take a headline of at most 110 characters; a longer one is cut at a word.
	ld := newsArticleLD{Context: "https://schema.org", Type: "NewsArticle", Headline: article.Excerpt(a.Title, 109), Description: desc,
		URL: url, MainEntityOfPage: url, DatePublished: a.PublishedAt.Format(timeISO),
		DateModified: a.UpdatedAt.Format(timeISO), ArticleSection: a.Section.Name,
		Keywords: strings.Join(tags, ", "), InLanguage: s.cfg.Language,
		Publisher: s.publisherLD()}
	if a.UpdatedAt.Before(a.PublishedAt) {
		ld.DateModified = ld.DatePublished
	}
	for _, au := range a.Authors {
		ld.Author = append(ld.Author, ldPerson{Type: "Person", Name: au.Name, URL: s.abs("/author/" + au.Slug + "/")})
	}
	if img := a.ShareImage(); img != "" {
		ld.Image = []string{s.absImage(img)}
	}
	return ld
}

const timeISO = "2006-01-02T15:04:05Z07:00"

type newsArticleLD struct {
	Context          string     `json:"@context"`
	Type             string     `json:"@type"`
	Headline         string     `json:"headline"`
	Description      string     `json:"description,omitempty"`
	URL              string     `json:"url"`
	MainEntityOfPage string     `json:"mainEntityOfPage"`
	DatePublished    string     `json:"datePublished"`
	DateModified     string     `json:"dateModified"`
	Author           []ldPerson `json:"author,omitempty"`
	Publisher        ldOrg      `json:"publisher"`
	Image            []string   `json:"image,omitempty"`
	ArticleSection   string     `json:"articleSection,omitempty"`
	Keywords         string     `json:"keywords,omitempty"`
	InLanguage       string     `json:"inLanguage,omitempty"`
	CommentCount     int        `json:"commentCount"`
}

type ldPerson struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type ldOrg struct {
	Type string  `json:"@type"`
	Name string  `json:"name"`
	URL  string  `json:"url"`
	Logo *ldLogo `json:"logo,omitempty"`
}

type websiteLD struct {
	Context         string        `json:"@context"`
	Type            string        `json:"@type"`
	Name            string        `json:"name"`
	URL             string        `json:"url"`
	PotentialAction *searchAction `json:"potentialAction,omitempty"`
}

type searchAction struct {
	Type       string `json:"@type"`
	Target     string `json:"target"`
	QueryInput string `json:"query-input"`
}
