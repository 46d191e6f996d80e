package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/broadsheet/broadsheet/internal/store"
)

// memLog is an in-memory change log, standing in for a store's.
type memLog struct {
	mu     sync.Mutex
	log    []store.Change
	pruned int // entries before this index are forgotten
}

func (m *memLog) add(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.log = append(m.log, store.Change{Seq: int64(len(m.log) + 1), Key: key})
}

func (m *memLog) ChangesSince(_ context.Context, seq int64, limit int) ([]store.Change, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if int(seq) < m.pruned {
		seq = int64(m.pruned)
	}
	list := m.log[seq:]
	if len(list) > limit {
		list = list[:limit]
	}
	return append([]store.Change(nil), list...), int64(len(m.log)), nil
}

// ChangeMark moves with every entry, as a store's moves with every commit.
func (m *memLog) ChangeMark() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return uint64(len(m.log))
}

func (m *memLog) LatestChange(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.log)), nil
}

func page(body string, deps ...string) *response {
	r := newResponse(http.StatusOK, "text/html", []byte(body))
	r.deps = deps
	return r
}

func TestPageCacheInvalidatesExactly(t *testing.T) {
	t.Parallel()
	log := &memLog{}
	c := newPageCache(log, time.Now, 1<<20)
	from, _ := c.sync(t.Context())
	c.put("/a", page("a", "article:1", "front"), from)
	c.put("/b", page("b", "article:2"), from)
	c.put("/s", page("s", "section:1", "article:1"), from)
	log.add("article:2")
	if _, err := c.sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if c.get("/b") != nil {
		t.Error("/b survived a change to article:2")
	}
	if c.get("/a") == nil || c.get("/s") == nil {
		t.Error("a change to article:2 dropped pages that do not show it")
	}
	log.add("article:1")
	c.sync(t.Context())
	if c.get("/a") != nil || c.get("/s") != nil {
		t.Error("pages showing article:1 survived its change")
	}
}

// TestPageCacheRefusesStaleRender covers the race of a page rendered before an edit and stored
// after the edit's invalidation: it must not be kept.
func TestPageCacheRefusesStaleRender(t *testing.T) {
	t.Parallel()
	log := &memLog{}
	c := newPageCache(log, time.Now, 1<<20)
	from, _ := c.sync(t.Context()) // a request starts rendering here…
	log.add("article:1")           // …an edit commits…
	c.sync(t.Context())            // …another request applies it…
	c.put("/a", page("old", "article:1"), from)
	if c.get("/a") != nil {
		t.Error("a page rendered before an edit was cached after it")
	}
	from, _ = c.sync(t.Context())
	c.put("/a", page("new", "article:1"), from)
	if c.get("/a") == nil {
		t.Error("a fresh page was not cached")
	}
}

func TestPageCacheExpiryAndSize(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newPageCache(&memLog{}, func() time.Time { return now }, 64*1024)
	r := page("news", "front")
	r.expires = now.Add(time.Hour)
	c.put("/news", r, 0)
	if c.get("/news") == nil {
		t.Fatal("page not cached")
	}
	now = now.Add(2 * time.Hour)
	if c.get("/news") != nil {
		t.Error("expired page served")
	}
	for i := range 100 {
		c.put(string(rune('a'+i)), page(string(make([]byte, 4000))), 0)
	}
	if c.size > 64*1024 {
		t.Errorf("cache holds %d bytes, bound is %d", c.size, 64*1024)
	}
}

func TestAcceptedEncoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   string
	}{
		{"", ""},
		{"gzip", "gzip"},
		{"br", "br"},
		{"gzip, deflate, br, zstd", "br"},
		{"deflate, gzip;q=1.0, *;q=0.5", "gzip"},
		{"gzip;q=0", ""},
		{"gzip;q=0.5", "gzip"},
		{"br;q=0.2, gzip;q=0.8", "gzip"},
		{"br;q=0, gzip;q=0", ""},
		{"*", "br"},
		{"*;q=0, gzip", "gzip"},
		{"identity", ""},
		{"BR", "br"},
		{"x-gzip", "gzip"},
		// Crafted headers: malformed q-values count as 0, nonsense is ignored, and a header
		// longer than 32 entries is read no further.
		{"br;q=abc, gzip", "gzip"},
		{"br;q=NaN", ""},
		{"br;q=1e999", ""},
		{"br;q=-1, gzip;q=2", ""},
		{";;;,,,;q=,br;;q=0.1", "br"},
		{strings.Repeat("zz, ", 40) + "br", ""},
		{"gzip;q=0.1;q=0.9", "gzip"},
		{"\x00br\xff", ""},
	}
	for _, tt := range tests {
		if got := acceptedEncoding(tt.header); got != tt.want {
			t.Errorf("acceptedEncoding(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

// TestResponseEncodings: each encoding is made once, decodes to the same body, and a crafted
// Accept-Encoding gets a plain answer.
func TestResponseEncodings(t *testing.T) {
	t.Parallel()
	body := []byte(strings.Repeat("<p>The harbour vote, again.</p>\n", 200))
	r := newResponse(http.StatusOK, "text/html", body)
	for _, tt := range []struct{ accept, want string }{{"br", "br"}, {"gzip", "gzip"}, {"br;q=x, gzip;q=0", ""}, {"", ""}} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Encoding", tt.accept)
		rec := httptest.NewRecorder()
		r.write(rec, req)
		if got := rec.Header().Get("Content-Encoding"); got != tt.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tt.accept, got, tt.want)
		}
		var rd io.Reader = rec.Body
		switch tt.want {
		case "br":
			rd = brotli.NewReader(rd)
		case "gzip":
			zr, err := gzip.NewReader(rd)
			if err != nil {
				t.Fatal(err)
			}
			rd = zr
		}
		got, err := io.ReadAll(rd)
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("Accept-Encoding %q: body decodes to %d bytes (%v), want the %d of the page", tt.accept, len(got), err, len(body))
		}
	}
	if first, again := r.encoded("br"), r.encoded("br"); &first[0] != &again[0] {
		t.Error("the brotli form was made twice")
	}
}

// TestPageCacheLRUAndCounters: the least recently used page goes first, compressed forms count
// against the budget, and the counters add up.
func TestPageCacheLRUAndCounters(t *testing.T) {
	t.Parallel()
	c := newPageCache(&memLog{}, time.Now, 60_000)
	big := func(s string) *response { return page(strings.Repeat(s, 4000)) }
	c.put("/a", big("a"), 0)
	c.put("/b", big("b"), 0)
	c.get("/a") // /a is now the most recently used
	for i := range 8 {
		c.put("/x"+itoa(i), big("x"), 0)
	}
	if c.get("/a") == nil {
		t.Error("the recently used page was evicted")
	}
	if c.get("/b") != nil {
		t.Error("the least recently used page survived")
	}
	st := c.stats()
	if st.Bytes > st.MaxBytes || st.Evictions == 0 || st.Hits != 2 || st.Misses != 1 {
		t.Errorf("stats = %+v, want bytes within budget, evictions, 2 hits, 1 miss", st)
	}
}

// TestPageCacheForgetsOldChanges: the changes the cache remembers stay bounded however many
// come, and a page rendered before the ones it forgot is still refused.
func TestPageCacheForgetsOldChanges(t *testing.T) {
	t.Parallel()
	log := &memLog{}
	c := newPageCache(log, time.Now, 1<<20)
	before, _ := c.sync(t.Context()) // a request starts rendering here…
	for i := range maxTouched + 500 {
		log.add("comments:" + itoa(i)) // …and comments come…
		if i%1000 == 0 {
			c.sync(t.Context())
		}
	}
	from, _ := c.sync(t.Context())
	if n := len(c.touched); n > maxTouched {
		t.Errorf("the cache remembers %d changes, want at most %d", n, maxTouched)
	}
	c.put("/a", page("old", "comments:7"), before)
	if c.get("/a") != nil {
		t.Error("a page rendered before a change the cache forgot was kept")
	}
	c.put("/a", page("new", "comments:7"), from)
	if c.get("/a") == nil {
		t.Error("a page rendered after the changes was not kept")
	}
}

// TestPageCacheKeepsTheFormsAsked: a cached page compressed for a reader keeps only its
// compressed bytes, each encoding counted against the budget as it is made; a reader without
// compression gets the same page back, and from then on its plain bytes stay.
func TestPageCacheKeepsTheFormsAsked(t *testing.T) {
	t.Parallel()
	c := newPageCache(&memLog{}, time.Now, 1<<20)
	var text strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&text, "<p>Paragraph %d of the story.</p>\n", i)
	}
	body := []byte(text.String())
	c.put("/a", page(text.String()), 0)
	plain := c.stats().Bytes
	fetch := func(accept string) []byte {
		t.Helper()
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/a", nil)
		req.Header.Set("Accept-Encoding", accept)
		c.get("/a").write(rec, req)
		sent := bytes.Clone(rec.Body.Bytes())
		var rd io.Reader = rec.Body
		switch rec.Header().Get("Content-Encoding") {
		case "gzip":
			zr, err := gzip.NewReader(rd)
			if err != nil {
				t.Fatal(err)
			}
			rd = zr
		case "br":
			rd = brotli.NewReader(rd)
		}
		got, err := io.ReadAll(rd)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("Accept-Encoding %q: %d bytes (%v), want the %d of the page", accept, len(got), err, len(body))
		}
		return sent
	}
	gz := fetch("gzip")
	if got, want := c.stats().Bytes, plain-len(body)+len(gz); got != want {
		t.Errorf("cache bytes %d once gzipped, want %d (the gzip form only, %d plain before)", got, want, plain)
	}
	br := fetch("br")
	if got, want := c.stats().Bytes, plain-len(body)+len(gz)+len(br); got != want {
		t.Errorf("cache bytes %d once brotli too, want %d", got, want)
	}
	fetch("")
	fetch("gzip")
	if got, want := c.stats().Bytes, plain+len(gz)+len(br); got != want {
		t.Errorf("cache bytes %d once a reader without compression asked, want %d (every form)", got, want)
	}
	if got := fetch("br"); !bytes.Equal(got, br) {
		t.Error("the brotli form changed")
	}
}

// TestPageCacheReadsLogOnlyWhenMarkMoves: a hit with an unmoved change mark reads nothing.
func TestPageCacheReadsLogOnlyWhenMarkMoves(t *testing.T) {
	t.Parallel()
	log := &countingLog{}
	c := newPageCache(log, time.Now, 1<<20)
	c.sync(t.Context())
	for range 100 {
		c.sync(t.Context())
	}
	if log.reads != 0 {
		t.Errorf("%d change-log reads with no change, want 0", log.reads)
	}
	log.add("article:1")
	c.sync(t.Context())
	c.sync(t.Context())
	if log.reads != 1 {
		t.Errorf("%d change-log reads after one change, want 1", log.reads)
	}
}

type countingLog struct {
	memLog
	reads int
}

func (l *countingLog) ChangesSince(ctx context.Context, seq int64, limit int) ([]store.Change, int64, error) {
	l.reads++
	return l.memLog.ChangesSince(ctx, seq, limit)
}

func TestSurrogateKeys(t *testing.T) {
	t.Parallel()
	got := surrogateKeys([]string{"article:12", "comments:12", "related:12", "article:3", "front", "section:2", "tag:5", "author:1", "front"})
	want := "story-12 comments-12 related-12 story-3 front section-2 tag-5 author-1"
	if got != want {
		t.Errorf("surrogateKeys = %q, want %q", got, want)
	}
}

// TestPageCacheStartsAfreshAfterMissedChanges: when the log was pruned past the cache's position,
// or more changes wait than a sync reads, every page goes and no render from before is kept.
func TestPageCacheStartsAfreshAfterMissedChanges(t *testing.T) {
	t.Parallel()
	log := &memLog{}
	log.add("front")
	c := newPageCache(log, time.Now, 1<<20)
	from, _ := c.sync(t.Context())
	c.put("/a", page("a", "article:1"), from)
	c.put("/b", page("b", "article:2"), from)
	for range maxChanges + 5 {
		log.add("comments:9") // touches neither page, but too many to read
	}
	late, _ := c.sync(t.Context())
	if c.len() != 0 {
		t.Errorf("%d pages survived a sync that could not read every change", c.len())
	}
	c.put("/a", page("a", "article:1"), from)
	if c.get("/a") != nil {
		t.Error("a page rendered before the fresh start was kept")
	}
	c.put("/a", page("a", "article:1"), late)
	log.mu.Lock()
	log.log = append(log.log, store.Change{Seq: int64(len(log.log) + 1), Key: "article:7"}, store.Change{Seq: int64(len(log.log) + 2), Key: "article:8"})
	log.pruned = len(log.log) - 1 // the first new change is forgotten
	log.mu.Unlock()
	c.sync(t.Context())
	if c.get("/a") != nil {
		t.Error("a page survived a sync that missed pruned changes")
	}
}

