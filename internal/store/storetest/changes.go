package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// changesSince reads the change log after seq, checks that its sequence numbers rise and end at
// the latest one, and returns the set of keys and that latest number.
func changesSince(t *testing.T, s store.Store, seq int64) (map[string]bool, int64) {
	t.Helper()
	list, last, err := s.ChangesSince(t.Context(), seq, 1000)
	if err != nil {
		t.Fatalf("ChangesSince(%d) = %v", seq, err)
	}
	keys := map[string]bool{}
	prev := seq
	for _, c := range list {
		if c.Seq <= prev {
			t.Errorf("ChangesSince(%d): seq %d after %d, want rising numbers after %d", seq, c.Seq, prev, seq)
		}
		prev, keys[c.Key] = c.Seq, true
	}
	if last != prev {
		t.Errorf("ChangesSince(%d) latest = %d, want %d (the last change returned, or %d for none)", seq, last, prev, seq)
	}
	if l := latest(t, s); l != last {
		t.Errorf("LatestChange() = %d, ChangesSince(%d) latest = %d; want the same", l, seq, last)
	}
	return keys, last
}

// wantKeys fails the test for each of want missing from keys; what names the write.
func wantKeys(t *testing.T, what string, keys map[string]bool, want ...string) {
	t.Helper()
	for _, k := range want {
		if !keys[k] {
			got := make([]string, 0, len(keys))
			for k := range keys {
				got = append(got, k)
			}
			slices.Sort(got)
			t.Errorf("after %s, the change log lacks %q; it has %q", what, k, got)
		}
	}
}

