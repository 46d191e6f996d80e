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
		}},
	}
}
