// Package web is the public site and its HTTP plumbing: routes, handlers, templates, static files,
// the page cache and the one mapping from errors to status codes.
package web

import (
	"context"
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
	"github.com/broadsheet/broadsheet/internal/embed"
	"github.com/broadsheet/broadsheet/internal/media"
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
	// Shared is how browsers and shared caches (a CDN, Varnish, nginx) may keep public pages.
	Shared SharedCache
	// Purge, when set, is told the surrogate keys of pages that changed, to purge them from
	// the shared caches in front of the site (nil for everything), by SendPurges. It must not
	// block.
	Purge func(keys []string)
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
	// ResetThrottle limits "Lost your password?" requests (default account.ResetThrottle).
	ResetThrottle account.Throttle
	// Passwords checks sign-ins' passwords (default account.NewHasher(0, 0): one hash per CPU at a
	// time, a brief wait for a turn).
	Passwords Passwords
	// Media is the picture library; nil refuses uploads and serves no media.
	Media *media.Library
	// MediaPublicURL, when set, is the public address of the library's bucket (no trailing
	// slash): /media/NAME answers 302 to MediaPublicURL/NAME instead of the node reading the file.
	MediaPublicURL string
	// Observer, when set, hears of every request and every comment posted, for metrics.
	Observer Observer
	// Embeds fetches, when a story is saved, the cards (title, author, provider, thumbnail) of
	// the addresses alone on its lines; nil fetches nothing, and those addresses show as the
	// built-in facades or plain links.
	Embeds *embed.Fetcher
	// Copies, when set, returns the live stories that are near-copies of a story (the related
	// index tells them), which the editor shows as "Also published as". It must not block.
	Copies func(id int64) []int64
}

// Observer hears what the site does, for the operator's metrics. Its methods are called from
// request goroutines, concurrently, and must not block.
type Observer interface {
	// Request is told of each answered request: its route pattern as routes registers it ("" when
	// none matched), its status and how long it took.
	Request(route string, status int, took time.Duration)
	// Comment is told of each comment posted through the form: "approved", "held", "spam",
	// "rejected" (the policy refused it, the reader got the form back) or "failed" (a fault on
	// the site's side).
	Comment(outcome string)
}

// Passwords checks and hashes staff members' passwords; account.Hasher is the product's.
// Authenticate answers false for a nil user after the same work; both answer account.ErrBusy
// when they cannot do the work now.
type Passwords interface {
	Authenticate(ctx context.Context, u *account.User, password string) (bool, error)
	Hash(ctx context.Context, password string) (string, error)
}

// SharedCache is the Cache-Control policy of public pages (the same bytes for every reader).
// Zero fields take their defaults.
type SharedCache struct {
	// MaxAge is how long a browser uses its copy without asking (default 0: it revalidates
	// with the ETag every time, so a reader sees their own comment at once).
	MaxAge time.Duration
	// SMaxAge is how long a shared cache keeps a page (default 10 minutes; raise it when
	// purges are configured, since they remove changed pages at once).
	SMaxAge time.Duration
	// StaleWhileRevalidate is how long a shared cache may serve a page while fetching a new
	// one (default 1 minute).
	StaleWhileRevalidate time.Duration
	// StaleIfError is how long a shared cache may serve a page while the site is down
	// (default 1 day).
	StaleIfError time.Duration
}

// header is the Cache-Control value of the policy.
func (c SharedCache) header() string {
	if c.SMaxAge <= 0 {
		c.SMaxAge = 10 * time.Minute
	}
	if c.StaleWhileRevalidate <= 0 {
		c.StaleWhileRevalidate = time.Minute
	}
	if c.StaleIfError <= 0 {
		c.StaleIfError = 24 * time.Hour
	}
	sec := func(d time.Duration) string { return strconv.Itoa(int(max(d, 0) / time.Second)) }
	return "public, max-age=" + sec(c.MaxAge) + ", s-maxage=" + sec(c.SMaxAge) +
		", stale-while-revalidate=" + sec(c.StaleWhileRevalidate) + ", stale-if-error=" + sec(c.StaleIfError)
}

