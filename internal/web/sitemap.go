package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/feed"
	"github.com/broadsheet/broadsheet/internal/store"
)

// newsWindow is how far back the Google News sitemap reaches.
const newsWindow = 48 * time.Hour

// handleSitemapIndex serves GET /sitemap.xml: an index of the sitemap pages, each of at most
// feed.MaxSitemapURLs addresses.
func (s *Server) handleSitemapIndex(w http.ResponseWriter, r *http.Request) {
	s.cached(w, r, func() (*response, error) {
		_, total, err := s.store.ListArticles(r.Context(), store.ArticleQuery{LiveAt: s.now(), Limit: 1})
		if err != nil {
			return nil, err
		}
		pages := max(1, (total+1+feed.MaxSitemapURLs-1)/feed.MaxSitemapURLs) // +1: the front page
		var maps []feed.Sitemap
		for i := 1; i <= pages; i++ {
			maps = append(maps, feed.Sitemap{Loc: s.abs("/sitemaps/" + itoa(i) + ".xml")})
		}
		// The news sitemap is listed only while a story is in its window: a news sitemap without
		// a URL is not valid against the sitemaps schema.
		now := s.now()
		newest, _, err := s.store.ListArticles(r.Context(), store.ArticleQuery{LiveAt: now, Kind: "story", Limit: 1})
		if err != nil {
			return nil, err
		}
		var expires time.Time
		if len(newest) > 0 && now.Sub(newest[0].PublishedAt) <= newsWindow {
			maps = append(maps, feed.Sitemap{Loc: s.abs("/news-sitemap.xml")})
			expires = newest[0].PublishedAt.Add(newsWindow)
		}
		var buf bytes.Buffer
		if err := feed.WriteSitemapIndex(&buf, maps); err != nil {
			return nil, err
		}
		resp := newResponse(http.StatusOK, "application/xml; charset=utf-8", buf.Bytes())
		resp.deps, resp.expires = []string{"front"}, expires
		return resp, nil
	})
}

// handleSitemap serves GET /sitemaps/{n}.xml: the n-th page of live article URLs, newest first;
// the first page starts with the front page.
func (s *Server) handleSitemap(w http.ResponseWriter, r *http.Request) {
	num, ok := strings.CutSuffix(r.PathValue("file"), ".xml")
	n, err := strconv.Atoi(num)
	if !ok {
		err = strconv.ErrSyntax
	}
	if err != nil || n < 1 || n > 100_000 {
		s.notFound(w, r)
		return
	}
	s.cached(w, r, func() (*response, error) {
		per := feed.MaxSitemapURLs
		var urls []feed.URL
		offset := (n - 1) * per
		if n == 1 {
			urls = append(urls, feed.URL{Loc: s.abs("/")})
			per--
		} else {
			offset--
		}
		list, _, err := s.store.ListArticles(r.Context(), store.ArticleQuery{LiveAt: s.now(), Limit: per, Offset: offset})
		if err != nil {
			return nil, err
		}
		if n > 1 && len(list) == 0 {
			return nil, store.ErrNotFound
		}
		for _, a := range list {
			urls = append(urls, feed.URL{Loc: s.abs(s.permalink(a)), LastMod: a.UpdatedAt})
		}
		var buf bytes.Buffer
		if err := feed.WriteSitemap(&buf, urls); err != nil {
			return nil, err
		}
		resp := newResponse(http.StatusOK, "application/xml; charset=utf-8", buf.Bytes())
		resp.deps = listDeps("front", list)
		return resp, nil
	})
}

// handleNewsSitemap serves GET /news-sitemap.xml: stories of the last 48 hours, for Google News.
func (s *Server) handleNewsSitemap(w http.ResponseWriter, r *http.Request) {
	s.cached(w, r, func() (*response, error) {
		now := s.now()
		list, _, err := s.store.ListArticles(r.Context(), store.ArticleQuery{LiveAt: now, Kind: "story", Limit: 1000})
		if err != nil {
			return nil, err
		}
		var urls []feed.NewsURL
		expires := time.Time{}
		for _, a := range list {
			if now.Sub(a.PublishedAt) > newsWindow {
				break
			}
			urls = append(urls, feed.NewsURL{Loc: s.abs(s.permalink(a)), Title: a.Title,
				PublicationName: s.cfg.Title, Language: s.cfg.Language, Published: a.PublishedAt})
			expires = a.PublishedAt.Add(newsWindow) // the oldest listed story leaves the window first
		}
		var buf bytes.Buffer
		if err := feed.WriteNewsSitemap(&buf, urls); err != nil {
			return nil, err
		}
		resp := newResponse(http.StatusOK, "application/xml; charset=utf-8", buf.Bytes())
		resp.deps, resp.expires = listDeps("front", list), expires
		return resp, nil
	})
}
