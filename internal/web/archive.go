package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// archive is what a section, tag or author listing is about.
type archive struct {
	kind  string // "Section", "Tag", "Author"
	path  string // "/section/politics/"
	dep   string // "section:3"
	name  string
	intro string
	query store.ArticleQuery
}

// findArchive resolves the {slug} of a section, tag or author URL.
func (s *Server) findArchive(ctx context.Context, kind, slug string) (archive, error) {
	switch kind {
	case "section":
		x, err := s.store.SectionBySlug(ctx, slug)
		return archive{"Section", "/section/" + x.Slug + "/", "section:" + itoa64(x.ID), x.Name, x.Description,
			store.ArticleQuery{SectionID: x.ID}}, err
	case "tag":
		x, err := s.store.TagBySlug(ctx, slug)
		return archive{"Tag", "/tag/" + x.Slug + "/", "tag:" + itoa64(x.ID), x.Name, "",
			store.ArticleQuery{TagID: x.ID}}, err
	default:
		x, err := s.store.AuthorBySlug(ctx, slug)
		return archive{"Author", "/author/" + x.Slug + "/", "author:" + itoa64(x.ID), x.Name, x.Bio,
			store.ArticleQuery{AuthorID: x.ID}}, err
	}
}

// handleSection serves GET /section/{slug}/.
func (s *Server) handleSection(w http.ResponseWriter, r *http.Request) {
	s.showArchive(w, r, "section")
}

// handleTag serves GET /tag/{slug}/.
func (s *Server) handleTag(w http.ResponseWriter, r *http.Request) { s.showArchive(w, r, "tag") }

// handleAuthor serves GET /author/{slug}/.
func (s *Server) handleAuthor(w http.ResponseWriter, r *http.Request) { s.showArchive(w, r, "author") }

// handleCategory serves GET /category/{slug}/, WordPress's name for a section, with a redirect:
// where an import kept it (a child category became a tag), else to the section.
func (s *Server) handleCategory(w http.ResponseWriter, r *http.Request) {
	if resp, err := s.oldURL(r); err == nil {
		resp.write(w, r)
		return
	}
	http.Redirect(w, r, "/section/"+r.PathValue("slug")+"/", http.StatusMovedPermanently)
}

// listing reads page N of the live stories q selects, as cards; a page past the last one is
// store.ErrNotFound.
func (s *Server) listing(ctx context.Context, q store.ArticleQuery, page int) ([]*article.Article, []storyCard, int, error) {
	q.LiveAt, q.Kind, q.Limit, q.Offset = s.now(), article.Story, s.cfg.PageSize, (page-1)*s.cfg.PageSize
	list, total, err := s.store.ListArticles(ctx, q)
	if err != nil {
		return nil, nil, 0, err
	}
	if page > 1 && len(list) == 0 {
		return nil, nil, 0, store.ErrNotFound
	}
	cards, err := s.cards(ctx, list)
	return list, cards, total, err
}

func (s *Server) showArchive(w http.ResponseWriter, r *http.Request, kind string) {
	page, err := pageParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.cached(w, r, func() (*response, error) {
		ar, err := s.findArchive(r.Context(), kind, r.PathValue("slug"))
		if errors.Is(err, store.ErrNotFound) {
			return s.oldURL(r) // a tag's or byline's old slug, kept by an import
		}
		if err != nil {
			return nil, err
		}
		list, cards, total, err := s.listing(r.Context(), ar.query, page)
		if err != nil {
			return nil, err
		}
		p := &archivePage{Layout: s.layout(r, ar.name), Kind: ar.kind, Name: ar.name, Intro: ar.intro,
			Stories: cards, Pager: s.paginate(ar.path, page, total), FeedURL: ar.path + "feed/"}
		if ar.intro != "" {
			p.Description = ar.intro
		}
		if page > 1 {
			p.Canonical = s.abs(ar.path + "?page=" + itoa(page))
			p.Title = pageTitle(ar.name, page)
		}
		p.Feeds = append([]feedLink{{"application/rss+xml", s.cfg.Title + " · " + ar.name + " (RSS)", s.abs(ar.path + "feed/")},
			{"application/atom+xml", s.cfg.Title + " · " + ar.name + " (Atom)", s.abs(ar.path + "feed/atom/")}}, p.Feeds...)
		p.OpenGraph = &openGraph{Type: "website", Title: ar.name, Description: p.Description, URL: p.Canonical}
		return s.page("archive", p, listDeps(ar.dep, list))
	})
}
