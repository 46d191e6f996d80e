package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/sitegen"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// largeSite opens a copy of the generated large site (100k stories, 1M comments), generating
// and caching it on first use.
func largeSite(b *testing.B) *sqlite.DB {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	dst := filepath.Join(b.TempDir(), "site.db")
	err := sitegen.CopyCached(ctx, sitegen.Large, func(path string) (store.Store, error) {
		return sqlite.Open(ctx, path, sqlite.Options{})
	}, dst)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("large site ready in %v", time.Since(start).Round(time.Millisecond))
	return openAt(b, dst, sqlite.Options{})
}

// BenchmarkLargeSite measures every query that grows with the archive on the large generated
// site: the comment policy's lookups, counts, listings, related fallbacks and the change log.
//
//	go test -run x -bench LargeSite -benchtime 2s ./internal/store/sqlite
func BenchmarkLargeSite(b *testing.B) {
	ctx := context.Background()
	db := largeSite(b)
	now := sitegen.Now
	story, err := db.ArticleBySlug(ctx, sitegen.Slug(10))
	if err != nil {
		b.Fatal(err)
	}
	front := store.ArticleQuery{LiveAt: now, Kind: article.Story, Limit: 20}
	list, _, err := db.ListArticles(ctx, front)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]int64, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}
	n := 0
	next := func() int { n++; return n * 7919 % sitegen.Large.Commenters }
	cases := []struct {
		name string
		fn   func() error
	}{
		{"Trusted", func() error { _, err := db.Trusted(ctx, sitegen.Email(next())); return err }},
		{"LastCommentAt", func() error { _, err := db.LastCommentAt(ctx, "10.0.0.1", sitegen.Email(next())); return err }},
		{"DuplicateComment", func() error {
			_, err := db.DuplicateComment(ctx, story.ID, "Reader", sitegen.Email(next()), "Harbour vote.")
			return err
		}},
		{"Banned", func() error {
			_, err := db.Banned(ctx, sitegen.Email(next()), "10.0.0.1", now)
			if err != nil && !isNotFound(err) {
				return err
			}
			return nil
		}},
		{"SpamCounts", func() error {
			_, _, _, err := db.SpamCounts(ctx, comment.SpamTokens(comment.Input{Content: "Harbour vote on the ferry budget."}))
			return err
		}},
		{"PostFacts", func() error {
			_, err := db.PostFacts(ctx, store.PostCheck{ArticleID: story.ID, Name: "Reader", Email: sitegen.Email(next()), IP: "10.0.0.1",
				Content: "Harbour vote.", Tokens: comment.SpamTokens(comment.Input{Content: "Harbour vote on the ferry budget."}), Now: now})
			return err
		}},
		{"CommentCounts/front", func() error { _, err := db.CommentCounts(ctx, ids); return err }},
		{"ListComments/story", func() error {
			_, _, err := db.ListComments(ctx, store.CommentQuery{ArticleID: story.ID, Status: comment.Approved,
				Type: comment.Regular, Oldest: true})
			return err
		}},
		{"ListComments/queue", func() error {
			_, _, err := db.ListComments(ctx, store.CommentQuery{Status: comment.Pending, Limit: 20})
			return err
		}},
		{"ArticleBySlug", func() error { _, err := db.ArticleBySlug(ctx, sitegen.Slug(next())); return err }},
		{"ListArticles/front", func() error { _, _, err := db.ListArticles(ctx, front); return err }},
		{"ListArticles/section", func() error {
			_, _, err := db.ListArticles(ctx, store.ArticleQuery{LiveAt: now, SectionID: story.Section.ID, Limit: 20, Offset: 40})
			return err
		}},
		{"SharingArticles", func() error { _, err := db.SharingArticles(ctx, story, now, 5); return err }},
		{"ChangesSince", func() error { _, _, err := db.ChangesSince(ctx, 0, 100); return err }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if err := c.fn(); err != nil {
					b.Fatalf("%s = %v", c.name, err)
				}
			}
		})
	}
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
