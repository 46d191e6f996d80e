package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/web"
)

// answer is how the site answers an old URL: its last status after following the site's own
// redirects, and the chain of answers ("301 → /2024/05/01/x/ → 200").
type answer struct {
	URL   string `json:"url"`
	Code  int    `json:"status"`
	Chain string `json:"chain"`
}

// ok reports whether a reader or search engine following the old URL finds a page: 200, or
// 410 Gone for what the old site had and is no more.
func (a answer) ok() bool { return a.Code == http.StatusOK || a.Code == http.StatusGone }

// follow asks h for target (a URL or a path; a URL's host is ignored) and follows up to three
// redirects on the site.
func follow(h http.Handler, target string) answer {
	a := answer{URL: target}
	p, q, _ := strings.Cut(strings.TrimSpace(target), "?")
	path := (&url.URL{Path: p, RawQuery: q}).RequestURI() // as a browser sends it, percent-encoded
	if u, err := url.Parse(strings.TrimSpace(target)); err == nil && u.Host != "" {
		path = u.RequestURI()
	}
	var chain []string
	for range 4 {
		req := httptest.NewRequest(http.MethodGet, "http://site.invalid"+path, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		a.Code = rec.Code
		chain = append(chain, strconv.Itoa(rec.Code))
		switch rec.Code {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		default:
			a.Chain = strings.Join(chain, " → ")
			return a
		}
		loc, err := url.Parse(rec.Header().Get("Location"))
		if err != nil || (loc.Host != "" && loc.Host != "site.invalid") {
			a.Chain = strings.Join(chain, " → ") + " (off site)"
			return a
		}
		path = loc.RequestURI()
		chain = append(chain, path)
	}
	a.Code, a.Chain = 0, strings.Join(chain, " → ")+" (too many redirects)"
	return a
}

// checkURLs reads a list of old URLs (one a line, URLs or paths; blank lines and # comments
// skipped), asks the site for each and returns those that would not answer, with the count.
func (m *Main) checkURLs(ctx context.Context, list string) (failed []answer, n int, err error) {
	f, err := os.Open(list)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	loc, err := m.Config.location()
	if err != nil {
		return nil, 0, err
	}
	srv, err := web.New(web.Config{Title: m.Config.Title, BaseURL: "http://site.invalid", Location: loc,
		Renderer: m.Renderer}, m.Store, m.Log, m.Now)
	if err != nil {
		return nil, 0, err
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		n++
		if a := follow(srv, line); !a.ok() {
			failed = append(failed, a)
		}
	}
	return failed, n, sc.Err()
}

// writeCheck writes the result of --check-urls for a person to read.
func writeCheck(w io.Writer, list string, failed []answer, n int) {
	fmt.Fprintf(w, "%s: %d old URLs checked, %d answer, %d do not\n", list, n, n-len(failed), len(failed))
	for _, a := range failed {
		fmt.Fprintf(w, "  %s → %s\n", a.URL, a.Chain)
	}
}
