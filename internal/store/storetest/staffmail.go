package storetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/store"
)

func staffMailChecks() []check {
	return []check{
		{"PasswordLinks", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			ed := staff("ed@example.org", account.Editor)
			createUser(t, s, ed)
			_, l := account.NewPasswordLink(ed, account.LinkReset, at(0))
			if err := s.CreatePasswordLink(ctx, l); err != nil {
				t.Fatal(err)
			}
			got, err := s.PasswordLink(ctx, l.TokenHash)
			if err != nil {
				t.Fatalf("PasswordLink = %v", err)
			}
			if diff := cmp.Diff(l, got, timeOpts()); diff != "" {
				t.Errorf("PasswordLink (-created +read):\n%s", diff)
			}
			// Looking does not use it up; using does.
			got, err = s.UsePasswordLink(ctx, l.TokenHash)
			if err != nil {
				t.Fatalf("UsePasswordLink = %v", err)
			}
			if diff := cmp.Diff(l, got, timeOpts()); diff != "" {
				t.Errorf("UsePasswordLink (-created +used):\n%s", diff)
			}
			_, err = s.UsePasswordLink(ctx, l.TokenHash)
			wantErr(t, "UsePasswordLink(used)", err, store.ErrNotFound)
			_, err = s.PasswordLink(ctx, l.TokenHash)
			wantErr(t, "PasswordLink(used)", err, store.ErrNotFound)
			_, err = s.UsePasswordLink(ctx, "never")
			wantErr(t, "UsePasswordLink(unknown)", err, store.ErrNotFound)
			_, nobody := account.NewPasswordLink(&account.User{ID: ed.ID + 100}, account.LinkInvite, at(0))
			wantErr(t, "CreatePasswordLink(unknown user)", s.CreatePasswordLink(ctx, nobody), store.ErrNotFound)

			// Signing out everywhere, as a password change does, voids every link of the user
			// and no one else's.
			amy := staff("amy@example.org", account.Administrator)
			createUser(t, s, amy)
			_, l1 := account.NewPasswordLink(ed, account.LinkHandover, at(0))
			_, l2 := account.NewPasswordLink(amy, account.LinkHandover, at(0))
			for _, l := range []*account.PasswordLink{l1, l2} {
				if err := s.CreatePasswordLink(ctx, l); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.SignOutEverywhere(ctx, ed.ID); err != nil {
				t.Fatal(err)
			}
			_, err = s.PasswordLink(ctx, l1.TokenHash)
			wantErr(t, "PasswordLink after SignOutEverywhere", err, store.ErrNotFound)
			if _, err := s.PasswordLink(ctx, l2.TokenHash); err != nil {
				t.Errorf("another user's link after SignOutEverywhere = %v", err)
			}
			// Deleting the user deletes their links.
			if err := s.DeleteUser(ctx, amy.ID); err != nil {
				t.Fatal(err)
			}
			_, err = s.PasswordLink(ctx, l2.TokenHash)
			wantErr(t, "PasswordLink of a deleted user", err, store.ErrNotFound)
		}},
		{"PasswordLinkWorksOnce", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			ed := staff("ed@example.org", account.Editor)
			createUser(t, s, ed)
			_, l := account.NewPasswordLink(ed, account.LinkReset, at(0))
			if err := s.CreatePasswordLink(ctx, l); err != nil {
				t.Fatal(err)
			}
			// Several uses at once, each in its own transaction as the set-password form does:
			// exactly one gets the link.
			const n = 8
			var won, lost atomic.Int64
			var wg sync.WaitGroup
			start := make(chan struct{})
			for range n {
				wg.Go(func() {
					<-start
					err := s.InTx(ctx, func(tx store.Store) error {
						_, err := tx.UsePasswordLink(ctx, l.TokenHash)
						return err
					})
					switch {
					case err == nil:
						won.Add(1)
					case errors.Is(err, store.ErrNotFound):
						lost.Add(1)
					default:
						t.Errorf("UsePasswordLink at once = %v", err)
					}
				})
			}
			close(start)
			wg.Wait()
			if won.Load() != 1 || lost.Load() != n-1 {
				t.Errorf("%d concurrent uses: %d succeeded and %d found nothing, want 1 and %d", n, won.Load(), lost.Load(), n-1)
			}
		}},
		{"StaffMailOutbox", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			ed := staff("ed@example.org", account.Editor)
			createUser(t, s, ed)
			if err := s.QueueStaffMail(ctx, "ed@example.org", store.StaffReset, "", at(0)); err != nil {
				t.Fatal(err)
			}
			if err := s.QueueStaffMail(ctx, "ed@example.org", store.StaffRole, "author", at(time.Minute)); err != nil {
				t.Fatal(err)
			}
			// An unknown email queues nothing, and says nothing.
			if err := s.QueueStaffMail(ctx, "nobody@example.org", store.StaffReset, "", at(0)); err != nil {
				t.Errorf("QueueStaffMail(unknown email) = %v, want nil", err)
			}
			due, err := s.DueStaffMail(ctx, at(0), 10)
			if err != nil {
				t.Fatal(err)
			}
			want := []store.StaffMail{{UserID: ed.ID, Kind: store.StaffReset}}
			ignoreID := cmp.Comparer(func(a, b store.StaffMail) bool {
				return a.UserID == b.UserID && a.Kind == b.Kind && a.Detail == b.Detail && a.Attempts == b.Attempts
			})
			if diff := cmp.Diff(want, due, ignoreID); diff != "" {
				t.Fatalf("DueStaffMail(at 0) (-want +got):\n%s", diff)
			}
			if err := s.RetryStaffMail(ctx, due[0].ID, at(time.Hour)); err != nil {
				t.Fatal(err)
			}
			due, err = s.DueStaffMail(ctx, at(time.Minute), 10)
			want = []store.StaffMail{{UserID: ed.ID, Kind: store.StaffRole, Detail: "author"}}
			if diff := cmp.Diff(want, due, ignoreID); err != nil || diff != "" {
				t.Fatalf("DueStaffMail(at 1m) = %v (-want +got):\n%s", err, diff)
			}
			if err := s.DoneStaffMail(ctx, due[0].ID); err != nil {
				t.Fatal(err)
			}
			due, err = s.DueStaffMail(ctx, at(time.Hour), 10)
			want = []store.StaffMail{{UserID: ed.ID, Kind: store.StaffReset, Attempts: 1}}
			if diff := cmp.Diff(want, due, ignoreID); err != nil || diff != "" {
				t.Fatalf("DueStaffMail(at 1h) = %v (-want +got):\n%s", err, diff)
			}
			if err := s.DoneStaffMail(ctx, due[0].ID); err != nil {
				t.Fatal(err)
			}
			// Every kind is accepted, the email-change notices with the previous address.
			for _, kind := range []string{store.StaffInvite, store.StaffPassword, store.StaffDevice, store.StaffEmailOld, store.StaffEmailNew} {
				if err := s.QueueStaffMail(ctx, "ed@example.org", kind, "ed@old.example.org", at(time.Hour)); err != nil {
					t.Errorf("QueueStaffMail(%s) = %v", kind, err)
				}
			}
			if due, err := s.DueStaffMail(ctx, at(time.Hour), 10); err != nil || len(due) != 5 || due[4].Kind != store.StaffEmailNew || due[4].Detail != "ed@old.example.org" {
				t.Errorf("DueStaffMail after five kinds = %+v, %v", due, err)
			}
			// A deleted user's mail goes with them.
			if err := s.DeleteUser(ctx, ed.ID); err != nil {
				t.Fatal(err)
			}
			if due, err := s.DueStaffMail(ctx, at(time.Hour), 10); err != nil || len(due) != 0 {
				t.Errorf("DueStaffMail after DeleteUser = %v, %v; want none", due, err)
			}
		}},
	}
}
