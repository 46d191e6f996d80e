package moderation

import (
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
)

func TestSetStatus(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := openStore(t)
	now := time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)
	a := &article.Article{Title: "Story", Slug: "story", Status: article.Published, PublishedAt: now}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	parent := &comment.Comment{ArticleID: a.ID, Status: comment.Approved, AuthorName: "Ada", Content: "First.", Notify: true}
	if err := db.CreateComment(ctx, parent); err != nil {
		t.Fatal(err)
	}
	reply := &comment.Comment{ArticleID: a.ID, ParentID: parent.ID, Status: comment.Pending, AuthorName: "Bo", Content: "cheap pills casino"}
	if err := db.CreateComment(ctx, reply); err != nil {
		t.Fatal(err)
	}

	changed, err := SetStatus(ctx, db, []int64{reply.ID, parent.ID}, comment.Spam, now)
	if err != nil || len(changed) != 2 {
		t.Fatalf("SetStatus(spam) = %d changed, %v", len(changed), err)
	}
	_, spam, ham, _ := db.SpamCounts(ctx, nil)
	if spam != 2 || ham != 0 {
		t.Errorf("after marking spam: spam %d, ham %d; want 2, 0", spam, ham)
	}
	if due, _ := db.DueNotices(ctx, now, 10); len(due) != 0 {
		t.Errorf("spam queued notices: %v", due)
	}

	if _, err := SetStatus(ctx, db, []int64{reply.ID, parent.ID}, comment.Approved, now); err != nil {
		t.Fatal(err)
	}
	_, spam, ham, _ = db.SpamCounts(ctx, nil)
	if spam != 0 || ham != 2 {
		t.Errorf("after approving: spam %d, ham %d; want 0, 2 (the mistake taken back)", spam, ham)
	}
	due, err := db.DueNotices(ctx, now, 10)
	if err != nil || len(due) != 1 || due[0].CommentID != reply.ID || due[0].Kind != comment.NoticeReply {
		t.Errorf("approving a reply queued %v, %v; want one reply notice for %d", due, err, reply.ID)
	}
	if changed, _ := SetStatus(ctx, db, []int64{reply.ID}, comment.Approved, now); len(changed) != 0 {
		t.Errorf("approving an approved comment changed %d", len(changed))
	}
	if _, err := SetStatus(ctx, db, []int64{reply.ID}, "gone", now); err == nil {
		t.Error("SetStatus accepted an unknown status")
	}
}
