package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

// item returns a library item whose hash is made from n, uploaded at at(d).
func item(n int, name string) *media.Item {
	h := fmt.Sprintf("%032x", n)
	return &media.Item{
		Hash: h, Name: name, File: h + "/photo.jpg", Type: "image/jpeg", Width: 1600, Height: 900, Size: 12345,
		Sizes:  []media.Size{{Width: 320, Height: 180, File: h + "/photo-320.jpg"}, {Width: 1600, Height: 900, File: h + "/photo-1600.jpg"}},
		Social: h + "/photo-social.jpg", Alt: "Alt of " + name, FocusX: 0.25, FocusY: 0.75,
	}
}

func createMedia(t *testing.T, s store.Store, list ...*media.Item) {
	t.Helper()
	for _, it := range list {
		if err := s.CreateMedia(t.Context(), it); err != nil {
			t.Fatalf("CreateMedia(%q) = %v", it.Name, err)
		}
	}
}

func mediaChecks() []check {
	return []check{
		{"CreateReadUpdateDelete", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			u := staff("pix@example.org", account.Author)
			createUser(t, s, u)
			it := item(1, "harbour.jpg")
			it.UploaderID, it.CreatedAt, it.Caption, it.Credit = u.ID, at(0), "The harbour at dawn.", "Ana Lima"
			it.Description = "Taken from the north pier, before the strike began.\n\nThe trawlers are the co-operative's."
			createMedia(t, s, it)
			if it.ID == 0 {
				t.Fatal("CreateMedia set no ID")
			}
			got, err := s.MediaItem(ctx, it.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(it, got, timeOpts()); diff != "" {
				t.Errorf("MediaItem differs from what was created (-want +got):\n%s", diff)
			}
			byHash, err := s.MediaByHash(ctx, it.Hash)
			if err != nil || byHash.ID != it.ID {
				t.Errorf("MediaByHash = %v, %v; want item %d", byHash, err, it.ID)
			}
			dup := item(1, "again.jpg")
			wantErr(t, "CreateMedia(same hash)", s.CreateMedia(ctx, dup), store.ErrConflict)

			it.Alt, it.Caption, it.Credit, it.Description, it.FocusX = "Boats at dawn", "", "Staff", "From the pier.", 0.5
			if err := s.UpdateMedia(ctx, it); err != nil {
				t.Fatal(err)
			}
			got, _ = s.MediaItem(ctx, it.ID)
			if got.Alt != "Boats at dawn" || got.Caption != "" || got.Credit != "Staff" || got.Description != "From the pier." || got.FocusX != 0.5 {
				t.Errorf("after UpdateMedia: %+v", got)
			}
			if err := s.DeleteMedia(ctx, it.ID); err != nil {
				t.Fatal(err)
			}
			_, err = s.MediaItem(ctx, it.ID)
			wantErr(t, "MediaItem(deleted)", err, store.ErrNotFound)
			_, err = s.MediaByHash(ctx, it.Hash)
			wantErr(t, "MediaByHash(deleted)", err, store.ErrNotFound)
			wantErr(t, "DeleteMedia(deleted)", s.DeleteMedia(ctx, it.ID), store.ErrNotFound)
			wantErr(t, "UpdateMedia(deleted)", s.UpdateMedia(ctx, it), store.ErrNotFound)
		}},
		{"UpdateAndDeleteLogTheirStories", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			it, other := item(3, "dock.jpg"), item(4, "unused.jpg")
			createMedia(t, s, it, other)
			lead := with(story("shows-dock"), func(x *article.Article) { x.ImageURL = it.URL() })
			inBody := with(story("dock-in-body"), func(x *article.Article) { x.Body = "![dock](" + it.Sizes[0].File + ")" })
			create(t, s, lead, inBody, story("no-pictures"))
			logged := func(what string, from int64, do func() error) []string {
				t.Helper()
				if err := do(); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				changes, _, err := s.ChangesSince(ctx, from, 100)
				if err != nil {
					t.Fatal(err)
				}
				var keys []string
				for _, c := range changes {
					keys = append(keys, c.Key)
				}
				return keys
			}
			want := []string{"article:" + fmt.Sprint(lead.ID), "article:" + fmt.Sprint(inBody.ID)}
			from, _ := s.LatestChange(ctx)
			it.FocusX, it.FocusY, it.Social = 0.8, 0.1, it.Hash+"/photo-social-8000-1000.jpg"
			keys := logged("UpdateMedia", from, func() error { return s.UpdateMedia(ctx, it) })
			if diff := cmp.Diff(want, keys); diff != "" {
				t.Errorf("UpdateMedia logged (-want +got):\n%s", diff)
			}
			got, _ := s.MediaItem(ctx, it.ID)
			if got.Social != it.Social || got.FocusX != 0.8 || got.FocusY != 0.1 {
				t.Errorf("after UpdateMedia: social %q, focus %v,%v; want %q, 0.8,0.1", got.Social, got.FocusX, got.FocusY, it.Social)
			}
			from, _ = s.LatestChange(ctx)
			if keys := logged("UpdateMedia(unused)", from, func() error { return s.UpdateMedia(ctx, other) }); len(keys) != 0 {
				t.Errorf("UpdateMedia of an unused item logged %q", keys)
			}
			from, _ = s.LatestChange(ctx)
			keys = logged("DeleteMedia", from, func() error { return s.DeleteMedia(ctx, it.ID) })
			if diff := cmp.Diff(want, keys); diff != "" {
				t.Errorf("DeleteMedia logged (-want +got):\n%s", diff)
			}
		}},
		{"SettingNamesItem", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			logo, other := item(5, "logo.png"), item(6, "photo.jpg")
			createMedia(t, s, logo, other)
			create(t, s, with(story("logo-story"), func(x *article.Article) { x.ImageURL = logo.URL() }))
			if err := s.SaveSettings(ctx, map[string]string{"site.logo": `{"item":` + fmt.Sprint(logo.ID) + `,"src":"` + logo.Sizes[0].File + `"}`}); err != nil {
				t.Fatal(err)
			}
			uses, err := s.MediaUses(ctx, logo.ID)
			if err != nil || len(uses) != 2 || uses[0].Setting != "site.logo" || uses[0].ArticleID != 0 || uses[1].Title != "Headline logo-story" {
				t.Errorf("MediaUses(logo) = %+v, %v; want the setting, then the story", uses, err)
			}
			list, _, err := s.ListMedia(ctx, store.MediaQuery{Unused: true})
			if err != nil || len(list) != 1 || list[0].ID != other.ID {
				t.Errorf("ListMedia(unused) = %d items, %v; want only the picture nothing names", len(list), err)
			}
			wantErr(t, "DeleteMedia(the logo)", s.DeleteMedia(ctx, logo.ID), store.ErrConflict)
			if _, err := s.MediaItem(ctx, logo.ID); err != nil {
				t.Errorf("the refused deletion removed the logo: %v", err)
			}
			if err := s.SaveSettings(ctx, map[string]string{"site.logo": `{}`}); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteMedia(ctx, logo.ID); err != nil {
				t.Errorf("DeleteMedia once the logo changed = %v", err)
			}
		}},
		{"UploaderDeletedKeepsItem", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			u := staff("gone@example.org", account.Author)
			createUser(t, s, u)
			it := item(2, "a.jpg")
			it.UploaderID = u.ID
			createMedia(t, s, it)
			if err := s.DeleteUser(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			got, err := s.MediaItem(ctx, it.ID)
			if err != nil || got.UploaderID != 0 {
				t.Errorf("after the uploader's deletion MediaItem = %+v, %v; want the item without uploader", got, err)
			}
		}},
		{"Months", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			if got, err := s.MediaMonths(ctx); err != nil || len(got) != 0 {
				t.Errorf("MediaMonths of an empty library = %q, %v; want none", got, err)
			}
			// Months with pictures only, newest first, in UTC: the last microsecond of a month
			// and the first of the next are two months; a gap of years lists nothing between.
			var items []*media.Item
			for i, when := range []time.Time{
				time.Date(2019, 5, 31, 23, 59, 59, 999999000, time.UTC),
				time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC),
				time.Date(2019, 6, 30, 12, 0, 0, 0, time.UTC),
				time.Date(2026, 3, 1, 0, 30, 0, 0, time.FixedZone("CET", 3600)), // 28 February in UTC
				time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC),
				time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC),
			} {
				it := item(40+i, "m.jpg")
				it.CreatedAt = when
				items = append(items, it)
			}
			createMedia(t, s, items...)
			want := []string{"2026-03", "2026-02", "2019-06", "2019-05", "2012-01"}
			if got, err := s.MediaMonths(ctx); err != nil || !slices.Equal(got, want) {
				t.Errorf("MediaMonths = %q, %v; want %q", got, err, want)
			}
			for _, m := range want {
				if _, total, err := s.ListMedia(ctx, store.MediaQuery{Month: m}); err != nil || total == 0 {
					t.Errorf("ListMedia(month %s) = %d items, %v; want the month's", m, total, err)
				}
			}
		}},
		{"ListSearchMonthUnused", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a, b, c := item(10, "harbour-strike.jpg"), item(11, "budget.png"), item(12, "mayor.jpg")
			a.CreatedAt, b.CreatedAt, c.CreatedAt = at(-40*24*3600e9), at(-2*3600e9), at(-3600e9)
			b.Caption = "The mayor presents the Budget"
			a.Description = "Pickets at the North Gate"
			c.Credit = "Ana Lima / Courier"
			createMedia(t, s, a, b, c)
			create(t, s, with(story("uses-a"), func(x *article.Article) { x.ImageURL = a.URL() }),
				with(story("uses-c"), func(x *article.Article) { x.Body = "See ![the mayor](" + c.Sizes[0].File + ")." }))
			names := func(q store.MediaQuery) (string, int) {
				list, total, err := s.ListMedia(ctx, q)
				if err != nil {
					t.Fatalf("ListMedia(%+v) = %v", q, err)
				}
				out := ""
				for _, it := range list {
					out += it.Name + " "
				}
				return out, total
			}
			for _, tc := range []struct {
				q     store.MediaQuery
				want  string
				total int
			}{
				{store.MediaQuery{}, "mayor.jpg budget.png harbour-strike.jpg ", 3},
				{store.MediaQuery{Limit: 1, Offset: 1}, "budget.png ", 3},
				{store.MediaQuery{Text: "MAYOR"}, "mayor.jpg budget.png ", 2},
				{store.MediaQuery{Text: "alt of harbour"}, "harbour-strike.jpg ", 1},
				{store.MediaQuery{Text: "north gate"}, "harbour-strike.jpg ", 1},
				{store.MediaQuery{Text: "ana LIMA"}, "mayor.jpg ", 1},
				{store.MediaQuery{Month: at(0).Format("2006-01")}, "mayor.jpg budget.png ", 2},
				{store.MediaQuery{Unused: true}, "budget.png ", 1},
			} {
				if got, total := names(tc.q); got != tc.want || total != tc.total {
					t.Errorf("ListMedia(%+v) = %q (%d), want %q (%d)", tc.q, got, total, tc.want, tc.total)
				}
			}
			uses, err := s.MediaUses(ctx, c.ID)
			if err != nil || len(uses) != 1 || uses[0].Title != "Headline uses-c" {
				t.Errorf("MediaUses(c) = %+v, %v; want the story that shows it in its body", uses, err)
			}
			if uses, _ := s.MediaUses(ctx, b.ID); len(uses) != 0 {
				t.Errorf("MediaUses(unused) = %+v, want none", uses)
			}
		}},
	}
}
