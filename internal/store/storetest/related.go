package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

func relatedChecks() []check {
	return []check{
		{"StoredLists", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a, b, c, d := story("a"), full("b"), story("c"), story("d")
			e := with(story("e"), func(x *article.Article) { x.Status, x.PublishedAt = article.Scheduled, at(time.Hour) })
			create(t, s, a, b, c, d, e)
			d.Status = article.Draft
			if err := s.UpdateArticle(ctx, d); err != nil {
				t.Fatalf("UpdateArticle(%d) = %v", d.ID, err)
			}
			links := []store.RelatedLink{
				{ArticleID: c.ID, Score: 0.9, Reason: "Putin · Xi Jinping"},
				{ArticleID: d.ID, Score: 0.8, Reason: "a draft"},
				{ArticleID: b.ID, Score: 0.5, Reason: "Ukraine"},
				{ArticleID: e.ID, Score: 0.4, Reason: "not yet"},
			}
			if err := s.SetRelated(ctx, a.ID, links); err != nil {
				t.Fatalf("SetRelated(%d) = %v", a.ID, err)
			}
			tests := []struct {
				name   string
				liveAt time.Time
				want   []store.RelatedLink
			}{
				{"now", at(0), []store.RelatedLink{links[0], links[2]}},
				{"once e is out", at(2 * time.Hour), []store.RelatedLink{links[0], links[2], links[3]}},
			}
			for _, tc := range tests {
				list, got, err := s.RelatedArticles(ctx, a.ID, tc.liveAt)
				if err != nil {
					t.Fatalf("RelatedArticles(%d, %s) = %v", a.ID, tc.name, err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("RelatedArticles(%d, %s) links (-want +got):\n%s", a.ID, tc.name, diff)
				}
				if len(list) != len(got) {
					t.Fatalf("RelatedArticles(%d, %s) = %d articles for %d links", a.ID, tc.name, len(list), len(got))
				}
				for i := range list {
					if list[i].ID != got[i].ArticleID {
						t.Errorf("RelatedArticles(%d, %s)[%d] = article %d beside the link to %d", a.ID, tc.name, i, list[i].ID, got[i].ArticleID)
					}
				}
			}
			list, _, err := s.RelatedArticles(ctx, a.ID, at(0))
			if err == nil && len(list) == 2 {
				if diff := cmp.Diff(b, list[1], articleOpts()); diff != "" {
					t.Errorf("RelatedArticles(%d)[1] (-created +read):\n%s", a.ID, diff)
				}
			}

			// SetRelated replaces the list; an empty list clears it.
			if err := s.SetRelated(ctx, a.ID, []store.RelatedLink{links[2]}); err != nil {
				t.Fatalf("SetRelated(%d) again = %v", a.ID, err)
			}
			if _, got, err := s.RelatedArticles(ctx, a.ID, at(0)); err != nil || !cmp.Equal(got, []store.RelatedLink{links[2]}) {
				t.Errorf("RelatedArticles(%d) after a new list = %v, %v; want %v", a.ID, got, err, links[2:3])
			}
			if err := s.SetRelated(ctx, a.ID, nil); err != nil {
				t.Fatalf("SetRelated(%d, nil) = %v", a.ID, err)
			}
			if list, got, err := s.RelatedArticles(ctx, a.ID, at(0)); err != nil || len(list) != 0 || len(got) != 0 {
				t.Errorf("RelatedArticles(%d) after clearing = %v, %v, %v; want none", a.ID, list, got, err)
			}
			if list, got, err := s.RelatedArticles(ctx, c.ID, at(0)); err != nil || len(list) != 0 || len(got) != 0 {
				t.Errorf("RelatedArticles(%d) never set = %v, %v, %v; want none", c.ID, list, got, err)
			}
		}},
		{"Rules", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a, b, c, d := story("a"), story("b"), story("c"), story("d")
			create(t, s, a, b, c, d)
			if err := s.SetRelatedRules(ctx, a.ID, []int64{c.ID, b.ID}, []int64{d.ID}); err != nil {
				t.Fatalf("SetRelatedRules(%d) = %v", a.ID, err)
			}
			pins, excludes, err := s.RelatedRules(ctx, a.ID)
			if err != nil || !cmp.Equal(pins, []int64{c.ID, b.ID}) || !cmp.Equal(excludes, []int64{d.ID}) {
				t.Errorf("RelatedRules(%d) = %v, %v, %v; want [%d %d], [%d]", a.ID, pins, excludes, err, c.ID, b.ID, d.ID)
			}
			if err := s.SetRelatedRules(ctx, a.ID, nil, []int64{b.ID}); err != nil {
				t.Fatalf("SetRelatedRules(%d) again = %v", a.ID, err)
			}
			if pins, excludes, err := s.RelatedRules(ctx, a.ID); err != nil || len(pins) != 0 || !cmp.Equal(excludes, []int64{b.ID}) {
				t.Errorf("RelatedRules(%d) after a replace = %v, %v, %v", a.ID, pins, excludes, err)
			}
			if err := s.SetRelatedRules(ctx, a.ID, []int64{a.ID}, nil); !errors.Is(err, store.ErrConflict) {
				t.Errorf("pinning a story to itself = %v, want ErrConflict", err)
			}
			if err := s.SetRelatedRules(ctx, a.ID, []int64{999999}, nil); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("pinning an unknown story = %v, want ErrNotFound", err)
			}
			if err := s.SetRelated(ctx, b.ID, []store.RelatedLink{{ArticleID: a.ID, Score: 1}}); err != nil {
				t.Fatal(err)
			}
			if err := s.SetRelated(ctx, c.ID, []store.RelatedLink{{ArticleID: a.ID, Score: 1}, {ArticleID: d.ID, Score: 0.5}}); err != nil {
				t.Fatal(err)
			}
			if ids, err := s.ReferencingArticles(ctx, a.ID); err != nil || !cmp.Equal(ids, []int64{b.ID, c.ID}) {
				t.Errorf("ReferencingArticles(%d) = %v, %v; want [%d %d]", a.ID, ids, err, b.ID, c.ID)
			}
		}},
		{"Sharing", func(t *testing.T, s store.Store) {
			politics := article.Section{Name: "Politics", Slug: "politics"}
			sport := article.Section{Name: "Sport", Slug: "sport"}
			ukraine := []article.Tag{{Name: "Ukraine", Slug: "ukraine"}}
			mk := func(slug string, sec article.Section, tags []article.Tag, d time.Duration) *article.Article {
				return with(story(slug), func(a *article.Article) { a.Section, a.Tags, a.PublishedAt = sec, tags, at(d) })
			}
			subject := mk("subject", politics, ukraine, -time.Hour)
			create(t, s,
				subject,
				mk("tag-new", sport, ukraine, -2*time.Hour),
				mk("tag-old", sport, ukraine, -5*time.Hour),
				mk("section-only", politics, nil, -9*time.Hour),
				mk("unrelated", sport, []article.Tag{{Name: "Cricket", Slug: "cricket"}}, -3*time.Hour),
				with(mk("draft", politics, ukraine, -time.Hour), func(a *article.Article) { a.Status = article.Draft }),
				with(mk("future", politics, ukraine, time.Hour), func(a *article.Article) { a.Status = article.Scheduled }),
				with(mk("pulled", politics, ukraine, -time.Hour), func(a *article.Article) { a.Status = article.Unpublished }),
			)
			tests := []struct {
				limit int
				want  []string
			}{
				{10, []string{"tag-new", "tag-old", "section-only"}},
				{2, []string{"tag-new", "tag-old"}},
			}
			for _, tc := range tests {
				list, err := s.SharingArticles(t.Context(), subject, at(0), tc.limit)
				if err != nil {
					t.Fatalf("SharingArticles(%q, %d) = %v", subject.Slug, tc.limit, err)
				}
				if diff := cmp.Diff(tc.want, slugs(list)); diff != "" {
					t.Errorf("SharingArticles(%q, %d) (-want +got):\n%s", subject.Slug, tc.limit, diff)
				}
			}
			lone := mk("lone", article.Section{}, nil, -time.Hour)
			create(t, s, lone)
			if list, err := s.SharingArticles(t.Context(), lone, at(0), 10); err != nil || len(list) != 0 {
				t.Errorf("SharingArticles(%q) with no section or tag = %v, %v; want none", lone.Slug, slugs(list), err)
			}

			// Of a tag's stories, only the last store.SharingWindow added count: "both-old" shares
			// two tags but was added before a window's worth of harbour stories, so it counts only
			// under "ferry", as one shared tag; "both-new" shares both within both windows and comes
			// first, although it is the oldest published.
			harbour, ferry := article.Tag{Name: "Harbour", Slug: "harbour"}, article.Tag{Name: "Ferry", Slug: "ferry"}
			both := []article.Tag{harbour, ferry}
			subject = mk("harbour-subject", sport, both, -time.Hour)
			create(t, s, subject, mk("both-old", sport, both, -3*time.Hour))
			for i := range store.SharingWindow {
				create(t, s, mk(fmt.Sprintf("harbour-%d", i), sport, []article.Tag{harbour}, -5*time.Hour+time.Duration(i)*time.Minute))
			}
			create(t, s, mk("both-new", sport, both, -10*time.Hour))
			list, err := s.SharingArticles(t.Context(), subject, at(0), 3)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"both-new", "both-old", fmt.Sprintf("harbour-%d", store.SharingWindow-1)}, slugs(list)); diff != "" {
				t.Errorf("SharingArticles(%q, 3) (-want +got):\n%s", subject.Slug, diff)
			}
		}},
		{"Cards", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			mk := func(slug string, d time.Duration) *article.Article {
				return with(full(slug), func(a *article.Article) {
					a.Section, a.PublishedAt = article.Section{Name: "Cards", Slug: "cards"}, at(d)
					a.Tags = []article.Tag{{Name: "Kyiv", Slug: "kyiv"}}
				})
			}
			a, b, c, d := mk("cards-a", -time.Hour), mk("cards-b", -3*time.Hour), mk("cards-c", -2*time.Hour), mk("cards-d", time.Hour)
			d.Status = article.Scheduled
			create(t, s, a, b, c, d)
			card := func(x *article.Article) *article.Article {
				return &article.Article{ID: x.ID, Kind: x.Kind, Slug: x.Slug, Title: x.Title, Status: x.Status,
					PublishedAt: x.PublishedAt, Section: article.Section{ID: x.Section.ID, Name: x.Section.Name, Slug: x.Section.Slug}}
			}
			cards := func(xs ...*article.Article) []*article.Article {
				out := make([]*article.Article, len(xs))
				for i, x := range xs {
					out[i] = card(x)
				}
				return out
			}
			check := func(name string, limit int, wantCards []*article.Article, wantLinks []store.RelatedLink) {
				t.Helper()
				list, links, err := s.RelatedCards(ctx, a, at(0), limit)
				if err != nil {
					t.Fatalf("RelatedCards(%s) = %v", name, err)
				}
				if diff := cmp.Diff(wantCards, list, timeOpts(), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("RelatedCards(%s) cards (-want +got):\n%s", name, diff)
				}
				if diff := cmp.Diff(wantLinks, links, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("RelatedCards(%s) links (-want +got):\n%s", name, diff)
				}
			}
			// No stored list: SharingArticles' list, as cards, and no links.
			check("no stored list", 10, cards(c, b), nil)
			check("no stored list, limit 1", 1, cards(c), nil)

			// A stored list: its live stories, in order, with their links, up to the limit.
			links := []store.RelatedLink{{ArticleID: d.ID, Score: 1, Reason: "not yet"},
				{ArticleID: b.ID, Score: 0.9, Reason: "Kyiv"}, {ArticleID: c.ID, Score: 0.5, Reason: "Kyiv · Ukraine"}}
			if err := s.SetRelated(ctx, a.ID, links); err != nil {
				t.Fatalf("SetRelated(%d) = %v", a.ID, err)
			}
			check("stored list", 10, cards(b, c), links[1:])
			check("stored list, limit 1", 1, cards(b), links[1:2])

			// A stored list with no live story gives way to the fallback.
			if err := s.SetRelated(ctx, a.ID, links[:1]); err != nil {
				t.Fatalf("SetRelated(%d) = %v", a.ID, err)
			}
			check("no live story stored", 10, cards(c, b), nil)
		}},
	}
}
