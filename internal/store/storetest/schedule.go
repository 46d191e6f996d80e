package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

func scheduleChecks() []check {
	return []check{
		{"PublishDue", func(t *testing.T, s store.Store) {
			sched := func(slug string, d time.Duration) *article.Article {
				return with(story(slug), func(a *article.Article) { a.Status, a.PublishedAt = article.Scheduled, at(d) })
			}
			due1, due2, now, later := sched("due-1", -2*time.Hour), sched("due-2", -time.Hour), sched("now", 0), sched("later", time.Hour)
			draft := with(story("draft"), func(a *article.Article) { a.Status, a.PublishedAt = article.Draft, at(-time.Hour) })
			create(t, s, due1, due2, now, later, draft, story("published"))
			ids, err := s.PublishDue(t.Context(), at(0))
			if err != nil {
				t.Fatalf("PublishDue(%v) = %v", at(0), err)
			}
			slices.Sort(ids)
			if diff := cmp.Diff([]int64{due1.ID, due2.ID, now.ID}, ids); diff != "" {
				t.Errorf("PublishDue(%v) IDs (-want +got):\n%s", at(0), diff)
			}
			for _, a := range []*article.Article{due1, due2, now} {
				got := get(t, s, a.ID)
				if got.Status != article.Published || !got.PublishedAt.Equal(a.PublishedAt) {
					t.Errorf("after PublishDue, Article(%q) = %s at %v; want published at %v", a.Slug, got.Status, got.PublishedAt, a.PublishedAt)
				}
			}
			for _, a := range []*article.Article{later, draft} {
				if got := get(t, s, a.ID); got.Status != a.Status {
					t.Errorf("after PublishDue, Article(%q) = %s, want %s", a.Slug, got.Status, a.Status)
				}
			}
			if ids, err := s.PublishDue(t.Context(), at(0)); err != nil || len(ids) != 0 {
				t.Errorf("PublishDue(%v) again = %v, %v; want none", at(0), ids, err)
			}
		}},
		{"NextScheduled", func(t *testing.T, s store.Store) {
			next, err := s.NextScheduled(t.Context(), at(0))
			if err != nil || !next.IsZero() {
				t.Errorf("NextScheduled on an empty store = %v, %v; want the zero time", next, err)
			}
			for i, d := range []time.Duration{-time.Hour, 3 * time.Hour, 90 * time.Minute} {
				create(t, s, with(story(string(rune('a'+i))), func(a *article.Article) { a.Status, a.PublishedAt = article.Scheduled, at(d) }))
			}
			create(t, s, with(story("draft"), func(a *article.Article) { a.Status, a.PublishedAt = article.Draft, at(time.Minute) }))
			tests := []struct {
				now, want time.Time
			}{
				{at(0), at(90 * time.Minute)},
				{at(90 * time.Minute), at(3 * time.Hour)},
				{at(-2 * time.Hour), at(-time.Hour)},
				{at(3 * time.Hour), time.Time{}},
			}
			for _, tc := range tests {
				got, err := s.NextScheduled(t.Context(), tc.now)
				if err != nil || !got.Equal(tc.want) {
					t.Errorf("NextScheduled(%v) = %v, %v; want %v", tc.now, got, err, tc.want)
				}
			}
		}},
		{"ListArticlesPublishedRange", func(t *testing.T, s store.Store) {
			pub := func(slug string, d time.Duration) *article.Article {
				return with(story(slug), func(a *article.Article) { a.PublishedAt = at(d) })
			}
			before, first, last, after := pub("before", -time.Hour-time.Microsecond), pub("first", -time.Hour), pub("last", -time.Microsecond), pub("after", 0)
			create(t, s, before, first, last, after, with(story("draft"), func(a *article.Article) { a.Status, a.PublishedAt = article.Draft, time.Time{} }))
			list, total, err := s.ListArticles(t.Context(), store.ArticleQuery{PublishedFrom: at(-time.Hour), PublishedBefore: at(0)})
			if err != nil {
				t.Fatalf("ListArticles(range) = %v", err)
			}
			var got []string
			for _, a := range list {
				got = append(got, a.Slug)
			}
			if diff := cmp.Diff([]string{"last", "first"}, got); diff != "" || total != 2 {
				t.Errorf("ListArticles(range) = %d in all (-want +got):\n%s", total, diff)
			}
		}},
		{"Redirects", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			for _, r := range [][2]string{{"/?p=12", "/2026/03/22/old/"}, {"/old-path/", "/new/"}, {"/old-path/", "/newer/"}} {
				if err := s.AddRedirect(ctx, r[0], r[1]); err != nil {
					t.Fatalf("AddRedirect(%q, %q) = %v", r[0], r[1], err)
				}
			}
			for _, tc := range []struct{ old, want string }{{"/?p=12", "/2026/03/22/old/"}, {"/old-path/", "/newer/"}} {
				got, err := s.Redirect(ctx, tc.old)
				if err != nil || got != tc.want {
					t.Errorf("Redirect(%q) = %q, %v; want %q", tc.old, got, err, tc.want)
				}
			}
			_, err := s.Redirect(ctx, "/old-path")
			wantErr(t, `Redirect("/old-path")`, err, store.ErrNotFound)
			all, err := s.Redirects(ctx)
			if err != nil {
				t.Fatalf("Redirects = %v", err)
			}
			want := []store.Redirect{{From: "/?p=12", To: "/2026/03/22/old/"}, {From: "/old-path/", To: "/newer/"}}
			if diff := cmp.Diff(want, all); diff != "" {
				t.Errorf("Redirects (-want +got):\n%s", diff)
			}
		}},
	}
}
