package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/postgres/pgtest"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// clock is a movable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// startMain runs the real program on a temporary data directory and port 0, with the demo
// newsroom, and stops it when the test ends.
func startMain(t testing.TB) (*Main, *clock) {
	t.Helper()
	return startMainWith(t, func(*Config) {})
}

// startMainWith is startMain with the configuration changed by change first.
func startMainWith(t testing.TB, change func(*Config)) (*Main, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 22, 9, 30, 0, 0, time.UTC)}
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.Data = t.TempDir()
	if os.Getenv("BROADSHEET_TEST_MAIN_DB") == "postgres" {
		// The end-to-end tests and benchmarks on PostgreSQL instead of SQLite.
		cfg.DB = pgtest.URL(t)
	}
	change(&cfg)
	m := NewMain(cfg)
	m.Now = clk.Now
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return m, clk
}

// get fetches path and returns the response with its body read.
func get(t testing.TB, m *Main, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, m.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", path, err)
	}
	return resp, string(b)
}

// mustGet fetches path and fails unless it answers want.
func mustGet(t testing.TB, m *Main, path string, want int) string {
	t.Helper()
	resp, body := get(t, m, path)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d\n%.500s", path, resp.StatusCode, want, body)
	}
	return body
}

// parse parses an HTML page.
func parse(t testing.TB, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

// find returns every element for which match is true, in document order.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func byTag(tag string) func(*html.Node) bool { return func(n *html.Node) bool { return n.Data == tag } }

func byClass(class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return strings.Contains(" "+attr(n, "class")+" ", " "+class+" ") }
}

// storyLinks returns the story permalinks a page links to.
func storyLinks(doc *html.Node) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range find(doc, byTag("a")) {
		h := attr(a, "href")
		if len(h) > 12 && h[0] == '/' && h[1] >= '0' && h[1] <= '9' && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// openSecond opens the site's database as another process (the CLI, an import) would.
func openSecond(t testing.TB, m *Main) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(m.Config.Data, "site.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestFrontPageAndStory(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	doc := parse(t, mustGet(t, m, "/", http.StatusOK))
	if len(find(doc, byTag("main"))) != 1 || len(find(doc, byTag("header"))) == 0 || len(find(doc, byTag("footer"))) == 0 {
		t.Error("front page lacks its landmarks (header, main, footer)")
	}
	links := storyLinks(doc)
	if len(links) < 8 {
		t.Fatalf("front page links %d stories, want at least 8: %v", len(links), links)
	}
	for _, link := range links {
		doc := parse(t, mustGet(t, m, link, http.StatusOK))
		h1 := find(doc, byTag("h1"))
		if len(h1) != 1 || text(h1[0]) == "" {
			t.Errorf("%s: want one non-empty h1, got %d", link, len(h1))
			continue
		}
		if got := find(doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "rel") == "canonical" }); len(got) != 1 || attr(got[0], "href") != m.URL()+link {
			t.Errorf("%s: canonical link wrong: %v", link, got)
		}
		if len(find(doc, func(n *html.Node) bool {
			return n.Data == "meta" && attr(n, "name") == "description" && attr(n, "content") != ""
		})) != 1 {
			t.Errorf("%s: no meta description", link)
		}
		for _, prop := range []string{"og:title", "og:type", "og:url", "article:published_time"} {
			if len(find(doc, func(n *html.Node) bool { return n.Data == "meta" && attr(n, "property") == prop })) != 1 {
				t.Errorf("%s: no %s", link, prop)
			}
		}
		if len(find(doc, func(n *html.Node) bool { return n.Data == "meta" && attr(n, "name") == "twitter:card" })) != 1 {
			t.Errorf("%s: no twitter:card", link)
		}
		checkNewsArticle(t, link, doc, text(h1[0]))
		if rel := find(doc, byClass("related")); len(rel) != 1 {
			t.Errorf("%s: no More Related Stories section", link)
		} else if len(find(rel[0], byTag("li"))) == 0 {
			t.Errorf("%s: More Related Stories is empty", link)
		}
	}
}