func TestRedirectLocationIsEscaped(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/tag/städte/":        "/tag/st%C3%A4dte/",
		"/2026/03/22/plain/":  "/2026/03/22/plain/",
		"/?p=12":              "/?p=12",
		"/search?q=a b":       "/search?q=a%20b",
		"/x\r\nSet-Cookie: a": "/x%0D%0ASet-Cookie:%20a",
	} {
		if got := redirectTo(in).location; got != want {
			t.Errorf("redirectTo(%q).location = %q, want %q", in, got, want)
		}
	}
}

// unreachableLog is a store whose change log can be made unreadable, as a database out of
// reach is: its mark then moves on every look, as PostgreSQL's does without its listener.
type unreachableLog struct {
	store.Store
	down atomic.Bool
	mark atomic.Uint64
}

func (u *unreachableLog) ChangeMark() uint64 {
	if u.down.Load() {
		return u.Store.ChangeMark() + u.mark.Add(1) // past every mark seen, never the last one read
	}
	return u.Store.ChangeMark() + u.mark.Load()
}

func (u *unreachableLog) ChangesSince(ctx context.Context, seq int64, limit int) ([]store.Change, int64, error) {
	if u.down.Load() {
		return nil, 0, fmt.Errorf("the database server cannot be reached: %w", store.ErrBusy)
	}
	return u.Store.ChangesSince(ctx, seq, limit)
}

// TestStaleIfTheChangeLogIsUnreachable: while the change log cannot be read, a cached page is
// served as it was, granting no freshness and saying so (a revalidation still answers 304), a
// page not cached answers 503; once the log answers again, what changed meanwhile is invalidated.
func TestStaleIfTheChangeLogIsUnreachable(t *testing.T) {
	t.Parallel()
	var db *unreachableLog
	n := newNewsroomOn(t, func(st store.Store) store.Store { db = &unreachableLog{Store: st}; return db })
	a := n.addStory("Harbour wall holds", n.addSection("News"), time.Hour)
	b := n.browser()
	path := a.Path(time.UTC)
	before := b.mustGet(path, http.StatusOK)
	fresh, _ := b.get(path)
	if fresh.Header.Get("Warning") != "" {
		t.Fatalf("a healthy page carries Warning %q", fresh.Header.Get("Warning"))
	}

	db.down.Store(true)
	resp, body := b.get(path)
	if resp.StatusCode != http.StatusOK || body != before || resp.Header.Get("Cache-Control") != "no-cache" ||
		resp.Header.Get("Warning") != `111 - "Revalidation Failed"` {
		t.Errorf("the cached page with the log unreachable = %d, same bytes %v, Cache-Control %q, Warning %q", resp.StatusCode,
			body == before, resp.Header.Get("Cache-Control"), resp.Header.Get("Warning"))
	}
	if resp, _ := b.get(path, "If-None-Match", fresh.Header.Get("ETag")); resp.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating the stale page = %d, want 304", resp.StatusCode)
	}
	if resp, _ := b.get("/section/news/"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a page not cached = %d, want 503", resp.StatusCode)
	}
	if got := n.srv.CacheStats().Stale; got != 2 {
		t.Errorf("CacheStats().Stale = %d, want the 2 stale answers", got)
	}

	// Written meanwhile (by a node that could reach the database), read once it answers again.
	a.Title = "Harbour wall gives way"
	if err := db.Store.UpdateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	db.down.Store(false)
	resp, body = b.get(path)
	if !strings.Contains(body, "Harbour wall gives way") || resp.Header.Get("Warning") != "" {
		t.Errorf("after the log answers again the story = %d, Warning %q, new headline %v", resp.StatusCode,
			resp.Header.Get("Warning"), strings.Contains(body, "Harbour wall gives way"))
	}
}
