package storetest

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

func txChecks() []check {
	return []check{
		{"Commit", func(t *testing.T, s store.Store) {
			a, b := full("first"), full("second")
			err := s.InTx(t.Context(), func(tx store.Store) error {
				create(t, tx, a)
				// Reads inside the transaction see its writes.
				if got, err := tx.ArticleBySlug(t.Context(), "first"); err != nil || got.ID != a.ID {
					t.Errorf("ArticleBySlug(%q) inside the transaction = %v, %v; want article %d", "first", got, err, a.ID)
				}
				create(t, tx, b)
				return tx.SetRelated(t.Context(), a.ID, []store.RelatedLink{{ArticleID: b.ID, Score: 1}})
			})
			if err != nil {
				t.Fatalf("InTx = %v", err)
			}
			for _, x := range []*article.Article{a, b} {
				if diff := cmp.Diff(x, get(t, s, x.ID), articleOpts()); diff != "" {
					t.Errorf("Article(%d) after commit (-created +read):\n%s", x.ID, diff)
				}
			}
			if list, _, err := s.RelatedArticles(t.Context(), a.ID, at(0)); err != nil || len(list) != 1 {
				t.Errorf("RelatedArticles(%d) after commit = %v, %v; want one", a.ID, slugs(list), err)
			}
		}},
		{"Rollback", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			kept := full("kept")
			create(t, s, kept)
			want := get(t, s, kept.ID)
			before := latest(t, s)
			boom := errors.New("boom")
			var created int64
			err := s.InTx(ctx, func(tx store.Store) error {
				a := with(full("rolled-back"), func(a *article.Article) {
					a.Section = article.Section{Name: "Lost", Slug: "lost"}
					a.Tags = []article.Tag{{Name: "Lost", Slug: "lost"}}
				})
				create(t, tx, a)
				created = a.ID
				edit := get(t, tx, kept.ID)
				edit.Title, edit.Slug = "Changed", "changed"
				steps := []struct {
					name string
					err  error
				}{
					{"UpdateArticle", tx.UpdateArticle(ctx, edit)},
					{"SaveSection", tx.SaveSection(ctx, &article.Section{Name: "Gone", Slug: "gone"})},
					{"SaveAuthor", tx.SaveAuthor(ctx, &article.Author{Name: "Gone", Slug: "gone"})},
					{"AddRedirect", tx.AddRedirect(ctx, "/old/", "/new/")},
					{"SetRelated", tx.SetRelated(ctx, kept.ID, []store.RelatedLink{{ArticleID: a.ID, Score: 1}})},
				}
				for _, st := range steps {
					if st.err != nil {
						t.Errorf("%s inside the transaction = %v", st.name, st.err)
					}
				}
				if _, err := tx.PublishDue(ctx, at(0)); err != nil {
					t.Errorf("PublishDue inside the transaction = %v", err)
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx = %v, want the error fn returned", err)
			}
			_, err = s.Article(ctx, created)
			wantErr(t, "Article(created in a rolled-back transaction)", err, store.ErrNotFound)
			if diff := cmp.Diff(want, get(t, s, kept.ID), articleOpts()); diff != "" {
				t.Errorf("Article(%d) after a rolled-back update (-before +after):\n%s", kept.ID, diff)
			}
			for _, slug := range []string{"rolled-back", "changed"} {
				if taken, err := s.SlugTaken(ctx, slug, 0); err != nil || taken {
					t.Errorf("SlugTaken(%q) after rollback = %v, %v; want false", slug, taken, err)
				}
			}
			for _, slug := range []string{"lost", "gone"} {
				if _, err := s.SectionBySlug(ctx, slug); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("SectionBySlug(%q) after rollback = %v, want ErrNotFound", slug, err)
				}
			}
			if _, err := s.TagBySlug(ctx, "lost"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("TagBySlug(%q) after rollback = %v, want ErrNotFound", "lost", err)
			}
			if _, err := s.AuthorBySlug(ctx, "gone"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("AuthorBySlug(%q) after rollback = %v, want ErrNotFound", "gone", err)
			}
			_, err = s.Redirect(ctx, "/old/")
			wantErr(t, `Redirect("/old/") after rollback`, err, store.ErrNotFound)
			if list, _, err := s.RelatedArticles(ctx, kept.ID, at(0)); err != nil || len(list) != 0 {
				t.Errorf("RelatedArticles(%d) after rollback = %v, %v; want none", kept.ID, slugs(list), err)
			}
			if hits, _, err := s.SearchArticles(ctx, store.SearchQuery{Text: "rolled", LiveAt: at(0)}); err != nil || len(hits) != 0 {
				t.Errorf("SearchArticles(%q) after rollback = %d hits, %v; want none", "rolled", len(hits), err)
			}
			if seq := latest(t, s); seq != before {
				t.Errorf("LatestChange() after rollback = %d, want %d", seq, before)
			}
		}},
		{"ErrorFromStoreRollsBack", func(t *testing.T, s store.Store) {
			create(t, s, story("taken"))
			before := latest(t, s)
			err := s.InTx(t.Context(), func(tx store.Store) error {
				create(t, tx, story("fresh"))
				return tx.CreateArticle(t.Context(), story("taken"))
			})
			wantErr(t, "InTx(second create on a taken slug)", err, store.ErrConflict)
			if taken, err := s.SlugTaken(t.Context(), "fresh", 0); err != nil || taken {
				t.Errorf("SlugTaken(%q) after rollback = %v, %v; want false", "fresh", taken, err)
			}
			if seq := latest(t, s); seq != before {
				t.Errorf("LatestChange() after rollback = %d, want %d", seq, before)
			}
		}},
	}
}
