package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/sitegen"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// BenchmarkCommentPost posts comments through the whole handler chain and the policy into
// SQLite, with 1, 16 and 64 concurrent posters, and reports posts/s and the p99 latency. Each
// acknowledged comment is committed at the default durability (full: one fsync per group
// commit). Posters come from distinct addresses, as readers do, so flood control does not apply.
func BenchmarkCommentPost(b *testing.B) {
	for _, posters := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("posters=%d", posters), func(b *testing.B) {
			m, clk := startMain(b)
			a := liveStory(b, m, 0)
			form := commentForm(b, mustGet(b, m, a.Path(time.UTC), http.StatusOK))
			clk.Add(time.Minute)
			measurePosts(b, posters, func(n int64) int {
				f := url.Values{}
				for k, v := range form {
					f[k] = v
				}
				f.Set("token", freshToken(b, m, a.ID))
				f.Set("author", fmt.Sprintf("Reader %d", n))
				f.Set("email", fmt.Sprintf("reader%d@example.org", n))
				f.Set("comment", fmt.Sprintf("Comment number %d on the harbour vote.", n))
				return postForm(m, f, n)
			})
		})
	}
}

// freshToken mints a form token for the story as a page view would have a minute ago.
func freshToken(tb testing.TB, m *Main, articleID int64) string {
	tb.Helper()
	secret, err := m.Store.Secret(tb.Context(), "comments")
	if err != nil {
		tb.Fatal(err)
	}
	return comment.NewFormToken(secret, articleID, m.Now().Add(-time.Minute))
}

// BenchmarkCommentPostLarge is BenchmarkCommentPost on the large generated site (100k stories,
// 1M comments, 20k commenters; generated once into sitegen.BenchData, which takes minutes), at
// each durability level, with the posters spread over 2,000 ordinary stories. It runs with -long.
func BenchmarkCommentPostLarge(b *testing.B) {
	if !*long {
		b.Skip("the large site is generated once and takes minutes: run with -long")
	}
	for _, level := range []string{"normal", "full"} {
		for _, posters := range []int{1, 16, 64} {
			b.Run(fmt.Sprintf("durability=%s/posters=%d", level, posters), func(b *testing.B) {
				cfg := DefaultConfig()
				cfg.Addr, cfg.Data, cfg.Demo, cfg.SkipCheck, cfg.Durability = "127.0.0.1:0", b.TempDir(), false, true, level
				site := filepath.Join(cfg.Data, "site.db")
				if err := sitegen.CopyCached(b.Context(), sitegen.Large, func(path string) (store.Store, error) {
					return sqlite.Open(b.Context(), path, sqlite.Options{})
				}, site); err != nil {
					b.Fatal(err)
				}
				stories, err := benchTargets(b.Context(), site, 2000)
				if err != nil {
					b.Fatal(err)
				}
				m := NewMain(cfg)
				m.Log = slog.New(slog.DiscardHandler)
				if err := m.Run(b.Context()); err != nil {
					b.Fatalf("Run: %v", err)
				}
				b.Cleanup(func() { m.Close() })
				secret, err := m.Store.Secret(b.Context(), "comments")
				if err != nil {
					b.Fatal(err)
				}
				measurePosts(b, posters, func(n int64) int {
					return postForm(m, benchComment(secret, stories[int(n)%len(stories)], int(n)), n)
				})
			})
		}
	}
}

// postForm posts the comment form f through the whole handler chain, from an address of its
// own (so that flood control does not apply), and returns the status.
func postForm(m *Main, f url.Values, n int64) int {
	req := httptest.NewRequest(http.MethodPost, "/comments", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:4000", n>>16&255, n>>8&255, n&255)
	w := httptest.NewRecorder()
	m.Server.ServeHTTP(w, req)
	return w.Code
}

// measurePosts runs post (given a sequence number) b.N times from posters goroutines and
// reports posts/s and the 99th percentile of their latency.
func measurePosts(b *testing.B, posters int, post func(n int64) int) {
	var seq atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	jobs := make(chan struct{})
	var wg sync.WaitGroup
	for range posters {
		wg.Go(func() {
			for range jobs {
				n := seq.Add(1)
				start := time.Now()
				code := post(n)
				d := time.Since(start)
				if code != http.StatusSeeOther {
					b.Errorf("post %d: status %d", n, code)
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "posts/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
