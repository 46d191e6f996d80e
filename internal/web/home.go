package web

import (
	"net/http"

	"github.com/broadsheet/broadsheet/internal/store"
)

// handleHome serves GET /: the latest stories, paginated with ?page=N. WordPress's plain links
// (/?p=123, ?page_id=, ?cat=, ?tag=, ?author=, ?feed=, ?s=, ?m=) lead where an import kept them
// (see plainLink).
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	if s.answerPlainLink(w, r) {
		return
	}
	page, err := pageParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.cached(w, r, func() (*response, error) {
		list, cards, total, err := s.listing(r.Context(), store.ArticleQuery{}, page)
		if err != nil {
			return nil, err
		}
		p := &homePage{Layout: s.layout(r, ""), Pager: s.paginate("/", page, total)}
		p.Description = s.cfg.Description
		p.OpenGraph = &openGraph{Type: "website", Title: s.cfg.Title, Description: s.cfg.Description, URL: s.abs("/")}
		p.LD = websiteLD{Context: "https://schema.org", Type: "WebSite", Name: s.cfg.Title, URL: s.abs("/"),
			PotentialAction: &searchAction{Type: "SearchAction", Target: s.abs("/search?q={search_term_string}"),
				QueryInput: "required name=search_term_string"}}
		deps := listDeps("front", list)
		if page == 1 {
			more, err := s.frontStories(r.Context(), p, list, cards)
			if err != nil {
				return nil, err
			}
			deps = append(deps, more...)
		} else {
			p.Canonical = s.abs("/?page=" + itoa(page))
			p.Title = pageTitle("", page)
			p.Stories = cards
		}
		resp, err := s.page("home", p, deps)
		if err == nil && page == 1 {
			resp.expires = s.settings().Front.nextDeadline(s.now())
		}
		return resp, err
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
