package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/sitegen"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// BenchmarkLargeSiteStory renders uncached story pages, a different story each time, on a copy
// of the generated large site (100k stories, 1M comments; cached between runs in
// $BROADSHEET_BENCH_DATA or the temporary directory's broadsheet-bench):
//
//	go test -run x -bench LargeSiteStory -benchtime 2000x -cpuprofile cpu.out ./internal/web
func BenchmarkLargeSiteStory(b *testing.B) {
	ctx := context.Background()
	dst := filepath.Join(b.TempDir(), "site.db")
	err := sitegen.CopyCached(ctx, sitegen.Large, func(path string) (store.Store, error) {
		return sqlite.Open(ctx, path, sqlite.Options{})
	}, dst)
	if err != nil {
		b.Fatal(err)
	}
	db, err := sqlite.Open(ctx, dst, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	srv, err := New(Config{Title: "The Large Courier", BaseURL: "http://localhost"}, db, slog.New(slog.DiscardHandler),
		func() time.Time { return sitegen.Now })
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.LoadSettings(ctx); err != nil {
		b.Fatal(err)
	}
	// b.N is not known before b.Loop: every one of the first 10,000 iterations reads a different
	// story (the rest would be page-cache hits, so run at most -benchtime 10000x).
	var paths []string
	for i := range 10000 {
		a, err := db.ArticleBySlug(ctx, sitegen.Slug(i*7919%sitegen.Large.Stories))
		if err != nil {
			b.Fatal(err)
		}
		paths = append(paths, srv.permalink(a))
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, paths[i%len(paths)], nil)
		req.Header.Set("Accept-Encoding", "gzip") // as every browser, and broadsheet bench, sends
		srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s = %d", paths[i%len(paths)], w.Code)
		}
		i++
	}
	if i > len(paths) {
		b.Logf("%d of %d pages were page-cache hits: use -benchtime %dx or less", i-len(paths), i, len(paths))
	}
}
