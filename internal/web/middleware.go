package web

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// contentPolicy is the Content-Security-Policy of the site at baseURL: no inline script or
// style, and frames only from the given origins (a story's embeds), none for every other page.
// Stories, imported ones above all, show pictures from other sites: over HTTPS the browser
// fetches an http: picture over https: (upgrade-insecure-requests) rather than block it as
// mixed content; a site served over plain HTTP allows http: pictures as they are.
func contentPolicy(baseURL string, frames []string) string {
	img := "img-src 'self' https: data:"
	if strings.HasPrefix(baseURL, "https://") {
		img += "; upgrade-insecure-requests"
	} else {
		img = "img-src 'self' https: http: data:"
	}
	csp := "default-src 'self'; " + img + "; script-src 'self'; " +
		"style-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
	if len(frames) > 0 {
		csp += "; frame-src " + strings.Join(frames, " ")
	}
	return csp
}

// secure sets the security headers every answer carries. The policy allows no inline script or
// style: every script and style sheet is a file under /static/.
func (s *Server) secure(next http.Handler) http.Handler {
	csp := contentPolicy(s.cfg.BaseURL, nil)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "interest-cohort=(), camera=(), microphone=(), geolocation=()")
		if r.TLS != nil {
			// Served over TLS: browsers come back over HTTPS only, for a year.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a handler's panic into the 500 page and one log line with the stack.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.fail(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status and size of an answer for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	size   int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests writes one structured line per request.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if s.cfg.Observer != nil {
			// The mux sets the pattern on the request it is handed: a bounded set of names,
			// unlike paths.
			s.cfg.Observer.Request(r.Pattern, cmp.Or(sw.status, http.StatusOK), time.Since(start))
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Int("bytes", sw.size),
			slog.Duration("took", time.Since(start)), slog.String("remote", r.RemoteAddr))
	})
}

// slashes answers a path that lacks the trailing slash of a route ("/about" for "/{slug}/"):
// with 308 Permanent Redirect to the path with it when something is there, and with the 404
// page (or an imported old URL's redirect) at once when nothing is, rather than redirecting to
// a page that does not exist. The standard mux would answer 307 in both cases.
func (s *Server) slashes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := s.mux.Handler(r)
		if strings.HasSuffix(r.URL.Path, "/") || !strings.HasSuffix(pattern, "/{$}") {
			next.ServeHTTP(w, r)
			return
		}
		to := r.URL.Path + "/"
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			probe := r.Clone(r.Context())
			probe.Method, probe.URL.Path, probe.URL.RawPath = http.MethodGet, r.URL.Path+"/", ""
			status := &statusOnly{header: http.Header{}}
			next.ServeHTTP(status, probe) // a public page is rendered once and cached for the redirect's target
			if status.code == http.StatusNotFound {
				s.notFound(w, r)
				return
			}
		}
		http.Redirect(w, r, to, http.StatusPermanentRedirect)
	})
}

// statusOnly is a ResponseWriter that keeps the status and discards the rest.
type statusOnly struct {
	header http.Header
	code   int
}

func (s *statusOnly) Header() http.Header { return s.header }

func (s *statusOnly) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return len(b), nil
}

func (s *statusOnly) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
}
