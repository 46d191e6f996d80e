package web

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/feed"
	"github.com/broadsheet/broadsheet/internal/store"
)

// feedSize is how many stories a feed carries.
const feedSize = 20

// handleFeed serves the site's feeds and those of each section, tag and author:
// …/feed/ (RSS 2.0), …/feed/atom/ (Atom) and /feed.json (JSON Feed 1.1).
func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request) {
	s.cached(w, r, func() (*response, error) {
		f := feed.Feed{Title: s.cfg.Title, Description: s.cfg.Description, Link: s.abs("/"),
			FeedURL: s.abs(r.URL.Path), Language: s.cfg.Language}
		q := store.ArticleQuery{LiveAt: s.now(), Kind: article.Story, Limit: feedSize}
		dep := "front"
		if kind, _, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); ok && r.PathValue("slug") != "" {
			ar, err := s.findArchive(r.Context(), kind, r.PathValue("slug"))
			if err != nil {
				return nil, err
			}
			f.Title, f.Link, f.Description = s.cfg.Title+" · "+ar.name, s.abs(ar.path), ar.intro
			q.SectionID, q.TagID, q.AuthorID = ar.query.SectionID, ar.query.TagID, ar.query.AuthorID
			dep = ar.dep
		}
		list, _, err := s.store.ListArticles(r.Context(), q)
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			f.Items = append(f.Items, s.feedItem(a))
			if a.UpdatedAt.After(f.Updated) {
				f.Updated = a.UpdatedAt
			}
		}
		var buf bytes.Buffer
		var ct string
		switch {
		case strings.HasSuffix(r.URL.Path, ".json"):
			ct, err = "application/feed+json; charset=utf-8", feed.WriteJSON(&buf, f)
		case strings.HasSuffix(r.URL.Path, "/atom/"):
			ct, err = "application/atom+xml; charset=utf-8", feed.WriteAtom(&buf, f)
		default:
			ct, err = "application/rss+xml; charset=utf-8", feed.WriteRSS(&buf, f)
		}
		if err != nil {
			return nil, err
		}
		resp := newResponse(http.StatusOK, ct, buf.Bytes())
		resp.deps = listDeps(dep, list)
		return resp, nil
	})
}

// feedItem is a story as feeds carry it: bylines by name only, never an email.
func (s *Server) feedItem(a *article.Article) feed.Item {
	it := feed.Item{ID: s.abs(s.permalink(a)), Title: a.Title, Link: s.abs(s.permalink(a)),
		Summary: article.Excerpt(a.Description(a.BodyText), 300), ContentHTML: a.BodyHTML,
		Published: a.PublishedAt, Updated: a.UpdatedAt, ImageURL: s.absImage(a.ImageURL)}
	if it.Updated.Before(it.Published) {
		it.Updated = it.Published
	}
	for _, au := range a.Authors {
		it.Authors = append(it.Authors, feed.Person{Name: au.Name, URL: s.abs("/author/" + au.Slug + "/")})
	}
	if a.Section.Name != "" {
		it.Categories = append(it.Categories, a.Section.Name)
	}
	for _, t := range a.Tags {
		it.Categories = append(it.Categories, t.Name)
	}
	return it
}
