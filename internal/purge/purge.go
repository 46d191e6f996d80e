// Package purge tells the shared caches in front of the site (Varnish, a CDN) which pages
// changed, by their surrogate keys, so that they can keep public pages long and still never
// show a stale one for long.
//
// A Queue takes keys without ever blocking its caller (a publish, a comment) and sends them from
// a goroutine of its own per target, merging keys that wait, retrying failed sends with
// growing delays, and collapsing into one "purge everything" when too many keys wait.
package purge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Target is a shared cache that can drop pages by surrogate key.
type Target interface {
	// Purge drops the pages carrying any of keys, or every page when keys is nil. It returns an
	// error when the cache did not confirm.
	Purge(ctx context.Context, keys []string) error
	// String names the target for logs, without secrets.
	String() string
}

// Parse reads a purge target from its URL:
//
//	varnish://host:port        BAN request with the keys in a Surrogate-Key header
//	fastly://TOKEN@SERVICE_ID  Fastly's surrogate-key purge API
//	cloudflare://TOKEN@ZONE_ID Cloudflare's cache-tag purge API
//	https://host/path          a webhook: POST {"keys": [...]} or {"all": true}
func Parse(raw string) (Target, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("purge: %q is not a purge target URL (varnish://host:port, fastly://TOKEN@SERVICE, cloudflare://TOKEN@ZONE or https://…)", redact(raw))
	}
	token := u.User.Username()
	switch u.Scheme {
	case "varnish":
		return &Varnish{Addr: u.Host}, nil
	case "fastly":
		if token == "" {
			return nil, errors.New("purge: fastly://TOKEN@SERVICE_ID needs an API token")
		}
		return &Fastly{Service: u.Host, Token: token}, nil
	case "cloudflare":
		if token == "" {
			return nil, errors.New("purge: cloudflare://TOKEN@ZONE_ID needs an API token")
		}
		return &Cloudflare{Zone: u.Host, Token: token}, nil
	case "http", "https":
		return &Webhook{URL: u.String()}, nil
	}
	return nil, fmt.Errorf("purge: unknown target %q (use varnish, fastly, cloudflare, http or https)", u.Scheme)
}

// redact hides the token of a target URL.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = url.User("xxxxx")
		return u.String()
	}
	return raw
}

// client sends every purge; each send has its own deadline too.
var client = &http.Client{Timeout: 10 * time.Second}

// send makes one request and wants a 2xx answer.
func send(ctx context.Context, req *http.Request) error {
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered %s: %s", req.URL.Host, resp.Status, bytes.TrimSpace(body))
	}
	return nil
}

// Varnish bans by surrogate key on a Varnish cache: a BAN request whose Surrogate-Key header
// lists the keys, space-separated (X-Purge: all for everything). The VCL in the README turns it
// into ban("obj.http.Surrogate-Key ~ …"); Varnish must accept BAN only from the site's address.
type Varnish struct {
	Addr string // host:port
}

// Purge implements Target.
func (v *Varnish) Purge(ctx context.Context, keys []string) error {
	req, err := http.NewRequest("BAN", "http://"+v.Addr+"/", nil)
	if err != nil {
		return err
	}
	if keys == nil {
		req.Header.Set("X-Purge", "all")
	} else {
		req.Header.Set("Surrogate-Key", strings.Join(keys, " "))
	}
	return send(ctx, req)
}

func (v *Varnish) String() string { return "varnish://" + v.Addr }

// Fastly purges by surrogate key through Fastly's API: POST /service/ID/purge with
// {"surrogate_keys": [...]} (up to 256 keys a request), or POST /service/ID/purge_all, with the
// token in the Fastly-Key header.
type Fastly struct {
	Service, Token string
	API            string // default https://api.fastly.com
}

// Purge implements Target.
func (f *Fastly) Purge(ctx context.Context, keys []string) error {
	base := cmpOr(f.API, "https://api.fastly.com") + "/service/" + url.PathEscape(f.Service)
	if keys == nil {
		return f.post(ctx, base+"/purge_all", nil)
	}
	for batch := range slices.Chunk(keys, 256) {
		if err := f.post(ctx, base+"/purge", map[string][]string{"surrogate_keys": batch}); err != nil {
			return err
		}
	}
	return nil
}

