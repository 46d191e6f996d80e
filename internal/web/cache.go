package web

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// response is a rendered page: the bytes and an ETag, computed once, and its compressed forms,
// each made the first time a reader asks for it, so that a cache hit only copies bytes. A cached
// page keeps only the forms its readers ask for: once compressed, its plain bytes go, and come
// back (from the compressed form) only if a reader without compression asks.
type response struct {
	status      int
	contentType string
	body        []byte // the plain page; nil when a cached page keeps only compressed forms
	size        int    // len of the plain page
	etag        string
	// cacheControl defaults to "no-cache": browsers may keep the page but revalidate it with
	// the ETag, which costs a 304 and never shows a stale story. Public pages get the site's
	// shared-cache policy instead.
	cacheControl string
	location     string    // for redirects
	csp          string    // the page's own Content-Security-Policy (a story's embeds), or "" for the default
	modified     time.Time // Last-Modified; zero for none
	deps         []string
	expires      time.Time // zero: until invalidated
	// public marks a page that is the same bytes for every reader: it is sent with
	// Surrogate-Key and Cache-Tag headers (keys) so that a CDN or reverse proxy may keep it.
	public bool
	keys   string

	mu     sync.Mutex
	gz, br []byte // nil until made, or when compression does not pay
	gzDone bool
	brDone bool
	plain  bool        // a reader without compression asked: the plain bytes stay
	grow   func(n int) // tells the cache holding the page of bytes added (or, when negative, freed)
}

func newResponse(status int, contentType string, body []byte) *response {
	sum := sha256.Sum256(body)
	return &response{status: status, contentType: contentType, body: body, size: len(body),
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
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

// minCompress is the smallest body worth compressing.
const minCompress = 512

// gzipLevel is the pages' gzip level.
const gzipLevel = 4

// The compressors, kept between pages: each one's state is hundreds of kilobytes, which a new
// one per page would allocate and clear again. klauspost/compress's gzip makes the same bytes as
// the standard library's (within 1 %) in a third of the time. Its level 4 compresses a story
// page with 50 comments (55 kB) in three quarters of the time of its default level, to 3 % more
// bytes: an uncached page costs less, a cached one a little more room.
var (
	gzipWriters = sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(nil, gzipLevel)
		return zw
	}}
	brotliWriters = sync.Pool{New: func() any { return brotli.NewWriterLevel(nil, 5) }}
)

// encoded returns the body in encoding enc ("br" or "gzip"), compressing it on first demand,
// or nil when compression does not pay. A cached page then lets its plain bytes go, unless a
// reader without compression has asked for them.
func (r *response) encoded(enc string) []byte {
	if r.size < minCompress {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var out *[]byte
	var done *bool
	if enc == "br" {
		out, done = &r.br, &r.brDone
	} else {
		out, done = &r.gz, &r.gzDone
	}
	if *done {
		return *out
	}
	*done = true
	body := r.plainLocked()
	var buf bytes.Buffer
	buf.Grow(len(body) / 3)
	if enc == "br" {
		zw := brotliWriters.Get().(*brotli.Writer)
		zw.Reset(&buf)
		zw.Write(body)
		zw.Close()
		brotliWriters.Put(zw)
	} else {
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&buf)
		zw.Write(body)
		zw.Close()
		gzipWriters.Put(zw)
	}
	if buf.Len() >= len(body) {
		return nil
	}
	*out = bytes.Clone(buf.Bytes())
	added := len(*out)
	if r.grow != nil && !r.plain && r.body != nil {
		r.body = nil
		added -= r.size
	}
	r.account(added)
	return *out
}

// plainBody returns the plain page, made again from a compressed form if the cache let it go;
// a cached page then keeps it, for the readers without compression.
func (r *response) plainBody() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.plain = true
	if r.body != nil {
		return r.body
	}
	r.body = r.plainLocked()
	r.account(r.size)
	return r.body
}

// plainLocked returns the plain page, decompressing a compressed form when the plain bytes
// went; the caller holds r.mu.
func (r *response) plainLocked() []byte {
	if r.body != nil {
		return r.body
	}
	var zr io.Reader
	if r.gz != nil {
		var err error
		if zr, err = gzip.NewReader(bytes.NewReader(r.gz)); err != nil {
			panic("web: a cached page's gzip form does not decode: " + err.Error())
		}
	} else {
		zr = brotli.NewReader(bytes.NewReader(r.br))
	}
	body := make([]byte, r.size)
	if _, err := io.ReadFull(zr, body); err != nil {
		panic("web: a cached page's compressed form does not decode: " + err.Error())
	}
	return body
}

