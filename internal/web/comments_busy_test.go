package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// TestCommentWhileDatabaseBusy posts a comment while another program (a long import) holds the
// database's write lock: the reader gets a 503 page with the form and their text, not an error
// page that loses it.
func TestCommentWhileDatabaseBusy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "site.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk := &testClock{t: time.Date(2026, 3, 22, 9, 30, 0, 0, time.UTC)}
	a := &article.Article{Kind: article.Story, Title: "Busy day", Slug: "busy-day", Body: "Text.", BodyHTML: "<p>Text.</p>",
		Status: article.Published, PublishedAt: clk.now().Add(-time.Hour), CommentsOpen: true}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{BaseURL: "http://example.org"}, db, slog.New(slog.DiscardHandler), clk.now)
	if err != nil {
		t.Fatal(err)
	}
	page := httptest.NewRecorder()
	srv.ServeHTTP(page, httptest.NewRequest(http.MethodGet, a.Path(time.UTC), nil))
	form := formValues(t, page.Body.String(), "commentform")
	tok := httptest.NewRecorder()
	srv.ServeHTTP(tok, httptest.NewRequest(http.MethodGet, "/comments/token?story="+form.Get("article_id"), nil))
	var ft formToken
	if err := json.Unmarshal(tok.Body.Bytes(), &ft); err != nil {
		t.Fatal(err)
	}
	form.Set("token", ft.Token)
	form.Set("author", "Ada")
	form.Set("email", "ada@example.org")
	form.Set("comment", "Words I do not want to type again.")
	clk.add(time.Minute)

	importer, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer importer.Close()
	conn, err := importer.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")

	w := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/comments", strings.NewReader(url.Values(form).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	srv.ServeHTTP(w, req)
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "Words I do not want to type again.") ||
		!strings.Contains(w.Body.String(), "try again in a minute") {
		t.Errorf("comment during a held write lock: %d, want 503 with the form and the text\n%.600s", w.Code, w.Body.String())
	}
}
