package web

import (
	"net/http"
)

// handleRobots serves GET /robots.txt: everything public may be crawled, search results aside,
// and the sitemap index is named (it lists the news sitemap while that has stories).
func (s *Server) handleRobots(w http.ResponseWriter, r *http.Request) {
	body := "User-agent: *\nDisallow: /search\nDisallow: /admin/\n\n" +
		"Sitemap: " + s.abs("/sitemap.xml") + "\n"
	newResponse(http.StatusOK, "text/plain; charset=utf-8", []byte(body)).write(w, r)
}

// handleHealth serves GET /healthz: 200 "ok" while the database answers, 503 otherwise.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if _, err := s.store.LatestChange(r.Context()); err != nil {
		s.log.ErrorContext(r.Context(), "health check failed", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// handleFavicon serves GET /favicon.ico, which browsers and feed readers ask for whatever a page
// names: the site's icon, from the same bytes as the page's <link rel="icon">.
// With a logo set, it leads to the logo's icon.
func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) {
	if l := s.settings().Logo; l.SVG != "" || l.Icon != "" {
		href, _ := s.icon()
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.Redirect(w, r, href, http.StatusFound)
		return
	}
	svg := s.assets.files[s.assets.url("favicon.svg")]
	icon := newResponse(http.StatusOK, svg.contentType, svg.body)
	icon.cacheControl = "public, max-age=86400" // the name is not versioned
	icon.write(w, r)
}
