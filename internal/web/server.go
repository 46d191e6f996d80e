// Package web is the public site and its HTTP plumbing: routes, handlers, templates, static files,
// the page cache and the one mapping from errors to status codes.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
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
	// CommentSettings returns the discussion settings in force (default comment.DefaultSettings).
	CommentSettings func() comment.Settings
	// TrustedProxies are the reverse proxies whose X-Forwarded-For header names the reader.
	TrustedProxies []netip.Prefix
	// Notify, when set, is called after a comment is stored, to wake the notification sender.
	Notify func()
	// Mail is whether the site sends email. Without it the comment form offers no reply
	// notifications or address confirmation, since nothing would be sent.
	Mail bool
	// Renderer turns the editor's Markdown into safe HTML for saves and previews (default: the
	// product's sanitiser).
	Renderer *article.Renderer
	// Sessions bounds staff sessions (default account.DefaultSessionPolicy).
	Sessions account.SessionPolicy
	// Throttle limits password guessing (default account.DefaultThrottle).
	Throttle account.Throttle
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
	secret []byte // signs comment forms, links and avatars
	hole   string // the form-token marker of cached pages, random per process

	// The newsroom's settings: the configuration New was given, before stored settings, and
	// what the Server shares with the copies applySettings makes.
	base Config
	live *liveSite
	// gate lets applySettings wait for this copy's renders and retire it from the cache.
	gate *renderGate
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
	secret, err := st.Secret(context.Background(), "comments")
	if err != nil {
		return nil, err
	}
	hole := make([]byte, 12)
	rand.Read(hole)
	s := &Server{cfg: cfg, store: st, log: log, now: now, assets: a, secret: secret,
		hole:  "bs-form-token-" + hex.EncodeToString(hole),
		cache: newPageCache(st, now, cfg.CacheBytes), mux: http.NewServeMux()}
	if s.views, err = parseViews(s.funcs()); err != nil {
		return nil, err
	}
	s.newsroomDefaults()
	s.routes()
	s.h = s.handler()
	return s, nil
}

// handler is the chain every request goes through. Cross-origin protection refuses every
// state-changing request a browser sends from another site (the CSRF defence).
func (s *Server) handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	if u, err := url.Parse(s.cfg.BaseURL); err == nil && u.Host != "" {
		cop.AddTrustedOrigin(u.Scheme + "://" + u.Host)
	}
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	return s.logRequests(s.secure(s.recoverPanics(cop.Handler(s.slashes(s.mux)))))
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.current().h.ServeHTTP(w, r) }

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
	key := cacheKey(r)
	if resp := s.cache.get(key); resp != nil {
		s.send(w, r, resp)
		return
	}
	s.gate.mu.RLock()
	resp, err := render()
	if err == nil && !s.gate.retired && (resp.status == http.StatusOK || resp.status == http.StatusMovedPermanently) {
		s.cache.put(key, resp, from)
	}
	s.gate.mu.RUnlock()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.send(w, r, resp)
}

// send writes a response, filling a page's form-token hole with a fresh token.
func (s *Server) send(w http.ResponseWriter, r *http.Request, resp *response) {
	if resp.splice != nil {
		resp.writeSpliced(w, r, comment.NewFormToken(s.secret, resp.formArticle, s.now()))
		return
	}
	resp.write(w, r)
}

// cacheKey is the URL path with the query parameters pages use, in a fixed order: tracking
// parameters (utm_source and the like) neither split nor pollute the cache.
func cacheKey(r *http.Request) string {
	q := r.URL.Query()
	key := r.URL.Path
	for _, name := range []string{"page", "replytocom", "cpage"} {
		if v := q.Get(name); v != "" {
			key += "&" + name + "=" + url.QueryEscape(v)
		}
	}
	return key
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
