package main

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// benchSession adds an editor to the demo newsroom and returns the cookie of a session of theirs,
// made directly in the store so that no password is hashed.
func benchSession(b testing.TB, m *Main) *http.Cookie {
	b.Helper()
	ctx := b.Context()
	u := &account.User{Email: "edna@example.org", Name: "Edna Editor", Role: account.Administrator, PasswordHash: "-", CreatedAt: m.Now()}
	if err := m.Store.InTx(ctx, func(tx store.Store) error { return web.AddStaff(ctx, tx, u) }); err != nil {
		b.Fatal(err)
	}
	token, hash := account.NewToken("")
	if err := m.Store.CreateSession(ctx, &account.Session{TokenHash: hash, UserID: u.ID, CreatedAt: m.Now(), LastSeen: m.Now()}); err != nil {
		b.Fatal(err)
	}
	return &http.Cookie{Name: "broadsheet_session", Value: token}
}

// BenchmarkAdminPages measures the time to first byte of the admin's pages, through the whole
// handler chain (session lookup included) on the demo newsroom. Admin pages are rendered whole
// before the first byte is written, so the time per request is the time to first byte.
func BenchmarkAdminPages(b *testing.B) {
	m, _ := startMain(b)
	cookie := benchSession(b, m)
	list, _, err := m.Store.ListArticles(b.Context(), store.ArticleQuery{Kind: article.Story, Limit: 1})
	if err != nil || len(list) == 0 {
		b.Fatalf("ListArticles: %v", err)
	}
	id := strconv.FormatInt(list[0].ID, 10)
	for _, path := range []string{"/admin/", "/admin/stories/", "/admin/stories/new", "/admin/stories/" + id + "/",
		"/admin/stories/" + id + "/revisions/", "/admin/tags/", "/admin/users/", "/admin/settings/"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.AddCookie(cookie)
			for b.Loop() {
				w := httptest.NewRecorder()
				m.Server.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("GET %s = %d", path, w.Code)
				}
			}
		})
	}
}

// BenchmarkAPIStory measures one story read through the JSON API, token lookup included.
func BenchmarkAPIStory(b *testing.B) {
	m, _ := startMain(b)
	benchSession(b, m)
	u, err := m.Store.UserByEmail(b.Context(), "edna@example.org")
	if err != nil {
		b.Fatal(err)
	}
	token, hash := account.NewToken(account.APITokenPrefix)
	if err := m.Store.CreateAPIToken(b.Context(), &account.APIToken{UserID: u.ID, Name: "bench", TokenHash: hash, CreatedAt: m.Now()}); err != nil {
		b.Fatal(err)
	}
	list, _, _ := m.Store.ListArticles(b.Context(), store.ArticleQuery{Kind: article.Story, Limit: 1})
	req := httptest.NewRequest(http.MethodGet, "/api/v1/stories/"+strconv.FormatInt(list[0].ID, 10), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for b.Loop() {
		w := httptest.NewRecorder()
		m.Server.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
