package storetest

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/broadsheet/broadsheet/internal/store"
)

func importChecks() []check {
	return []check{
		{"SaveAndRead", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a, b := story("imported"), story("other")
			create(t, s, a, b)
			c := remark(a.ID, "Imported remark.")
			post(t, s, c)
			keys := []store.ImportKey{
				{Source: "wxr:https://example.org", Key: "post:12", ArticleID: a.ID, URL: "https://example.org/?p=12"},
				{Source: "wxr:https://example.org", Key: "comment:7", CommentID: c.ID},
				{Source: "feed:https://example.net/feed", Key: "tag:example.net,2026:12", ArticleID: a.ID, URL: "https://example.net/12"},
			}
			for _, k := range keys {
				if err := s.SaveImportKey(ctx, k); err != nil {
					t.Fatalf("SaveImportKey(%+v) = %v", k, err)
				}
			}
			for _, k := range keys {
				got, err := s.ImportKey(ctx, k.Source, k.Key)
				if err != nil {
					t.Fatalf("ImportKey(%q, %q) = %v", k.Source, k.Key, err)
				}
				if diff := cmp.Diff(k, got); diff != "" {
					t.Errorf("ImportKey(%q, %q) (-saved +read):\n%s", k.Source, k.Key, diff)
				}
			}
			// The same source and key under another source is another key.
			_, err := s.ImportKey(ctx, "wxr:https://example.com", "post:12")
			wantErr(t, `ImportKey("wxr:https://example.com", "post:12")`, err, store.ErrNotFound)

			// Saving again replaces: a re-import that now leads elsewhere.
			moved := keys[0]
			moved.ArticleID, moved.URL = b.ID, ""
			if err := s.SaveImportKey(ctx, moved); err != nil {
				t.Fatalf("SaveImportKey(%+v) = %v", moved, err)
			}
			if got, err := s.ImportKey(ctx, moved.Source, moved.Key); err != nil || got != moved {
				t.Errorf("ImportKey after replacing = %+v, %v; want %+v", got, err, moved)
			}
			list, err := s.ArticleImportKeys(ctx, a.ID)
			if err != nil {
				t.Fatalf("ArticleImportKeys(%d) = %v", a.ID, err)
			}
			if diff := cmp.Diff([]store.ImportKey{keys[2]}, list, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ArticleImportKeys(%d) (-want +got):\n%s", a.ID, diff)
			}
		}},
		{"Invalid", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a := story("imported")
			create(t, s, a)
			c := remark(a.ID, "Imported remark.")
			post(t, s, c)
			tests := []struct {
				name string
				key  store.ImportKey
				want error
			}{
				{"neither", store.ImportKey{Source: "x", Key: "1"}, store.ErrConflict},
				{"both", store.ImportKey{Source: "x", Key: "1", ArticleID: a.ID, CommentID: c.ID}, store.ErrConflict},
				{"unknown article", store.ImportKey{Source: "x", Key: "1", ArticleID: a.ID + 100}, store.ErrNotFound},
				{"unknown comment", store.ImportKey{Source: "x", Key: "1", CommentID: c.ID + 100}, store.ErrNotFound},
			}
			for _, tc := range tests {
				wantErr(t, "SaveImportKey("+tc.name+")", s.SaveImportKey(ctx, tc.key), tc.want)
			}
			_, err := s.ImportKey(ctx, "x", "1")
			wantErr(t, `ImportKey("x", "1") after failed saves`, err, store.ErrNotFound)
		}},
		{"GoWithTheirTarget", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a, b := story("deleted"), story("kept")
			create(t, s, a, b)
			c, d := remark(b.ID, "Deleted remark."), remark(a.ID, "On the deleted story.")
			post(t, s, c, d)
			for _, k := range []store.ImportKey{
				{Source: "x", Key: "post:1", ArticleID: a.ID},
				{Source: "x", Key: "comment:1", CommentID: c.ID},
				{Source: "x", Key: "comment:2", CommentID: d.ID},
				{Source: "x", Key: "post:2", ArticleID: b.ID},
			} {
				if err := s.SaveImportKey(ctx, k); err != nil {
					t.Fatalf("SaveImportKey(%+v) = %v", k, err)
				}
			}
			if err := s.DeleteArticle(ctx, a.ID); err != nil {
				t.Fatalf("DeleteArticle(%d) = %v", a.ID, err)
			}
			if err := s.DeleteComment(ctx, c.ID); err != nil {
				t.Fatalf("DeleteComment(%d) = %v", c.ID, err)
			}
			for _, key := range []string{"post:1", "comment:1", "comment:2"} {
				_, err := s.ImportKey(ctx, "x", key)
				wantErr(t, `ImportKey("x", "`+key+`") after its target went`, err, store.ErrNotFound)
			}
			if _, err := s.ImportKey(ctx, "x", "post:2"); err != nil {
				t.Errorf(`ImportKey("x", "post:2") = %v, want the key of the story that stays`, err)
			}
		}},
		{"RolledBack", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a := story("kept")
			create(t, s, a)
			boom := errors.New("boom")
			err := s.InTx(ctx, func(tx store.Store) error {
				if err := tx.SaveImportKey(ctx, store.ImportKey{Source: "x", Key: "post:1", ArticleID: a.ID}); err != nil {
					t.Errorf("SaveImportKey in a transaction = %v", err)
				}
				if _, err := tx.ImportKey(ctx, "x", "post:1"); err != nil {
					t.Errorf("ImportKey inside the transaction = %v, want the key it saved", err)
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx = %v, want %v", err, boom)
			}
			_, err = s.ImportKey(ctx, "x", "post:1")
			wantErr(t, `ImportKey("x", "post:1") after rollback`, err, store.ErrNotFound)
		}},
	}
}
