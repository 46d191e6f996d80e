package dbcopy_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/sanitize"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/dbcopy"
	"github.com/broadsheet/broadsheet/internal/store/postgres/pgtest"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, 4)) }

func openSQLite(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "site.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var now = time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)

// fill gives st a small site touching every table: the demo stories, comments with a reply,
// staff with a session and a token, revisions, settings, secrets, the spam filter, bans,
// notices, import keys, redirects, related lists and rules.
func fill(t *testing.T, st store.Store) {
	t.Helper()
	ctx := t.Context()
	if _, err := demo.Seed(ctx, st, article.NewRenderer(sanitize.New()), now); err != nil {
		t.Fatal(err)
	}
	list, _, err := st.ListArticles(ctx, store.ArticleQuery{Limit: 3})
	if err != nil || len(list) < 3 {
		t.Fatalf("ListArticles = %d, %v", len(list), err)
	}
	a, b, c := list[0], list[1], list[2]
	top := &comment.Comment{ArticleID: a.ID, Status: comment.Approved, AuthorName: "Ann", AuthorEmail: "ann@example.org",
		AuthorIP: "192.0.2.1", Content: "First!", CreatedAt: now, Notify: true, Reasons: []string{"first time", "links"}, SpamScore: 0.25}
	steps := []func() error{
		func() error { return st.CreateComment(ctx, top) },
		func() error {
			return st.CreateComment(ctx, &comment.Comment{ArticleID: a.ID, ParentID: top.ID, Status: comment.Pending,
				AuthorName: "Bob", Content: "Reply", CreatedAt: now.Add(time.Minute), Featured: true})
		},
		func() error {
			u := &account.User{Email: "edna@example.org", Name: "Edna", Role: account.Editor, PasswordHash: "$argon2id$x", CreatedAt: now}
			if err := st.CreateUser(ctx, u); err != nil {
				return err
			}
			if err := st.CreateSession(ctx, &account.Session{TokenHash: "h1", UserID: u.ID, CreatedAt: now, IP: "192.0.2.9"}); err != nil {
				return err
			}
			if err := st.CreateAPIToken(ctx, &account.APIToken{UserID: u.ID, Name: "script", TokenHash: "t1", CreatedAt: now,
				ExpiresAt: now.AddDate(0, 3, 0)}); err != nil {
				return err
			}
			_, link := account.NewPasswordLink(u, account.LinkInvite, now)
			if err := st.CreatePasswordLink(ctx, link); err != nil {
				return err
			}
			if err := st.QueueStaffMail(ctx, u.Email, store.StaffRole, "editor", now); err != nil {
				return err
			}
			return st.AddRevision(ctx, &store.Revision{ArticleID: a.ID, Version: 1, UserID: u.ID, UserName: "Edna", At: now,
				Status: article.Published, Title: a.Title, Body: a.Body})
		},
		func() error {
			return st.SaveSettings(ctx, map[string]string{"comments.hold": "true", "title": "Copied"})
		},
		func() error { _, err := st.Secret(ctx, "forms"); return err },
		func() error { return st.TrainSpam(ctx, []string{"viagra", "cheap"}, true, 1) },
		func() error {
			return st.SaveBan(ctx, &comment.Ban{Kind: "email", Value: "spam@example.org", CreatedAt: now})
		},
		func() error { return st.QueueNotice(ctx, top.ID, "held", now) },
		func() error { return st.VerifyEmail(ctx, "ann@example.org", now) },
		func() error { return st.UseNonce(ctx, "nonce-1", now.Add(time.Hour), now) },
		func() error {
			_, _, err := st.ReserveLoginAttempt(ctx, account.DefaultThrottle().Buckets("x@example.org", "192.0.2.7", ""), now.Add(-time.Hour), now)
			return err
		},
		func() error {
			return st.CreateMedia(ctx, &media.Item{Hash: "0123456789abcdef0123456789abcdef", Name: "quay.jpg", File: "original.jpg",
				Type: "image/jpeg", Width: 1200, Height: 800, Size: 123456, Sizes: []media.Size{{Width: 480, Height: 320, File: "480.jpg"}}, Alt: "The quay at dawn.",
				Caption: "Dawn", Credit: "Ann", Description: "From the north pier, before the strike.", FocusX: 0.25, FocusY: 0.75, CreatedAt: now})
		},
		func() error { return st.CreateSetupToken(ctx, "setup-hash", now.Add(time.Hour)) },
		func() error {
			return st.SaveImportKey(ctx, store.ImportKey{Source: "wxr:https://old.example.org", Key: "post:1", ArticleID: a.ID, URL: "https://old.example.org/?p=1"})
		},
		func() error { return st.AddRedirect(ctx, "/?p=1", "/2026/03/22/"+a.Slug+"/") },
		func() error {
			return st.SetRelated(ctx, a.ID, []store.RelatedLink{{ArticleID: b.ID, Score: 0.75, Reason: "Putin · Xi"}, {ArticleID: c.ID, Score: 0.5}})
		},
		func() error { return st.SetRelatedRules(ctx, a.ID, []int64{c.ID}, []int64{b.ID}) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("fill step %d = %v", i, err)
		}
	}
}

// site reads what a reader and the newsroom see, to compare two databases by the contract.
type site struct {
	Articles []*article.Article
	Comments []*comment.Comment
	Users    []account.User
	Settings map[string]string
	Related  []store.RelatedLink
	Pins     []int64
	Excludes []int64
	Redirect string
	Search   []string // the slugs found, sorted
	Secret   []byte
	Banned   comment.Ban
	Media    []*media.Item
	Tokens   []account.APIToken
	Totals   []int // the page counts of listings by kind, section and status
}

func read(t *testing.T, st store.Store) site {
	t.Helper()
	ctx := t.Context()
	var s site
	var err error
	if s.Articles, _, err = st.ListArticles(ctx, store.ArticleQuery{}); err != nil {
		t.Fatal(err)
	}
	if s.Comments, _, err = st.ListComments(ctx, store.CommentQuery{}); err != nil {
		t.Fatal(err)
	}
	if s.Users, err = st.Users(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Settings, err = st.Settings(ctx); err != nil {
		t.Fatal(err)
	}
	first := s.Articles[0].ID
	if _, s.Related, err = st.RelatedArticles(ctx, first, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if s.Pins, s.Excludes, err = st.RelatedRules(ctx, first); err != nil {
		t.Fatal(err)
	}
	if s.Redirect, err = st.Redirect(ctx, "/?p=1"); err != nil {
		t.Fatal(err)
	}
	live, _, err := st.ListArticles(ctx, store.ArticleQuery{LiveAt: now.Add(time.Hour), Kind: article.Story, Limit: 1})
	if err != nil || len(live) == 0 {
		t.Fatalf("ListArticles(live) = %d, %v", len(live), err)
	}
	for _, q := range []store.ArticleQuery{{}, {LiveAt: now.Add(time.Hour), Kind: article.Story},
		{LiveAt: now.Add(time.Hour), SectionID: live[0].Section.ID}, {Status: article.Draft}} {
		_, total, err := st.ListArticles(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		s.Totals = append(s.Totals, total)
	}
	word := ""
	for _, w := range strings.Fields(live[0].Title) {
		if len(w) > len(word) {
			word = w
		}
	}
	hits, _, err := st.SearchArticles(ctx, store.SearchQuery{Text: word, LiveAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		s.Search = append(s.Search, h.Article.Slug)
	}
	slices.Sort(s.Search) // each backend ranks in its own way
	if s.Secret, err = st.Secret(ctx, "forms"); err != nil {
		t.Fatal(err)
	}
	if s.Banned, err = st.Banned(ctx, "spam@example.org", "", now); err != nil {
		t.Fatal(err)
	}
	if s.Media, _, err = st.ListMedia(ctx, store.MediaQuery{}); err != nil {
		t.Fatal(err)
	}
	for _, u := range s.Users {
		tokens, err := st.APITokens(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		s.Tokens = append(s.Tokens, tokens...)
	}
	return s
}

// TestThereAndBack copies a SQLite site to PostgreSQL and back to a new SQLite file: every
// table's rows and checksum match at each step, and the site reads the same through the store.
func TestThereAndBack(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	orig := openSQLite(t)
	fill(t, orig)
	want := read(t, orig)
	if len(want.Search) == 0 || len(want.Related) != 2 {
		t.Fatalf("the source site reads %d search hits and %d related links; the fixture is wrong", len(want.Search), len(want.Related))
	}

	pg := pgtest.Open(t)
	var progressed int64
	there, err := dbcopy.Copy(ctx, orig, pg, dbcopy.Options{Progress: func(_ string, done, total int64) {
		if done > total {
			t.Errorf("progress %d of %d", done, total)
		}
		progressed = done
	}})
	if err != nil {
		t.Fatalf("Copy(SQLite → PostgreSQL) = %v", err)
	}
	var rows int64
	for _, tb := range there {
		rows += tb.Rows
		if tb.Checksum == "" {
			t.Errorf("table %s has no checksum", tb.Name)
		}
	}
	if rows == 0 || progressed != rows {
		t.Errorf("copied %d rows, progress reached %d", rows, progressed)
	}
	opts := cmp.Options{cmpopts.EquateApproxTime(time.Microsecond), cmpopts.EquateEmpty()}
	if diff := cmp.Diff(want, read(t, pg), opts); diff != "" {
		t.Errorf("the site on PostgreSQL (-SQLite +PostgreSQL):\n%s", diff)
	}

	back := openSQLite(t)
	home, err := dbcopy.Copy(ctx, pg, back, dbcopy.Options{})
	if err != nil {
		t.Fatalf("Copy(PostgreSQL → SQLite) = %v", err)
	}
	if diff := cmp.Diff(there, home); diff != "" {
		t.Errorf("tables copied back (-there +back):\n%s", diff)
	}
	if diff := cmp.Diff(want, read(t, back), opts); diff != "" {
		t.Errorf("the site back on SQLite (-original +copied back):\n%s", diff)
	}

	// The copies take new rows after the copied IDs.
	for name, st := range map[string]store.Store{"PostgreSQL": pg, "SQLite": back} {
		a := &article.Article{Kind: article.Story, Slug: "after-the-move", Title: "After", Status: article.Draft}
		if err := st.CreateArticle(ctx, a); err != nil {
			t.Errorf("CreateArticle on the %s copy = %v", name, err)
		}
		if a.ID <= want.Articles[0].ID && a.ID <= int64(len(want.Articles)) {
			t.Errorf("new article on the %s copy has ID %d, want one past the copied ones", name, a.ID)
		}
	}
}

func TestRefusesASite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	src, dst := openSQLite(t), pgtest.Open(t)
	fill(t, src)
	a := &article.Article{Kind: article.Story, Slug: "already-here", Title: "Already here", Status: article.Published, PublishedAt: now}
	if err := dst.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	_, err := dbcopy.Copy(ctx, src, dst, dbcopy.Options{})
	if !errors.Is(err, dbcopy.ErrNotEmpty) {
		t.Fatalf("Copy into a site = %v, want ErrNotEmpty", err)
	}
	if got, err := dst.Article(ctx, a.ID); err != nil || got.Slug != "already-here" {
		t.Errorf("the target's story after a refused copy = %v, %v", got, err)
	}
	if _, err := dbcopy.Copy(ctx, src, dst, dbcopy.Options{Force: true}); err != nil {
		t.Fatalf("Copy(Force) = %v", err)
	}
	if _, err := dst.ArticleBySlug(ctx, "already-here"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the replaced site's story = %v, want ErrNotFound", err)
	}
	if diff := cmp.Diff(read(t, src), read(t, dst), cmpopts.EquateApproxTime(time.Microsecond), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("the site after a forced copy (-source +target):\n%s", diff)
	}
}

// TestFailedCopyLeavesTheTarget copies from a source that fails half-way: the target is as
// it was.
func TestFailedCopyLeavesTheTarget(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	src, dst := openSQLite(t), pgtest.Open(t)
	fill(t, src)
	_, err := dbcopy.Copy(ctx, src, dst, dbcopy.Options{Progress: func(table string, done, total int64) {
		if done > 0 {
			cancel()
		}
	}})
	if err == nil {
		t.Fatalf("Copy cancelled half-way succeeded")
	}
	n, err := dst.CountRows(t.Context(), "articles")
	if err != nil || n != 0 {
		t.Errorf("articles on the target after a failed copy = %d, %v; want none", n, err)
	}
}