// account tells the cache holding the page of n bytes added (or freed, when negative); the
// caller holds r.mu.
func (r *response) account(n int) {
	if grow := r.grow; grow != nil && n != 0 {
		r.mu.Unlock() // the cache's lock comes before the page's
		grow(n)
		r.mu.Lock()
	}
}

// write sends r, honouring If-None-Match, If-Modified-Since and Accept-Encoding.
func (r *response) write(w http.ResponseWriter, req *http.Request) { r.send(w, req, false) }

// writeStale sends r as a copy that could not be checked against the change log (the database
// is out of reach): it grants no freshness, so that neither a browser nor a shared cache keeps
// it as current, and says so (Warning 111, "Revalidation Failed").
func (r *response) writeStale(w http.ResponseWriter, req *http.Request) { r.send(w, req, true) }

func (r *response) send(w http.ResponseWriter, req *http.Request, stale bool) {
	h := w.Header()
	h.Set("Content-Type", r.contentType)
	h.Set("ETag", r.etag)
	h.Add("Vary", "Accept-Encoding")
	switch {
	case stale:
		h.Set("Cache-Control", "no-cache")
		h.Set("Warning", `111 - "Revalidation Failed"`)
	case r.cacheControl != "":
		h.Set("Cache-Control", r.cacheControl)
	default:
		h.Set("Cache-Control", "no-cache")
	}
	if r.public {
		h.Set("Surrogate-Key", r.keys)
		h.Set("Cache-Tag", strings.ReplaceAll(r.keys, " ", ","))
	}
	if !r.modified.IsZero() {
		h.Set("Last-Modified", r.modified.UTC().Format(http.TimeFormat))
	}
	if r.location != "" {
		h.Set("Location", r.location)
	}
	if r.csp != "" {
		h.Set("Content-Security-Policy", r.csp)
	}
	if r.status == http.StatusOK && r.notModified(req) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var body []byte
	if enc := acceptedEncoding(req.Header.Get("Accept-Encoding")); enc != "" {
		if body = r.encoded(enc); body != nil {
			h.Set("Content-Encoding", enc)
		}
	}
	if body == nil {
		body = r.plainBody()
	}
	h.Set("Content-Length", itoa(len(body)))
	w.WriteHeader(r.status)
	if req.Method != http.MethodHead {
		w.Write(body)
	}
}

// notModified reports whether the reader's copy is current: If-None-Match when sent, else
// If-Modified-Since.
func (r *response) notModified(req *http.Request) bool {
	if inm := req.Header.Get("If-None-Match"); inm != "" {
		return etagMatch(inm, r.etag)
	}
	if ims := req.Header.Get("If-Modified-Since"); ims != "" && !r.modified.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !r.modified.Truncate(time.Second).After(t)
	}
	return false
}

// surrogateKeys names what a page shows, for a CDN's or proxy's purge by key: each dependency
// ("article:12", "comments:12", "section:3", "front") becomes a key ("story-12", "comments-12",
// "section-3", "front"), space-separated.
func surrogateKeys(deps []string) string {
	seen := make(map[string]bool, len(deps))
	var b strings.Builder
	for _, d := range deps {
		k := SurrogateKey(d)
		if seen[k] {
			continue
		}
		seen[k] = true
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
	}
	return b.String()
}

// SurrogateKey is the surrogate key of one change-log key: the name under which shared caches
// hold the pages that show it.
func SurrogateKey(dep string) string {
	kind, id, ok := strings.Cut(dep, ":")
	if !ok {
		return dep
	}
	if kind == "article" {
		kind = "story"
	}
	return kind + "-" + id
}

