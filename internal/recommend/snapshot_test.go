package recommend

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
)

// syncBuffer is a log destination safe for the follower's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// follow runs r.Follow until the returned stop is called, and waits until the story a has a
// stored list.
func follow(t *testing.T, r *Recommender, a *article.Article) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Follow(ctx, 10*time.Millisecond, nil) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(stored(t, r.st, a, now)) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Follow = %v", err)
		}
	}
}

// TestSnapshotRestart stops a follower, changes a story while none runs, and starts another:
// it reads the saved index, applies the change it missed, and computes no story twice.
func TestSnapshotRestart(t *testing.T) {
	t.Parallel()
	db, s := newsroom(t)
	snap := filepath.Join(t.TempDir(), "data", "related.index")
	var log1 syncBuffer
	r1 := New(db, Config{K: 2, Snapshot: snap}, func() time.Time { return now }, slog.New(slog.NewTextHandler(&log1, nil)))
	stop := follow(t, r1, s["summit"])
	stop()
	if _, err := os.Stat(snap); err != nil {
		t.Fatalf("no snapshot after the first follower: %v\n%s", err, log1.String())
	}
	before := r1.Len()

	a, err := db.Article(t.Context(), s["pulled"].ID)
	if err != nil {
		t.Fatal(err)
	}
	a.Status = article.Published
	if err := db.UpdateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}

	var log2 syncBuffer
	r2 := New(db, Config{K: 2, Snapshot: snap}, func() time.Time { return now }, slog.New(slog.NewTextHandler(&log2, nil)))
	stop = follow(t, r2, s["summit"])
	defer stop()
	deadline := time.Now().Add(10 * time.Second)
	for len(stored(t, db, s["pulled"], now)) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := stored(t, db, s["pulled"], now); len(got) != 2 {
		t.Errorf("the story republished while no follower ran has the list %v, want 2 stories", got)
	}
	if got := r2.Len(); got != before+1 {
		t.Errorf("index after restart holds %d stories, want %d", got, before+1)
	}
	if l := log2.String(); !strings.Contains(l, "read from its snapshot") || strings.Contains(l, "index loaded") {
		t.Errorf("the second follower did not start from the snapshot:\n%s", l)
	}
}

// TestSnapshotUnusable starts from a damaged snapshot and from one of another analysis
// version: each is ignored, every story is indexed, and a good snapshot replaces it.
func TestSnapshotUnusable(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"damaged":       snapshotHeader + "\n" + Version + "\n0\nBSRI\x01garbage",
		"other version": snapshotHeader + "\nold\n0\n",
		"not ours":      "hello",
		"from ahead":    snapshotHeader + "\n" + Version + "\n999999\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db, s := newsroom(t)
			snap := filepath.Join(t.TempDir(), "related.index")
			if err := os.WriteFile(snap, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			var log syncBuffer
			r := New(db, Config{K: 2, Snapshot: snap}, func() time.Time { return now }, slog.New(slog.NewTextHandler(&log, nil)))
			stop := follow(t, r, s["summit"])
			defer stop()
			if got := stored(t, db, s["summit"], now); len(got) != 2 {
				t.Errorf("summit has the list %v, want 2 stories", got)
			}
			if l := log.String(); !strings.Contains(l, "snapshot not used") || !strings.Contains(l, "index loaded") {
				t.Errorf("log does not say the snapshot was refused and every story indexed:\n%s", l)
			}
			data, err := os.ReadFile(snap)
			if err != nil || !bytes.HasPrefix(data, []byte(snapshotHeader+"\n"+Version+"\n")) || len(data) <= len(content) && name != "from ahead" {
				t.Errorf("snapshot not replaced by a good one (%v): %q", err, data[:min(len(data), 60)])
			}
		})
	}
}
