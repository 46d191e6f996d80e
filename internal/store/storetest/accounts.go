package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// staff returns a user ready to create; the hash is a placeholder, since stores never check it.
func staff(email string, role account.Role) *account.User {
	return &account.User{Email: email, Name: "Name of " + email, Role: role,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", CreatedAt: at(0)}
}

// createUser stores u and stops the test on error.
func createUser(t *testing.T, s store.Store, u *account.User) {
	t.Helper()
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser(%q) = %v", u.Email, err)
	}
}

func timeOpts() cmp.Option { return cmpopts.EquateApproxTime(time.Microsecond) }

func accountChecks() []check {
	return []check{
		{"Users", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			by := article.Author{Name: "Ed Ito", Slug: "ed-ito"}
			if err := s.SaveAuthor(ctx, &by); err != nil {
				t.Fatal(err)
			}
			ed, amy := staff("ed@example.org", account.Editor), staff("amy@example.org", account.Administrator)
			ed.AuthorID = by.ID
			createUser(t, s, ed)
			createUser(t, s, amy)
			if ed.ID == 0 || amy.ID == ed.ID {
				t.Fatalf("CreateUser set IDs %d and %d", ed.ID, amy.ID)
			}
			got, err := s.User(ctx, ed.ID)
			if err != nil {
				t.Fatalf("User(%d) = %v", ed.ID, err)
			}
			if diff := cmp.Diff(ed, got, timeOpts()); diff != "" {
				t.Errorf("User(%d) (-created +read):\n%s", ed.ID, diff)
			}
			got, err = s.UserByEmail(ctx, "amy@example.org")
			if err != nil || got.ID != amy.ID {
				t.Errorf("UserByEmail = %v, %v; want user %d", got, err, amy.ID)
			}
			_, err = s.UserByEmail(ctx, "nobody@example.org")
			wantErr(t, "UserByEmail(unknown)", err, store.ErrNotFound)
			err = s.CreateUser(ctx, staff("ed@example.org", account.Author))
			wantErr(t, "CreateUser(taken email)", err, store.ErrConflict)

			ed.Role, ed.Name, ed.PasswordHash, ed.AuthorID = account.Author, "Edward Ito", "new-hash", 0
			if err := s.UpdateUser(ctx, ed); err != nil {
				t.Fatalf("UpdateUser = %v", err)
			}
			if got, _ := s.User(ctx, ed.ID); got == nil || got.Role != account.Author || got.Name != "Edward Ito" ||
				got.PasswordHash != "new-hash" || got.AuthorID != 0 {
				t.Errorf("User after UpdateUser = %+v", got)
			}
			amy.Email = "ed@example.org"
			wantErr(t, "UpdateUser(taken email)", s.UpdateUser(ctx, amy), store.ErrConflict)
			wantErr(t, "UpdateUser(unknown)", s.UpdateUser(ctx, &account.User{ID: 999, Email: "x@example.org", Role: account.Editor}), store.ErrNotFound)

			list, err := s.Users(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if names := []string{list[0].Name, list[1].Name}; len(list) != 2 || !slices.IsSorted(names) {
				t.Errorf("Users() = %v, want both by name", names)
			}
			if err := s.DeleteUser(ctx, ed.ID); err != nil {
				t.Fatalf("DeleteUser = %v", err)
			}
			_, err = s.User(ctx, ed.ID)
			wantErr(t, "User(deleted)", err, store.ErrNotFound)
			wantErr(t, "DeleteUser(again)", s.DeleteUser(ctx, ed.ID), store.ErrNotFound)
		}},
		{"UserBylineDeleted", func(t *testing.T, s store.Store) {
			by := article.Author{Name: "Gone", Slug: "gone"}
			if err := s.SaveAuthor(t.Context(), &by); err != nil {
				t.Fatal(err)
			}
			u := staff("a@example.org", account.Author)
			u.AuthorID = by.ID
			createUser(t, s, u)
			if err := s.DeleteAuthor(t.Context(), by.ID); err != nil {
				t.Fatalf("DeleteAuthor = %v", err)
			}
			if got, err := s.User(t.Context(), u.ID); err != nil || got.AuthorID != 0 {
				t.Errorf("User after its byline was deleted = %+v, %v; want no byline", got, err)
			}
		}},
		{"Sessions", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			u, other := staff("a@example.org", account.Editor), staff("b@example.org", account.Editor)
			createUser(t, s, u)
			createUser(t, s, other)
			one := &account.Session{TokenHash: "h1", UserID: u.ID, CreatedAt: at(0), LastSeen: at(0), IP: "192.0.2.1", UserAgent: "Test/1"}
			two := &account.Session{TokenHash: "h2", UserID: u.ID, CreatedAt: at(time.Hour), LastSeen: at(time.Hour)}
			theirs := &account.Session{TokenHash: "h3", UserID: other.ID, CreatedAt: at(0), LastSeen: at(0)}
			for _, x := range []*account.Session{one, two, theirs} {
				if err := s.CreateSession(ctx, x); err != nil {
					t.Fatalf("CreateSession(%s) = %v", x.TokenHash, err)
				}
			}
			for _, x := range []*account.APIToken{{UserID: u.ID, Name: "CI", TokenHash: "mine"}, {UserID: other.ID, Name: "CI", TokenHash: "theirs"}} {
				if err := s.CreateAPIToken(ctx, x); err != nil {
					t.Fatal(err)
				}
			}
			wantErr(t, "CreateSession(taken hash)", s.CreateSession(ctx, one), store.ErrConflict)
			got, err := s.Session(ctx, "h1")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(one, got, timeOpts()); diff != "" {
				t.Errorf("Session(h1) (-created +read):\n%s", diff)
			}
			if err := s.TouchSession(ctx, "h1", at(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			list, err := s.Sessions(ctx, u.ID)
			if err != nil || len(list) != 2 || list[0].TokenHash != "h1" || !list[0].LastSeen.Equal(at(2*time.Hour)) {
				t.Errorf("Sessions after a touch = %+v, %v; want h1 (seen at +2h) first of two", list, err)
			}
			if err := s.DeleteSession(ctx, "h1"); err != nil {
				t.Fatal(err)
			}
			_, err = s.Session(ctx, "h1")
			wantErr(t, "Session(deleted)", err, store.ErrNotFound)
			if err := s.DeleteSession(ctx, "h1"); err != nil {
				t.Errorf("DeleteSession(already gone) = %v, want nil", err)
			}
			if err := s.SignOutEverywhere(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			if list, _ := s.Sessions(ctx, u.ID); len(list) != 0 {
				t.Errorf("Sessions after SignOutEverywhere = %d, want 0", len(list))
			}
			if _, err := s.Session(ctx, "h3"); err != nil {
				t.Errorf("SignOutEverywhere ended another user's session: %v", err)
			}
			if _, err := s.APIToken(ctx, "mine"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("APIToken after SignOutEverywhere = %v, want ErrNotFound: a token outlived a password change", err)
			}
			if _, err := s.APIToken(ctx, "theirs"); err != nil {
				t.Errorf("SignOutEverywhere revoked another user's token: %v", err)
			}
			if err := s.DeleteUser(ctx, other.ID); err != nil {
				t.Fatal(err)
			}
			_, err = s.Session(ctx, "h3")
			wantErr(t, "Session(of a deleted user)", err, store.ErrNotFound)
		}},
		{"PruneSessions", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			u := staff("a@example.org", account.Editor)
			createUser(t, s, u)
			for _, x := range []account.Session{
				{TokenHash: "idle", UserID: u.ID, CreatedAt: at(-time.Hour), LastSeen: at(-time.Hour)},
				{TokenHash: "old", UserID: u.ID, CreatedAt: at(-48 * time.Hour), LastSeen: at(0)},
				{TokenHash: "fresh", UserID: u.ID, CreatedAt: at(-time.Hour), LastSeen: at(0)},
			} {
				if err := s.CreateSession(ctx, &x); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.PruneSessions(ctx, at(-time.Minute), at(-24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			list, _ := s.Sessions(ctx, u.ID)
			if len(list) != 1 || list[0].TokenHash != "fresh" {
				t.Errorf("Sessions after PruneSessions = %+v, want only the fresh one", list)
			}
		}},
		{"APITokens", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			u, other := staff("a@example.org", account.Editor), staff("b@example.org", account.Editor)
			createUser(t, s, u)
			createUser(t, s, other)
			first := &account.APIToken{UserID: u.ID, Name: "CI", TokenHash: "t1", CreatedAt: at(0)}
			second := &account.APIToken{UserID: u.ID, Name: "Laptop", TokenHash: "t2", CreatedAt: at(time.Hour), ExpiresAt: at(30 * 24 * time.Hour)}
			for _, x := range []*account.APIToken{first, second} {
				if err := s.CreateAPIToken(ctx, x); err != nil {
					t.Fatal(err)
				}
			}
			wantErr(t, "CreateAPIToken(taken hash)", s.CreateAPIToken(ctx, &account.APIToken{UserID: u.ID, Name: "x", TokenHash: "t1"}), store.ErrConflict)
			got, err := s.APIToken(ctx, "t1")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(first, got, timeOpts()); diff != "" {
				t.Errorf("APIToken(t1) (-created +read):\n%s", diff)
			}
			if err := s.TouchAPIToken(ctx, first.ID, at(time.Minute)); err != nil {
				t.Fatal(err)
			}
			list, err := s.APITokens(ctx, u.ID)
			if err != nil || len(list) != 2 || list[0].Name != "Laptop" || !list[0].ExpiresAt.Equal(second.ExpiresAt) || !list[1].LastUsed.Equal(at(time.Minute)) {
				t.Errorf("APITokens = %+v, %v; want Laptop then CI (used at +1m)", list, err)
			}
			wantErr(t, "DeleteAPIToken(another user's)", s.DeleteAPIToken(ctx, other.ID, first.ID), store.ErrNotFound)
			if err := s.DeleteAPIToken(ctx, u.ID, first.ID); err != nil {
				t.Fatal(err)
			}
			_, err = s.APIToken(ctx, "t1")
			wantErr(t, "APIToken(revoked)", err, store.ErrNotFound)
		}},
		{"LoginAttempts", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			pair := account.Bucket{Key: "account a 192.0.2.1", Limit: 2, Account: true}
			ip := account.Bucket{Key: "ip 192.0.2.1", Limit: 3}
			reserve := func(at time.Time, b ...account.Bucket) (int64, time.Time) {
				t.Helper()
				id, oldest, err := s.ReserveLoginAttempt(ctx, b, at.Add(-15*time.Minute), at)
				if err != nil {
					t.Fatal(err)
				}
				return id, oldest
			}
			first, _ := reserve(at(-30*time.Minute), pair, ip) // outside every later window
			second, _ := reserve(at(-10*time.Minute), pair, ip)
			third, _ := reserve(at(-5*time.Minute), pair, ip)
			if first == 0 || second == 0 || third == 0 || first == second || second == third {
				t.Fatalf("ReserveLoginAttempt IDs = %d, %d, %d; want three distinct", first, second, third)
			}
			if id, oldest := reserve(at(0), pair, ip); id != 0 || !oldest.Equal(at(-10*time.Minute)) {
				t.Errorf("ReserveLoginAttempt(full bucket) = %d, oldest %v; want 0, %v", id, oldest, at(-10*time.Minute))
			}
			// The refused attempt was not counted anywhere: the address has room for one more.
			other := account.Bucket{Key: "account b 192.0.2.1", Limit: 2, Account: true}
			if id, _ := reserve(at(0), other, ip); id == 0 {
				t.Error("ReserveLoginAttempt refused another email from the address: a refused attempt was counted")
			}
			if id, _ := reserve(at(0), other, ip); id != 0 {
				t.Error("ReserveLoginAttempt granted a fourth attempt to an address limited to 3")
			}
			if err := s.ClearLoginAttempts(ctx, third, []string{pair.Key}); err != nil {
				t.Fatal(err)
			}
			// The pair is empty and the third attempt is gone from the address's count too.
			if id, _ := reserve(at(0), pair, ip); id == 0 {
				t.Error("ReserveLoginAttempt after ClearLoginAttempts refused")
			}
			if err := s.PruneLoginFailures(ctx, at(time.Hour)); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if id, _ := reserve(at(0), ip); id == 0 {
					t.Fatal("ReserveLoginAttempt after PruneLoginFailures refused")
				}
			}
		}},
		{"LoginAttemptsConcurrent", func(t *testing.T, s store.Store) {
			// However many reserve at once, a bucket never gets more than its limit.
			b := []account.Bucket{{Key: "account a 192.0.2.1", Limit: 5, Account: true}, {Key: "ip 192.0.2.1", Limit: 50}}
			var granted atomic.Int64
			var wg sync.WaitGroup
			for range 40 {
				wg.Go(func() {
					id, _, err := s.ReserveLoginAttempt(t.Context(), b, at(-time.Hour), at(0))
					if err != nil {
						t.Error(err)
					}
					if id != 0 {
						granted.Add(1)
					}
				})
			}
			wg.Wait()
			if n := granted.Load(); n != 5 {
				t.Errorf("40 concurrent ReserveLoginAttempt granted %d, want exactly 5", n)
			}
		}},
		{"SetupToken", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			if err := s.CreateSetupToken(ctx, "setup", at(time.Hour)); err != nil {
				t.Fatal(err)
			}
			exp, err := s.UseSetupToken(ctx, "setup")
			if err != nil || !exp.Equal(at(time.Hour)) {
				t.Errorf("UseSetupToken = %v, %v; want %v", exp, err, at(time.Hour))
			}
			_, err = s.UseSetupToken(ctx, "setup")
			wantErr(t, "UseSetupToken(used)", err, store.ErrNotFound)
			_, err = s.UseSetupToken(ctx, "never")
			wantErr(t, "UseSetupToken(unknown)", err, store.ErrNotFound)
		}},
		{"SetupTokenRollsBack", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			if err := s.CreateSetupToken(ctx, "setup", at(time.Hour)); err != nil {
				t.Fatal(err)
			}
			err := s.InTx(ctx, func(tx store.Store) error {
				if _, err := tx.UseSetupToken(ctx, "setup"); err != nil {
					return err
				}
				return tx.CreateUser(ctx, staff("", "not a role"))
			})
			if err == nil {
				t.Fatal("InTx with an invalid user = nil, want an error")
			}
			if _, err := s.UseSetupToken(ctx, "setup"); err != nil {
				t.Errorf("UseSetupToken after a rolled-back use = %v, want the token back", err)
			}
		}},
		{"Settings", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			if kv, err := s.Settings(ctx); err != nil || len(kv) != 0 {
				t.Errorf("Settings() on a new store = %v, %v; want none", kv, err)
			}
			before, err := s.LatestChange(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.SaveSettings(ctx, map[string]string{"title": "The Courier", "timezone": "Europe/London"}); err != nil {
				t.Fatal(err)
			}
			if err := s.SaveSettings(ctx, map[string]string{"title": "The Daily Courier", "empty": ""}); err != nil {
				t.Fatal(err)
			}
			// Each save is logged, so that every node puts the settings in force.
			changes, _, err := s.ChangesSince(ctx, before, 100)
			var keys []string
			for _, c := range changes {
				keys = append(keys, c.Key)
			}
			if diff := cmp.Diff([]string{"settings", "settings"}, keys); err != nil || diff != "" {
				t.Errorf("ChangesSince after two saves = %v (-want +got):\n%s", err, diff)
			}
			kv, err := s.Settings(ctx)
			want := map[string]string{"title": "The Daily Courier", "timezone": "Europe/London", "empty": ""}
			if diff := cmp.Diff(want, kv); err != nil || diff != "" {
				t.Errorf("Settings() = %v (-want +got):\n%s", err, diff)
			}
		}},
	}
}