// pageCache holds rendered pages by URL within a byte budget, evicting the least recently used,
// and drops exactly those whose dependencies appear in the store's change log, whichever
// process wrote them. It reads the log only when the store's change mark moved, so a hit costs
// no query: this process's writes move the mark before they return, other processes' within
// the store's follow bound.
type pageCache struct {
	changes changeLog
	now     func() time.Time
	maxSize int // bytes

	mu      sync.Mutex
	started bool                           // the first sync happened
	mark    uint64                         // the change mark applied
	seq     int64                          // the change log position applied
	floor   int64                          // pages rendered before this position are not kept
	pages   map[string]*list.Element       // by cache key; values are *entry
	lru     list.List                      // most recently used first
	byDep   map[string]map[string]struct{} // dependency → cache keys
	touched map[string]int64               // dependency → seq of its latest change
	size    int
	// facts holds stories without their bodies, by ID, for the checks of a comment post:
	// dropped, as pages are, when the change log names them.
	facts map[int64]*article.Article

	hits, misses, evictions atomic.Int64
	// staleServed counts pages served while the change log could not be read (stale).
	staleServed atomic.Int64
	// invalidations counts pages dropped because something they show changed (a whole
	// emptying counts the pages it dropped).
	invalidations atomic.Int64
	// settings is set when the log says the site's settings changed (or changes were missed):
	// the Server reads them again.
	settings atomic.Bool
}

// entry is a cached page and its accounted size.
type entry struct {
	key  string
	resp *response
	size int
}

// changeLog is what the cache reads of the store's change log.
type changeLog interface {
	ChangesSince(ctx context.Context, seq int64, limit int) ([]store.Change, int64, error)
	LatestChange(ctx context.Context) (int64, error)
	ChangeMark() uint64
}

func newPageCache(changes changeLog, now func() time.Time, maxSize int) *pageCache {
	return &pageCache{changes: changes, now: now, maxSize: maxSize, pages: map[string]*list.Element{},
		byDep: map[string]map[string]struct{}{}, touched: map[string]int64{}, facts: map[int64]*article.Article{}}
}

// CacheStats are the page cache's counters since start.
type CacheStats struct {
	Hits, Misses, Evictions, Invalidations int64
	Pages, Bytes, MaxBytes                 int
	// Applied is the change log position the cache has applied (0 before its first look).
	Applied int64
	// Stale counts pages served from the cache while the change log could not be read (the
	// database out of reach): each was current at Applied, and may be older than the bound.
	Stale int64
}

func (c *pageCache) stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Evictions: c.evictions.Load(),
		Invalidations: c.invalidations.Load(), Pages: len(c.pages), Bytes: c.size, MaxBytes: c.maxSize, Applied: c.seq,
		Stale: c.staleServed.Load()}
}

// maxChanges is how many change-log entries one sync reads. More waiting (an import, a server
// that was busy) means starting afresh: emptying the cache is cheaper than reading them all.
const maxChanges = 10_000

// maxTouched bounds the changes the cache remembers, for refusing pages rendered before them.
const maxTouched = 10_000

// sync applies the changes logged since the last sync and returns the position reached: pages
// rendered after this call reflect at least that position. While the store's change mark has
// not moved it reads nothing.
func (c *pageCache) sync(ctx context.Context) (int64, error) {
	mark := c.changes.ChangeMark() // read before the log, so a commit in between moves it again
	c.mu.Lock()
	seq, started := c.seq, c.started
	if started && mark == c.mark {
		c.mu.Unlock()
		return seq, nil
	}
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
			c.started, c.seq, c.floor, c.mark = true, latest, latest, mark
		}
		return c.seq, nil
	}
	changes, latest, err := c.changes.ChangesSince(ctx, seq, maxChanges)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	if mark-c.mark < 1<<63 { // mark is after c.mark
		c.mark = mark
	}
	if latest <= c.seq {
		seq := c.seq
		c.mu.Unlock()
		return seq, nil
	}
	if len(changes) > 0 && (changes[0].Seq != seq+1 || changes[len(changes)-1].Seq != latest) {
		// Missed changes: pruned from the log, or too many to read. Start afresh.
		c.purgeLocked()
		c.seq, c.floor = latest, latest
		c.settings.Store(true)
	} else {
		for _, ch := range changes {
			if ch.Seq <= c.seq {
				continue
			}
			if ch.Key == "settings" {
				c.settings.Store(true)
			}
			c.touched[ch.Key] = ch.Seq
			if id, ok := strings.CutPrefix(ch.Key, "article:"); ok {
				n, _ := strconv.ParseInt(id, 10, 64)
				delete(c.facts, n)
			}
			for key := range c.byDep[ch.Key] {
				c.removeLocked(key)
				c.invalidations.Add(1)
			}
		}
		c.seq = latest
		if len(c.touched) > maxTouched {
			// Forget the changes seen so far, which would otherwise grow with every comment
			// for as long as the server runs; pages rendered before this position are then
			// not kept (they are few: those being rendered now).
			clear(c.touched)
			c.floor = latest
		}
	}
	c.mu.Unlock()
	return latest, nil
}

