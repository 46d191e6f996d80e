package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/comment"
)

// BenchmarkCommentPost posts comments through the whole handler chain and the policy into
// SQLite, with 1, 16 and 64 concurrent posters, and reports posts/s and the p99 latency. Each
// acknowledged comment is committed (WAL, synchronous=NORMAL: it survives a crash of the
// process). Posters come from distinct addresses, as readers do, so flood control does not apply.
func BenchmarkCommentPost(b *testing.B) {
	for _, posters := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("posters=%d", posters), func(b *testing.B) {
			m, clk := startMain(b)
			a := liveStory(b, m, 0)
			form := commentForm(b, mustGet(b, m, a.Path(time.UTC), http.StatusOK))
			clk.Add(time.Minute)
			var seq atomic.Int64
			var mu sync.Mutex
			var lat []time.Duration
			post := func() {
				n := seq.Add(1)
				f := url.Values{}
				for k, v := range form {
					f[k] = v
				}
				f.Set("token", freshToken(b, m, a.ID))
				f.Set("author", fmt.Sprintf("Reader %d", n))
				f.Set("email", fmt.Sprintf("reader%d@example.org", n))
				f.Set("comment", fmt.Sprintf("Comment number %d on the harbour vote.", n))
				req := httptest.NewRequest(http.MethodPost, "/comments", strings.NewReader(f.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:4000", n>>16&255, n>>8&255, n&255)
				w := httptest.NewRecorder()
				start := time.Now()
				m.Server.ServeHTTP(w, req)
				d := time.Since(start)
				if w.Code != http.StatusSeeOther {
					b.Errorf("post %d: status %d", n, w.Code)
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
			b.ResetTimer()
			start := time.Now()
			jobs := make(chan struct{})
			var wg sync.WaitGroup
			for range posters {
				wg.Go(func() {
					for range jobs {
						post()
					}
				})
			}
			for b.Loop() {
				jobs <- struct{}{}
			}
			close(jobs)
			wg.Wait()
			elapsed := time.Since(start)
			slices.Sort(lat)
			b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "posts/s")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
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
