package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/broadsheet/broadsheet/internal/store"
)

// handleSearch serves GET /search?q=: ranked full-text results with highlighted snippets. Any
// query answers results or "no results"; search pages are not cached.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	page, err := pageParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := strings.TrimSpace(strings.ToValidUTF8(r.URL.Query().Get("q"), ""))
	q = strings.ReplaceAll(q, "\x00", "")
	p := &searchPage{Layout: s.layout(r, "Search"), Query: q}
	status := http.StatusOK
	p.Layout.Query, p.NoIndex = q, true
	if q != "" {
		p.Title = "Search: " + truncate(q, 60)
		hits, total, err := s.store.SearchArticles(r.Context(), store.SearchQuery{Text: q, LiveAt: s.now(),
			Limit: s.cfg.PageSize, Offset: (page - 1) * s.cfg.PageSize})
		if errors.Is(err, store.ErrBusy) {
			// Too long a search (or a busy database): the search page, asking for another try.
			p.Message = "That search took too long to answer. Please try again, with fewer or different words."
			status = http.StatusServiceUnavailable
			s.log.WarnContext(r.Context(), "search gave up", slog.String("q", truncate(q, 100)), slog.Any("err", err))
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Total = total
		for _, h := range hits {
			c := s.card(h.Article)
			c.Image = s.picture(r.Context(), c.ImageURL, c.ImageAlt, 320, "8rem")
			p.Hits = append(p.Hits, searchHit{storyCard: c, Snippet: h.Snippet})
		}
		p.Pager = s.paginate("/search?q="+url.QueryEscape(q), page, total)
		if p.Pager.Next != "" {
			p.Pager.Next = strings.Replace(p.Pager.Next, "?page=", "&page=", 1)
		}
		if p.Pager.Prev != "" {
			p.Pager.Prev = strings.Replace(p.Pager.Prev, "?page=", "&page=", 1)
		}
		switch {
		case status != http.StatusOK: // the message says why
		case total == 0:
			p.Message = "No stories match your search. Try fewer or different words."
		case len(hits) == 0:
			p.Message = "There are no more results; go back to the first page."
		}
	}
	resp, err := s.page("search", p, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	resp.status = status
	resp.write(w, r)
}