func revisionChecks() []check {
	return []check{
		{"History", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a := story("revised")
			create(t, s, a)
			u := staff("ed@example.org", account.Editor)
			createUser(t, s, u)
			revs := []*store.Revision{
				{ArticleID: a.ID, Version: 1, UserID: u.ID, UserName: u.Name, At: at(0), Status: article.Draft, Title: "One", Body: "First."},
				{ArticleID: a.ID, Version: 2, UserID: u.ID, UserName: u.Name, At: at(time.Hour), Status: article.Published, Title: "Two", Standfirst: "S", Body: "Second."},
			}
			for _, r := range revs {
				if err := s.AddRevision(ctx, r); err != nil {
					t.Fatalf("AddRevision = %v", err)
				}
			}
			list, err := s.Revisions(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]store.Revision{*revs[1], *revs[0]}, list, timeOpts()); diff != "" {
				t.Errorf("Revisions (-want +got):\n%s", diff)
			}
			got, err := s.Revision(ctx, revs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(revs[0], got, timeOpts()); diff != "" {
				t.Errorf("Revision(%d) (-added +read):\n%s", revs[0].ID, diff)
			}
			_, err = s.Revision(ctx, 9999)
			wantErr(t, "Revision(unknown)", err, store.ErrNotFound)
			wantErr(t, "AddRevision(unknown article)", s.AddRevision(ctx, &store.Revision{ArticleID: 9999, Title: "x", At: at(0)}), store.ErrNotFound)

			if err := s.DeleteUser(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Revision(ctx, revs[0].ID); got == nil || got.UserID != 0 || got.UserName != u.Name {
				t.Errorf("Revision after its user was deleted = %+v; want no user ID and the name kept", got)
			}
			if err := s.DeleteArticle(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
			if list, _ := s.Revisions(ctx, a.ID); len(list) != 0 {
				t.Errorf("Revisions of a deleted article = %d, want 0", len(list))
			}
		}},
		{"Autosave", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a := story("autosaved")
			create(t, s, a)
			u, other := staff("a@example.org", account.Editor), staff("b@example.org", account.Editor)
			createUser(t, s, u)
			createUser(t, s, other)
			for i, r := range []store.Revision{
				{ArticleID: a.ID, Autosave: true, UserID: u.ID, At: at(0), Title: "first autosave"},
				{ArticleID: a.ID, Autosave: true, UserID: u.ID, At: at(time.Minute), Title: "second autosave"},
				{ArticleID: a.ID, Autosave: true, UserID: other.ID, At: at(time.Minute), Title: "other's autosave"},
				{ArticleID: a.ID, Version: 1, UserID: u.ID, At: at(-time.Minute), Title: "saved"},
			} {
				if err := s.AddRevision(ctx, &r); err != nil {
					t.Fatalf("AddRevision #%d = %v", i, err)
				}
			}
			titles := func() []string {
				list, err := s.Revisions(ctx, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, r := range list {
					out = append(out, r.Title)
				}
				slices.Sort(out)
				return out
			}
			if diff := cmp.Diff([]string{"other's autosave", "saved", "second autosave"}, titles()); diff != "" {
				t.Errorf("Revisions after three autosaves (-want +got):\n%s", diff)
			}
			if err := s.DeleteAutosave(ctx, a.ID, u.ID); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"other's autosave", "saved"}, titles()); diff != "" {
				t.Errorf("Revisions after DeleteAutosave (-want +got):\n%s", diff)
			}
		}},
	}
}

