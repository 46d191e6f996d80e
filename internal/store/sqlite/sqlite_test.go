package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// openAt opens the database at path and closes it when the test ends.
func openAt(t testing.TB, path string, opt sqlite.Options) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, opt)
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// raw opens a plain driver connection to path, beside the store, as another program would.
func raw(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(2000)")
	if err != nil {
		t.Fatalf("sql.Open(%q) = %v", path, err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		return openAt(t, filepath.Join(t.TempDir(), "site.db"), sqlite.Options{})
	})
}

func TestOpenCreatesAndMigrates(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "new", "folder", "site.db")
	db := openAt(t, path, sqlite.Options{})
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("Open did not create the file: %v", err)
	}
	var version int
	var mode string
	r := raw(t, path)
	if err := r.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatalf("PRAGMA user_version = %v", err)
	}
	if version != sqlite.SchemaVersion() || version < 1 {
		t.Errorf("user_version = %d, want SchemaVersion() = %d", version, sqlite.SchemaVersion())
	}
	if err := r.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "site.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	a := &article.Article{Kind: article.Story, Slug: "kept", Title: "Kept", Status: article.Published, PublishedAt: time.Now()}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatalf("CreateArticle = %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	db = openAt(t, path, sqlite.Options{Synchronous: "FULL"})
	got, err := db.ArticleBySlug(ctx, "kept")
	if err != nil || got.ID != a.ID || got.Title != "Kept" {
		t.Errorf("ArticleBySlug(%q) after reopening = %v, %v; want article %d", "kept", got, err, a.ID)
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// setup prepares the file at path, or returns a reason to skip.
		setup func(t *testing.T, path string) (skip string)
		opt   sqlite.Options
		is    error
		says  string
	}{
		{
			name: "newer schema",
			setup: func(t *testing.T, path string) string {
				openAt(t, path, sqlite.Options{}).Close()
				if _, err := raw(t, path).Exec("PRAGMA user_version = 999"); err != nil {
					t.Fatalf("PRAGMA user_version = 999: %v", err)
				}
				return ""
			},
			is:   store.ErrSchemaTooNew,
			says: "newer",
		},
		{
			name: "random bytes",
			setup: func(t *testing.T, path string) string {
				b := make([]byte, 16384)
				rng := rand.New(rand.NewPCG(1, 2))
				for i := range b {
					b[i] = byte(rng.Uint32())
				}
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
				return ""
			},
			says: "not a Broadsheet database",
		},
		{
			name: "text file",
			setup: func(t *testing.T, path string) string {
				if err := os.WriteFile(path, []byte(strings.Repeat("<rss>not a database</rss>\n", 400)), 0o644); err != nil {
					t.Fatal(err)
				}
				return ""
			},
			says: "not a Broadsheet database",
		},
		{
			name: "another program's database",
			setup: func(t *testing.T, path string) string {
				if _, err := raw(t, path).Exec("CREATE TABLE wp_posts (id INTEGER PRIMARY KEY)"); err != nil {
					t.Fatal(err)
				}
				return ""
			},
			says: "not a Broadsheet database",
		},
		{
			name: "a directory",
			setup: func(t *testing.T, path string) string {
				if err := os.Mkdir(path, 0o755); err != nil {
					t.Fatal(err)
				}
				return ""
			},
			says: "cannot be written",
		},
		{
			name: "read-only file and folder",
			setup: func(t *testing.T, path string) string {
				if os.Geteuid() == 0 {
					return "running as root, where file permissions do not stop writes; the directory case covers an unwritable path"
				}
				openAt(t, path, sqlite.Options{}).Close()
				dir := filepath.Dir(path)
				for _, p := range []string{path, dir} {
					if err := os.Chmod(p, 0o555); err != nil {
						t.Fatal(err)
					}
				}
				t.Cleanup(func() { os.Chmod(dir, 0o755); os.Chmod(path, 0o644) })
				return ""
			},
			says: "cannot be written",
		},
		{
			name: "write lock held by another program",
			setup: func(t *testing.T, path string) string {
				other := raw(t, path)
				conn, err := other.Conn(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { conn.Close() })
				// A new, empty file: Open must write to migrate it, and the lock stops it.
				if _, err := conn.ExecContext(t.Context(), "BEGIN EXCLUSIVE; CREATE TABLE other (x)"); err != nil {
					t.Fatalf("BEGIN EXCLUSIVE = %v", err)
				}
				t.Cleanup(func() { conn.ExecContext(context.Background(), "ROLLBACK") })
				return ""
			},
			opt:  sqlite.Options{BusyTimeout: 50 * time.Millisecond},
			says: "locked",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "site.db")
			if skip := tc.setup(t, path); skip != "" {
				t.Skip(skip)
			}
			db, err := sqlite.Open(t.Context(), path, tc.opt)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded, want an error saying %q", path, tc.says)
			}
			t.Logf("Open(%q) = %v", path, err)
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Open(%q) = %v, want %v", path, err, tc.is)
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, tc.says) {
				t.Errorf("Open(%q) = %q, want a message naming the file and saying %q", path, msg, tc.says)
			}
		})
	}
}