// checkNewsArticle decodes the page's JSON-LD and checks the NewsArticle fields.
func checkNewsArticle(t *testing.T, link string, doc *html.Node, headline string) {
	t.Helper()
	scripts := find(doc, func(n *html.Node) bool { return n.Data == "script" && attr(n, "type") == "application/ld+json" })
	if len(scripts) != 1 {
		t.Errorf("%s: %d JSON-LD scripts, want 1", link, len(scripts))
		return
	}
	var ld struct {
		Type          string `json:"@type"`
		Headline      string `json:"headline"`
		DatePublished string `json:"datePublished"`
		DateModified  string `json:"dateModified"`
		Author        []struct {
			Name string `json:"name"`
		} `json:"author"`
		Publisher struct {
			Name string `json:"name"`
		} `json:"publisher"`
		ArticleSection string `json:"articleSection"`
		Keywords       string `json:"keywords"`
	}
	if err := json.Unmarshal([]byte(text(scripts[0])), &ld); err != nil {
		t.Errorf("%s: JSON-LD: %v\n%s", link, err, text(scripts[0]))
		return
	}
	if ld.Type != "NewsArticle" || ld.Headline != headline || ld.Publisher.Name == "" || len(ld.Author) == 0 || ld.ArticleSection == "" {
		t.Errorf("%s: JSON-LD incomplete: %+v", link, ld)
	}
	for _, d := range []string{ld.DatePublished, ld.DateModified} {
		if _, err := time.Parse(time.RFC3339, d); err != nil {
			t.Errorf("%s: JSON-LD date %q: %v", link, d, err)
		}
	}
}