// Server is the site as an http.Handler.
type Server struct {
	cfg      Config
	store    store.Store
	log      *slog.Logger
	now      func() time.Time
	views    *views
	assets   *assets
	cache    *pageCache
	purges   *purgeFollower
	mux      *http.ServeMux
	patterns []string // every route's pattern, as routes registers them
	h        http.Handler
	secret   []byte // signs comment forms, links and avatars
	shared   string // the Cache-Control header of public pages

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
	s := &Server{cfg: cfg, store: st, log: log, now: now, assets: a, secret: secret, shared: cfg.Shared.header(),
		cache: newPageCache(st, now, cfg.CacheBytes), purges: &purgeFollower{}, mux: http.NewServeMux()}
	if s.purges.seq, err = st.LatestChange(context.Background()); err != nil {
		return nil, err
	}
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

// CacheStats returns the page cache's counters.
func (s *Server) CacheStats() CacheStats { return s.cache.stats() }

// Follow applies the store's changes to the page cache as soon as the store's change mark
// moves, checking every interval, until ctx ends, so that purges go out even while every
// reader is served by a shared cache in front. Readers never wait for it: a request that
// finds the mark moved applies the changes itself.
func (s *Server) Follow(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.cache.sync(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "page cache: follow the change log", slog.Any("err", err))
		}
		s.followSettings(ctx)
		s.current().expireFront()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// cached serves the page under the request's URL from the cache, or renders it with render,
// caches it, and serves it. render returns the response with its dependencies.
//
// When the change log cannot be read (the database is out of reach), a page the cache holds is
// served as it is, marked stale (stale-if-error): readers get the news as it last stood rather
// than an error, and once the log can be read again the changes it missed invalidate as usual.
func (s *Server) cached(w http.ResponseWriter, r *http.Request, render func() (*response, error)) {
	key := cacheKey(r)
	from, err := s.cache.sync(r.Context())
	if err != nil {
		if resp := s.cache.stale(key); resp != nil && r.Context().Err() == nil {
			resp.writeStale(w, r)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.followSettings(r.Context())
	if resp := s.cache.get(key); resp != nil {
		s.send(w, r, resp)
		return
	}
	s.gate.mu.RLock()
	resp, err := render()
	if err == nil && (resp.status == http.StatusOK || resp.status == http.StatusMovedPermanently) {
		s.withBreaking(resp)
		s.makePublic(resp)
		if !s.gate.retired {
			s.cache.put(key, resp, from)
		}
	}
	s.gate.mu.RUnlock()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.send(w, r, resp)
}

// makePublic marks a page that is the same for every reader as cacheable by shared caches,
// naming what it shows in its surrogate keys.
func (s *Server) makePublic(resp *response) {
	resp.public, resp.keys = true, surrogateKeys(resp.deps)
	if resp.cacheControl == "" {
		resp.cacheControl = s.shared
	}
	if resp.modified.IsZero() {
		resp.modified = s.now()
	}
}

// send writes a response.
func (s *Server) send(w http.ResponseWriter, r *http.Request, resp *response) { resp.write(w, r) }

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

// acceptedEncoding chooses the compression for an Accept-Encoding header: "br", "gzip" or ""
// (none), by the reader's q-values, brotli on a tie. A name absent from the header takes the
// q-value of "*"; a malformed q-value counts as 0. Only the first 32 entries are read.
func acceptedEncoding(header string) string {
	var br, gz, star float64 = -1, -1, -1
	for i := 0; header != "" && i < 32; i++ {
		var part string
		part, header, _ = strings.Cut(header, ",")
		name, params, _ := strings.Cut(part, ";")
		q := 1.0
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "q="); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		switch name = strings.TrimSpace(name); {
		case strings.EqualFold(name, "br"):
			br = q
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			gz = q
		case name == "*":
			star = q
		}
	}
	if br < 0 {
		br = star
	}
	if gz < 0 {
		gz = star
	}
	switch {
	case br > 0 && br >= gz:
		return "br"
	case gz > 0:
		return "gzip"
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }
