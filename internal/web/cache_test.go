package web

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

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

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"deflate, gzip;q=1.0, *;q=0.5", true},
		{"gzip;q=0", false},
		{"gzip;q=0.5", true},
		{"br", false},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", tt.header)
		if got := acceptsGzip(r); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
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
