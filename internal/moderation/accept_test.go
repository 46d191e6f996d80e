package moderation

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// TestAccept runs the comment policy against a real store: a verified commenter with an approved
// comment is approved, a stranger is held, and the store's facts turn away a reused form, a
// flood and a duplicate, each with the policy's error.
func TestAccept(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, a, now := openStory(t)
	old := &comment.Comment{ArticleID: a.ID, Status: comment.Approved, AuthorName: "Ada", AuthorEmail: "ada@example.org",
		Content: "Earlier.", CreatedAt: now.Add(-time.Hour)}
	if err := db.CreateComment(ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := db.VerifyEmail(ctx, "ADA@example.org", now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	secret := []byte("0123456789abcdef0123456789abcdef")
	set := comment.DefaultSettings()
	post := func(name, email, ip, text, token string) (*comment.Comment, error) {
		in := comment.Input{ArticleID: a.ID, Name: name, Email: email, IP: ip, Content: text}
		return Accept(ctx, db, set, secret, Post{Article: a, Input: in, Token: token}, now)
	}
	token := func() string { return comment.NewFormToken(secret, a.ID, now.Add(-time.Minute)) }

	c, err := post("Ada", "Ada@Example.org", "10.0.0.1", "Trusted words.", token())
	if err != nil || c.Status != comment.Approved {
		t.Fatalf("Accept(verified commenter) = %+v, %v; want approved", c, err)
	}
	used := token()
	if c, err := post("Bo", "bo@example.org", "10.0.0.2", "First words.", used); err != nil || c.Status != comment.Pending {
		t.Fatalf("Accept(stranger) = %+v, %v; want held", c, err)
	}
	if _, err := post("Cy", "cy@example.org", "10.0.0.3", "Other words.", used); !errors.Is(err, comment.ErrToken) {
		t.Errorf("Accept(reused form) = %v, want ErrToken", err)
	}
	if _, err := post("Bo", "bo@example.org", "10.0.0.4", "Again.", token()); !errors.Is(err, comment.ErrFlood) {
		t.Errorf("Accept(same address at once) = %v, want ErrFlood", err)
	}
	now = now.Add(time.Minute)
	if _, err := post("Bo", "BO@example.org", "10.0.0.5", "First words.", token()); !errors.Is(err, comment.ErrDuplicate) {
		t.Errorf("Accept(same words again) = %v, want ErrDuplicate", err)
	}
	var v comment.ValidationError
	if _, err := post("", "", "10.0.0.6", "", token()); !errors.As(err, &v) {
		t.Errorf("Accept(empty form) = %v, want a ValidationError", err)
	}
}

// openStory opens a new SQLite site with one story open for comments, and returns the present.
func openStory(t *testing.T) (*sqlite.DB, *article.Article, time.Time) {
	t.Helper()
	db := openStore(t)
	now := time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)
	a := &article.Article{Title: "Story", Slug: "story", Status: article.Published, PublishedAt: now.Add(-time.Hour), CommentsOpen: true}
	if err := db.CreateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	return db, a, now
}

// openStore opens a new SQLite site that is closed when the test ends.
func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "site.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestAcceptUnmailed: a held comment queues its notice for the moderators, unless the site sends
// no email, where the notice would only be dropped unread.
func TestAcceptUnmailed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, a, now := openStory(t)
	secret := []byte("0123456789abcdef0123456789abcdef")
	for i, unmailed := range []bool{false, true} {
		in := comment.Input{ArticleID: a.ID, Name: "Bo", Email: fmt.Sprintf("bo%d@example.org", i), IP: fmt.Sprintf("10.0.0.%d", i),
			Content: fmt.Sprintf("Words %d.", i)}
		c, err := Accept(ctx, db, comment.DefaultSettings(), secret, Post{Article: a, Input: in,
			Token: comment.NewFormToken(secret, a.ID, now.Add(-time.Minute)), Verify: true, Unmailed: unmailed}, now)
		if err != nil || c.Status != comment.Pending {
			t.Fatalf("Accept(unmailed %t) = %+v, %v; want held", unmailed, c, err)
		}
		want := 2 // the moderators' notice and the address check
		if unmailed {
			want = 0
		}
		var got int
		due, err := db.DueNotices(ctx, now, 10)
		for _, n := range due {
			if n.CommentID == c.ID {
				got++
			}
		}
		if err != nil || got != want {
			t.Errorf("Accept(unmailed %t) queued %d notices, %v; want %d", unmailed, got, err, want)
		}
	}
}
