package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// full returns a story that fills every field, with new bylines, section and tags named by slug.
func full(slug string) *article.Article {
	return with(story(slug), func(a *article.Article) {
		a.Standfirst = "What happened and why it matters."
		a.Authors = []article.Author{
			{Name: "Zoë Zeller", Slug: "zoe-zeller", Bio: "Covers parliament."},
			{Name: "Amy Abbott", Slug: "amy-abbott"},
		}
		a.Section = article.Section{Name: "Politics", Slug: "politics", Description: "Who governs."}
		a.Tags = []article.Tag{{Name: "Election", Slug: "election"}, {Name: "Budget", Slug: "budget"}}
		a.ImageURL = "https://example.org/a.jpg"
		a.ImageAlt = "A polling station."
		a.CommentsOpen = false
		a.Zone = "America/New_York"
		a.Notes = []article.Note{
			{Kind: article.Update, Text: "Adds the final count.", At: at(time.Hour)},
			{Kind: article.Correction, Text: "Corrects a name.", At: at(2 * time.Hour)},
		}
	})
}

func articleChecks() []check {
	return []check{
		{"CreateThenRead", func(t *testing.T, s store.Store) {
			a := full("count-begins")
			create(t, s, a)
			if a.ID == 0 || a.Version != 1 || a.CreatedAt.IsZero() || a.UpdatedAt.IsZero() {
				t.Fatalf("CreateArticle set ID %d, Version %d, CreatedAt %v, UpdatedAt %v; want an ID, version 1 and both times",
					a.ID, a.Version, a.CreatedAt, a.UpdatedAt)
			}
			if a.Section.ID == 0 || a.Authors[0].ID == 0 || a.Authors[1].ID == 0 || a.Tags[0].ID == 0 || a.Tags[1].ID == 0 {
				t.Fatalf("CreateArticle left a zero ID on the section, bylines or tags: %+v %+v %+v", a.Section, a.Authors, a.Tags)
			}
			got := get(t, s, a.ID)
			if diff := cmp.Diff(a, got, articleOpts()); diff != "" {
				t.Errorf("Article(%d) differs from what was created (-created +read):\n%s", a.ID, diff)
			}
			got, err := s.ArticleBySlug(t.Context(), a.Slug)
			if err != nil {
				t.Fatalf("ArticleBySlug(%q) = %v", a.Slug, err)
			}
			if diff := cmp.Diff(a, got, articleOpts()); diff != "" {
				t.Errorf("ArticleBySlug(%q) differs from what was created (-created +read):\n%s", a.Slug, diff)
			}
		}},
		{"CreateKeepsGivenTimes", func(t *testing.T, s store.Store) {
			a := with(story("imported"), func(a *article.Article) {
				a.CreatedAt, a.UpdatedAt = at(-48*time.Hour), at(-24*time.Hour)
			})
			create(t, s, a)
			got := get(t, s, a.ID)
			if !got.CreatedAt.Equal(at(-48*time.Hour)) || !got.UpdatedAt.Equal(at(-24*time.Hour)) {
				t.Errorf("Article(%d) times = %v, %v; want the imported %v, %v",
					a.ID, got.CreatedAt, got.UpdatedAt, at(-48*time.Hour), at(-24*time.Hour))
			}
		}},
		{"TaxonomyReusedBySlug", func(t *testing.T, s store.Store) {
			a, b := full("first"), full("second")
			create(t, s, a, b)
			if a.Section.ID != b.Section.ID {
				t.Errorf("section IDs %d and %d for one slug %q, want one section", a.Section.ID, b.Section.ID, a.Section.Slug)
			}
			for i := range a.Authors {
				if a.Authors[i].ID != b.Authors[i].ID {
					t.Errorf("author IDs %d and %d for one slug %q", a.Authors[i].ID, b.Authors[i].ID, a.Authors[i].Slug)
				}
			}
			for i := range a.Tags {
				if a.Tags[i].ID != b.Tags[i].ID {
					t.Errorf("tag IDs %d and %d for one slug %q", a.Tags[i].ID, b.Tags[i].ID, a.Tags[i].Slug)
				}
			}
			secs, err := s.Sections(t.Context())
			if err != nil || len(secs) != 1 {
				t.Errorf("Sections() = %v, %v; want the one section", secs, err)
			}
			tags, err := s.Tags(t.Context())
			if err != nil || len(tags) != 2 {
				t.Errorf("Tags() = %v, %v; want the two tags", tags, err)
			}
			authors, err := s.Authors(t.Context())
			if err != nil || len(authors) != 2 {
				t.Errorf("Authors() = %v, %v; want the two bylines", authors, err)
			}
		}},
		{"TaxonomyByID", func(t *testing.T, s store.Store) {
			sec := article.Section{Name: "Business", Slug: "business"}
			if err := s.SaveSection(t.Context(), &sec); err != nil {
				t.Fatalf("SaveSection(%q) = %v", sec.Slug, err)
			}
			au := article.Author{Name: "Amy Abbott", Slug: "amy-abbott"}
			if err := s.SaveAuthor(t.Context(), &au); err != nil {
				t.Fatalf("SaveAuthor(%q) = %v", au.Slug, err)
			}
			a := with(story("by-id"), func(a *article.Article) {
				a.Section = article.Section{ID: sec.ID}
				a.Authors = []article.Author{{ID: au.ID}}
			})
			create(t, s, a)
			got := get(t, s, a.ID)
			if diff := cmp.Diff(sec, got.Section); diff != "" {
				t.Errorf("Article(%d).Section, given by ID (-saved +read):\n%s", a.ID, diff)
			}
			if diff := cmp.Diff([]article.Author{au}, got.Authors); diff != "" {
				t.Errorf("Article(%d).Authors, given by ID (-saved +read):\n%s", a.ID, diff)
			}
		}},
		{"NoSection", func(t *testing.T, s store.Store) {
			a := story("unfiled")
			create(t, s, a)
			if got := get(t, s, a.ID); got.Section != (article.Section{}) {
				t.Errorf("Article(%d).Section = %+v, want none", a.ID, got.Section)
			}
		}},
		{"SlugConflict", func(t *testing.T, s store.Store) {
			create(t, s, story("same"))
			err := s.CreateArticle(t.Context(), full("same"))
			wantErr(t, `CreateArticle("same") again`, err, store.ErrConflict)
			_, total, err := s.ListArticles(t.Context(), store.ArticleQuery{})
			if err != nil || total != 1 {
				t.Errorf("ListArticles() total = %d, %v; want 1", total, err)
			}
		}},
		{"Update", func(t *testing.T, s store.Store) {
			a := full("draft-slug")
			create(t, s, a)
			a.Title, a.Body, a.BodyText = "New headline", "New body.", "New body."
			a.Authors = []article.Author{{Name: "Cy Clark", Slug: "cy-clark"}, a.Authors[1]}
			a.Section = article.Section{Name: "Business", Slug: "business"}
			a.Tags = []article.Tag{{Name: "Markets", Slug: "markets"}}
			a.Notes = append(a.Notes, article.Note{Kind: article.Update, Text: "Third.", At: at(3 * time.Hour)})
			a.Status, a.PublishedAt, a.Zone = article.Unpublished, at(-time.Minute), "Asia/Tokyo"
			a.UpdatedAt = at(time.Minute)
			if err := s.UpdateArticle(t.Context(), a); err != nil {
				t.Fatalf("UpdateArticle(%d) = %v", a.ID, err)
			}
			if a.Version != 2 {
				t.Errorf("UpdateArticle set Version %d, want 2", a.Version)
			}
			if diff := cmp.Diff(a, get(t, s, a.ID), articleOpts()); diff != "" {
				t.Errorf("Article(%d) after an update (-saved +read):\n%s", a.ID, diff)
			}
		}},
		{"UpdateStaleVersion", func(t *testing.T, s store.Store) {
			a := full("contested")
			create(t, s, a)
			mine, theirs := get(t, s, a.ID), get(t, s, a.ID)
			mine.Title = "Mine"
			if err := s.UpdateArticle(t.Context(), mine); err != nil {
				t.Fatalf("UpdateArticle(%d) = %v", a.ID, err)
			}
			before := latest(t, s)
			theirs.Title = "Theirs"
			theirs.Tags = []article.Tag{{Name: "Stale", Slug: "stale"}}
			err := s.UpdateArticle(t.Context(), theirs)
			wantErr(t, "UpdateArticle(stale version)", err, store.ErrConflict)
			if diff := cmp.Diff(mine, get(t, s, a.ID), articleOpts()); diff != "" {
				t.Errorf("a stale update changed the article (-kept +read):\n%s", diff)
			}
			if _, err := s.TagBySlug(t.Context(), "stale"); err == nil {
				t.Errorf("a stale update created its tag")
			}
			if seq := latest(t, s); seq != before {
				t.Errorf("a stale update moved the change log from %d to %d", before, seq)
			}
		}},
		{"UpdateTakenSlug", func(t *testing.T, s store.Store) {
			a, b := story("taken"), story("mover")
			create(t, s, a, b)
			b.Slug, b.Title = "taken", "Moved"
			err := s.UpdateArticle(t.Context(), b)
			wantErr(t, `UpdateArticle(slug "taken")`, err, store.ErrConflict)
			if got := get(t, s, b.ID); got.Slug != "mover" || got.Title != "Headline mover" || got.Version != 1 {
				t.Errorf("after a refused update, Article(%d) = %q %q v%d; want it unchanged", b.ID, got.Slug, got.Title, got.Version)
			}
		}},
		{"UpdateUnknown", func(t *testing.T, s store.Store) {
			a := story("ghost")
			a.ID, a.Version = 404, 1
			wantErr(t, "UpdateArticle(404)", s.UpdateArticle(t.Context(), a), store.ErrNotFound)
		}},
		{"ChangedSlugKeepsOld", func(t *testing.T, s store.Store) {
			a, other := story("old-slug"), story("other")
			create(t, s, a, other)
			a.Slug = "new-slug"
			if err := s.UpdateArticle(t.Context(), a); err != nil {
				t.Fatalf("UpdateArticle(%d) = %v", a.ID, err)
			}
			for _, slug := range []string{"old-slug", "new-slug"} {
				got, err := s.ArticleBySlug(t.Context(), slug)
				if err != nil {
					t.Fatalf("ArticleBySlug(%q) = %v", slug, err)
				}
				if got.ID != a.ID || got.Slug != "new-slug" {
					t.Errorf("ArticleBySlug(%q) = %d %q, want %d %q", slug, got.ID, got.Slug, a.ID, "new-slug")
				}
			}
			for _, tc := range []struct {
				slug string
				id   int64
				want bool
			}{
				{"old-slug", 0, true},
				{"old-slug", other.ID, true},
				{"old-slug", a.ID, false},
				{"new-slug", other.ID, true},
				{"new-slug", a.ID, false},
				{"free", 0, false},
			} {
				got, err := s.SlugTaken(t.Context(), tc.slug, tc.id)
				if err != nil || got != tc.want {
					t.Errorf("SlugTaken(%q, %d) = %v, %v; want %v", tc.slug, tc.id, got, err, tc.want)
				}
			}
			err := s.CreateArticle(t.Context(), story("old-slug"))
			wantErr(t, `CreateArticle("old-slug") after a rename`, err, store.ErrConflict)
			other.Slug = "old-slug"
			wantErr(t, `UpdateArticle(other to "old-slug")`, s.UpdateArticle(t.Context(), other), store.ErrConflict)

			// Going back to the former slug is allowed, and keeps the second one in turn.
			a.Slug = "old-slug"
			if err := s.UpdateArticle(t.Context(), a); err != nil {
				t.Fatalf("UpdateArticle(%d) back to its old slug = %v", a.ID, err)
			}
			got, err := s.ArticleBySlug(t.Context(), "new-slug")
			if err != nil || got.Slug != "old-slug" {
				t.Errorf("ArticleBySlug(%q) after renaming back = %v, %v; want slug %q", "new-slug", got, err, "old-slug")
			}
		}},
		{"Delete", func(t *testing.T, s store.Store) {
			a, b := full("doomed"), story("kept")
			create(t, s, a, b)
			a.Slug = "doomed-renamed"
			if err := s.UpdateArticle(t.Context(), a); err != nil {
				t.Fatalf("UpdateArticle(%d) = %v", a.ID, err)
			}
			if err := s.SetRelated(t.Context(), b.ID, []store.RelatedLink{{ArticleID: a.ID, Score: 1}}); err != nil {
				t.Fatalf("SetRelated(%d) = %v", b.ID, err)
			}
			if err := s.DeleteArticle(t.Context(), a.ID); err != nil {
				t.Fatalf("DeleteArticle(%d) = %v", a.ID, err)
			}
			_, err := s.Article(t.Context(), a.ID)
			wantErr(t, "Article(deleted)", err, store.ErrNotFound)
			for _, slug := range []string{"doomed", "doomed-renamed"} {
				_, err := s.ArticleBySlug(t.Context(), slug)
				wantErr(t, "ArticleBySlug("+slug+")", err, store.ErrNotFound)
				if taken, err := s.SlugTaken(t.Context(), slug, 0); err != nil || taken {
					t.Errorf("SlugTaken(%q, 0) after delete = %v, %v; want false", slug, taken, err)
				}
			}
			wantErr(t, "DeleteArticle(deleted)", s.DeleteArticle(t.Context(), a.ID), store.ErrNotFound)
			list, links, err := s.RelatedArticles(t.Context(), b.ID, at(0))
			if err != nil || len(list) != 0 || len(links) != 0 {
				t.Errorf("RelatedArticles(%d) after its only link was deleted = %v, %v, %v; want none", b.ID, list, links, err)
			}
			get(t, s, b.ID)
		}},
		{"UnknownAnswersNotFound", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			_, err := s.Article(ctx, 404)
			wantErr(t, "Article(404)", err, store.ErrNotFound)
			_, err = s.ArticleBySlug(ctx, "nothing-here")
			wantErr(t, `ArticleBySlug("nothing-here")`, err, store.ErrNotFound)
			wantErr(t, "DeleteArticle(404)", s.DeleteArticle(ctx, 404), store.ErrNotFound)
			_, err = s.SectionBySlug(ctx, "nothing")
			wantErr(t, `SectionBySlug("nothing")`, err, store.ErrNotFound)
			_, err = s.TagBySlug(ctx, "nothing")
			wantErr(t, `TagBySlug("nothing")`, err, store.ErrNotFound)
			_, err = s.AuthorBySlug(ctx, "nothing")
			wantErr(t, `AuthorBySlug("nothing")`, err, store.ErrNotFound)
			_, err = s.Redirect(ctx, "/nothing/")
			wantErr(t, `Redirect("/nothing/")`, err, store.ErrNotFound)
		}},
		{"Concurrent", func(t *testing.T, s store.Store) {
			const writers, each = 4, 5
			errs := make(chan error, writers*each)
			for w := range writers {
				go func() {
					for i := range each {
						a := with(story(fmt.Sprintf("writer-%d-%d", w, i)), func(a *article.Article) {
							a.Tags = []article.Tag{{Name: "Shared", Slug: "shared"}}
						})
						errs <- s.CreateArticle(t.Context(), a)
					}
				}()
			}
			for range writers * each {
				if err := <-errs; err != nil {
					t.Errorf("concurrent CreateArticle = %v", err)
				}
			}
			tag, err := s.TagBySlug(t.Context(), "shared")
			if err != nil {
				t.Fatalf("TagBySlug(%q) = %v", "shared", err)
			}
			_, total, err := s.ListArticles(t.Context(), store.ArticleQuery{TagID: tag.ID})
			if err != nil || total != writers*each {
				t.Errorf("ListArticles(tag) total = %d, %v; want %d", total, err, writers*each)
			}
		}},
	}
}

