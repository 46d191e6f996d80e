// Package web is the public site and its HTTP plumbing: routes, handlers, templates, static files,
// the page cache and the one mapping from errors to status codes.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Config is what the site needs to know about itself.
type Config struct {
	// Title is the site's name, shown in the masthead and feeds.
	Title string
	// Description is the site's one-line summary, for feeds and the front page's metadata.
	Description string
	// BaseURL is the public address without a trailing slash (https://news.example.org); canonical
	// links, feeds and sitemaps use it.
	BaseURL string
	// Language is the BCP 47 tag of the site's content (default "en").
	Language string
	// Location is the newsroom's time zone: permalinks and printed dates use it (default UTC).
	Location *time.Location
	// PageSize is how many stories a listing shows (default 12).
	PageSize int
	// RelatedCount is how many related stories a story page shows (default 5).
	RelatedCount int
	// CacheBytes bounds the page cache (default 64 MiB).
	CacheBytes int
}

// Server is the site as an http.Handler.
type Server struct {
	cfg    Config
	store  store.Store
	log    *slog.Logger
	now    func() time.Time
	views  *views
	assets *assets
	cache  *pageCache
	mux    *http.ServeMux
	h      http.Handler
}

// New builds the site: it parses every template and fingerprints every static file once, and
// fails if one is broken.
func New(cfg Config, st store.Store, log *slog.Logger, now func() time.Time) (*Server, error) {
	if cfg.Title == "" {
		cfg.Title = "Broadsheet"
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 12
	}
	if cfg.RelatedCount <= 0 {
		cfg.RelatedCount = 5
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = 64 << 20
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if _, err := url.Parse(cfg.BaseURL); err != nil || cfg.BaseURL == "" {
		return nil, fmt.Errorf("web: base URL %q is not an absolute URL", cfg.BaseURL)
	}
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: st, log: log, now: now, assets: a,
		cache: newPageCache(st, now, cfg.CacheBytes), mux: http.NewServeMux()}
	if s.views, err = parseViews(s.funcs()); err != nil {
		return nil, err
	}
	s.routes()
	s.h = s.logRequests(s.secure(s.recoverPanics(s.mux)))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

// Invalidate catches the page cache up with the change log now, rather than at the next request.
func (s *Server) Invalidate(ctx context.Context) error {
	_, err := s.cache.sync(ctx)
	return err
}

// Purge empties the page cache.
func (s *Server) Purge() { s.cache.purge() }

// cached serves the page under the request's URL from the cache, or renders it with render,
// caches it, and serves it. render returns the response with its dependencies.
func (s *Server) cached(w http.ResponseWriter, r *http.Request, render func() (*response, error)) {
	from, err := s.cache.sync(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	key := r.URL.Path + "?" + r.URL.RawQuery
	if resp := s.cache.get(key); resp != nil {
		resp.write(w, r)
		return
	}
	resp, err := render()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if resp.status == http.StatusOK || resp.status == http.StatusMovedPermanently {
		s.cache.put(key, resp, from)
	}
	resp.write(w, r)
}

// abs makes a site path absolute with the base URL.
func (s *Server) abs(path string) string { return s.cfg.BaseURL + path }

// permalink is an article's path.
func (s *Server) permalink(a *article.Article) string { return a.Path(s.cfg.Location) }

// pageParam reads ?page=N: 1 when absent, a badRequest for anything but a positive number.
func pageParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, badRequest("There is no page “" + truncate(v, 40) + "”.")
	}
	return n, nil
}

func truncate(s string, n int) string {
	if r := []rune(strings.ToValidUTF8(s, "")); len(r) > n {
		return string(r[:n]) + "…"
	}
	return strings.ToValidUTF8(s, "")
}

func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(q), "q="); ok {
				f, err := strconv.ParseFloat(v, 64)
				return err == nil && f > 0
			}
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }
