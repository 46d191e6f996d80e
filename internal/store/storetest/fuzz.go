package storetest

import (
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// FuzzSearch holds SearchArticles to its promise on s, an empty store: any reader's text
// answers results or none, never an error about the query. Backends call it from a Fuzz test.
func FuzzSearch(f *testing.F, s store.Store) {
	for _, q := range []string{"election", "NEAR(a b, 2)", `"`, "*", "AND OR NOT", "col:x", "{title}: x", "\x00", "\xff", "’",
		`"count near"`, "-election or count", "!", "&|", ":*"} {
		f.Add(q)
	}
	a := &article.Article{Kind: article.Story, Slug: "story", Title: "Election night", BodyText: "The count: NEAR the end.",
		Status: article.Published, PublishedAt: time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)}
	if err := s.CreateArticle(f.Context(), a); err != nil {
		f.Fatalf("CreateArticle = %v", err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		hits, total, err := s.SearchArticles(t.Context(), store.SearchQuery{Text: q, LiveAt: a.PublishedAt, Limit: 5})
		if err != nil {
			t.Fatalf("SearchArticles(%q) = %v, want results or none", q, err)
		}
		if len(hits) > total {
			t.Errorf("SearchArticles(%q) = %d hits, total %d", q, len(hits), total)
		}
	})
}
