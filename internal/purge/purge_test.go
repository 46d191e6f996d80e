package purge

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// seen is one request a receiver got.
type seen struct {
	Method, Path, Auth, Keys string
	Body                     map[string]any
}

// receiver records requests, answering with answer (200 by default).
type receiver struct {
	mu     sync.Mutex
	got    []seen
	answer int
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{answer: http.StatusOK}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		s := seen{Method: req.Method, Path: req.URL.Path, Keys: req.Header.Get("Surrogate-Key")}
		s.Auth = req.Header.Get("Authorization") + req.Header.Get("Fastly-Key")
		if b, _ := io.ReadAll(req.Body); len(b) > 0 {
			json.Unmarshal(b, &s.Body)
		}
		if req.Header.Get("X-Purge") == "all" {
			s.Keys = "ALL"
		}
		r.mu.Lock()
		r.got = append(r.got, s)
		code := r.answer
		r.mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) requests() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// TestRequestShapes checks each target's request against its API's documented shape.
func TestRequestShapes(t *testing.T) {
	t.Parallel()
	r := newReceiver(t)
	host := strings.TrimPrefix(r.srv.URL, "http://")
	tests := []struct {
		target Target
		keys   []string
		want   []seen
	}{
		{&Varnish{Addr: host}, []string{"story-1", "front"},
			[]seen{{Method: "BAN", Path: "/", Keys: "story-1 front"}}},
		{&Varnish{Addr: host}, nil, []seen{{Method: "BAN", Path: "/", Keys: "ALL"}}},
		{&Fastly{Service: "SVC1", Token: "tok", API: r.srv.URL}, []string{"story-1", "comments-1"},
			[]seen{{Method: "POST", Path: "/service/SVC1/purge", Auth: "tok", Body: map[string]any{"surrogate_keys": []any{"story-1", "comments-1"}}}}},
		{&Fastly{Service: "SVC1", Token: "tok", API: r.srv.URL}, nil,
			[]seen{{Method: "POST", Path: "/service/SVC1/purge_all", Auth: "tok"}}},
		{&Cloudflare{Zone: "Z9", Token: "cf", API: r.srv.URL}, []string{"tag-3"},
			[]seen{{Method: "POST", Path: "/client/v4/zones/Z9/purge_cache", Auth: "Bearer cf", Body: map[string]any{"tags": []any{"tag-3"}}}}},
		{&Cloudflare{Zone: "Z9", Token: "cf", API: r.srv.URL}, nil,
			[]seen{{Method: "POST", Path: "/client/v4/zones/Z9/purge_cache", Auth: "Bearer cf", Body: map[string]any{"purge_everything": true}}}},
		{&Webhook{URL: r.srv.URL + "/hook"}, []string{"author-2"},
			[]seen{{Method: "POST", Path: "/hook", Body: map[string]any{"keys": []any{"author-2"}}}}},
		{&Webhook{URL: r.srv.URL + "/hook"}, nil,
			[]seen{{Method: "POST", Path: "/hook", Body: map[string]any{"all": true}}}},
	}
	for _, tt := range tests {
		before := len(r.requests())
		if err := tt.target.Purge(t.Context(), tt.keys); err != nil {
			t.Errorf("%s.Purge(%q) = %v", tt.target, tt.keys, err)
			continue
		}
		if diff := cmp.Diff(tt.want, r.requests()[before:]); diff != "" {
			t.Errorf("%s.Purge(%q) requests (-want +got):\n%s", tt.target, tt.keys, diff)
		}
	}
}

// TestCloudflareBatches: Cloudflare takes 30 tags a request.
func TestCloudflareBatches(t *testing.T) {
	t.Parallel()
	r := newReceiver(t)
	keys := make([]string, 65)
	for i := range keys {
		keys[i] = "story-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	if err := (&Cloudflare{Zone: "Z", Token: "t", API: r.srv.URL}).Purge(t.Context(), keys); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, s := range r.requests() {
		sizes = append(sizes, len(s.Body["tags"].([]any)))
	}
	if !slices.Equal(sizes, []int{30, 30, 5}) {
		t.Errorf("Cloudflare batches = %v, want [30 30 5]", sizes)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"varnish://127.0.0.1:6081":        "varnish://127.0.0.1:6081",
		"fastly://secret@SERVICE":         "fastly://SERVICE",
		"cloudflare://secret@ZONE":        "cloudflare://ZONE",
		"https://hooks.example.org/purge": "https://hooks.example.org/purge",
	} {
		got, err := Parse(raw)
		if err != nil || got.String() != want {
			t.Errorf("Parse(%q) = %v, %v; want %s", raw, got, err, want)
		}
	}
	for _, bad := range []string{"", "varnish:", "fastly://SERVICE", "cloudflare://ZONE", "ftp://x", "not a url"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = nil error, want one", bad)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("Parse(%q) error shows the token: %v", bad, err)
		}
	}
}

// TestQueueRetriesAndNeverBlocks: while the target is down (refusing connections) or slow
// (holding every request), Purge returns at once; the keys wait, merged, and reach the target
// once it answers.
func TestQueueRetriesAndNeverBlocks(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var mu sync.Mutex
	var got []string
	var failures int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // slow: hold every request until released
		mu.Lock()
		defer mu.Unlock()
		if failures < 2 {
			failures++
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		got = append(got, r.Header.Get("Surrogate-Key"))
	}))
	t.Cleanup(srv.Close)
	q := NewQueue(Config{MinRetry: time.Millisecond, MaxRetry: 5 * time.Millisecond}, slog.New(slog.DiscardHandler),
		&Varnish{Addr: strings.TrimPrefix(srv.URL, "http://")})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	// The target holds the first request; every Purge meanwhile returns without waiting.
	for i := range 1000 {
		q.Purge([]string{"story-" + string(rune('a'+i%3))})
	}
	close(release)
	for {
		mu.Lock()
		n, answered := strings.Join(got, " "), int64(len(got))
		mu.Unlock()
		// The queue counts a send once the target's answer is back: after the handler ran.
		if strings.Contains(n, "story-a") && strings.Contains(n, "story-b") && strings.Contains(n, "story-c") && q.Stats().Sent >= answered {
			break
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if failures != 2 {
		t.Errorf("target failed %d times, want 2 before it answered", failures)
	}
	if st := q.Stats(); st.Failures != 2 || st.Sent < 1 {
		t.Errorf("Stats = %+v, want 2 failures and the sends that followed", st)
	}
}

// TestQueueDownTarget: a target that refuses connections costs the caller nothing, and too many
// waiting keys collapse into one purge of everything.
func TestQueueDownTarget(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now
	q := NewQueue(Config{MaxKeys: 10, MinRetry: time.Hour}, slog.New(slog.DiscardHandler), &Varnish{Addr: addr})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	for i := range 100 {
		q.Purge([]string{"story-" + strconv.Itoa(i)})
	}
	w := q.workers[0]
	for {
		w.mu.Lock()
		all := w.all
		w.mu.Unlock()
		if all {
			break
		}
		time.Sleep(time.Millisecond)
	}
	// The send fails and the purge of everything waits for its retry, an hour away.
	for st := q.Stats(); st.Failures != 1 || st.Waiting != 1 || st.Sent != 0; st = q.Stats() {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
