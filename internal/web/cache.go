package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
)

// response is a rendered page: the bytes, their gzip form and an ETag, computed once so that a
// cache hit only copies bytes.
type response struct {
	status      int
	contentType string
	body        []byte
	gz          []byte // nil when compression does not pay
	etag        string
	// cacheControl defaults to "no-cache": browsers may keep the page but revalidate it with
	// the ETag, which costs a 304 and never shows a stale story.
	cacheControl string
	location     string // for redirects
	csp          string // the page's own Content-Security-Policy (a story's embeds), or "" for the default
	// splice is set when the page has a per-request form token hole; formArticle names the
	// story the token is for.
	splice      *splice
	formArticle int64
	deps        []string
	expires     time.Time // zero: until invalidated
}

func newResponse(status int, contentType string, body []byte) *response {
	return newPage(status, contentType, body, "")
}

// newPage is newResponse for a page that may hold a form-token hole marked by hole.
func newPage(status int, contentType string, body []byte, hole string) *response {
	sum := sha256.Sum256(body)
	r := &response{status: status, contentType: contentType, body: body,
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
	if hole != "" {
		if r.splice = newSplice(body, hole); r.splice != nil {
			return r
		}
	}
	if len(body) > 512 {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
		zw.Write(body)
		zw.Close()
		if buf.Len() < len(body) {
			r.gz = buf.Bytes()
		}
	}
	return r
}

// redirectTo is a permanent redirect, cacheable until deps change.
func redirectTo(path string, deps ...string) *response {
	r := newResponse(http.StatusMovedPermanently, "text/html; charset=utf-8",
		[]byte(`<a href="`+html.EscapeString(path)+`">Moved Permanently</a>.`))
	r.location, r.deps = escapeNonASCII(path), deps
	return r
}

// escapeNonASCII percent-encodes the bytes of path outside ASCII, as a Location header needs
// ("/tag/städte/" → "/tag/st%C3%A4dte/").
func escapeNonASCII(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if c := path[i]; c >= 0x80 || c < 0x20 || c == ' ' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// write sends r, honouring If-None-Match and Accept-Encoding.
func (r *response) write(w http.ResponseWriter, req *http.Request) {
	h := w.Header()
	h.Set("Content-Type", r.contentType)
	h.Set("ETag", r.etag)
	h.Add("Vary", "Accept-Encoding")
	if r.cacheControl != "" {
		h.Set("Cache-Control", r.cacheControl)
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if r.location != "" {
		h.Set("Location", r.location)
	}
	if r.csp != "" {
		h.Set("Content-Security-Policy", r.csp)
	}
	if r.status == http.StatusOK && etagMatch(req.Header.Get("If-None-Match"), r.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := r.body
	if r.gz != nil && acceptsGzip(req) {
		h.Set("Content-Encoding", "gzip")
		body = r.gz
	}
	h.Set("Content-Length", itoa(len(body)))
	w.WriteHeader(r.status)
	if req.Method != http.MethodHead {
		w.Write(body)
	}
}

// pageCache holds rendered pages by URL and drops exactly those whose dependencies appear in the
// store's change log, whichever process wrote them. Before every lookup it reads the log's tail,
// so a page is never served stale after a committed edit.
type pageCache struct {
	changes changeLog
	now     func() time.Time
	maxSize int // bytes

	mu      sync.Mutex
	started bool                           // the first sync happened
	seq     int64                          // the change log position applied
	floor   int64                          // pages rendered before this position are not kept
	pages   map[string]*response           // by cache key
	byDep   map[string]map[string]struct{} // dependency → cache keys
	touched map[string]int64               // dependency → seq of its latest change
	size    int
}

// changeLog is what the cache reads of the store's change log.
type changeLog interface {
	ChangesSince(ctx context.Context, seq int64, limit int) ([]store.Change, int64, error)
	LatestChange(ctx context.Context) (int64, error)
}

func newPageCache(changes changeLog, now func() time.Time, maxSize int) *pageCache {
	return &pageCache{changes: changes, now: now, maxSize: maxSize,
		pages: map[string]*response{}, byDep: map[string]map[string]struct{}{}, touched: map[string]int64{}}
}

// maxChanges is how many change-log entries one sync reads. More waiting (an import, a server
// that was busy) means starting afresh: emptying the cache is cheaper than reading them all.
const maxChanges = 10_000

// sync applies the changes logged since the last sync and returns the position reached: pages
// rendered after this call reflect at least that position.
func (c *pageCache) sync(ctx context.Context) (int64, error) {
	c.mu.Lock()
	seq, started := c.seq, c.started
	c.mu.Unlock()
	if !started {
		// An empty cache needs no history: start at the log's end.
		latest, err := c.changes.LatestChange(ctx)
		if err != nil {
			return 0, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if !c.started {
			c.started, c.seq, c.floor = true, latest, latest
		}
		return c.seq, nil
	}
	changes, latest, err := c.changes.ChangesSince(ctx, seq, maxChanges)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if latest <= c.seq {
		return c.seq, nil
	}
	if len(changes) > 0 && (changes[0].Seq != seq+1 || changes[len(changes)-1].Seq != latest) {
		// Missed changes: pruned from the log, or too many to read. Start afresh.
		c.purgeLocked()
		c.seq, c.floor = latest, latest
		return latest, nil
	}
	for _, ch := range changes {
		if ch.Seq <= c.seq {
			continue
		}
		c.touched[ch.Key] = ch.Seq
		for key := range c.byDep[ch.Key] {
			c.removeLocked(key)
		}
	}
	c.seq = latest
	return latest, nil
}

// get returns the cached page for key, if it is there and fresh.
func (c *pageCache) get(key string) *response {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.pages[key]
	if r != nil && !r.expires.IsZero() && c.now().After(r.expires) {
		c.removeLocked(key)
		return nil
	}
	return r
}

// put stores r under key unless one of its dependencies changed after position from, the
// position the page was rendered at (it would then be stale already).
func (c *pageCache) put(key string, r *response, from int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if from < c.floor {
		return
	}
	for _, d := range r.deps {
		if c.touched[d] > from {
			return
		}
	}
	if old := c.pages[key]; old != nil {
		c.removeLocked(key)
	}
	if n := len(r.body) + len(r.gz); n > c.maxSize/8 {
		return
	}
	for c.size+len(r.body)+len(r.gz) > c.maxSize && len(c.pages) > 0 {
		for k := range c.pages { // evict an arbitrary page; maps iterate in random order
			c.removeLocked(k)
			break
		}
	}
	c.pages[key] = r
	c.size += len(r.body) + len(r.gz)
	for _, d := range r.deps {
		m := c.byDep[d]
		if m == nil {
			m = map[string]struct{}{}
			c.byDep[d] = m
		}
		m[key] = struct{}{}
	}
}

func (c *pageCache) removeLocked(key string) {
	r := c.pages[key]
	if r == nil {
		return
	}
	delete(c.pages, key)
	c.size -= len(r.body) + len(r.gz)
	for _, d := range r.deps {
		if m := c.byDep[d]; m != nil {
			delete(m, key)
			if len(m) == 0 {
				delete(c.byDep, d)
			}
		}
	}
}

// purge drops every page.
func (c *pageCache) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.purgeLocked()
}

func (c *pageCache) purgeLocked() {
	c.pages, c.byDep, c.touched, c.size = map[string]*response{}, map[string]map[string]struct{}{}, map[string]int64{}, 0
}

// len is the number of cached pages.
func (c *pageCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pages)
}
