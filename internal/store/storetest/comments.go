package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
)

// remark returns a reader's pending comment on article id, written a minute before at(0), ready
// to create.
func remark(id int64, text string) *comment.Comment {
	return &comment.Comment{
		ArticleID:   id,
		Type:        comment.Regular,
		Status:      comment.Pending,
		AuthorName:  "Ada Reader",
		AuthorEmail: "ada@example.org",
		AuthorIP:    "192.0.2.1",
		UserAgent:   "Mozilla/5.0",
		Content:     text,
		CreatedAt:   at(-time.Minute),
		SpamScore:   0.5,
	}
}

// withComment returns c after applying fn to it, as with does for articles.
func withComment(c *comment.Comment, fn func(c *comment.Comment)) *comment.Comment {
	fn(c)
	return c
}

// post stores each comment in turn and stops the test on the first error.
func post(t *testing.T, s store.Store, list ...*comment.Comment) {
	t.Helper()
	for _, c := range list {
		if err := s.CreateComment(t.Context(), c); err != nil {
			t.Fatalf("CreateComment(%q) = %v", c.Content, err)
		}
	}
}

// getComment reads one comment by ID and stops the test when it cannot.
func getComment(t *testing.T, s store.Store, id int64) *comment.Comment {
	t.Helper()
	c, err := s.Comment(t.Context(), id)
	if err != nil {
		t.Fatalf("Comment(%d) = %v", id, err)
	}
	return c
}

// texts lists the comments' contents in order; fixtures use the content as a label.
func texts(list []*comment.Comment) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Content
	}
	return out
}

// commentOpts compares comments as a store keeps them: times to the microsecond (whatever the
// location), nil and empty lists alike.
func commentOpts() cmp.Options {
	return cmp.Options{cmpopts.EquateApproxTime(time.Microsecond), cmpopts.EquateEmpty()}
}

