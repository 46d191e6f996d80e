package sqlite_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// corpus returns the BBC News stories in shared/data, or as many synthetic ones when the data is
// absent, as articles ready to create: one section per category, a few bylines, an hour apart
// and all live at now.
func corpus(b *testing.B, now time.Time) []*article.Article {
	type record struct {
		Title    string `json:"title"`
		Body     string `json:"body"`
		Category string `json:"category"`
	}
	var recs []record
	path := filepath.Join("..", "..", "..", "..", "shared", "data", "bbc-news", "bbc-news.jsonl")
	if f, err := os.Open(path); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var r record
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				b.Fatalf("%s: %v", path, err)
			}
			recs = append(recs, r)
		}
		if err := sc.Err(); err != nil {
			b.Fatalf("%s: %v", path, err)
		}
	} else {
		b.Logf("%s is absent (%v); seeding synthetic stories instead", path, err)
		rng := rand.New(rand.NewPCG(7, 11))
		words := strings.Fields("election minister market shares growth match team player phone software " +
			"film award album music court police budget tax bank oil price league season chart device")
		sentence := func(n int) string {
			w := make([]string, n)
			for i := range w {
				w[i] = words[rng.IntN(len(words))]
			}
			return strings.Join(w, " ") + "."
		}
		for i := range 2225 {
			var body strings.Builder
			for range 30 {
				body.WriteString(sentence(15) + " ")
			}
			recs = append(recs, record{Title: sentence(6), Body: body.String(), Category: words[i%5]})
		}
	}
	list := make([]*article.Article, len(recs))
	for i, r := range recs {
		paras := strings.Split(r.Body, "\n\n")
		list[i] = &article.Article{
			Kind:        article.Story,
			Slug:        fmt.Sprintf("%s-%d", article.Slugify(r.Title), i),
			Title:       r.Title,
			Body:        r.Body,
			BodyHTML:    "<p>" + strings.Join(paras, "</p>\n<p>") + "</p>",
			BodyText:    r.Body,
			Authors:     []article.Author{{Name: fmt.Sprintf("Writer %d", i%7), Slug: fmt.Sprintf("writer-%d", i%7)}},
			Section:     article.Section{Name: r.Category, Slug: r.Category},
			Tags:        []article.Tag{{Name: r.Category, Slug: r.Category}, {Name: fmt.Sprintf("Topic %d", i%40), Slug: fmt.Sprintf("topic-%d", i%40)}},
			Status:      article.Published,
			PublishedAt: now.Add(-time.Duration(i) * time.Hour),
		}
	}
	return list
}

// BenchmarkStore measures the read paths of a page view and a save, on one seeded database.
func BenchmarkStore(b *testing.B) {
	ctx := context.Background()
	db := openAt(b, filepath.Join(b.TempDir(), "site.db"), sqlite.Options{})
	now := time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)
	list := corpus(b, now)
	start := time.Now()
	err := db.InTx(ctx, func(tx store.Store) error {
		for _, a := range list {
			if err := tx.CreateArticle(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seeding = %v", err)
	}
	b.Logf("seeded %d stories in %v", len(list), time.Since(start).Round(time.Millisecond))

	b.Run("ArticleBySlug", func(b *testing.B) {
		i := 0
		for b.Loop() {
			a := list[i%len(list)]
			if _, err := db.ArticleBySlug(ctx, a.Slug); err != nil {
				b.Fatalf("ArticleBySlug(%q) = %v", a.Slug, err)
			}
			i += 97
		}
	})
	b.Run("ListArticles/front", func(b *testing.B) {
		q := store.ArticleQuery{LiveAt: now, Kind: article.Story, Limit: 20}
		for b.Loop() {
			if got, _, err := db.ListArticles(ctx, q); err != nil || len(got) != 20 {
				b.Fatalf("ListArticles(front) = %d articles, %v", len(got), err)
			}
		}
	})
	b.Run("ListArticles/section", func(b *testing.B) {
		q := store.ArticleQuery{LiveAt: now, SectionID: list[0].Section.ID, Limit: 20, Offset: 40}
		for b.Loop() {
			if _, _, err := db.ListArticles(ctx, q); err != nil {
				b.Fatalf("ListArticles(section) = %v", err)
			}
		}
	})
	b.Run("SearchArticles", func(b *testing.B) {
		queries := []string{"election", "mobile phones", "oil prices", "chelsea", "film award", "tax budget"}
		i := 0
		for b.Loop() {
			q := store.SearchQuery{Text: queries[i%len(queries)], LiveAt: now, Limit: 10}
			if _, _, err := db.SearchArticles(ctx, q); err != nil {
				b.Fatalf("SearchArticles(%q) = %v", q.Text, err)
			}
			i++
		}
	})
	b.Run("SharingArticles", func(b *testing.B) {
		i := 0
		for b.Loop() {
			a := list[i%len(list)]
			if _, err := db.SharingArticles(ctx, a, now, 5); err != nil {
				b.Fatalf("SharingArticles(%q) = %v", a.Slug, err)
			}
			i += 97
		}
	})
	b.Run("RelatedArticles", func(b *testing.B) {
		a := list[0]
		links := make([]store.RelatedLink, 5)
		for i := range links {
			links[i] = store.RelatedLink{ArticleID: list[i+1].ID, Score: 1, Reason: "shared terms"}
		}
		if err := db.SetRelated(ctx, a.ID, links); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if got, _, err := db.RelatedArticles(ctx, a.ID, now); err != nil || len(got) != 5 {
				b.Fatalf("RelatedArticles(%d) = %d articles, %v", a.ID, len(got), err)
			}
		}
	})
	b.Run("ChangesSince/unchanged", func(b *testing.B) {
		seq, err := db.LatestChange(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if got, last, err := db.ChangesSince(ctx, seq, 1000); err != nil || len(got) != 0 || last != seq {
				b.Fatalf("ChangesSince(%d) = %d changes, %d, %v; want none", seq, len(got), last, err)
			}
		}
	})
	b.Run("LatestChange", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.LatestChange(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Last, since it adds stories.
	b.Run("CreateArticle", func(b *testing.B) {
		i := 0
		for b.Loop() {
			a := *list[i%len(list)]
			a.ID, a.Slug = 0, fmt.Sprintf("new-%d", i)
			if err := db.CreateArticle(ctx, &a); err != nil {
				b.Fatalf("CreateArticle(%q) = %v", a.Slug, err)
			}
			i++
		}
	})
}
