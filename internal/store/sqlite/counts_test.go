package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// TestListingCountsFollowEveryWrite checks the page counts that article_counts answers against
// a count of the rows themselves after each kind of write: creating, publishing, moving to
// another section, turning a story into a page, a scheduled story falling due, deleting a
// section (its stories keep no section) and deleting a story.
func TestListingCountsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "site.db")
	db := openAt(t, path, sqlite.Options{})
	r := raw(t, path)
	now := time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)
	var list []*article.Article
	add := func(slug string, kind article.Kind, status article.Status, section string, published time.Time) *article.Article {
		a := &article.Article{Kind: kind, Slug: slug, Title: slug, Status: status, PublishedAt: published,
			Section: article.Section{Name: section, Slug: section}}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		list = append(list, a)
		return a
	}
	add("a", article.Story, article.Published, "news", now.Add(-time.Hour))
	b := add("b", article.Story, article.Draft, "news", time.Time{})
	c := add("c", article.Story, article.Published, "sport", now.Add(-2*time.Hour))
	d := add("d", article.Page, article.Published, "", now.Add(-time.Hour))
	add("e", article.Story, article.Scheduled, "sport", now.Add(time.Hour))
	f := add("f", article.Story, article.Published, "", now.Add(-3*time.Hour))
	news, sport := list[0].Section, list[2].Section

	check := func(step string) {
		t.Helper()
		type count struct {
			q    store.ArticleQuery
			cond string
			args []any
		}
		live := `(status = 'published' OR (status = 'scheduled' AND published_at <= ?))`
		at := now.UnixMicro()
		for _, c := range []count{
			{store.ArticleQuery{}, "1", nil},
			{store.ArticleQuery{LiveAt: now}, live, []any{at}},
			{store.ArticleQuery{LiveAt: now, Kind: article.Story}, live + " AND kind = 'story'", []any{at}},
			{store.ArticleQuery{LiveAt: now, Kind: article.Page}, live + " AND kind = 'page'", []any{at}},
			{store.ArticleQuery{LiveAt: now, SectionID: news.ID}, live + " AND section_id = ?", []any{at, news.ID}},
			{store.ArticleQuery{LiveAt: now, Kind: article.Story, SectionID: sport.ID}, live + " AND kind = 'story' AND section_id = ?", []any{at, sport.ID}},
			{store.ArticleQuery{Status: article.Draft}, "status = 'draft'", nil},
			{store.ArticleQuery{Status: article.Published, Kind: article.Story}, "status = 'published' AND kind = 'story'", nil},
			{store.ArticleQuery{Status: article.Scheduled, SectionID: sport.ID}, "status = 'scheduled' AND section_id = ?", []any{sport.ID}},
		} {
			var want int
			if err := r.QueryRowContext(ctx, `SELECT COUNT(*) FROM articles WHERE `+c.cond, c.args...).Scan(&want); err != nil {
				t.Fatal(err)
			}
			_, got, err := db.ListArticles(ctx, c.q)
			if err != nil {
				t.Fatalf("%s: ListArticles(%+v) = %v", step, c.q, err)
			}
			if got != want {
				t.Errorf("%s: ListArticles(%s) total = %d, the rows say %d", step, c.cond, got, want)
			}
		}
	}
	check("created")

	b.Status, b.PublishedAt = article.Published, now.Add(-time.Minute)
	update := func(a *article.Article) {
		t.Helper()
		a.Version = reload(t, db, a.ID).Version
		if err := db.UpdateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	update(b)
	check("published")
	c.Section = news
	update(c)
	check("moved to another section")
	d.Kind, d.Section = article.Story, sport
	update(d)
	check("page made a story")
	now = now.Add(2 * time.Hour)
	check("scheduled story due")
	if _, err := db.PublishDue(ctx, now); err != nil {
		t.Fatal(err)
	}
	check("scheduled story published")
	if err := db.DeleteSection(ctx, sport.ID); err != nil {
		t.Fatal(err)
	}
	check("section deleted")
	if err := db.DeleteArticle(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	check("story deleted")
}

func reload(t *testing.T, db *sqlite.DB, id int64) *article.Article {
	t.Helper()
	a, err := db.Article(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