func taxonomyChecks() []check {
	return []check{
		{"Sections", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			sec := article.Section{Name: "Politics", Slug: "politics", Description: "Who governs."}
			if err := s.SaveSection(ctx, &sec); err != nil || sec.ID == 0 {
				t.Fatalf("SaveSection(new) = %v, ID %d", err, sec.ID)
			}
			sec.Name = "Politics & Power"
			if err := s.SaveSection(ctx, &sec); err != nil {
				t.Fatalf("SaveSection(%d) = %v", sec.ID, err)
			}
			got, err := s.SectionBySlug(ctx, "politics")
			if err != nil {
				t.Fatalf("SectionBySlug(%q) = %v", "politics", err)
			}
			if diff := cmp.Diff(sec, got); diff != "" {
				t.Errorf("SectionBySlug(%q) (-saved +read):\n%s", "politics", diff)
			}
			dup := article.Section{Name: "Other", Slug: "politics"}
			wantErr(t, `SaveSection(taken slug)`, s.SaveSection(ctx, &dup), store.ErrConflict)
			other := article.Section{Name: "Business", Slug: "business"}
			if err := s.SaveSection(ctx, &other); err != nil {
				t.Fatalf("SaveSection(%q) = %v", other.Slug, err)
			}
			other.Slug = "politics"
			wantErr(t, `SaveSection(renamed onto a taken slug)`, s.SaveSection(ctx, &other), store.ErrConflict)
			list, err := s.Sections(ctx)
			if err != nil {
				t.Fatalf("Sections() = %v", err)
			}
			want := []article.Section{sec, {ID: other.ID, Name: "Business", Slug: "business"}}
			if diff := cmp.Diff(want, list, articleOpts()); diff != "" {
				t.Errorf("Sections() (-want +got):\n%s", diff)
			}
		}},
		{"Authors", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			au := article.Author{Name: "Amy Abbott", Slug: "amy-abbott", Bio: "Reports."}
			if err := s.SaveAuthor(ctx, &au); err != nil || au.ID == 0 {
				t.Fatalf("SaveAuthor(new) = %v, ID %d", err, au.ID)
			}
			au.Bio = "Edits."
			if err := s.SaveAuthor(ctx, &au); err != nil {
				t.Fatalf("SaveAuthor(%d) = %v", au.ID, err)
			}
			got, err := s.AuthorBySlug(ctx, "amy-abbott")
			if err != nil {
				t.Fatalf("AuthorBySlug(%q) = %v", "amy-abbott", err)
			}
			if diff := cmp.Diff(au, got); diff != "" {
				t.Errorf("AuthorBySlug(%q) (-saved +read):\n%s", "amy-abbott", diff)
			}
			dup := article.Author{Name: "Another Amy", Slug: "amy-abbott"}
			wantErr(t, `SaveAuthor(taken slug)`, s.SaveAuthor(ctx, &dup), store.ErrConflict)
			list, err := s.Authors(ctx)
			if err != nil {
				t.Fatalf("Authors() = %v", err)
			}
			if diff := cmp.Diff([]article.Author{au}, list); diff != "" {
				t.Errorf("Authors() (-want +got):\n%s", diff)
			}
		}},
		{"Tags", func(t *testing.T, s store.Store) {
			a := full("tagged")
			create(t, s, a)
			got, err := s.TagBySlug(t.Context(), "election")
			if err != nil {
				t.Fatalf("TagBySlug(%q) = %v", "election", err)
			}
			want := article.Tag{ID: a.Tags[0].ID, Name: "Election", Slug: "election"}
			if got != want {
				t.Errorf("TagBySlug(%q) = %+v, want %+v", "election", got, want)
			}
			list, err := s.Tags(t.Context())
			if err != nil {
				t.Fatalf("Tags() = %v", err)
			}
			if diff := cmp.Diff(a.Tags, list, articleOpts()); diff != "" {
				t.Errorf("Tags() (-want +got):\n%s", diff)
			}
		}},
	}
}