func TestWriteLockedByAnotherProgram(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "site.db")
	db := openAt(t, path, sqlite.Options{BusyTimeout: 50 * time.Millisecond})
	conn, err := raw(t, path).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("BEGIN IMMEDIATE = %v", err)
	}
	// The writer waits BusyTimeout for the lock, as SQLite itself reports (not timed with a clock).
	if ms, err := db.WriterBusyTimeout(ctx); err != nil || ms != 50 {
		t.Errorf("writer's busy_timeout = %d ms, %v; want the 50ms of Options.BusyTimeout", ms, err)
	}
	a := &article.Article{Kind: article.Story, Slug: "blocked", Title: "Blocked", Status: article.Draft}
	err = db.CreateArticle(ctx, a)
	if err == nil || !strings.Contains(err.Error(), "locked") || !errors.Is(err, store.ErrBusy) {
		t.Errorf("CreateArticle while another program holds the write lock = %v, want store.ErrBusy saying it is locked", err)
	}
	// Readers are not blocked by a writer in WAL mode.
	if _, _, err := db.ListArticles(ctx, store.ArticleQuery{}); err != nil {
		t.Errorf("ListArticles while another program holds the write lock = %v", err)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatalf("ROLLBACK = %v", err)
	}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Errorf("CreateArticle once the lock is released = %v", err)
	}
}

func TestTwoHandlesSeeEachOthersChanges(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "site.db")
	server, cli := openAt(t, path, sqlite.Options{}), openAt(t, path, sqlite.Options{})
	seq, err := server.LatestChange(ctx)
	if err != nil {
		t.Fatalf("LatestChange() = %v", err)
	}
	// Warm the server's readers so that a stale snapshot would show.
	if _, _, err := server.ChangesSince(ctx, seq, 1000); err != nil {
		t.Fatalf("ChangesSince(%d) = %v", seq, err)
	}
	a := &article.Article{Kind: article.Story, Slug: "from-cli", Title: "From the CLI", Status: article.Published, PublishedAt: time.Now()}
	if err := cli.CreateArticle(ctx, a); err != nil {
		t.Fatalf("CreateArticle through the second handle = %v", err)
	}
	list, last, err := server.ChangesSince(ctx, seq, 1000)
	if err != nil {
		t.Fatalf("ChangesSince(%d) = %v", seq, err)
	}
	want := "article:" + strconv.FormatInt(a.ID, 10)
	found := false
	for _, c := range list {
		found = found || c.Key == want
	}
	if !found || last <= seq {
		t.Errorf("ChangesSince(%d) on the first handle = %v, latest %d; want %q after a write through the second", seq, list, last, want)
	}
	if _, err := server.Article(ctx, a.ID); err != nil {
		t.Errorf("Article(%d) on the first handle = %v", a.ID, err)
	}
}

func TestPanicInTxReleasesTheWriter(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := openAt(t, filepath.Join(t.TempDir(), "site.db"), sqlite.Options{})
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("InTx swallowed the panic of fn")
			}
		}()
		db.InTx(ctx, func(tx store.Store) error {
			a := &article.Article{Kind: article.Story, Slug: "half", Title: "Half", Status: article.Draft}
			if err := tx.CreateArticle(ctx, a); err != nil {
				t.Errorf("CreateArticle inside the transaction = %v", err)
			}
			panic("bug in fn")
		})
	}()
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	a := &article.Article{Kind: article.Story, Slug: "after", Title: "After", Status: article.Draft}
	if err := db.CreateArticle(wctx, a); err != nil {
		t.Fatalf("CreateArticle after a panic inside InTx = %v", err)
	}
	if taken, err := db.SlugTaken(ctx, "half", 0); err != nil || taken {
		t.Errorf("SlugTaken(%q) after the panic = %v, %v; want the write rolled back", "half", taken, err)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "site.db")
	if db, err := sqlite.Open(t.Context(), path, sqlite.Options{Synchronous: "OFF"}); err == nil {
		db.Close()
		t.Errorf("Open(Synchronous OFF) succeeded, want an error")
	}
}

