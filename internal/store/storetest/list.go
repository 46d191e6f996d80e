package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// newsroom creates a small site covering every status and kind, and returns its sections, tags
// and bylines by slug.
func newsroom(t *testing.T, s store.Store) (secs map[string]int64, tags map[string]int64, authors map[string]int64) {
	t.Helper()
	politics := article.Section{Name: "Politics", Slug: "politics"}
	business := article.Section{Name: "Business", Slug: "business"}
	election := []article.Tag{{Name: "Election", Slug: "election"}}
	amy := []article.Author{{Name: "Amy Abbott", Slug: "amy-abbott"}}
	zed := []article.Author{{Name: "Zed Zeller", Slug: "zed-zeller"}}
	list := []*article.Article{
		with(story("old"), func(a *article.Article) {
			a.Title, a.PublishedAt, a.Section, a.Tags, a.Authors = "Election night", at(-48*time.Hour), politics, election, amy
		}),
		with(story("recent"), func(a *article.Article) {
			a.Title, a.Section, a.Authors = "Markets rally", business, zed
			a.Tags = []article.Tag{{Name: "Markets", Slug: "markets"}}
		}),
		with(story("due"), func(a *article.Article) {
			a.Status, a.PublishedAt, a.Section, a.Tags = article.Scheduled, at(-2*time.Hour), politics, election
		}),
		with(story("future"), func(a *article.Article) {
			a.Status, a.PublishedAt, a.Section = article.Scheduled, at(24*time.Hour), politics
		}),
		with(story("draft"), func(a *article.Article) {
			a.Title, a.Status, a.PublishedAt, a.Section, a.Authors = "Election draft", article.Draft, time.Time{}, politics, amy
			a.UpdatedAt = at(-30 * time.Hour)
		}),
		with(story("about"), func(a *article.Article) {
			a.Kind, a.Title, a.PublishedAt = article.Page, "About us", at(-72*time.Hour)
		}),
		with(story("pulled"), func(a *article.Article) {
			a.Status, a.PublishedAt = article.Unpublished, at(-10*time.Hour)
		}),
	}
	create(t, s, list...)
	secs, tags, authors = map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, a := range list {
		if a.Section.ID != 0 {
			secs[a.Section.Slug] = a.Section.ID
		}
		for _, x := range a.Tags {
			tags[x.Slug] = x.ID
		}
		for _, x := range a.Authors {
			authors[x.Slug] = x.ID
		}
	}
	return secs, tags, authors
}