func (f *Fastly) post(ctx context.Context, u string, body any) error {
	req, err := jsonRequest(u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Fastly-Key", f.Token)
	return send(ctx, req)
}

func (f *Fastly) String() string { return "fastly://" + f.Service }

// Cloudflare purges by cache tag through Cloudflare's API: POST /client/v4/zones/ID/purge_cache
// with {"tags": [...]} (up to 30 tags a request) or {"purge_everything": true}, with the token
// as a Bearer authorization. Cloudflare reads the Cache-Tag header, which the site sends beside
// Surrogate-Key with the same keys.
type Cloudflare struct {
	Zone, Token string
	API         string // default https://api.cloudflare.com
}

// Purge implements Target.
func (c *Cloudflare) Purge(ctx context.Context, keys []string) error {
	u := cmpOr(c.API, "https://api.cloudflare.com") + "/client/v4/zones/" + url.PathEscape(c.Zone) + "/purge_cache"
	if keys == nil {
		return c.post(ctx, u, map[string]bool{"purge_everything": true})
	}
	for batch := range slices.Chunk(keys, 30) {
		if err := c.post(ctx, u, map[string][]string{"tags": batch}); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cloudflare) post(ctx context.Context, u string, body any) error {
	req, err := jsonRequest(u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	return send(ctx, req)
}

func (c *Cloudflare) String() string { return "cloudflare://" + c.Zone }

// Webhook posts the keys to a URL of the operator's choice as JSON: {"keys": ["story-12", …]}
// or {"all": true}, for caches this package does not know.
type Webhook struct {
	URL string
}

// Purge implements Target.
func (w *Webhook) Purge(ctx context.Context, keys []string) error {
	var body any = map[string][]string{"keys": keys}
	if keys == nil {
		body = map[string]bool{"all": true}
	}
	req, err := jsonRequest(w.URL, body)
	if err != nil {
		return err
	}
	return send(ctx, req)
}

func (w *Webhook) String() string { return redact(w.URL) }

func jsonRequest(u string, body any) (*http.Request, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	if body == nil {
		b = nil
	}
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return req, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Config tunes a Queue; zero fields take their defaults.
type Config struct {
	// MaxKeys is how many distinct keys may wait for one target before they collapse into a
	// purge of everything (default 10,000).
	MaxKeys int
	// MinRetry and MaxRetry bound the delay between failed sends, doubling from the one to the
	// other (defaults 1 s and 1 min).
	MinRetry, MaxRetry time.Duration
}

// Queue sends purges to its targets in the background.
type Queue struct {
	cfg     Config
	log     *slog.Logger
	workers []*worker
}

// NewQueue returns a queue for targets; Run sends.
func NewQueue(cfg Config, log *slog.Logger, targets ...Target) *Queue {
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = 10_000
	}
	if cfg.MinRetry <= 0 {
		cfg.MinRetry = time.Second
	}
	if cfg.MaxRetry < cfg.MinRetry {
		cfg.MaxRetry = max(time.Minute, cfg.MinRetry)
	}
	q := &Queue{cfg: cfg, log: log}
	for _, t := range targets {
		q.workers = append(q.workers, &worker{target: t, keys: map[string]struct{}{}, wake: make(chan struct{}, 1)})
	}
	return q
}

// Purge queues keys for every target, or everything when keys is nil. It never blocks.
func (q *Queue) Purge(keys []string) {
	for _, w := range q.workers {
		w.add(keys, q.cfg.MaxKeys)
	}
}

// Run sends queued purges until ctx ends.
func (q *Queue) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, w := range q.workers {
		wg.Go(func() { w.run(ctx, q.cfg, q.log) })
	}
	wg.Wait()
}

// Stats are a queue's counters, summed over its targets.
type Stats struct {
	// Waiting is how many keys wait to be sent (a waiting "purge everything" counts one).
	Waiting int
	// Sent and Failures count the purge requests the targets confirmed and refused since start.
	Sent, Failures int64
}

// Stats returns the queue's counters.
func (q *Queue) Stats() Stats {
	var st Stats
	for _, w := range q.workers {
		w.mu.Lock()
		st.Waiting += len(w.keys)
		if w.all {
			st.Waiting++
		}
		w.mu.Unlock()
		st.Sent += w.sent.Load()
		st.Failures += w.failures.Load()
	}
	return st
}

// worker holds what waits for one target.
type worker struct {
	target         Target
	mu             sync.Mutex
	keys           map[string]struct{}
	all            bool
	wake           chan struct{}
	sent, failures atomic.Int64
}

func (w *worker) add(keys []string, maxKeys int) {
	w.mu.Lock()
	if keys == nil || w.all {
		w.all = true
		clear(w.keys)
	} else {
		for _, k := range keys {
			w.keys[k] = struct{}{}
		}
		if len(w.keys) > maxKeys {
			w.all = true
			clear(w.keys)
		}
	}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// take removes what waits: the keys, sorted, or nil with all set.
func (w *worker) take() (keys []string, all, any bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.all {
		w.all = false
		return nil, true, true
	}
	if len(w.keys) == 0 {
		return nil, false, false
	}
	keys = make([]string, 0, len(w.keys))
	for k := range w.keys {
		keys = append(keys, k)
	}
	clear(w.keys)
	slices.Sort(keys)
	return keys, false, true
}

func (w *worker) run(ctx context.Context, cfg Config, log *slog.Logger) {
	delay := cfg.MinRetry
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		for {
			keys, all, any := w.take()
			if !any {
				break
			}
			if all {
				keys = nil
			}
			err := w.target.Purge(ctx, keys)
			if err == nil {
				w.sent.Add(1)
				delay = cfg.MinRetry
				continue
			}
			if ctx.Err() != nil {
				return
			}
			w.failures.Add(1)
			log.Warn("purge failed; will retry", "target", w.target.String(), "keys", len(keys), "all", all,
				"retry_in", delay, "err", err)
			w.add(keys, cfg.MaxKeys) // back in the queue, merged with what came meanwhile
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			delay = min(delay*2, cfg.MaxRetry)
		}
	}
}