// get returns the cached page for key, if it is there and fresh, and counts a hit or a miss.
func (c *pageCache) get(key string) *response {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.pages[key]
	if e == nil {
		c.misses.Add(1)
		return nil
	}
	r := e.Value.(*entry).resp
	if !r.expires.IsZero() && c.now().After(r.expires) {
		c.removeLocked(key)
		c.misses.Add(1)
		return nil
	}
	c.lru.MoveToFront(e)
	c.hits.Add(1)
	return r
}

// stale returns the page cached under key whatever its freshness, for when the change log
// cannot be read, and counts it; nil when there is none.
func (c *pageCache) stale(key string) *response {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.pages[key]
	if e == nil {
		return nil
	}
	c.staleServed.Add(1)
	return e.Value.(*entry).resp
}

// put stores r under key unless one of its dependencies changed after position from, the
// position the page was rendered at (it would then be stale already). It evicts the least
// recently used pages to stay within the byte budget.
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
	c.removeLocked(key)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(key) + len(r.body) + len(r.gz) + len(r.br) + entryOverhead
	if n > c.maxSize/8 {
		return
	}
	e := &entry{key: key, resp: r, size: n}
	c.pages[key] = c.lru.PushFront(e)
	c.size += n
	r.grow = func(n int) { c.grow(e, n) }
	for _, d := range r.deps {
		m := c.byDep[d]
		if m == nil {
			m = map[string]struct{}{}
			c.byDep[d] = m
		}
		m[key] = struct{}{}
	}
	c.evictLocked()
}

// entryOverhead is what the cache spends on a page besides its bytes (its list element, map
// entries and dependency sets), about 2 KiB for a story page (measured with a heap profile),
// counted against the budget so that the budget bounds it all.
const entryOverhead = 2 << 10

// grow accounts for a compressed form added to a cached page.
func (c *pageCache) grow(e *entry, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.pages[e.key]; el == nil || el.Value.(*entry) != e {
		return // no longer cached
	}
	e.size += n
	c.size += n
	c.evictLocked()
}

func (c *pageCache) evictLocked() {
	for c.size > c.maxSize && c.lru.Len() > 0 {
		c.removeLocked(c.lru.Back().Value.(*entry).key)
		c.evictions.Add(1)
	}
}

func (c *pageCache) removeLocked(key string) {
	el := c.pages[key]
	if el == nil {
		return
	}
	e := el.Value.(*entry)
	c.lru.Remove(el)
	delete(c.pages, key)
	c.size -= e.size
	for _, d := range e.resp.deps {
		if m := c.byDep[d]; m != nil {
			delete(m, key)
			if len(m) == 0 {
				delete(c.byDep, d)
			}
		}
	}
}

// drop removes the pages that depend on any of deps, as a change to them would.
func (c *pageCache) drop(deps []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range deps {
		for key := range c.byDep[d] {
			c.removeLocked(key)
			c.invalidations.Add(1)
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
	c.invalidations.Add(int64(len(c.pages)))
	c.pages, c.byDep, c.touched, c.size = map[string]*list.Element{}, map[string]map[string]struct{}{}, map[string]int64{}, 0
	c.facts = map[int64]*article.Article{}
	c.lru.Init()
}

// maxFacts bounds the stories kept for comment posts (a few hundred bytes each).
const maxFacts = 4096

// storyFacts returns story id as the cache keeps it for comment posts (without its bodies,
// notes, tags or bylines), or nil.
func (c *pageCache) storyFacts(id int64) *article.Article {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.facts[id]
}

// putStoryFacts keeps a's facts unless it changed after position from, the position it was
// read at. Past maxFacts an arbitrary one makes room.
func (c *pageCache) putStoryFacts(a *article.Article, from int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if from < c.floor || c.touched["article:"+itoa64(a.ID)] > from {
		return
	}
	if len(c.facts) >= maxFacts {
		for id := range c.facts {
			delete(c.facts, id)
			break
		}
	}
	f := *a
	f.Body, f.BodyHTML, f.BodyText, f.Standfirst, f.Notes, f.Tags, f.Authors = "", "", "", "", nil, nil, nil
	c.facts[a.ID] = &f
}

// len is the number of cached pages.
func (c *pageCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pages)
}
