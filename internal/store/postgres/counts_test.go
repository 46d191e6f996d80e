package postgres_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/postgres"
	"github.com/broadsheet/broadsheet/internal/store/postgres/pgtest"
)

// TestListingCountsConcurrentMoves has writers move their stories between draft and published
// and between two sections at once, in opposite directions, each move in a transaction that also
// logs changes: every move must succeed, the kept counts (migration 0004, one set of rows per
// connection) must end equal to the listings and the change log must stay consecutive.
func TestListingCountsConcurrentMoves(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := pgtest.URL(t)
	db := open(t, url, postgres.Options{})
	const writers, moves = 4, 8
	var sections [2]article.Section
	stories := make([][]*article.Article, writers)
	for w := range writers {
		for i := range 2 {
			a := &article.Article{Kind: article.Story, Slug: fmt.Sprintf("w%d-%d", w, i), Title: "T",
				Status: article.Draft, Section: article.Section{Name: fmt.Sprint("s", i), Slug: fmt.Sprint("s", i)}}
			if (w+i)%2 == 0 {
				a.Status, a.PublishedAt = article.Published, time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)
			}
			if sections[i].ID != 0 {
				a.Section = sections[i]
			}
			if err := db.CreateArticle(ctx, a); err != nil {
				t.Fatal(err)
			}
			sections[i] = a.Section
			stories[w] = append(stories[w], a)
		}
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for m := range moves {
				err := db.InTx(ctx, func(tx store.Store) error {
					for _, a := range stories[w] {
						fresh, err := tx.Article(ctx, a.ID)
						if err != nil {
							return err
						}
						if fresh.Status == article.Draft {
							fresh.Status, fresh.PublishedAt = article.Published, time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)
						} else {
							fresh.Status, fresh.PublishedAt = article.Draft, time.Time{}
						}
						if m%2 == 1 {
							fresh.Section = sections[(a.ID+int64(m))%2]
						}
						if err := tx.UpdateArticle(ctx, fresh); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Errorf("writer %d, move %d: InTx = %v", w, m, err)
				}
			}
		})
	}
	wg.Wait()
	now := time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC)
	agree := func(when string) {
		t.Helper()
		for _, q := range []store.ArticleQuery{
			{LiveAt: now, Kind: article.Story},
			{LiveAt: now, Kind: article.Story, SectionID: sections[0].ID},
			{LiveAt: now, SectionID: sections[1].ID},
			{Status: article.Draft},
			{Status: article.Draft, SectionID: sections[1].ID},
			{Status: article.Published, Kind: article.Story},
		} {
			list, total, err := db.ListArticles(ctx, q)
			if err != nil {
				t.Fatalf("ListArticles(%+v) = %v", q, err)
			}
			if total != len(list) {
				t.Errorf("%s: ListArticles(%+v) total = %d, listing %d", when, q, total, len(list))
			}
		}
	}
	agree("after the moves")
	// Housekeeping folds every connection's rows into slot 0 and the counts stay right.
	if err := db.PruneChanges(ctx, 1_000_000); err != nil {
		t.Fatal(err)
	}
	var slots int
	if err := raw(t, url).QueryRow(ctx, `SELECT count(*) FROM article_counts WHERE slot <> 0`).Scan(&slots); err != nil {
		t.Fatal(err)
	}
	if slots != 0 {
		t.Errorf("after PruneChanges %d counter rows are left outside slot 0", slots)
	}
	agree("after folding the slots")
	list, latest, err := db.ChangesSince(ctx, 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range list {
		if c.Seq != int64(i)+1 {
			t.Fatalf("ChangesSince(0)[%d].Seq = %d, want consecutive numbers", i, c.Seq)
		}
	}
	if len(list) == 0 || list[len(list)-1].Seq != latest {
		t.Errorf("ChangesSince(0) read %d changes, latest %d", len(list), latest)
	}
}