func editorialChecks() []check {
	return []check{
		{"Tags", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a := full("tagged")
			create(t, s, a)
			tag := article.Tag{Name: "Harbour", Slug: "harbour"}
			if err := s.SaveTag(ctx, &tag); err != nil || tag.ID == 0 {
				t.Fatalf("SaveTag(new) = %v, ID %d", err, tag.ID)
			}
			wantErr(t, "SaveTag(taken slug)", s.SaveTag(ctx, &article.Tag{Name: "E", Slug: "election"}), store.ErrConflict)
			election := a.Tags[0]
			before := latest(t, s)
			election.Name = "Polls"
			if err := s.SaveTag(ctx, &election); err != nil {
				t.Fatalf("SaveTag(rename) = %v", err)
			}
			if got := get(t, s, a.ID); !slices.ContainsFunc(got.Tags, func(x article.Tag) bool { return x.Name == "Polls" }) {
				t.Errorf("Article tags after a rename = %+v", got.Tags)
			}
			if hits, _, err := s.SearchArticles(ctx, store.SearchQuery{Text: "polls", LiveAt: at(0)}); err != nil || len(hits) != 1 {
				t.Errorf("search for the renamed tag = %d hits, %v; want 1", len(hits), err)
			}
			logged(t, s, before, "renaming a tag", key("article", a.ID), key("tag", election.ID))
			before = latest(t, s)
			if err := s.DeleteTag(ctx, election.ID); err != nil {
				t.Fatalf("DeleteTag = %v", err)
			}
			if got := get(t, s, a.ID); len(got.Tags) != 1 {
				t.Errorf("Article tags after a delete = %+v, want one", got.Tags)
			}
			if hits, _, _ := s.SearchArticles(ctx, store.SearchQuery{Text: "polls", LiveAt: at(0)}); len(hits) != 0 {
				t.Errorf("search for a deleted tag = %d hits, want 0", len(hits))
			}
			logged(t, s, before, "deleting a tag", key("article", a.ID), key("tag", election.ID), "front")
			wantErr(t, "DeleteTag(again)", s.DeleteTag(ctx, election.ID), store.ErrNotFound)
		}},
		{"SectionsAndAuthors", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a := full("filed")
			create(t, s, a)
			before := latest(t, s)
			if err := s.DeleteSection(ctx, a.Section.ID); err != nil {
				t.Fatalf("DeleteSection = %v", err)
			}
			if got := get(t, s, a.ID); got.Section.ID != 0 {
				t.Errorf("Article section after its deletion = %+v, want none", got.Section)
			}
			logged(t, s, before, "deleting a section", key("article", a.ID), key("section", a.Section.ID), "front")
			before = latest(t, s)
			if err := s.DeleteAuthor(ctx, a.Authors[0].ID); err != nil {
				t.Fatalf("DeleteAuthor = %v", err)
			}
			if got := get(t, s, a.ID); len(got.Authors) != 1 || got.Authors[0].Slug != "amy-abbott" {
				t.Errorf("Article bylines after a deletion = %+v, want Amy's", got.Authors)
			}
			logged(t, s, before, "deleting a byline", key("article", a.ID), key("author", a.Authors[0].ID), "front")
			wantErr(t, "DeleteSection(unknown)", s.DeleteSection(ctx, 9999), store.ErrNotFound)
			wantErr(t, "DeleteAuthor(unknown)", s.DeleteAuthor(ctx, 9999), store.ErrNotFound)
			before = latest(t, s)
			au := a.Authors[1]
			au.Bio = "New bio."
			if err := s.SaveAuthor(ctx, &au); err != nil {
				t.Fatal(err)
			}
			logged(t, s, before, "editing a byline", key("article", a.ID), key("author", au.ID))
		}},
		{"Counts", func(t *testing.T, s store.Store) {
			a, b := full("one"), full("two")
			b.Tags = b.Tags[:1]
			create(t, s, a, b, story("bare"))
			secs, tags, authors, err := s.TaxonomyCounts(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			want := []map[int64]int{{a.Section.ID: 2}, {a.Tags[0].ID: 2, a.Tags[1].ID: 1}, {a.Authors[0].ID: 2, a.Authors[1].ID: 2}}
			if diff := cmp.Diff(want, []map[int64]int{secs, tags, authors}); diff != "" {
				t.Errorf("TaxonomyCounts (-want +got):\n%s", diff)
			}
		}},
		{"PublishedTimes", func(t *testing.T, s store.Store) {
			create(t, s,
				with(story("old"), func(a *article.Article) { a.PublishedAt = at(-40 * 24 * time.Hour) }),
				with(story("recent"), func(a *article.Article) { a.PublishedAt = at(-2 * 24 * time.Hour) }),
				with(story("today"), func(a *article.Article) { a.PublishedAt = at(-time.Hour) }),
				with(story("due"), func(a *article.Article) { a.Status, a.PublishedAt = article.Scheduled, at(-time.Minute) }),
				with(story("later"), func(a *article.Article) { a.Status, a.PublishedAt = article.Scheduled, at(time.Hour) }),
				with(story("draft"), func(a *article.Article) { a.Status = article.Draft }),
				with(story("page"), func(a *article.Article) { a.Kind = article.Page }),
			)
			got, err := s.PublishedTimes(t.Context(), at(-30*24*time.Hour), at(0))
			if err != nil {
				t.Fatal(err)
			}
			want := []time.Time{at(-2 * 24 * time.Hour), at(-time.Hour), at(-time.Minute)}
			if diff := cmp.Diff(want, got, timeOpts()); diff != "" {
				t.Errorf("PublishedTimes (-want +got):\n%s", diff)
			}
		}},
	}
}

// key is a change-log key such as "article:12".
func key(kind string, id int64) string { return fmt.Sprintf("%s:%d", kind, id) }

// logged fails unless the change log after seq holds every key of want; what names the write.
func logged(t *testing.T, s store.Store, seq int64, what string, want ...string) {
	t.Helper()
	keys, _ := changesSince(t, s, seq)
	wantKeys(t, what, keys, want...)
}