func changeChecks() []check {
	key := func(kind string, id int64) string { return fmt.Sprintf("%s:%d", kind, id) }
	return []check{
		{"SavingAStoryLogsOnlyIt", func(t *testing.T, s store.Store) {
			// A story sharing a section, tag and byline with others logs its own change and its
			// listings', not one per story of the section, tag or byline.
			now := time.Now().UTC()
			story := func(slug string) *article.Article {
				return &article.Article{Kind: article.Story, Slug: slug, Title: slug, Status: article.Published, PublishedAt: now,
					Section: article.Section{Name: "News", Slug: "news"}, Tags: []article.Tag{{Name: "Port", Slug: "port"}},
					Authors: []article.Author{{Name: "Ada", Slug: "ada"}}}
			}
			first := story("first")
			if err := s.CreateArticle(t.Context(), first); err != nil {
				t.Fatal(err)
			}
			seq := latest(t, s)
			second := story("second")
			if err := s.CreateArticle(t.Context(), second); err != nil {
				t.Fatal(err)
			}
			keys, _ := changesSince(t, s, seq)
			if keys[key("article", first.ID)] {
				t.Errorf("creating a story in the same section, tag and byline logged %q, an unchanged story", key("article", first.ID))
			}
			wantKeys(t, "creating a story", keys, key("article", second.ID), "front", key("section", second.Section.ID),
				key("tag", second.Tags[0].ID), key("author", second.Authors[0].ID))
		}},
		{"Empty", func(t *testing.T, s store.Store) {
			list, last, err := s.ChangesSince(t.Context(), 0, 1000)
			if err != nil || len(list) != 0 || last != 0 {
				t.Errorf("ChangesSince(0) on an empty store = %v, %d, %v; want none, 0", list, last, err)
			}
			if seq := latest(t, s); seq != 0 {
				t.Errorf("LatestChange() on an empty store = %d, want 0", seq)
			}
		}},
		{"Mark", func(t *testing.T, s store.Store) {
			before := s.ChangeMark()
			a := story("marked")
			create(t, s, a)
			after := s.ChangeMark()
			if after == before {
				t.Errorf("ChangeMark() = %d before and after creating a story, want it to move when the write returns", after)
			}
			err := s.InTx(t.Context(), func(tx store.Store) error {
				a.Title = "Marked again"
				return tx.UpdateArticle(t.Context(), a)
			})
			if err != nil {
				t.Fatalf("InTx(UpdateArticle) = %v", err)
			}
			if m := s.ChangeMark(); m == after {
				t.Errorf("ChangeMark() = %d before and after a transaction, want it to move when InTx returns", m)
			}
		}},
		{"LimitAndPrune", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			start := latest(t, s)
			for i := range 6 {
				create(t, s, story(fmt.Sprintf("limit-%d", i)))
			}
			all, last, err := s.ChangesSince(ctx, start, 1000)
			if err != nil || len(all) < 6 {
				t.Fatalf("ChangesSince = %d changes, %v", len(all), err)
			}
			for i, c := range all {
				if c.Seq != start+int64(i)+1 {
					t.Fatalf("change %d has seq %d, want consecutive numbers from %d", i, c.Seq, start+1)
				}
			}
			few, l, err := s.ChangesSince(ctx, start, 2)
			if err != nil || len(few) != 2 || few[0].Seq != start+1 || l != last {
				t.Errorf("ChangesSince(limit 2) = %v, latest %d, %v; want the first 2 and latest %d", few, l, err, last)
			}
			if err := s.PruneChanges(ctx, 3); err != nil {
				t.Fatal(err)
			}
			kept, l, err := s.ChangesSince(ctx, start, 1000)
			if err != nil || len(kept) != 3 || kept[0].Seq != last-2 || l != last {
				t.Errorf("after PruneChanges(3): %v, latest %d, %v; want the last 3 of %d", kept, l, err, last)
			}
		}},
		{"Writes", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			seq := latest(t, s)
			a := full("live")
			create(t, s, a)
			keys, seq := changesSince(t, s, seq)
			wantKeys(t, "creating a live story", keys, key("article", a.ID), "front", key("section", a.Section.ID),
				key("tag", a.Tags[0].ID), key("tag", a.Tags[1].ID), key("author", a.Authors[0].ID), key("author", a.Authors[1].ID))

			if keys, last := changesSince(t, s, seq); len(keys) != 0 || last != seq {
				t.Errorf("ChangesSince(latest %d) with no write = %v, %d; want none, %d", seq, keys, last, seq)
			}

			a.Title = "New headline"
			if err := s.UpdateArticle(ctx, a); err != nil {
				t.Fatalf("UpdateArticle(%d) = %v", a.ID, err)
			}
			keys, seq = changesSince(t, s, seq)
			wantKeys(t, "updating a live story", keys, key("article", a.ID), "front", key("section", a.Section.ID))

			oldSection, dropped := a.Section.ID, a.Tags[0].ID
			a.Section = article.Section{Name: "Business", Slug: "business"}
			a.Tags = a.Tags[1:]
			if err := s.UpdateArticle(ctx, a); err != nil {
				t.Fatalf("UpdateArticle(%d) = %v", a.ID, err)
			}
			keys, seq = changesSince(t, s, seq)
			wantKeys(t, "moving a live story to another section and dropping a tag", keys,
				key("article", a.ID), "front", key("section", oldSection), key("section", a.Section.ID), key("tag", dropped))

			a.Status = article.Draft
			if err := s.UpdateArticle(ctx, a); err != nil {
				t.Fatalf("UpdateArticle(%d) = %v", a.ID, err)
			}
			keys, seq = changesSince(t, s, seq)
			wantKeys(t, "withdrawing a live story", keys, key("article", a.ID), "front", key("section", a.Section.ID))

			b := story("other")
			create(t, s, b)
			_, seq = changesSince(t, s, seq)
			if err := s.SetRelated(ctx, b.ID, []store.RelatedLink{{ArticleID: a.ID, Score: 1}}); err != nil {
				t.Fatalf("SetRelated(%d) = %v", b.ID, err)
			}
			keys, seq = changesSince(t, s, seq)
			wantKeys(t, "storing a related list", keys, key("related", b.ID))
			if err := s.SetRelatedRules(ctx, b.ID, []int64{a.ID}, nil); err != nil {
				t.Fatalf("SetRelatedRules(%d) = %v", b.ID, err)
			}
			keys, seq = changesSince(t, s, seq)
			wantKeys(t, "storing related rules", keys, key("rules", b.ID))

			if err := s.DeleteArticle(ctx, b.ID); err != nil {
				t.Fatalf("DeleteArticle(%d) = %v", b.ID, err)
			}
			keys, _ = changesSince(t, s, seq)
			wantKeys(t, "deleting a live story", keys, key("article", b.ID), "front")
		}},
		{"PublishDue", func(t *testing.T, s store.Store) {
			a := with(full("due"), func(a *article.Article) { a.Status, a.PublishedAt = article.Scheduled, at(-time.Minute) })
			create(t, s, a)
			seq := latest(t, s)
			if _, err := s.PublishDue(t.Context(), at(0)); err != nil {
				t.Fatalf("PublishDue = %v", err)
			}
			keys, _ := changesSince(t, s, seq)
			wantKeys(t, "publishing a scheduled story", keys, key("article", a.ID))
		}},
		{"Taxonomy", func(t *testing.T, s store.Store) {
			a := full("tagged")
			create(t, s, a)
			seq := latest(t, s)
			sec := a.Section
			sec.Name = "Politics & Power"
			if err := s.SaveSection(t.Context(), &sec); err != nil {
				t.Fatalf("SaveSection(%d) = %v", sec.ID, err)
			}
			au := a.Authors[0]
			au.Bio = "New bio."
			if err := s.SaveAuthor(t.Context(), &au); err != nil {
				t.Fatalf("SaveAuthor(%d) = %v", au.ID, err)
			}
			keys, _ := changesSince(t, s, seq)
			wantKeys(t, "renaming a section and a byline", keys, key("section", sec.ID), key("author", au.ID))
		}},
	}
}
