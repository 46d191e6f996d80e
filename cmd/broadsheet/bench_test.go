package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// benchStory returns the path of a live demo story.
func benchStory(b *testing.B, m *Main) string {
	b.Helper()
	list, _, err := m.Store.ListArticles(b.Context(), store.ArticleQuery{LiveAt: m.Now(), Kind: article.Story, Limit: 1})
	if err != nil || len(list) == 0 {
		b.Fatalf("ListArticles: %v", err)
	}
	return list[0].Path(time.UTC)
}

// BenchmarkStoryCached serves a story page from the page cache (the hot path of a news site),
// through the whole handler chain but without the network.
func BenchmarkStoryCached(b *testing.B) {
	m, _ := startMain(b)
	path := benchStory(b, m)
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	for b.Loop() {
		w := httptest.NewRecorder()
		m.Server.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkStoryUncached renders a story page from the database on every request.
func BenchmarkStoryUncached(b *testing.B) {
	m, _ := startMain(b)
	path := benchStory(b, m)
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	for b.Loop() {
		m.Server.Purge()
		w := httptest.NewRecorder()
		m.Server.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