func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "site.db")
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
			if err == nil {
				err = db.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("Open(%q) beside other Opens of the same new file = %v", path, err)
		}
	}
}

func TestOpenAwkwardPaths(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"with space.db", "question?mark.db", "hash#.db", "percent%20.db", "ünïcode.db", "amp&x=1.db"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), name)
			openAt(t, path, sqlite.Options{}).Close()
			if _, err := os.Stat(path); err != nil {
				t.Errorf("Open(%q) did not create that file: %v", path, err)
			}
		})
	}
}

// FuzzSearchArticles holds SearchArticles to its promise: any reader's text answers results or
// none, never an error about the query.
func FuzzSearchArticles(f *testing.F) {
	storetest.FuzzSearch(f, openAt(f, filepath.Join(f.TempDir(), "site.db"), sqlite.Options{}))
}

// TestFollowSeesOtherWriters: a commit by another program (here a plain driver connection)
// moves ChangeMark without any write through this handle. The wait is generous: the test
// checks that the mark moves, not how fast (BenchmarkFollow measures that).
func TestFollowSeesOtherWriters(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "site.db")
	db := openAt(t, path, sqlite.Options{Follow: time.Millisecond})
	other := raw(t, path)
	before := db.ChangeMark()
	if _, err := other.ExecContext(t.Context(), "INSERT INTO change_log (key) VALUES ('front')"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if db.ChangeMark() != before {
			return
		}
	}
	t.Errorf("ChangeMark() stayed %d after another connection committed", before)
}

// BenchmarkFollow measures how long a commit by another program takes to move ChangeMark with
// the default Follow interval: the bound on a page cache's staleness for other writers.
func BenchmarkFollow(b *testing.B) {
	path := filepath.Join(b.TempDir(), "site.db")
	db := openAt(b, path, sqlite.Options{})
	other := raw(b, path)
	var worst time.Duration
	for b.Loop() {
		before := db.ChangeMark()
		start := time.Now()
		if _, err := other.ExecContext(b.Context(), "INSERT INTO change_log (key) VALUES ('front')"); err != nil {
			b.Fatal(err)
		}
		for db.ChangeMark() == before {
			time.Sleep(100 * time.Microsecond)
		}
		worst = max(worst, time.Since(start))
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}

// TestPostFactsWaitsItsTurn: the reads of comment posts take turns, in order of arrival, no
// more at once than the read pool has connections; one that waits for a turn still ends when
// its reader goes away, and runs once a turn is free.
func TestPostFactsWaitsItsTurn(t *testing.T) {
	t.Parallel()
	db := openAt(t, filepath.Join(t.TempDir(), "site.db"), sqlite.Options{})
	check := store.PostCheck{ArticleID: 1, Name: "Bo", Email: "bo@example.org", IP: "10.0.0.1", Content: "Yes.", Now: time.Now()}
	release := db.HoldReadTurns()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := db.PostFacts(ctx, check); !errors.Is(err, context.Canceled) {
		t.Errorf("PostFacts with every turn taken and its reader gone = %v, want context.Canceled", err)
	}
	answered := make(chan error, 1)
	go func() {
		_, err := db.PostFacts(t.Context(), check)
		answered <- err
	}()
	release()
	if err := <-answered; err != nil {
		t.Errorf("PostFacts once the turns are free = %v", err)
	}
	// Inside a transaction, the read takes no turn: it has the writer's connection.
	release = db.HoldReadTurns()
	defer release()
	err := db.InTx(t.Context(), func(tx store.Store) error {
		_, err := tx.PostFacts(t.Context(), check)
		return err
	})
	if err != nil {
		t.Errorf("PostFacts in a transaction with every turn taken = %v", err)
	}
}