func commentChecks() []check {
	return []check{
		{"Outbox", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a := story("commented")
			create(t, s, a)
			c := remark(a.ID, "Held for a look.")
			post(t, s, c)
			queued := func(want int) {
				t.Helper()
				if n, err := s.QueuedNotices(ctx); err != nil || n != want {
					t.Fatalf("QueuedNotices = %d, %v; want %d", n, err, want)
				}
			}
			queued(0)
			for _, kind := range []string{comment.NoticeHeld, comment.NoticeHeld} {
				if err := s.QueueNotice(ctx, c.ID, kind, at(0)); err != nil {
					t.Fatalf("QueueNotice = %v", err)
				}
			}
			queued(2)
			due, err := s.DueNotices(ctx, at(0), 10)
			if err != nil || len(due) != 2 || due[0].CommentID != c.ID || due[0].Kind != comment.NoticeHeld {
				t.Fatalf("DueNotices = %+v, %v; want the two notices of comment %d", due, err, c.ID)
			}
			if err := s.RetryNotice(ctx, due[0].ID, at(time.Hour)); err != nil {
				t.Fatalf("RetryNotice = %v", err)
			}
			if later, err := s.DueNotices(ctx, at(0), 10); err != nil || len(later) != 1 || later[0].ID != due[1].ID {
				t.Errorf("DueNotices after a retry later = %+v, %v; want only notice %d", later, err, due[1].ID)
			}
			queued(2) // a notice due later still waits
			if err := s.DoneNotice(ctx, due[1].ID); err != nil {
				t.Fatalf("DoneNotice = %v", err)
			}
			queued(1)
		}},
		{"CreateThenRead", func(t *testing.T, s store.Store) {
			a := story("commented")
			create(t, s, a)
			c := withComment(remark(a.ID, "Well reported.\n\nThanks — merci."), func(c *comment.Comment) {
				c.Status, c.AuthorURL, c.StaffID = comment.Approved, "https://ada.example.org/", 7
				c.Featured, c.Notify = true, true
				c.Reasons, c.SpamScore = []string{"first comment", "2 links"}, 0.125
			})
			post(t, s, c)
			if c.ID == 0 {
				t.Fatalf("CreateComment left ID zero")
			}
			if diff := cmp.Diff(c, getComment(t, s, c.ID), commentOpts()); diff != "" {
				t.Errorf("Comment(%d) differs from what was created (-created +read):\n%s", c.ID, diff)
			}
			reply := withComment(remark(a.ID, "A pingback."), func(r *comment.Comment) {
				r.ParentID, r.Type, r.CreatedAt = c.ID, comment.Pingback, time.Time{}
			})
			post(t, s, reply)
			if reply.ID == 0 || reply.ID == c.ID || reply.CreatedAt.IsZero() {
				t.Fatalf("CreateComment(reply) set ID %d, CreatedAt %v; want a new ID and a time", reply.ID, reply.CreatedAt)
			}
			if diff := cmp.Diff(reply, getComment(t, s, reply.ID), commentOpts()); diff != "" {
				t.Errorf("Comment(%d), a reply, differs from what was created (-created +read):\n%s", reply.ID, diff)
			}
		}},
		{"CreateUnknown", func(t *testing.T, s store.Store) {
			a := story("commented")
			create(t, s, a)
			err := s.CreateComment(t.Context(), remark(a.ID+404, "Lost."))
			wantErr(t, "CreateComment(on an unknown article)", err, store.ErrNotFound)
			err = s.CreateComment(t.Context(), withComment(remark(a.ID, "Orphan."), func(c *comment.Comment) { c.ParentID = 404 }))
			wantErr(t, "CreateComment(replying to an unknown comment)", err, store.ErrNotFound)
			_, err = s.Comment(t.Context(), 404)
			wantErr(t, "Comment(404)", err, store.ErrNotFound)
			if list, total, err := s.ListComments(t.Context(), store.CommentQuery{}); err != nil || total != 0 {
				t.Errorf("ListComments after refused creates = %q, %d, %v; want none", texts(list), total, err)
			}
		}},
		{"Update", func(t *testing.T, s store.Store) {
			a := story("commented")
			create(t, s, a)
			c := remark(a.ID, "Teh first draft.")
			post(t, s, c)
			c.Content, c.AuthorName, c.AuthorEmail, c.AuthorURL = "The first draft.", "Ada R.", "ada@example.net", "https://ada.example.net/"
			c.Status, c.Featured, c.Notify = comment.Approved, true, true
			c.Reasons, c.SpamScore = []string{"edited by a moderator"}, 0.01
			if err := s.UpdateComment(t.Context(), c); err != nil {
				t.Fatalf("UpdateComment(%d) = %v", c.ID, err)
			}
			if diff := cmp.Diff(c, getComment(t, s, c.ID), commentOpts()); diff != "" {
				t.Errorf("Comment(%d) after UpdateComment (-saved +read):\n%s", c.ID, diff)
			}
			err := s.UpdateComment(t.Context(), withComment(remark(a.ID, "Ghost."), func(c *comment.Comment) { c.ID = 404 }))
			wantErr(t, "UpdateComment(404)", err, store.ErrNotFound)
		}},
		{"SetStatus", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a := story("commented")
			create(t, s, a)
			p1, p2, kept := remark(a.ID, "one"), remark(a.ID, "two"), remark(a.ID, "kept")
			done := withComment(remark(a.ID, "done"), func(c *comment.Comment) { c.Status = comment.Approved })
			post(t, s, p1, p2, kept, done)
			changed, err := s.SetCommentStatus(ctx, []int64{done.ID, p2.ID, p1.ID, 404}, comment.Approved)
			if err != nil {
				t.Fatalf("SetCommentStatus = %v", err)
			}
			slices.SortFunc(changed, func(x, y *comment.Comment) int { return int(x.ID - y.ID) })
			if diff := cmp.Diff([]*comment.Comment{p1, p2}, changed, commentOpts()); diff != "" {
				t.Errorf("SetCommentStatus(approved) returned (-want the changed ones, as they were +got):\n%s", diff)
			}
			for _, c := range []*comment.Comment{p1, p2, done} {
				if got := getComment(t, s, c.ID); got.Status != comment.Approved {
					t.Errorf("Comment(%q) after SetCommentStatus = %s, want approved", c.Content, got.Status)
				}
			}
			if got := getComment(t, s, kept.ID); got.Status != comment.Pending {
				t.Errorf("Comment(%q), not asked for, = %s, want pending", kept.Content, got.Status)
			}
			if changed, err := s.SetCommentStatus(ctx, []int64{p1.ID, p2.ID}, comment.Approved); err != nil || len(changed) != 0 {
				t.Errorf("SetCommentStatus(approved) again = %q, %v; want none changed", texts(changed), err)
			}
			if changed, err := s.SetCommentStatus(ctx, nil, comment.Spam); err != nil || len(changed) != 0 {
				t.Errorf("SetCommentStatus(no IDs) = %q, %v; want none changed", texts(changed), err)
			}
			changed, err = s.SetCommentStatus(ctx, []int64{p1.ID}, comment.Trash)
			if err != nil || len(changed) != 1 || changed[0].Status != comment.Approved {
				t.Errorf("SetCommentStatus(trash) = %v, %v; want the one comment, as it was (approved)", changed, err)
			}
		}},
		{"DeleteMovesRepliesUp", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a := story("commented")
			create(t, s, a)
			root := remark(a.ID, "root")
			post(t, s, root)
			child := withComment(remark(a.ID, "child"), func(c *comment.Comment) { c.ParentID = root.ID })
			post(t, s, child)
			grand := withComment(remark(a.ID, "grandchild"), func(c *comment.Comment) { c.ParentID = child.ID })
			sibling := withComment(remark(a.ID, "sibling"), func(c *comment.Comment) { c.ParentID = child.ID })
			post(t, s, grand, sibling)

			if err := s.DeleteComment(ctx, child.ID); err != nil {
				t.Fatalf("DeleteComment(%d) = %v", child.ID, err)
			}
			_, err := s.Comment(ctx, child.ID)
			wantErr(t, "Comment(deleted)", err, store.ErrNotFound)
			for _, c := range []*comment.Comment{grand, sibling} {
				if got := getComment(t, s, c.ID); got.ParentID != root.ID {
					t.Errorf("Comment(%q).ParentID after deleting its parent = %d, want the grandparent %d", c.Content, got.ParentID, root.ID)
				}
			}
			if err := s.DeleteComment(ctx, root.ID); err != nil {
				t.Fatalf("DeleteComment(%d) = %v", root.ID, err)
			}
			if got := getComment(t, s, grand.ID); got.ParentID != 0 {
				t.Errorf("Comment(%q).ParentID after deleting a top-level parent = %d, want 0", grand.Content, got.ParentID)
			}
			wantErr(t, "DeleteComment(again)", s.DeleteComment(ctx, root.ID), store.ErrNotFound)
		}},
		{"ListFilters", func(t *testing.T, s store.Store) {
			live, draft := story("live"), with(story("draft"), func(a *article.Article) { a.Status, a.PublishedAt = article.Draft, time.Time{} })
			due := with(story("due"), func(a *article.Article) { a.Status, a.PublishedAt = article.Scheduled, at(time.Hour) })
			create(t, s, live, draft, due)
			by := func(id int64, text string, st comment.Status, name, email, ip string, d time.Duration) *comment.Comment {
				return withComment(remark(id, text), func(c *comment.Comment) {
					c.Status, c.AuthorName, c.AuthorEmail, c.AuthorIP, c.CreatedAt = st, name, email, ip, at(d)
				})
			}
			post(t, s,
				by(live.ID, "Well reported.", comment.Approved, "Alice", "alice@example.org", "192.0.2.1", -6*time.Hour),
				by(live.ID, "Where are the FIGURES?", comment.Pending, "Bob", "bob@example.org", "192.0.2.2", -5*time.Hour),
				by(live.ID, "Cheap pills", comment.Spam, "Casino King", "spam@example.com", "198.51.100.7", -4*time.Hour),
				by(draft.ID, "Good draft.", comment.Approved, "Alice", "ALICE@Example.org", "192.0.2.1", -3*time.Hour),
				by(live.ID, "A rant, binned.", comment.Trash, "Carol", "", "192.0.2.3", -2*time.Hour),
				by(due.ID, "Early bird.", comment.Approved, "Dan", "dan@example.org", "192.0.2.4", -time.Hour),
			)
			tests := []struct {
				name string
				q    store.CommentQuery
				want []string
			}{
				{"all, newest first", store.CommentQuery{},
					[]string{"Early bird.", "A rant, binned.", "Good draft.", "Cheap pills", "Where are the FIGURES?", "Well reported."}},
				{"oldest first", store.CommentQuery{Oldest: true},
					[]string{"Well reported.", "Where are the FIGURES?", "Cheap pills", "Good draft.", "A rant, binned.", "Early bird."}},
				{"article", store.CommentQuery{ArticleID: live.ID},
					[]string{"A rant, binned.", "Cheap pills", "Where are the FIGURES?", "Well reported."}},
				{"unknown article", store.CommentQuery{ArticleID: 404}, nil},
				{"approved", store.CommentQuery{Status: comment.Approved}, []string{"Early bird.", "Good draft.", "Well reported."}},
				{"pending", store.CommentQuery{Status: comment.Pending}, []string{"Where are the FIGURES?"}},
				{"spam", store.CommentQuery{Status: comment.Spam}, []string{"Cheap pills"}},
				{"trash", store.CommentQuery{Status: comment.Trash}, []string{"A rant, binned."}},
				{"email in any case", store.CommentQuery{Email: "Alice@EXAMPLE.org"}, []string{"Good draft.", "Well reported."}},
				{"email is whole", store.CommentQuery{Email: "example.org"}, nil},
				{"ip", store.CommentQuery{IP: "192.0.2.1"}, []string{"Good draft.", "Well reported."}},
				{"ip is whole", store.CommentQuery{IP: "192.0.2"}, nil},
				{"text in any case", store.CommentQuery{Text: "figures"}, []string{"Where are the FIGURES?"}},
				{"text in the name", store.CommentQuery{Text: "casino"}, []string{"Cheap pills"}},
				{"text inside a word", store.CommentQuery{Text: "port"}, []string{"Well reported."}},
				{"text with wildcards", store.CommentQuery{Text: "%"}, nil},
				{"live now", store.CommentQuery{LiveAt: at(0)},
					[]string{"A rant, binned.", "Cheap pills", "Where are the FIGURES?", "Well reported."}},
				{"live later", store.CommentQuery{LiveAt: at(2 * time.Hour), Status: comment.Approved},
					[]string{"Early bird.", "Well reported."}},
				{"all together", store.CommentQuery{ArticleID: live.ID, Status: comment.Approved, Email: "ALICE@example.org",
					IP: "192.0.2.1", Text: "well", LiveAt: at(0)}, []string{"Well reported."}},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					list, total, err := s.ListComments(t.Context(), tc.q)
					if err != nil {
						t.Fatalf("ListComments(%+v) = %v", tc.q, err)
					}
					if diff := cmp.Diff(tc.want, texts(list), cmpopts.EquateEmpty()); diff != "" {
						t.Errorf("ListComments(%+v) (-want +got):\n%s", tc.q, diff)
					}
					if total != len(tc.want) {
						t.Errorf("ListComments(%+v) total = %d, want %d", tc.q, total, len(tc.want))
					}
				})
			}
		}},
		{"ListedInFull", func(t *testing.T, s store.Store) {
			a := story("commented")
			create(t, s, a)
			c := withComment(remark(a.ID, "Complete."), func(c *comment.Comment) {
				c.AuthorURL, c.Featured, c.Notify, c.Reasons, c.SpamScore = "https://ada.example.org/", true, true, []string{"first comment"}, 0.25
			})
			post(t, s, c)
			list, _, err := s.ListComments(t.Context(), store.CommentQuery{ArticleID: a.ID})
			if err != nil || len(list) != 1 {
				t.Fatalf("ListComments(article) = %q, %v; want the one comment", texts(list), err)
			}
			if diff := cmp.Diff(c, list[0], commentOpts()); diff != "" {
				t.Errorf("ListComments(article)[0] (-created +listed):\n%s", diff)
			}
		}},
		{"ListPages", func(t *testing.T, s store.Store) {
			a := story("commented")
			create(t, s, a)
			for i := range 5 {
				// c1 is the newest; c4 and c5 share a time, so the ID breaks the tie.
				post(t, s, withComment(remark(a.ID, fmt.Sprintf("c%d", 5-i)), func(c *comment.Comment) {
					c.CreatedAt = at(-time.Duration(min(5-i, 4)) * time.Minute)
				}))
			}
			tests := []struct {
				limit, offset int
				oldest        bool
				want          []string
			}{
				{2, 0, false, []string{"c1", "c2"}},
				{2, 2, false, []string{"c3", "c4"}},
				{2, 4, false, []string{"c5"}},
				{2, 6, false, nil},
				{0, 0, false, []string{"c1", "c2", "c3", "c4", "c5"}},
				{0, 3, false, []string{"c4", "c5"}},
				{2, 0, true, []string{"c5", "c4"}},
				{10, 3, true, []string{"c2", "c1"}},
			}
			for _, tc := range tests {
				q := store.CommentQuery{ArticleID: a.ID, Limit: tc.limit, Offset: tc.offset, Oldest: tc.oldest}
				list, total, err := s.ListComments(t.Context(), q)
				if err != nil {
					t.Fatalf("ListComments(%+v) = %v", q, err)
				}
				if diff := cmp.Diff(tc.want, texts(list), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("ListComments(limit %d, offset %d, oldest %t) (-want +got):\n%s", tc.limit, tc.offset, tc.oldest, diff)
				}
				if total != 5 {
					t.Errorf("ListComments(limit %d, offset %d, oldest %t) total = %d, want 5", tc.limit, tc.offset, tc.oldest, total)
				}
			}
		}},
		{"Counts", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a, b, quiet := story("busy"), story("calm"), story("quiet")
			create(t, s, a, b, quiet)
			status := func(id int64, st comment.Status) *comment.Comment {
				return withComment(remark(id, string(st)), func(c *comment.Comment) { c.Status = st })
			}
			ping := withComment(status(a.ID, comment.Approved), func(c *comment.Comment) { c.Type, c.Content = comment.Pingback, "ping" })
			post(t, s, status(a.ID, comment.Approved), status(a.ID, comment.Approved), status(a.ID, comment.Pending),
				status(a.ID, comment.Spam), status(a.ID, comment.Trash), status(b.ID, comment.Approved), status(b.ID, comment.Pending), ping)
			if list, _, err := s.ListComments(ctx, store.CommentQuery{Type: comment.Pingback}); err != nil || len(list) != 1 || list[0].ID != ping.ID {
				t.Errorf("ListComments(pingbacks) = %v, %v; want the one pingback", texts(list), err)
			}
			counts, err := s.CommentCounts(ctx, []int64{a.ID, b.ID, quiet.ID, 404})
			if err != nil {
				t.Fatalf("CommentCounts = %v", err)
			}
			want := map[int64]int{a.ID: 2, b.ID: 1}
			if diff := cmp.Diff(want, counts, cmpopts.IgnoreMapEntries(func(_ int64, n int) bool { return n == 0 })); diff != "" {
				t.Errorf("CommentCounts (approved reader comments only; -want +got):\n%s", diff)
			}
			if counts, err := s.CommentCounts(ctx, nil); err != nil || len(counts) != 0 {
				t.Errorf("CommentCounts(no IDs) = %v, %v; want none", counts, err)
			}
			byStatus, err := s.CommentStatusCounts(ctx)
			if err != nil {
				t.Fatalf("CommentStatusCounts = %v", err)
			}
			wantStatus := map[comment.Status]int{comment.Approved: 4, comment.Pending: 2, comment.Spam: 1, comment.Trash: 1}
			if diff := cmp.Diff(wantStatus, byStatus); diff != "" {
				t.Errorf("CommentStatusCounts (-want +got):\n%s", diff)
			}
		}},
		{"LastCommentAt", func(t *testing.T, s store.Store) {
			a := story("commented")
			create(t, s, a)
			by := func(email, ip string, d time.Duration) *comment.Comment {
				return withComment(remark(a.ID, email+" "+ip), func(c *comment.Comment) {
					c.AuthorEmail, c.AuthorIP, c.CreatedAt = email, ip, at(d)
				})
			}
			post(t, s, by("ada@example.org", "192.0.2.1", -3*time.Minute), by("Ada@Example.org", "192.0.2.9", -2*time.Minute),
				by("bob@example.org", "192.0.2.1", -time.Minute), by("", "192.0.2.5", -30*time.Second))
			tests := []struct {
				ip, email string
				want      time.Time
			}{
				{"192.0.2.1", "", at(-time.Minute)},
				{"", "ada@example.org", at(-2 * time.Minute)},
				{"", "ADA@example.ORG", at(-2 * time.Minute)},
				{"192.0.2.9", "bob@example.org", at(-time.Minute)},
				{"192.0.2.9", "nobody@example.org", at(-2 * time.Minute)},
				{"192.0.2.5", "", at(-30 * time.Second)},
				{"198.51.100.1", "nobody@example.org", time.Time{}},
				{"", "", time.Time{}},
			}
			for _, tc := range tests {
				got, err := s.LastCommentAt(t.Context(), tc.ip, tc.email)
				if err != nil || !got.Equal(tc.want) {
					t.Errorf("LastCommentAt(%q, %q) = %v, %v; want %v", tc.ip, tc.email, got, err, tc.want)
				}
			}
		}},
		{"DuplicateComment", func(t *testing.T, s store.Store) {
			a, b := story("commented"), story("other")
			create(t, s, a, b)
			post(t, s,
				withComment(remark(a.ID, "Hear, hear."), func(c *comment.Comment) { c.AuthorName, c.AuthorEmail = "Ada", "ada@example.org" }),
				withComment(remark(a.ID, "Me too."), func(c *comment.Comment) { c.AuthorName, c.AuthorEmail = "Bob", "" }),
				withComment(remark(a.ID, "Binned."), func(c *comment.Comment) {
					c.AuthorName, c.AuthorEmail, c.Status = "Ada", "ada@example.org", comment.Trash
				}),
			)
			tests := []struct {
				article           int64
				name, email, text string
				want              bool
			}{
				{a.ID, "Ada", "ada@example.org", "Hear, hear.", true},
				{a.ID, "Someone else", "ADA@Example.org", "Hear, hear.", true},
				{a.ID, "Ada", "ada@example.org", "Hear, hear!", false},
				{a.ID, "Ada", "other@example.org", "Hear, hear.", false},
				{b.ID, "Ada", "ada@example.org", "Hear, hear.", false},
				{a.ID, "Bob", "", "Me too.", true},
				{a.ID, "Carol", "", "Me too.", false},
				{a.ID, "Ada", "", "Hear, hear.", true},
				{a.ID, "Bob", "bob@example.org", "Me too.", false},
				{a.ID, "Ada", "ada@example.org", "Binned.", false},
			}
			for _, tc := range tests {
				got, err := s.DuplicateComment(t.Context(), tc.article, tc.name, tc.email, tc.text)
				if err != nil || got != tc.want {
					t.Errorf("DuplicateComment(%d, %q, %q, %q) = %t, %v; want %t", tc.article, tc.name, tc.email, tc.text, got, err, tc.want)
				}
			}
		}},
		{"Trusted", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a := story("commented")
			create(t, s, a)
			trusted := func(email string, want bool, why string) {
				t.Helper()
				if got, err := s.Trusted(ctx, email); err != nil || got != want {
					t.Errorf("Trusted(%q) %s = %t, %v; want %t", email, why, got, err, want)
				}
			}
			held := withComment(remark(a.ID, "First."), func(c *comment.Comment) { c.AuthorEmail = "ada@example.org" })
			post(t, s, held,
				withComment(remark(a.ID, "Approved."), func(c *comment.Comment) { c.AuthorEmail, c.Status = "bob@example.org", comment.Approved }))
			trusted("ada@example.org", false, "with neither verification nor an approved comment")
			for range 2 {
				if err := s.VerifyEmail(ctx, "Ada@Example.org", at(0)); err != nil {
					t.Fatalf("VerifyEmail = %v", err)
				}
			}
			trusted("ada@example.org", false, "verified, without an approved comment")
			trusted("bob@example.org", false, "with an approved comment, not verified")
			if _, err := s.SetCommentStatus(ctx, []int64{held.ID}, comment.Approved); err != nil {
				t.Fatalf("SetCommentStatus = %v", err)
			}
			trusted("ada@example.org", true, "verified (twice) with an approved comment")
			trusted("ADA@example.ORG", true, "in another case")
			trusted("", false, "for no email")
			if _, err := s.SetCommentStatus(ctx, []int64{held.ID}, comment.Spam); err != nil {
				t.Fatalf("SetCommentStatus = %v", err)
			}
			trusted("ada@example.org", false, "once the approved comment is spam")
		}},
		{"Nonces", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			if err := s.UseNonce(ctx, "n1", at(time.Hour), at(0)); err != nil {
				t.Fatalf("UseNonce(n1) = %v", err)
			}
			wantErr(t, "UseNonce(n1) again", s.UseNonce(ctx, "n1", at(time.Hour), at(time.Minute)), store.ErrConflict)
			if err := s.UseNonce(ctx, "n2", at(time.Minute), at(0)); err != nil {
				t.Fatalf("UseNonce(n2) = %v", err)
			}
			// Two hours on, both have expired and are forgotten: a new use is a first use.
			if err := s.UseNonce(ctx, "n3", at(3*time.Hour), at(2*time.Hour)); err != nil {
				t.Fatalf("UseNonce(n3) = %v", err)
			}
			for _, n := range []string{"n1", "n2"} {
				if err := s.UseNonce(ctx, n, at(3*time.Hour), at(2*time.Hour)); err != nil {
					t.Errorf("UseNonce(%s) after it expired = %v, want it forgotten", n, err)
				}
			}
			wantErr(t, "UseNonce(n3) again", s.UseNonce(ctx, "n3", at(3*time.Hour), at(2*time.Hour)), store.ErrConflict)
		}},
		{"Bans", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			forever := comment.Ban{Kind: "email", Value: "Troll@Example.org", Reason: "abuse", CreatedAt: at(-2 * time.Hour)}
			brief := comment.Ban{Kind: "ip", Value: "198.51.100.7", Reason: "flood", CreatedAt: at(-time.Hour), ExpiresAt: at(time.Hour)}
			for _, b := range []*comment.Ban{&forever, &brief} {
				if err := s.SaveBan(ctx, b); err != nil {
					t.Fatalf("SaveBan(%s %s) = %v", b.Kind, b.Value, err)
				}
				if b.ID == 0 {
					t.Fatalf("SaveBan(%s %s) left ID zero", b.Kind, b.Value)
				}
			}
			lower := cmp.Transformer("lower", func(b comment.Ban) comment.Ban { b.Value = strings.ToLower(b.Value); return b })
			list, err := s.Bans(ctx)
			if err != nil {
				t.Fatalf("Bans = %v", err)
			}
			if diff := cmp.Diff([]comment.Ban{brief, forever}, list, lower, cmpopts.EquateApproxTime(time.Microsecond)); diff != "" {
				t.Errorf("Bans (newest first; -saved +listed):\n%s", diff)
			}
			tests := []struct {
				email, ip string
				now       time.Time
				want      int64 // 0: not banned
			}{
				{"troll@example.org", "", at(0), forever.ID},
				{"TROLL@example.ORG", "192.0.2.1", at(1000 * time.Hour), forever.ID},
				{"ada@example.org", "198.51.100.7", at(0), brief.ID},
				{"", "198.51.100.7", at(59 * time.Minute), brief.ID},
				{"", "198.51.100.7", at(time.Hour), 0},
				{"ada@example.org", "192.0.2.1", at(0), 0},
				{"", "", at(0), 0},
			}
			for _, tc := range tests {
				b, err := s.Banned(ctx, tc.email, tc.ip, tc.now)
				switch {
				case tc.want == 0 && !errors.Is(err, store.ErrNotFound):
					t.Errorf("Banned(%q, %q, %v) = ban %d, %v; want ErrNotFound", tc.email, tc.ip, tc.now, b.ID, err)
				case tc.want != 0 && (err != nil || b.ID != tc.want):
					t.Errorf("Banned(%q, %q, %v) = ban %d, %v; want ban %d", tc.email, tc.ip, tc.now, b.ID, err, tc.want)
				}
			}
			if err := s.DeleteBan(ctx, forever.ID); err != nil {
				t.Fatalf("DeleteBan(%d) = %v", forever.ID, err)
			}
			_, err = s.Banned(ctx, "troll@example.org", "", at(0))
			wantErr(t, "Banned(troll) after DeleteBan", err, store.ErrNotFound)
			if list, err := s.Bans(ctx); err != nil || len(list) != 1 || list[0].ID != brief.ID {
				t.Errorf("Bans after DeleteBan = %v, %v; want only ban %d", list, err, brief.ID)
			}
		}},
		{"Spam", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			counts := func(tokens []string, want map[string]comment.TokenCounts, spam, ham int, after string) {
				t.Helper()
				got, gotSpam, gotHam, err := s.SpamCounts(ctx, tokens)
				if err != nil {
					t.Fatalf("SpamCounts %s = %v", after, err)
				}
				zero := cmpopts.IgnoreMapEntries(func(_ string, c comment.TokenCounts) bool { return c == comment.TokenCounts{} })
				if diff := cmp.Diff(want, got, zero, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("SpamCounts(%q) %s (-want +got):\n%s", tokens, after, diff)
				}
				if gotSpam != spam || gotHam != ham {
					t.Errorf("SpamCounts %s totals = %d spam, %d not spam; want %d, %d", after, gotSpam, gotHam, spam, ham)
				}
			}
			train := func(tokens []string, spam bool, delta int) {
				t.Helper()
				if err := s.TrainSpam(ctx, tokens, spam, delta); err != nil {
					t.Fatalf("TrainSpam(%q, %t, %d) = %v", tokens, spam, delta, err)
				}
			}
			all := []string{"casino", "name:king", "hello", "unknown"}
			counts(all, nil, 0, 0, "on an empty store")
			train([]string{"casino", "name:king"}, true, 1)
			train([]string{"casino", "hello"}, true, 1)
			train([]string{"hello"}, false, 1)
			counts(all, map[string]comment.TokenCounts{"casino": {Spam: 2}, "name:king": {Spam: 1}, "hello": {Spam: 1, Ham: 1}}, 2, 1,
				"after training")
			train([]string{"casino", "hello"}, true, -1)
			counts(all, map[string]comment.TokenCounts{"casino": {Spam: 1}, "name:king": {Spam: 1}, "hello": {Ham: 1}}, 1, 1,
				"after untraining one spam")
			for range 3 {
				train([]string{"hello", "unknown"}, true, -1)
				train([]string{"hello"}, false, -1)
			}
			counts(all, map[string]comment.TokenCounts{"casino": {Spam: 1}, "name:king": {Spam: 1}}, 0, 0,
				"after untraining more than was trained")
			counts(nil, nil, 0, 0, "for no tokens")

			many := make([]string, 1200)
			for i := range many {
				many[i] = fmt.Sprintf("t%04d", i)
			}
			train(many, false, 1)
			got, _, ham, err := s.SpamCounts(ctx, many)
			if err != nil || len(got) != len(many) || ham != 1 || got["t1199"] != (comment.TokenCounts{Ham: 1}) {
				t.Errorf("SpamCounts(%d tokens) = %d counts (t1199: %+v), %d not spam, %v; want %d, {Ham:1}, 1",
					len(many), len(got), got["t1199"], ham, err, len(many))
			}
		}},
		{"PostFacts", func(t *testing.T, s store.Store) {
			// PostFacts answers what the five checks it gathers answer, case by case.
			ctx := t.Context()
			a, b := story("asked"), story("other")
			create(t, s, a, b)
			post(t, s,
				withComment(remark(a.ID, "Hear, hear."), func(c *comment.Comment) { c.AuthorName, c.Status = "Ada", comment.Approved }),
				withComment(remark(a.ID, "Me too."), func(c *comment.Comment) {
					c.AuthorName, c.AuthorEmail, c.AuthorIP, c.CreatedAt = "Bob", "", "198.51.100.9", at(-time.Hour)
				}),
				withComment(remark(b.ID, "Binned."), func(c *comment.Comment) {
					c.AuthorEmail, c.AuthorIP, c.Status, c.CreatedAt = "carol@example.org", "203.0.113.5", comment.Trash, at(-2*time.Hour)
				}),
			)
			if err := s.VerifyEmail(ctx, "ADA@example.org", at(-time.Hour)); err != nil {
				t.Fatalf("VerifyEmail = %v", err)
			}
			for _, ban := range []*comment.Ban{
				{Kind: "email", Value: "Troll@Example.org", CreatedAt: at(-time.Hour)},
				{Kind: "ip", Value: "198.51.100.7", CreatedAt: at(-time.Hour), ExpiresAt: at(time.Hour)},
			} {
				if err := s.SaveBan(ctx, ban); err != nil {
					t.Fatalf("SaveBan = %v", err)
				}
			}
			if err := s.TrainSpam(ctx, []string{"casino", "hear"}, true, 1); err != nil {
				t.Fatalf("TrainSpam = %v", err)
			}
			if err := s.TrainSpam(ctx, []string{"hear"}, false, 1); err != nil {
				t.Fatalf("TrainSpam = %v", err)
			}
			checks := []store.PostCheck{
				{ArticleID: a.ID, Name: "Ada", Email: "Ada@Example.org", IP: "192.0.2.1", Content: "Hear, hear.", Tokens: []string{"hear", "unknown"}, Now: at(0)},
				{ArticleID: a.ID, Name: "Ada", Email: "ada@example.org", IP: "192.0.2.2", Content: "Other words.", Now: at(0)},
				{ArticleID: b.ID, Name: "Ada", Email: "ada@example.org", Content: "Hear, hear.", Tokens: []string{"casino"}, Now: at(0)},
				{ArticleID: a.ID, Name: "Bob", IP: "198.51.100.9", Content: "Me too.", Now: at(0)},
				{ArticleID: a.ID, Name: "Dan", Email: "troll@example.ORG", Content: "Hello.", Tokens: []string{"casino", "hear"}, Now: at(0)},
				{ArticleID: a.ID, Name: "Eve", IP: "198.51.100.7", Content: "Hello.", Now: at(30 * time.Minute)},
				{ArticleID: a.ID, Name: "Eve", IP: "198.51.100.7", Content: "Hello.", Now: at(2 * time.Hour)},
				{ArticleID: b.ID, Name: "Carol", Email: "carol@example.org", IP: "203.0.113.5", Content: "Binned.", Now: at(0)},
				{ArticleID: a.ID, Content: "Anonymous.", Now: at(0)},
			}
			for _, q := range checks {
				want := store.PostFacts{}
				_, err := s.Banned(ctx, q.Email, q.IP, q.Now)
				if want.Banned = err == nil; err != nil && !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("Banned = %v", err)
				}
				var errs [4]error
				want.LastPostedAt, errs[0] = s.LastCommentAt(ctx, q.IP, q.Email)
				want.Duplicate, errs[1] = s.DuplicateComment(ctx, q.ArticleID, q.Name, q.Email, q.Content)
				want.Trusted, errs[2] = s.Trusted(ctx, q.Email)
				want.Counts, want.Spam, want.Ham, errs[3] = s.SpamCounts(ctx, q.Tokens)
				if err := errors.Join(errs[:]...); err != nil {
					t.Fatalf("the checks of %+v = %v", q, err)
				}
				got, err := s.PostFacts(ctx, q)
				if err != nil {
					t.Errorf("PostFacts(%+v) = %v", q, err)
					continue
				}
				if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), cmpopts.EquateApproxTime(time.Microsecond)); diff != "" {
					t.Errorf("PostFacts(%+v) differs from the checks it gathers (-checks +PostFacts):\n%s", q, diff)
				}
			}
			// The cases cover each fact both ways.
			var seen [2][4]bool
			for _, q := range checks {
				f, _ := s.PostFacts(ctx, q)
				for i, v := range []bool{f.Banned, !f.LastPostedAt.IsZero(), f.Duplicate, f.Trusted} {
					seen[btoi(v)][i] = true
				}
			}
			if seen != [2][4]bool{{true, true, true, true}, {true, true, true, true}} {
				t.Errorf("the cases show Banned, LastPostedAt, Duplicate and Trusted false and true: %v", seen)
			}
		}},
		{"Secret", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			form, err := s.Secret(ctx, "form")
			if err != nil || len(form) != 32 {
				t.Fatalf("Secret(form) = %x, %v; want 32 bytes", form, err)
			}
			if again, err := s.Secret(ctx, "form"); err != nil || !bytes.Equal(again, form) {
				t.Errorf("Secret(form) again = %x, %v; want %x", again, err, form)
			}
			avatar, err := s.Secret(ctx, "avatar")
			if err != nil || len(avatar) != 32 || bytes.Equal(avatar, form) {
				t.Errorf("Secret(avatar) = %x, %v; want 32 bytes other than Secret(form)'s", avatar, err)
			}
			if bytes.Equal(form, make([]byte, 32)) {
				t.Errorf("Secret(form) is all zeros, want random bytes")
			}
			err = s.InTx(ctx, func(tx store.Store) error {
				got, err := tx.Secret(ctx, "form")
				if err == nil && !bytes.Equal(got, form) {
					t.Errorf("Secret(form) in a transaction = %x, want %x", got, form)
				}
				return err
			})
			if err != nil {
				t.Errorf("InTx(Secret) = %v", err)
			}
		}},
		{"EraseCommenter", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a := story("commented")
			create(t, s, a)
			ada := func(text, email string) *comment.Comment {
				return withComment(remark(a.ID, text), func(c *comment.Comment) {
					c.AuthorEmail, c.AuthorURL, c.Status, c.Notify = email, "https://ada.example.org/", comment.Approved, true
				})
			}
			mine, mineToo := ada("My view.", "ada@example.org"), ada("Still my view.", "ADA@Example.org")
			bob := withComment(remark(a.ID, "Bob's view."), func(c *comment.Comment) { c.AuthorName, c.AuthorEmail = "Bob", "bob@example.org" })
			noEmail := withComment(remark(a.ID, "Imported."), func(c *comment.Comment) { c.AuthorName, c.AuthorEmail = "Old Timer", "" })
			post(t, s, mine, mineToo, bob, noEmail)
			if err := s.VerifyEmail(ctx, "ada@example.org", at(0)); err != nil {
				t.Fatalf("VerifyEmail = %v", err)
			}
			ban := comment.Ban{Kind: "email", Value: "ada@example.org", Reason: "kept", CreatedAt: at(0)}
			if err := s.SaveBan(ctx, &ban); err != nil {
				t.Fatalf("SaveBan = %v", err)
			}

			n, err := s.EraseCommenter(ctx, "Ada@example.ORG")
			if err != nil || n != 2 {
				t.Fatalf("EraseCommenter(ada) = %d, %v; want 2", n, err)
			}
			for _, c := range []*comment.Comment{mine, mineToo} {
				want := withComment(c, func(c *comment.Comment) {
					c.AuthorName, c.AuthorEmail, c.AuthorURL, c.AuthorIP, c.UserAgent = "Anonymous", "", "", "", ""
					c.Notify = false
				})
				if diff := cmp.Diff(want, getComment(t, s, c.ID), commentOpts()); diff != "" {
					t.Errorf("Comment(%q) after EraseCommenter (-want +got):\n%s", c.Content, diff)
				}
			}
			for _, c := range []*comment.Comment{bob, noEmail} {
				if diff := cmp.Diff(c, getComment(t, s, c.ID), commentOpts()); diff != "" {
					t.Errorf("Comment(%q), someone else's, after EraseCommenter (-before +after):\n%s", c.Content, diff)
				}
			}
			// The verification is forgotten: a new approved comment does not make the address trusted.
			post(t, s, ada("Back again.", "ada@example.org"))
			if ok, err := s.Trusted(ctx, "ada@example.org"); err != nil || ok {
				t.Errorf("Trusted(ada) after EraseCommenter and a new approved comment = %t, %v; want false", ok, err)
			}
			if b, err := s.Banned(ctx, "ada@example.org", "", at(0)); err != nil || b.ID != ban.ID {
				t.Errorf("Banned(ada) after EraseCommenter = ban %d, %v; want ban %d kept", b.ID, err, ban.ID)
			}
			for _, email := range []string{"nobody@example.org", ""} {
				if n, err := s.EraseCommenter(ctx, email); err != nil || n != 0 {
					t.Errorf("EraseCommenter(%q) = %d, %v; want 0", email, n, err)
				}
			}
			if got := getComment(t, s, noEmail.ID); got.AuthorName != "Old Timer" {
				t.Errorf("Comment(%q).AuthorName after EraseCommenter(\"\") = %q, want it untouched", noEmail.Content, got.AuthorName)
			}
		}},
		{"Changes", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a := story("commented")
			create(t, s, a)
			key := fmt.Sprintf("comments:%d", a.ID)
			seq := latest(t, s)

			held := remark(a.ID, "Held.")
			post(t, s, held)
			keys, seq := changesSince(t, s, seq)
			if len(keys) != 0 {
				t.Errorf("after creating a pending comment, the change log has %v; want nothing", keys)
			}
			held.Content = "Held, edited."
			if err := s.UpdateComment(ctx, held); err != nil {
				t.Fatalf("UpdateComment = %v", err)
			}
			if keys, seq = changesSince(t, s, seq); len(keys) != 0 {
				t.Errorf("after editing a pending comment, the change log has %v; want nothing", keys)
			}

			if _, err := s.SetCommentStatus(ctx, []int64{held.ID}, comment.Approved); err != nil {
				t.Fatalf("SetCommentStatus = %v", err)
			}
			keys, seq = changesSince(t, s, seq)
			wantKeys(t, "approving a comment", keys, key, "comments")

			shown := withComment(remark(a.ID, "Shown."), func(c *comment.Comment) { c.Status = comment.Approved })
			post(t, s, shown)
			keys, seq = changesSince(t, s, seq)
			wantKeys(t, "creating an approved comment", keys, key, "comments")

			shown.Content = "Shown, edited."
			if err := s.UpdateComment(ctx, shown); err != nil {
				t.Fatalf("UpdateComment = %v", err)
			}
			keys, seq = changesSince(t, s, seq)
			wantKeys(t, "editing an approved comment", keys, key, "comments")

			if _, err := s.SetCommentStatus(ctx, []int64{shown.ID}, comment.Spam); err != nil {
				t.Fatalf("SetCommentStatus = %v", err)
			}
			keys, seq = changesSince(t, s, seq)
			wantKeys(t, "filing an approved comment as spam", keys, key, "comments")

			if err := s.DeleteComment(ctx, held.ID); err != nil {
				t.Fatalf("DeleteComment = %v", err)
			}
			keys, _ = changesSince(t, s, seq)
			wantKeys(t, "deleting an approved comment", keys, key, "comments")
		}},
		{"Rollback", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			a := story("commented")
			create(t, s, a)
			before := latest(t, s)
			boom := errors.New("boom")
			err := s.InTx(ctx, func(tx store.Store) error {
				post(t, tx, withComment(remark(a.ID, "Lost."), func(c *comment.Comment) { c.Status = comment.Approved }))
				if err := tx.TrainSpam(ctx, []string{"lost"}, true, 1); err != nil {
					t.Errorf("TrainSpam inside the transaction = %v", err)
				}
				if err := tx.UseNonce(ctx, "lost", at(time.Hour), at(0)); err != nil {
					t.Errorf("UseNonce inside the transaction = %v", err)
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx = %v, want the error fn returned", err)
			}
			if list, total, err := s.ListComments(ctx, store.CommentQuery{}); err != nil || total != 0 {
				t.Errorf("ListComments after rollback = %q, %d, %v; want none", texts(list), total, err)
			}
			if _, spam, _, err := s.SpamCounts(ctx, []string{"lost"}); err != nil || spam != 0 {
				t.Errorf("SpamCounts after rollback = %d spam, %v; want 0", spam, err)
			}
			if err := s.UseNonce(ctx, "lost", at(time.Hour), at(0)); err != nil {
				t.Errorf("UseNonce(lost) after rollback = %v, want a first use", err)
			}
			if seq := latest(t, s); seq != before {
				t.Errorf("LatestChange() after rollback = %d, want %d", seq, before)
			}
		}},
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
