package sqlite_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// TestGroupCommitIsolatesWrites runs concurrent transactions, some of which fail or panic, so
// that they share commits: each failed one leaves nothing behind, each successful one is stored
// whole, whatever its neighbours in the batch did.
func TestGroupCommitIsolatesWrites(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := openAt(t, filepath.Join(t.TempDir(), "site.db"), sqlite.Options{Synchronous: "FULL"})
	a := &article.Article{Kind: article.Story, Slug: "vote", Title: "Vote", Status: article.Published}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	errBad := errors.New("bad write")
	const n = 60
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = db.InTx(ctx, func(tx store.Store) error {
				for k := range 2 {
					c := &comment.Comment{ArticleID: a.ID, Status: comment.Approved, AuthorName: "Reader",
						Content: fmt.Sprintf("comment %d.%d", i, k)}
					if err := tx.CreateComment(ctx, c); err != nil {
						return err
					}
				}
				switch i % 3 {
				case 1:
					return errBad
				case 2:
					if i%6 == 2 {
						panic("bug")
					}
				}
				return nil
			})
		})
	}
	wg.Wait()
	list, _, err := db.ListComments(ctx, store.CommentQuery{ArticleID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, c := range list {
		stored[c.Content] = true
	}
	for i := range n {
		failed := i%3 == 1 || i%6 == 2
		switch {
		case i%3 == 1 && !errors.Is(errs[i], errBad):
			t.Errorf("write %d = %v, want its own error", i, errs[i])
		case i%6 == 2 && panics[i] == nil:
			t.Errorf("write %d did not panic in its caller", i)
		case !failed && (errs[i] != nil || panics[i] != nil):
			t.Errorf("write %d = %v, %v; want success", i, errs[i], panics[i])
		}
		for k := range 2 {
			if got := stored[fmt.Sprintf("comment %d.%d", i, k)]; got == failed {
				t.Errorf("comment %d.%d stored = %t, want %t (write failed: %t)", i, k, got, !failed, failed)
			}
		}
	}
}

// TestGroupCommitDiskFull fills the database's space limit during concurrent writes: every write
// acknowledged is stored, every other one answers an error that says the disk is full, and the
// database works again once there is room.
func TestGroupCommitDiskFull(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "site.db")
	db := openAt(t, path, sqlite.Options{Synchronous: "FULL"})
	a := &article.Article{Kind: article.Story, Slug: "vote", Title: "Vote", Status: article.Published}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := raw(t, path).QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if err := db.LimitPages(ctx, pages+40); err != nil {
		t.Fatal(err)
	}
	const n = 64
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := &comment.Comment{ArticleID: a.ID, Status: comment.Approved, AuthorName: "Reader",
				Content: fmt.Sprintf("%d %s", i, strings.Repeat("long text ", 800))}
			errs[i] = db.CreateComment(ctx, c)
		})
	}
	wg.Wait()
	list, _, err := db.ListComments(ctx, store.CommentQuery{ArticleID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, c := range list {
		stored[strings.Fields(c.Content)[0]] = true
	}
	full := 0
	for i, err := range errs {
		key := fmt.Sprint(i)
		switch {
		case err == nil && !stored[key]:
			t.Errorf("write %d was acknowledged but is not stored", i)
		case err != nil && stored[key]:
			t.Errorf("write %d = %v but is stored", i, err)
		case err != nil && !strings.Contains(err.Error(), "full"):
			t.Errorf("write %d = %v, want an error saying the disk is full", i, err)
		case err != nil:
			full++
		}
	}
	if full == 0 {
		t.Fatalf("no write of %d hit the space limit; the test wrote too little", n)
	}
	if err := db.LimitPages(ctx, 1<<30); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateComment(ctx, &comment.Comment{ArticleID: a.ID, Status: comment.Approved, Content: "room again"}); err != nil {
		t.Errorf("CreateComment once there is room = %v", err)
	}
}

// TestChangeMarkMovesWithTheLog: a write that appends to the change log moves the change mark
// before it returns; one that appends nothing (a held comment, most of what readers post)
// leaves it, so that cached pages are served without reading the log. The follower, which
// moves the mark for any commit it sees, is kept out of the way.
func TestChangeMarkMovesWithTheLog(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := openAt(t, filepath.Join(t.TempDir(), "site.db"), sqlite.Options{Follow: time.Hour})
	a := &article.Article{Kind: article.Story, Slug: "vote", Title: "Vote", Status: article.Published}
	steps := []struct {
		name  string
		write func() error
		moves bool
	}{
		{"CreateArticle", func() error { return db.CreateArticle(ctx, a) }, true},
		{"CreateComment (held)", func() error {
			return db.CreateComment(ctx, &comment.Comment{ArticleID: a.ID, Status: comment.Pending, AuthorName: "Bo", Content: "Held."})
		}, false},
		{"UseNonce", func() error { return db.UseNonce(ctx, "n1", time.Now().Add(time.Hour), time.Now()) }, false},
		{"CreateComment (approved)", func() error {
			return db.CreateComment(ctx, &comment.Comment{ArticleID: a.ID, Status: comment.Approved, AuthorName: "Bo", Content: "Shown."})
		}, true},
	}
	for _, st := range steps {
		before := db.ChangeMark()
		if err := st.write(); err != nil {
			t.Fatalf("%s = %v", st.name, err)
		}
		if moved := db.ChangeMark() != before; moved != st.moves {
			t.Errorf("%s: the change mark moved = %t, want %t", st.name, moved, st.moves)
		}
	}
}

// TestGroupCommitSyncsAfterCommit: with durability FULL a write is answered only once a sync of
// the WAL after its commit returns, while the writer goes on to commit the next batch (readers
// see it before the first write is answered); a sync that fails fails the writes it was to
// make durable, and a later one serves the next.
func TestGroupCommitSyncsAfterCommit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := openAt(t, filepath.Join(t.TempDir(), "site.db"), sqlite.Options{Synchronous: "FULL"})
	syncing, release := make(chan struct{}), make(chan error)
	db.SyncWAL(func() error {
		syncing <- struct{}{}
		return <-release
	})
	create := func(slug string) chan error {
		done := make(chan error, 1)
		go func() {
			done <- db.CreateArticle(ctx, &article.Article{Kind: article.Story, Slug: slug, Title: slug, Status: article.Draft})
		}()
		return done
	}
	first := create("first")
	<-syncing // the first write is committed; its sync is under way
	second := create("second")
	for {
		if _, err := db.ArticleBySlug(ctx, "second"); err == nil {
			break // committed while the first write's sync was under way
		}
		select {
		case err := <-first:
			t.Fatalf("the first write was answered (%v) before its sync returned", err)
		case <-ctx.Done():
			t.Fatal("the second write was not committed while the first one's sync was under way")
		case <-time.After(time.Millisecond):
		}
	}
	select {
	case err := <-second:
		t.Fatalf("the second write was answered (%v) before any sync after its commit", err)
	default:
	}
	release <- errors.New("input/output error")
	if err := <-first; err == nil || !strings.Contains(err.Error(), "did not confirm") {
		t.Errorf("the first write after its sync failed = %v, want an error saying the disk did not confirm it", err)
	}
	<-syncing
	release <- nil
	if err := <-second; err != nil {
		t.Errorf("the second write after its sync = %v", err)
	}
}
