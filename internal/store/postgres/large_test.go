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

// BenchmarkListingCounts measures the front page, a section and a tag listing on a generated site,
// and the front page's and section's count as a COUNT(*) over the rows ("/rows", as before the
// kept counts of migration 0004), and logs each count's plan with EXPLAIN (ANALYZE, BUFFERS):
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
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		b.Fatal(err)
	}
	sections, _ := db.Sections(ctx)
	tags, _ := db.Tags(ctx)
	cases := []struct {
		name  string
		q     store.ArticleQuery
		count string // the count ListArticles sends, for EXPLAIN
		rows  string // the same count over the rows, as ListArticles sent it before migration 0004
	}{
		{"front", store.ArticleQuery{LiveAt: sitegen.Now, Kind: article.Story, Limit: 12},
			`SELECT (SELECT COALESCE(SUM(n), 0)::bigint FROM article_counts WHERE status = 'published' AND kind = 'story') +
				(SELECT COUNT(*) FROM articles a WHERE a.status = 'scheduled' AND a.published_at <= $1 AND a.kind = 'story')`,
			`SELECT COUNT(*) FROM articles a WHERE (a.status = 'published' OR (a.status = 'scheduled' AND a.published_at <= $1)) AND a.kind = 'story'`},
		{"section", store.ArticleQuery{LiveAt: sitegen.Now, Kind: article.Story, SectionID: sections[0].ID, Limit: 12},
			`SELECT (SELECT COALESCE(SUM(n), 0)::bigint FROM article_counts WHERE status = 'published' AND kind = 'story' AND section_id = $2) +
				(SELECT COUNT(*) FROM articles a WHERE a.status = 'scheduled' AND a.published_at <= $1 AND a.kind = 'story' AND a.section_id = $2)`,
			`SELECT COUNT(*) FROM articles a WHERE (a.status = 'published' OR (a.status = 'scheduled' AND a.published_at <= $1)) AND a.kind = 'story' AND a.section_id = $2`},
		{"tag", store.ArticleQuery{LiveAt: sitegen.Now, Kind: article.Story, TagID: tags[0].ID, Limit: 12},
			`SELECT COUNT(*) FROM articles a WHERE (a.status = 'published' OR (a.status = 'scheduled' AND a.published_at <= $1)) AND a.kind = 'story' AND a.id IN (SELECT article_id FROM article_tags WHERE tag_id = $2)`,
			""},
	}
	for _, c := range cases {
		args := []any{sitegen.Now.UnixMicro()}
		if strings.Contains(c.count, "$2") {
			args = append(args, map[string]int64{"section": sections[0].ID, "tag": tags[0].ID}[c.name])
		}
		for _, query := range []string{c.count, c.rows} {
			if query == "" {
				continue
			}
			rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+query, args...)
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
			b.Logf("%s count:\n%s\n%s", c.name, query, strings.Join(plan, "\n"))
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.ListArticles(ctx, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
		if c.rows != "" {
			b.Run(c.name+"/rows", func(b *testing.B) {
				for b.Loop() {
					var n int64
					if err := conn.QueryRow(ctx, c.rows, args...).Scan(&n); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