func TestArchivesAndBadPages(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	secs, err := m.Store.Sections(t.Context())
	if err != nil || len(secs) < 3 {
		t.Fatalf("Sections = %v, %v; want 3 or more", secs, err)
	}
	tags, _ := m.Store.Tags(t.Context())
	authors, _ := m.Store.Authors(t.Context())
	for _, path := range []string{"/section/" + secs[0].Slug + "/", "/tag/" + tags[0].Slug + "/", "/author/" + authors[0].Slug + "/"} {
		doc := parse(t, mustGet(t, m, path, http.StatusOK))
		if len(storyLinks(doc)) == 0 {
			t.Errorf("%s lists no stories", path)
		}
	}
	tests := []struct {
		path string
		want int
	}{
		{"/no/such/page/at/all", http.StatusNotFound},
		{"/2026/01/01/no-such-story/", http.StatusNotFound},
		{"/section/no-such-section/", http.StatusNotFound},
		{"/?page=-1", http.StatusBadRequest},
		{"/?page=abc", http.StatusBadRequest},
		{"/?page=99999999999999999999", http.StatusBadRequest},
		{"/?page=999", http.StatusNotFound},
		{"/?page=1", http.StatusOK},
		{"/section/" + secs[0].Slug + "/?page=0", http.StatusBadRequest},
		{"/category/" + secs[0].Slug + "/", http.StatusMovedPermanently},
		{"/sitemaps/0.xml", http.StatusNotFound},
		{"/sitemaps/2.xml", http.StatusNotFound},
		{"/sitemaps/x.xml", http.StatusNotFound},
		{"/static/nope.css", http.StatusNotFound},
	}
	for _, tt := range tests {
		resp, body := get(t, m, tt.path)
		if resp.StatusCode != tt.want {
			t.Errorf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.want)
		}
		if tt.want >= 400 && !strings.Contains(body, `class="error-page"`) {
			t.Errorf("GET %s: not the site's error page:\n%.300s", tt.path, body)
		}
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	list, _, err := m.Store.ListArticles(t.Context(), store.ArticleQuery{LiveAt: m.Now(), Kind: article.Story, Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("ListArticles: %v", err)
	}
	word := strings.Fields(list[0].Title)[0]
	doc := parse(t, mustGet(t, m, "/search?q="+word, http.StatusOK))
	if len(find(doc, byTag("mark"))) == 0 || len(storyLinks(doc)) == 0 {
		t.Errorf("search for %q: no highlighted results", word)
	}
	hostile := []string{`"`, `NEAR(`, `a AND OR NOT b`, `title:x`, `*`, `(((`, "\xff\xfe", "\x00", strings.Repeat("news ", 2000), "🦀", "'; DROP TABLE articles; --"}
	for _, q := range hostile {
		resp, body := get(t, m, "/search?q="+url.QueryEscape(q))
		if resp.StatusCode != http.StatusOK {
			t.Errorf("search %.40q: status %d, want 200", q, resp.StatusCode)
		}
		if !strings.Contains(body, `class="result-count"`) && !strings.Contains(body, "<h1>Search</h1>") {
			t.Errorf("search %.40q: not a search page", q)
		}
	}
}

func TestScheduledStoryGoesLive(t *testing.T) {
	t.Parallel()
	m, clk := startMain(t)
	next, err := m.Store.NextScheduled(t.Context(), m.Now())
	if err != nil || next.IsZero() {
		t.Fatalf("NextScheduled = %v, %v; want the demo's scheduled story", next, err)
	}
	list, _, err := m.Store.ListArticles(t.Context(), store.ArticleQuery{Status: article.Scheduled})
	if err != nil || len(list) != 1 {
		t.Fatalf("scheduled stories: %v, %v", list, err)
	}
	a := list[0]
	path := a.Path(time.UTC)
	if body := mustGet(t, m, "/", http.StatusOK); strings.Contains(body, a.Title) {
		t.Fatal("scheduled story is on the front page before its time")
	}
	mustGet(t, m, path, http.StatusNotFound)
	clk.Add(next.Sub(clk.Now()) + time.Minute)
	if err := m.PublishDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	if body := mustGet(t, m, "/", http.StatusOK); !strings.Contains(body, html.EscapeString(a.Title)) {
		t.Error("scheduled story is not on the front page after its time")
	}
	mustGet(t, m, path, http.StatusOK)
}

// TestNoStalePages edits stories behind the server's back, from this process's store and from a
// second connection as the CLI would, and checks every cached page shows the edit: at once for
// this process's writes, and for the other's once its commit is followed (within
// sqlite.DefaultFollow plus a sync, ≤ 100 ms: BenchmarkFollow measures it). The test polls for
// up to staleBound, twenty times that, so that a busy CI machine does not fail it; a cache that
// never notices fails it.
func TestNoStalePages(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	other := openSecond(t, m)
	list, _, err := m.Store.ListArticles(t.Context(), store.ArticleQuery{LiveAt: m.Now(), Kind: article.Story, Limit: 2})
	if err != nil || len(list) < 2 {
		t.Fatalf("ListArticles: %v", err)
	}
	for i, st := range []store.Store{m.Store, other} {
		a := list[i]
		path := a.Path(time.UTC)
		pages := []string{path, "/", "/section/" + a.Section.Slug + "/", "/feed/", "/feed/atom/", "/feed.json"}
		for _, p := range pages {
			mustGet(t, m, p, http.StatusOK) // warm the cache
			mustGet(t, m, p, http.StatusOK)
		}
		a.Title = "Edited headline " + string(rune('A'+i))
		if err := st.UpdateArticle(t.Context(), a); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(staleBound)
		for _, p := range pages {
			body := mustGet(t, m, p, http.StatusOK)
			for st == other && !strings.Contains(body, a.Title) && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
				body = mustGet(t, m, p, http.StatusOK)
			}
			if !strings.Contains(body, a.Title) {
				t.Errorf("writer %d: %s is stale after the edit", i, p)
			}
		}
	}
}

// staleBound is how long TestNoStalePages waits for another process's edit to show.
const staleBound = 2 * time.Second

