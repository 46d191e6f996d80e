package web

import (
	"net/http"
	"net/url"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// handleHome serves GET /: the latest stories, paginated with ?page=N. WordPress's plain links
// (/?p=123, ?page_id=, ?cat=, ?tag=, ?feed=) lead where an import kept them.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	for _, k := range [...]string{"p", "page_id", "cat", "tag", "feed"} {
		if v := r.URL.Query().Get(k); v != "" {
			if to, err := s.store.Redirect(r.Context(), "/?"+k+"="+url.QueryEscape(v)); err == nil {
				redirectTo(to, "front").write(w, r)
				return
			}
		}
	}
	page, err := pageParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.cached(w, r, func() (*response, error) {
		list, total, err := s.store.ListArticles(r.Context(), store.ArticleQuery{LiveAt: s.now(), Kind: article.Story,
			Limit: s.cfg.PageSize, Offset: (page - 1) * s.cfg.PageSize})
		if err != nil {
			return nil, err
		}
		if page > 1 && len(list) == 0 {
			return nil, store.ErrNotFound
		}
		p := &homePage{Layout: s.layout(r, ""), Pager: s.paginate("/", page, total)}
		p.Description = s.cfg.Description
		p.OpenGraph = &openGraph{Type: "website", Title: s.cfg.Title, Description: s.cfg.Description, URL: s.abs("/")}
		p.LD = websiteLD{Context: "https://schema.org", Type: "WebSite", Name: s.cfg.Title, URL: s.abs("/"),
			PotentialAction: &searchAction{Type: "SearchAction", Target: s.abs("/search?q={search_term_string}"),
				QueryInput: "required name=search_term_string"}}
		cards, err := s.cards(r.Context(), list)
		if err != nil {
			return nil, err
		}
		if page == 1 && len(cards) > 0 {
			p.Lead, cards = &cards[0], cards[1:]
			if im := p.Lead.Image; im != nil {
				*im = *s.picture(r.Context(), p.Lead.ImageURL, p.Lead.ImageAlt, 1280, leadSizes)
				im.Lead = true
			}
		} else {
			p.Canonical = s.abs("/?page=" + itoa(page))
			p.Title = pageTitle("", page)
		}
		p.Stories = cards
		return s.page("home", p, listDeps("front", list))
	})
}

// page renders a page template into a cacheable response.
func (s *Server) page(name string, data any, deps []string) (*response, error) {
	body, err := s.views.render(name, data)
	if err != nil {
		return nil, err
	}
	resp := newResponse(http.StatusOK, "text/html; charset=utf-8", body)
	resp.deps = deps
	return resp, nil
}
