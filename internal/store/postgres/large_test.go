package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/sitegen"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/postgres"
	"github.com/broadsheet/broadsheet/internal/store/postgres/pgtest"
)

// listingSize is the generated site BenchmarkListingCounts measures on: stories only, which is
// what listings read. Generating goes through the store, story by story (about 20 a second on a
// busy two-core machine), so the site is smaller than sitegen.Large; counts grow linearly.
var listingSize = sitegen.Size{Stories: 15_000}

// BenchmarkListingCounts measures the listings whose page count is a COUNT(*) on PostgreSQL (SQLite
// reads kept counts, migration 0012) on a generated site, and logs each count's plan with
// EXPLAIN (ANALYZE, BUFFERS):
//
//	go test -run x -bench ListingCounts -benchtime 200x -timeout 60m ./internal/store/postgres
func BenchmarkListingCounts(b *testing.B) {
	ctx := context.Background()
	url := pgtest.URL(b)
	db := open(b, url, postgres.Options{})
	start := time.Now()
	if err := sitegen.Generate(ctx, db, listingSize, ""); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d stories in %v", listingSize.Stories, time.Since(start).Round(time.Second))
	conn := raw(b, url)
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	sections, _ := db.Sections(ctx)
	tags, _ := db.Tags(ctx)
	cases := []struct {
		name  string
		q     store.ArticleQuery
		count string // the COUNT(*) ListArticles sends, for EXPLAIN
	}{
		{"front", store.ArticleQuery{LiveAt: sitegen.Now, Kind: article.Story, Limit: 12},
			`SELECT COUNT(*) FROM articles a WHERE (a.status = 'published' OR (a.status = 'scheduled' AND a.published_at <= 0)) AND a.kind = 'story'`},
		{"section", store.ArticleQuery{LiveAt: sitegen.Now, Kind: article.Story, SectionID: sections[0].ID, Limit: 12},
			`SELECT COUNT(*) FROM articles a WHERE (a.status = 'published' OR (a.status = 'scheduled' AND a.published_at <= 0)) AND a.kind = 'story' AND a.section_id = $1`},
		{"tag", store.ArticleQuery{LiveAt: sitegen.Now, Kind: article.Story, TagID: tags[0].ID, Limit: 12},
			`SELECT COUNT(*) FROM articles a WHERE (a.status = 'published' OR (a.status = 'scheduled' AND a.published_at <= 0)) AND a.kind = 'story' AND a.id IN (SELECT article_id FROM article_tags WHERE tag_id = $1)`},
	}
	for _, c := range cases {
		var args []any
		if strings.Contains(c.count, "$1") {
			args = append(args, map[string]int64{"section": sections[0].ID, "tag": tags[0].ID}[c.name])
		}
		rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+c.count, args...)
		if err != nil {
			b.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			rows.Scan(&line)
			plan = append(plan, line)
		}
		rows.Close()
		b.Logf("%s count:\n%s", c.name, strings.Join(plan, "\n"))
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.ListArticles(ctx, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
