package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
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
			if errors.Is(err, store.ErrNotFound) {
				return s.oldURL(r) // the feed of a tag's or byline's old slug
			}
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
		s.feedLogo(&f)
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
	it := feed.Item{ID: s.tagURI(a.CreatedAt, a.PublishedAt, "story/"+itoa64(a.ID)), Title: a.Title, Link: s.abs(s.permalink(a)),
		Summary: article.Excerpt(a.Description(a.BodyText), 300), ContentHTML: article.WithoutTOC(a.BodyHTML),
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

// tagURI is the permanent feed ID of a story or comment that came into being at created (or, for
// an old record without that date, at fallback): a tag: URI on the site's host, which neither a
// new slug nor a new headline changes.
func (s *Server) tagURI(created, fallback time.Time, specific string) string {
	if created.IsZero() {
		created = fallback
	}
	host := s.cfg.BaseURL
	if u, err := url.Parse(s.cfg.BaseURL); err == nil && u.Host != "" {
		host = u.Host
	}
	return feed.TagURI(host, created, specific)
}

// handleCommentFeed serves the approved comments of the whole site (/comments/feed/) or of one
// story (/YYYY/MM/DD/slug/feed/), as RSS or, under …/atom/, Atom. Authors appear by name only.
func (s *Server) handleCommentFeed(w http.ResponseWriter, r *http.Request) {
	s.cached(w, r, func() (*response, error) {
		ctx := r.Context()
		f := feed.Feed{Title: "Comments on " + s.cfg.Title, Link: s.abs("/"), FeedURL: s.abs(r.URL.Path), Language: s.cfg.Language}
		s.feedLogo(&f)
		q := store.CommentQuery{Status: comment.Approved, Type: comment.Regular, LiveAt: s.now(), Limit: feedSize}
		dep := "comments"
		if slug := r.PathValue("slug"); slug != "" {
			a, err := s.store.ArticleBySlug(ctx, slug)
			if errors.Is(err, store.ErrNotFound) {
				return s.oldURL(r) // the feed of an old permalink
			}
			if err != nil {
				return nil, err
			}
			if !a.Live(s.now()) || strings.TrimSuffix(strings.TrimSuffix(r.URL.Path, "atom/"), "feed/") != s.permalink(a) {
				return s.oldURL(r)
			}
			f.Title, f.Link, q.ArticleID, dep = "Comments on “"+a.Title+"”", s.abs(s.permalink(a)), a.ID, "comments:"+itoa64(a.ID)
		}
		list, _, err := s.store.ListComments(ctx, q)
		if err != nil {
			return nil, err
		}
		titles := map[int64]*article.Article{}
		for _, c := range list {
			a := titles[c.ArticleID]
			if a == nil {
				if a, err = s.store.Article(ctx, c.ArticleID); err != nil {
					return nil, err
				}
				titles[c.ArticleID] = a
			}
			p := s.public(c)
			link := s.abs(s.permalink(a)) + "#comment-" + itoa64(c.ID)
			f.Items = append(f.Items, feed.Item{ID: s.tagURI(c.CreatedAt, c.CreatedAt, "comment/"+itoa64(c.ID)), Title: "Comment on “" + a.Title + "” by " + p.AuthorName, Link: link,
				Summary: article.Excerpt(c.Content, 300), ContentHTML: p.ContentHTML, Authors: []feed.Person{{Name: p.AuthorName}},
				Published: c.CreatedAt, Updated: c.CreatedAt})
			if c.CreatedAt.After(f.Updated) {
				f.Updated = c.CreatedAt
			}
		}
		var buf bytes.Buffer
		ct := "application/rss+xml; charset=utf-8"
		if strings.HasSuffix(r.URL.Path, "/atom/") {
			ct, err = "application/atom+xml; charset=utf-8", feed.WriteAtom(&buf, f)
		} else {
			err = feed.WriteRSS(&buf, f)
		}
		if err != nil {
			return nil, err
		}
		resp := newResponse(http.StatusOK, ct, buf.Bytes())
		resp.deps = []string{dep, "front"} // the site's feed names stories: any may be edited
		if q.ArticleID != 0 {
			resp.deps = []string{dep, "article:" + itoa64(q.ArticleID)}
		}
		return resp, nil
	})
}