func TestHTTPBehaviour(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	resp, body := get(t, m, "/")
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "ETag"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("front page lacks %s", h)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors") {
		t.Errorf("CSP = %q", csp)
	}
	if r, _ := get(t, m, "/", "If-None-Match", resp.Header.Get("ETag")); r.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET = %d, want 304", r.StatusCode)
	}
	r, gz := get(t, m, "/", "Accept-Encoding", "gzip")
	if r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatal("front page not gzipped for a client that accepts it")
	}
	zr, err := gzip.NewReader(strings.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, []byte(body)) {
		t.Error("gzipped body differs from the plain one")
	}
	if body := mustGet(t, m, "/healthz", http.StatusOK); body != "ok\n" {
		t.Errorf("/healthz = %q", body)
	}
	robots := mustGet(t, m, "/robots.txt", http.StatusOK)
	if !strings.Contains(robots, "Sitemap: "+m.URL()+"/sitemap.xml") {
		t.Errorf("robots.txt = %q", robots)
	}
	doc := parse(t, body)
	for _, l := range find(doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "rel") == "stylesheet" }) {
		r, _ := get(t, m, attr(l, "href"))
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("stylesheet %s: %d %q", attr(l, "href"), r.StatusCode, r.Header.Get("Cache-Control"))
		}
	}
}

func TestDemoOnlyOnce(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.Data = t.TempDir()
	count := func() int {
		m := NewMain(cfg)
		if err := m.Open(t.Context()); err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		_, n, err := m.Store.ListArticles(t.Context(), store.ArticleQuery{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	first, second := count(), count()
	if first < 8 || first > 13 || second != first {
		t.Errorf("articles after first start %d, after second %d; want 8–13 both times", first, second)
	}
	cfg.Data, cfg.Demo = t.TempDir(), false
	if n := count(); n != 0 {
		t.Errorf("--demo=false: %d articles, want 0", n)
	}
}

func TestBadDatabaseFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.db")
	if err := os.WriteFile(corrupt, bytes.Repeat([]byte("not a database "), 500), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	env := func(string) string { return "" }
	code := run(t.Context(), []string{"serve", "--db", corrupt, "--addr", "127.0.0.1:0"}, &stdout, &stderr, env)
	if code != 1 || !strings.Contains(stderr.String(), corrupt) || !strings.Contains(stderr.String(), "not a Broadsheet database") {
		t.Errorf("corrupt file: exit %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run(t.Context(), []string{"serve", "--nope"}, &stdout, &stderr, env); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	stderr.Reset()
	if code := run(t.Context(), []string{"serve", "--help"}, &stdout, &stderr, env); code != 0 || !strings.Contains(stderr.String(), "-data") {
		t.Errorf("--help: exit %d, output %q", code, stderr.String())
	}
}

// TestRelatedStoriesFromTheEngine waits for the first start's related lists and checks a story
// page shows them with their reasons, and that a command-line rebuild works on the same site.
func TestRelatedStoriesFromTheEngine(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	list, _, err := m.Store.ListArticles(t.Context(), store.ArticleQuery{LiveAt: m.Now(), Kind: article.Story, Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("ListArticles: %v", err)
	}
	a := list[0]
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, links, err := m.Store.RelatedArticles(t.Context(), a.ID, m.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(links) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	doc := parse(t, mustGet(t, m, a.Path(time.UTC), http.StatusOK))
	rel := find(doc, byClass("related"))
	if len(rel) != 1 {
		t.Fatal("no More Related Stories section")
	}
	titled := find(rel[0], func(n *html.Node) bool { return n.Data == "a" && attr(n, "title") != "" })
	if len(titled) == 0 {
		t.Error("related links carry no reason in their title")
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"related", "rebuild", "--data", m.Config.Data}, &stdout, &stderr, func(string) string { return "" })
	if code != 0 || !strings.Contains(stdout.String(), "Rebuilt the related stories") {
		t.Errorf("related rebuild: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

func TestHelpHidesTheMailPassword(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	env := func(k string) string {
		if k == "BROADSHEET_SMTP" {
			return "smtp://news:hunter2@mail.example.org:587?from=news@example.org"
		}
		return ""
	}
	if code := run(t.Context(), []string{"serve", "--help"}, &stdout, &stderr, env); code != 0 {
		t.Fatalf("serve --help: exit %d", code)
	}
	if out := stderr.String(); strings.Contains(out, "hunter2") || !strings.Contains(out, "mail.example.org") {
		t.Errorf("serve --help shows the mail password or hides the server:\n%s", out)
	}
}