func listChecks() []check {
	return []check{
		{"Filters", func(t *testing.T, s store.Store) {
			secs, tags, authors := newsroom(t, s)
			tests := []struct {
				name string
				q    store.ArticleQuery
				want []string
				// anyOrder is set where drafts, which have no publication date, are mixed in.
				anyOrder bool
			}{
				{"all", store.ArticleQuery{}, []string{"old", "recent", "due", "future", "draft", "about", "pulled"}, true},
				{"live now", store.ArticleQuery{LiveAt: at(0)}, []string{"recent", "due", "old", "about"}, false},
				{"live tomorrow", store.ArticleQuery{LiveAt: at(25 * time.Hour)}, []string{"future", "recent", "due", "old", "about"}, false},
				{"live three hours ago", store.ArticleQuery{LiveAt: at(-3 * time.Hour)}, []string{"recent", "old", "about"}, false},
				{"draft", store.ArticleQuery{Status: article.Draft}, []string{"draft"}, false},
				{"scheduled", store.ArticleQuery{Status: article.Scheduled}, []string{"future", "due"}, false},
				{"unpublished", store.ArticleQuery{Status: article.Unpublished}, []string{"pulled"}, false},
				{"pages", store.ArticleQuery{Kind: article.Page}, []string{"about"}, false},
				{"live stories", store.ArticleQuery{Kind: article.Story, LiveAt: at(0)}, []string{"recent", "due", "old"}, false},
				{"section", store.ArticleQuery{SectionID: secs["politics"]}, []string{"future", "due", "draft", "old"}, true},
				{"live section", store.ArticleQuery{SectionID: secs["politics"], LiveAt: at(0)}, []string{"due", "old"}, false},
				{"tag", store.ArticleQuery{TagID: tags["election"]}, []string{"due", "old"}, false},
				{"author", store.ArticleQuery{AuthorID: authors["amy-abbott"]}, []string{"old", "draft"}, true},
				{"live author", store.ArticleQuery{AuthorID: authors["amy-abbott"], LiveAt: at(0)}, []string{"old"}, false},
				{"other author", store.ArticleQuery{AuthorID: authors["zed-zeller"]}, []string{"recent"}, false},
				{"text", store.ArticleQuery{Text: "election"}, []string{"old", "draft"}, true},
				{"text in other case", store.ArticleQuery{Text: "ELECTION N"}, []string{"old"}, false},
				{"text inside a word", store.ArticleQuery{Text: "ark"}, []string{"recent"}, false},
				{"text with wildcards", store.ArticleQuery{Text: "%"}, nil, false},
				{"all together", store.ArticleQuery{LiveAt: at(0), Kind: article.Story, SectionID: secs["politics"],
					TagID: tags["election"], AuthorID: authors["amy-abbott"], Text: "night"}, []string{"old"}, false},
				{"unknown section", store.ArticleQuery{SectionID: 404}, nil, false},
				{"unknown tag", store.ArticleQuery{TagID: 404}, nil, false},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					list, total, err := s.ListArticles(t.Context(), tc.q)
					if err != nil {
						t.Fatalf("ListArticles(%+v) = %v", tc.q, err)
					}
					got, want := slugs(list), slices.Clone(tc.want)
					if tc.anyOrder {
						slices.Sort(got)
						slices.Sort(want)
					}
					if diff := cmp.Diff(want, got, articleOpts()); diff != "" {
						t.Errorf("ListArticles(%+v) slugs (-want +got):\n%s", tc.q, diff)
					}
					if total != len(tc.want) {
						t.Errorf("ListArticles(%+v) total = %d, want %d", tc.q, total, len(tc.want))
					}
				})
			}
		}},
		{"ListedInFull", func(t *testing.T, s store.Store) {
			a := full("complete")
			create(t, s, a)
			list, _, err := s.ListArticles(t.Context(), store.ArticleQuery{LiveAt: at(0)})
			if err != nil || len(list) != 1 {
				t.Fatalf("ListArticles(live) = %v, %v; want the one story", list, err)
			}
			if diff := cmp.Diff(a, list[0], articleOpts()); diff != "" {
				t.Errorf("ListArticles(live)[0] (-created +listed):\n%s", diff)
			}
		}},
		{"NewestFirstTiesByID", func(t *testing.T, s store.Store) {
			list := []*article.Article{story("a"), story("b"), story("c"), story("d")}
			list[0].PublishedAt = at(-3 * time.Hour)
			list[3].PublishedAt = at(-2 * time.Hour)
			create(t, s, list...)
			got, _, err := s.ListArticles(t.Context(), store.ArticleQuery{LiveAt: at(0)})
			if err != nil {
				t.Fatalf("ListArticles(live) = %v", err)
			}
			if diff := cmp.Diff([]string{"c", "b", "d", "a"}, slugs(got)); diff != "" {
				t.Errorf("ListArticles(live) order (-want +got):\n%s", diff)
			}
		}},
		{"Pages", func(t *testing.T, s store.Store) {
			for i := range 5 {
				create(t, s, with(story(fmt.Sprintf("s%d", i+1)), func(a *article.Article) {
					a.PublishedAt = at(-time.Duration(i+1) * time.Hour)
				}))
			}
			tests := []struct {
				limit, offset int
				want          []string
			}{
				{2, 0, []string{"s1", "s2"}},
				{2, 2, []string{"s3", "s4"}},
				{2, 4, []string{"s5"}},
				{2, 6, nil},
				{0, 0, []string{"s1", "s2", "s3", "s4", "s5"}},
				{0, 3, []string{"s4", "s5"}},
				{10, 0, []string{"s1", "s2", "s3", "s4", "s5"}},
			}
			for _, tc := range tests {
				q := store.ArticleQuery{LiveAt: at(0), Limit: tc.limit, Offset: tc.offset}
				list, total, err := s.ListArticles(t.Context(), q)
				if err != nil {
					t.Fatalf("ListArticles(%+v) = %v", q, err)
				}
				if diff := cmp.Diff(tc.want, slugs(list), articleOpts()); diff != "" {
					t.Errorf("ListArticles(limit %d, offset %d) (-want +got):\n%s", tc.limit, tc.offset, diff)
				}
				if total != 5 {
					t.Errorf("ListArticles(limit %d, offset %d) total = %d, want 5", tc.limit, tc.offset, total)
				}
			}
		}},
		{"KeysetPages", func(t *testing.T, s store.Store) {
			// Ties on the date (b, c, d) are broken by ID, and a draft sorts by its last change.
			list := []*article.Article{story("a"), story("b"), story("c"), story("d"), story("e")}
			list[0].PublishedAt = at(-3 * time.Hour)
			list[4].Status, list[4].PublishedAt = article.Draft, time.Time{}
			create(t, s, list...)
			want, _, err := s.ListArticles(t.Context(), store.ArticleQuery{})
			if err != nil {
				t.Fatalf("ListArticles() = %v", err)
			}
			var got []*article.Article
			q := store.ArticleQuery{Limit: 2}
			for range 10 {
				page, total, err := s.ListArticles(t.Context(), q)
				if err != nil {
					t.Fatalf("ListArticles(after %v) = %v", q.After, err)
				}
				if q.After != nil && total != 0 {
					t.Errorf("ListArticles(after %s) total = %d, want 0 (not counted)", q.After.Slug, total)
				}
				got = append(got, page...)
				if len(page) < q.Limit {
					break
				}
				q.After = page[len(page)-1]
			}
			if diff := cmp.Diff(slugs(want), slugs(got)); diff != "" {
				t.Errorf("ListArticles by keyset pages of 2 (-whole listing +pages):\n%s", diff)
			}
		}},
		{"CountsFollowEveryWrite", func(t *testing.T, s store.Store) {
			// The page counts of listings by kind, section and status come from counts kept as
			// articles are written; each must stay equal to the number of articles listed after
			// every kind of write: creating, publishing, moving to another section, turning a page
			// into a story, a scheduled story falling due and being published, deleting a section
			// (its stories keep no section) and deleting a story.
			ctx := t.Context()
			now := at(0)
			var list []*article.Article
			add := func(slug string, kind article.Kind, status article.Status, section string, published time.Time) *article.Article {
				a := story(slug)
				a.Kind, a.Status, a.PublishedAt = kind, status, published
				if section != "" {
					a.Section = article.Section{Name: section, Slug: section}
				}
				create(t, s, a)
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
				for _, q := range []store.ArticleQuery{
					{},
					{LiveAt: now},
					{LiveAt: now, Kind: article.Story},
					{LiveAt: now, Kind: article.Page},
					{LiveAt: now, SectionID: news.ID},
					{LiveAt: now, Kind: article.Story, SectionID: sport.ID},
					{Status: article.Draft},
					{Status: article.Published, Kind: article.Story},
					{Status: article.Scheduled, SectionID: sport.ID},
				} {
					got, total, err := s.ListArticles(ctx, q)
					if err != nil {
						t.Fatalf("%s: ListArticles(%+v) = %v", step, q, err)
					}
					if total != len(got) {
						t.Errorf("%s: ListArticles(%+v) total = %d, listing %d: %v", step, q, total, len(got), slugs(got))
					}
				}
			}
			check("created")
			update := func(a *article.Article) {
				t.Helper()
				fresh, err := s.Article(ctx, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				a.Version = fresh.Version
				if err := s.UpdateArticle(ctx, a); err != nil {
					t.Fatalf("UpdateArticle(%s) = %v", a.Slug, err)
				}
			}
			b.Status, b.PublishedAt = article.Published, now.Add(-time.Minute)
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
			if _, err := s.PublishDue(ctx, now); err != nil {
				t.Fatal(err)
			}
			check("scheduled story published")
			if err := s.DeleteSection(ctx, sport.ID); err != nil {
				t.Fatal(err)
			}
			check("section deleted")
			if err := s.DeleteArticle(ctx, f.ID); err != nil {
				t.Fatal(err)
			}
			check("story deleted")
		}},
	}
}
