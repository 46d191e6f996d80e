package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/article"
)

// TestMetadata: a story's share image falls back to its body's first raster image, its JSON-LD
// headline is at most 110 characters cut at a word, its comment feeds are advertised, paginated
// archives have their own titles, 404 pages have no canonical link and /favicon.ico answers.
func TestMetadata(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, func(c *Config) { c.PageSize = 1 })
	long := strings.Repeat("Harbour council votes again on the sea wall ", 4) // 176 characters
	a := &article.Article{Kind: article.Story, Slug: "sea-wall", Title: long, Body: "Words.",
		BodyHTML: `<p><img src="/media/chart.svg" alt="A chart"></p><p><img src="/media/wall.jpg" alt="The wall"></p>`,
		BodyText: "Words.", Status: article.Published, PublishedAt: n.clock.now().Add(-1e9)}
	b := &article.Article{Kind: article.Story, Slug: "older", Title: "Older", Body: "Old.", BodyHTML: "<p>Old.</p>",
		BodyText: "Old.", Status: article.Published, PublishedAt: n.clock.now().Add(-2e9)}
	for _, x := range []*article.Article{a, b} {
		if err := n.st.CreateArticle(t.Context(), x); err != nil {
			t.Fatal(err)
		}
	}
	reader := n.browser()
	page := reader.mustGet(a.Path(n.srv.cfg.Location), http.StatusOK)
	for _, want := range []string{
		`<meta property="og:image" content="` + n.ts.URL + `/media/wall.jpg">`,
		`<meta name="twitter:image" content="` + n.ts.URL + `/media/wall.jpg">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the story page lacks %s\n%.1500s", want, page)
		}
	}
	if strings.Contains(page, `og:image:alt`) {
		t.Error("the story page gives the body image the lead image's alt text")
	}
	doc := parseHTML(t, page)
	feeds := map[string]string{} // href → type
	for l := range doc.Descendants() {
		if l.Data == "link" && attrOf(l, "rel") == "alternate" {
			feeds[attrOf(l, "href")] = attrOf(l, "type")
		}
	}
	for href, typ := range map[string]string{n.ts.URL + a.Path(n.srv.cfg.Location) + "feed/atom/": "application/atom+xml",
		n.ts.URL + a.Path(n.srv.cfg.Location) + "feed/": "application/rss+xml", n.ts.URL + "/comments/feed/": "application/rss+xml"} {
		if feeds[href] != typ {
			t.Errorf("the story page does not advertise the comment feed %s (%s): %v", href, typ, feeds)
		}
	}
	var ld newsArticleLD
	for s := range doc.Descendants() {
		if s.Data == "script" && attrOf(s, "type") == "application/ld+json" {
			if err := json.Unmarshal([]byte(textOf(s)), &ld); err != nil {
				t.Fatal(err)
			}
		}
	}
	if r := []rune(ld.Headline); len(r) > 110 || !strings.HasSuffix(ld.Headline, "…") || !strings.HasPrefix(long, strings.TrimSuffix(ld.Headline, "…")+" ") {
		t.Errorf("JSON-LD headline = %q (%d characters), want at most 110 cut at a word", ld.Headline, len(r))
	}
	if len(ld.Image) != 1 || ld.Image[0] != n.ts.URL+"/media/wall.jpg" {
		t.Errorf("JSON-LD image = %q, want the body's first raster image", ld.Image)
	}

	if got := reader.mustGet("/?page=2", http.StatusOK); !strings.Contains(got, "<title>Page 2 · The Test Courier</title>") {
		t.Errorf("the front page's second page has no title of its own")
	}
	notFound := reader.mustGet("/no-such-page/", http.StatusNotFound)
	if strings.Contains(notFound, `rel="canonical"`) {
		t.Error("the 404 page has a canonical link")
	}
	resp, body := reader.get("/favicon.ico")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/svg+xml") || !strings.Contains(body, "<svg") {
		t.Errorf("/favicon.ico = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestTrailingSlash: a path without its route's trailing slash redirects with 308 when there is
// something there, and answers 404 at once when there is not.
func TestTrailingSlash(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	a := &article.Article{Kind: article.Page, Slug: "about", Title: "About us", Body: "Us.", BodyHTML: "<p>Us.</p>",
		BodyText: "Us.", Status: article.Published, PublishedAt: n.clock.now().Add(-1e9)}
	if err := n.st.CreateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	reader := n.browser()
	tests := []struct {
		method, path string
		code         int
		location     string
	}{
		{"GET", "/about", http.StatusPermanentRedirect, "/about/"},
		{"HEAD", "/about?utm_source=x", http.StatusPermanentRedirect, "/about/?utm_source=x"},
		{"GET", "/no-such-page", http.StatusNotFound, ""},
		{"GET", "/2026/03/22/no-such-story", http.StatusNotFound, ""},
		{"GET", "/admin", http.StatusPermanentRedirect, "/admin/"},
		{"GET", "/section/nowhere", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, n.ts.URL+tt.path, nil)
		resp, _ := reader.do(req)
		if resp.StatusCode != tt.code || resp.Header.Get("Location") != tt.location {
			t.Errorf("%s %s = %d to %q, want %d to %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.code, tt.location)
		}
	}
}

func TestPageTitle(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		n    int
		want string
	}{{"Politics", 1, "Politics"}, {"Politics", 2, "Politics — page 2"}, {"", 3, "Page 3"}, {"", 1, ""}} {
		if got := pageTitle(tt.name, tt.n); got != tt.want {
			t.Errorf("pageTitle(%q, %d) = %q, want %q", tt.name, tt.n, got, tt.want)
		}
	}
}
