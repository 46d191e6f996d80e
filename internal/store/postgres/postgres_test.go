package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/postgres"
	"github.com/broadsheet/broadsheet/internal/store/postgres/pgtest"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, 4)) }

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return pgtest.Open(t) })
}

// open opens the database at url and closes it when the test ends.
func open(t testing.TB, url string, opt postgres.Options) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), url, opt)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// raw connects to url as another program would.
func raw(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("pgx.Connect = %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	t.Parallel()
	url := pgtest.EmptyURL(t)
	const n = 5
	errs := make(chan error, n)
	for range n {
		go func() {
			db, err := postgres.Open(context.Background(), url, postgres.Options{MaxConns: 2})
			if err == nil {
				err = db.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("Open beside %d other Opens of the same new database = %v", n-1, err)
		}
	}
	rows, err := raw(t, url).Query(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int, postgres.SchemaVersion())
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(versions, want) {
		t.Errorf("schema_migrations = %v, want each of %v once", versions, want)
	}
	if err := open(t, url, postgres.Options{}).Migrated(t.Context()); err != nil {
		t.Errorf("Migrated() = %v", err)
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	addr, role, password := pgtest.TCP(t)
	closed := func() string { // an address where nothing listens
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().String()
	}()
	tests := []struct {
		name string
		url  func(t *testing.T) string
		is   error
		says []string
	}{
		{
			name: "newer schema",
			url: func(t *testing.T) string {
				url := pgtest.URL(t)
				if _, err := raw(t, url).Exec(t.Context(), `INSERT INTO schema_migrations (version, name) VALUES (999, 'future')`); err != nil {
					t.Fatal(err)
				}
				return url
			},
			is:   store.ErrSchemaTooNew,
			says: []string{"schema version 999", "upgrade Broadsheet"},
		},
		{
			name: "another program's database",
			url: func(t *testing.T) string {
				url := pgtest.EmptyURL(t)
				if _, err := raw(t, url).Exec(t.Context(), `CREATE TABLE wp_posts (id integer PRIMARY KEY)`); err != nil {
					t.Fatal(err)
				}
				return url
			},
			says: []string{"another program's tables"},
		},
		{
			name: "wrong password",
			url: func(t *testing.T) string {
				return "postgres://" + role + ":wrong-" + password + "@" + addr + "/postgres?sslmode=disable"
			},
			says: []string{"127.0.0.1", "refused the user name or password"},
		},
		{
			name: "unknown database",
			url: func(t *testing.T) string {
				return "postgres://" + role + ":" + password + "@" + addr + "/no_such_site?sslmode=disable"
			},
			says: []string{"no_such_site", "does not exist"},
		},
		{
			name: "server down",
			url: func(t *testing.T) string {
				return "postgres://" + role + ":" + password + "@" + closed + "/site?sslmode=disable"
			},
			is:   nil,
			says: []string{closed, "no answer after"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := tc.url(t)
			var retries int
			db, err := postgres.Open(t.Context(), url, postgres.Options{Wait: time.Second,
				OnRetry: func(error, time.Duration) { retries++ }})
			if err == nil {
				db.Close()
				t.Fatalf("Open succeeded, want an error saying %q", tc.says)
			}
			t.Logf("Open = %v", err)
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Open = %v, want %v", err, tc.is)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Open = %q, want a message saying %q", err, s)
				}
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("Open = %q, which shows the password", err)
			}
			if tc.name == "server down" && retries == 0 {
				t.Errorf("Open gave up on a server that does not answer without trying again")
			}
			if tc.name == "wrong password" && retries != 0 {
				t.Errorf("Open tried a refused password %d more times, want none", retries)
			}
		})
	}
}

// TestChangeLogNeverSkips holds a writing transaction open while another commits after it
// started: a reader that sees the second must still see the first once it commits. With numbers
// from a sequence, the first would hold the lower number and the reader, already past it, would
// never read it.
func TestChangeLogNeverSkips(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.Open(t)
	start, err := db.LatestChange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slow := &article.Article{Kind: article.Story, Slug: "slow", Title: "Slow", Status: article.Draft}
	written, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- db.InTx(ctx, func(tx store.Store) error {
			if err := tx.CreateArticle(ctx, slow); err != nil {
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	<-written
	fast := &article.Article{Kind: article.Story, Slug: "fast", Title: "Fast", Status: article.Draft}
	if err := db.CreateArticle(ctx, fast); err != nil {
		t.Fatalf("CreateArticle beside an open transaction = %v", err)
	}
	seen := map[string]bool{}
	read := func(from int64) int64 {
		list, latest, err := db.ChangesSince(ctx, from, 1000)
		if err != nil {
			t.Fatalf("ChangesSince(%d) = %v", from, err)
		}
		for i, c := range list {
			if c.Seq != from+int64(i)+1 {
				t.Fatalf("ChangesSince(%d)[%d].Seq = %d, want %d", from, i, c.Seq, from+int64(i)+1)
			}
			seen[c.Key] = true
		}
		return latest
	}
	seq := read(start)
	if !seen["article:"+strconv.FormatInt(fast.ID, 10)] {
		t.Fatalf("ChangesSince(%d) lacks the committed article %d: %v", start, fast.ID, seen)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("the slow transaction = %v", err)
	}
	read(seq)
	if key := "article:" + strconv.FormatInt(slow.ID, 10); !seen[key] {
		t.Errorf("after the slow transaction committed, ChangesSince(%d) lacks %q: the reader skipped it", seq, key)
	}
}

// TestChangeLogConcurrentWriters has several writers commit while a reader follows the log from
// where it last stopped, as each node's cache does: in the end it must have read every change.
func TestChangeLogConcurrentWriters(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := pgtest.URL(t)
	db := open(t, url, postgres.Options{})
	const writers, each = 4, 15
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				a := &article.Article{Kind: article.Story, Slug: fmt.Sprintf("w%d-%d", w, i), Title: "T", Status: article.Draft}
				err := db.InTx(ctx, func(tx store.Store) error {
					if err := tx.CreateArticle(ctx, a); err != nil {
						return err
					}
					time.Sleep(time.Duration(i%3) * time.Millisecond) // commit at various moments
					return nil
				})
				if err != nil {
					t.Errorf("CreateArticle = %v", err)
				}
			}
		})
	}
	stop := make(chan struct{})
	seen := map[string]bool{}
	var seq int64
	var reads int
	follow := func() {
		list, latest, err := db.ChangesSince(ctx, seq, 1000)
		if err != nil {
			t.Fatalf("ChangesSince(%d) = %v", seq, err)
		}
		for i, c := range list {
			if c.Seq != seq+int64(i)+1 {
				t.Fatalf("ChangesSince(%d)[%d].Seq = %d, want consecutive numbers", seq, i, c.Seq)
			}
			seen[c.Key] = true
		}
		if len(list) > 0 {
			seq = list[len(list)-1].Seq
		}
		if latest != seq {
			t.Fatalf("ChangesSince latest = %d, last change read %d", latest, seq)
		}
		reads++
	}
	go func() { wg.Wait(); close(stop) }()
	for running := true; running; {
		select {
		case <-stop:
			running = false
		default:
		}
		follow()
	}
	follow()
	rows, err := raw(t, url).Query(ctx, `SELECT id FROM articles`)
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := pgx.CollectRows(rows, pgx.RowTo[int64])
	if len(ids) != writers*each {
		t.Fatalf("%d articles, want %d", len(ids), writers*each)
	}
	for _, id := range ids {
		if !seen["article:"+strconv.FormatInt(id, 10)] {
			t.Errorf("the reader never read the creation of article %d", id)
		}
	}
	t.Logf("%d reads followed %d changes", reads, seq)
}

// TestDeadlockIsRetried has two transactions write two settings in opposite orders: PostgreSQL
// ends one with a deadlock, and InTx runs it again, so both succeed.
func TestDeadlockIsRetried(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.Open(t)
	if err := db.SaveSettings(ctx, map[string]string{"a": "0", "b": "0"}); err != nil {
		t.Fatal(err)
	}
	var tries atomic.Int32
	var holding sync.WaitGroup
	holding.Add(2)
	edit := func(first, second, value string) error {
		return db.InTx(ctx, func(tx store.Store) error {
			n := tries.Add(1)
			if err := tx.SaveSettings(ctx, map[string]string{first: value}); err != nil {
				return err
			}
			if n <= 2 {
				// Both hold their first row before either asks for its second.
				holding.Done()
				holding.Wait()
			}
			return tx.SaveSettings(ctx, map[string]string{second: value})
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- edit("a", "b", "1") }()
	go func() { errs <- edit("b", "a", "2") }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("InTx in a deadlock = %v, want it run again and succeed", err)
		}
	}
	if n := tries.Load(); n < 3 {
		t.Errorf("fn ran %d times, want at least 3: twice, and again after the deadlock", n)
	}
	kv, err := db.Settings(ctx)
	if err != nil || kv["a"] != kv["b"] || kv["a"] == "0" {
		t.Errorf("Settings() = %v, %v; want a and b from the transaction that ran last", kv, err)
	}
}

func TestRetriesThenBusy(t *testing.T) {
	t.Parallel()
	db := open(t, pgtest.URL(t), postgres.Options{Retries: 2})
	var tries int
	err := db.InTx(t.Context(), func(tx store.Store) error {
		tries++
		return fmt.Errorf("update: %w", &pgconn.PgError{Code: "40001", Message: "could not serialize access"})
	})
	if !errors.Is(err, store.ErrBusy) || tries != 3 {
		t.Errorf("InTx failing on serialization every time = %v after %d tries, want ErrBusy after 3", err, tries)
	}
}

func TestListen(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	url := pgtest.URL(t)
	db := open(t, url, postgres.Options{})
	wakes := make(chan int64, 100)
	done := make(chan error)
	go func() { done <- db.Listen(ctx, func(seq int64) { wakes <- seq }) }()
	defer func() { cancel(); <-done }()
	for !db.Listening() {
		time.Sleep(5 * time.Millisecond)
	}
	write := func(slug string) int64 {
		t.Helper()
		a := &article.Article{Kind: article.Story, Slug: slug, Title: slug, Status: article.Draft}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		seq, err := db.LatestChange(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	wait := func(want int64) {
		t.Helper()
		timeout := time.After(30 * time.Second)
		for {
			select {
			case seq := <-wakes:
				if seq >= want {
					return
				}
			case <-timeout:
				t.Fatalf("no wake with seq %d", want)
			}
		}
	}
	wait(write("first"))

	// Another program ends the listening connection; Listen connects again, says so with
	// wake(0), and hears the next change.
	if _, err := raw(t, url).Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = 'broadsheet-listen' AND datname = current_database()`); err != nil {
		t.Fatal(err)
	}
	wait(0)
	for !db.Listening() {
		time.Sleep(5 * time.Millisecond)
	}
	wait(write("second"))
}

// TestPublishDueOnce has two nodes publish the same due stories at once: each story is
// published by exactly one of them.
func TestPublishDueOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := pgtest.URL(t)
	nodes := []*postgres.DB{open(t, url, postgres.Options{}), open(t, url, postgres.Options{})}
	due := time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)
	const n = 20
	for i := range n {
		a := &article.Article{Kind: article.Story, Slug: fmt.Sprintf("due-%d", i), Title: "Due",
			Status: article.Scheduled, PublishedAt: due}
		if err := nodes[0].CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	results := make(chan []int64, len(nodes))
	for _, node := range nodes {
		go func() {
			ids, err := node.PublishDue(ctx, due.Add(time.Minute))
			if err != nil {
				t.Errorf("PublishDue = %v", err)
			}
			results <- ids
		}()
	}
	count := map[int64]int{}
	for range nodes {
		for _, id := range <-results {
			count[id]++
		}
	}
	if len(count) != n {
		t.Errorf("%d stories published, want %d", len(count), n)
	}
	for id, c := range count {
		if c != 1 {
			t.Errorf("story %d published %d times, want once", id, c)
		}
	}
}

// TestJobMovesWhenItsHolderDies has one node hold a job and lose its database connection (as
// when the node dies): its fn is told to stop, and another node takes the job.
func TestJobMovesWhenItsHolderDies(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := pgtest.URL(t)
	a, b := open(t, url, postgres.Options{}), open(t, url, postgres.Options{})
	holding := make(chan struct{})
	stopped := make(chan error)
	go func() {
		_, err := a.Exclusive(ctx, "related", func(ctx context.Context) error {
			close(holding)
			<-ctx.Done()
			return ctx.Err()
		})
		stopped <- err
	}()
	<-holding
	if ran, _ := b.Exclusive(ctx, "related", func(context.Context) error { return nil }); ran {
		t.Fatalf("a second node ran the job while the first held it")
	}
	// End every connection of the first node's pool that holds an advisory lock.
	if _, err := raw(t, url).Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-stopped:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the holder's fn ended with %v, want its context cancelled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the holder's fn was not told to stop after its lock's connection died")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ran, err := b.Exclusive(ctx, "related", func(context.Context) error { return nil })
		if ran && err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the second node never took the job: %v, %v", ran, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// FuzzSearchArticles holds SearchArticles to its promise: any reader's text answers results or
// none, never an error about the query.
func FuzzSearchArticles(f *testing.F) {
	storetest.FuzzSearch(f, pgtest.Open(f))
}

// TestLostConnectionsAnswerBusy ends every connection of a node's pool, as a restarting server
// does: a query on a lost connection answers store.ErrBusy (a "try again" page, the reader's
// text kept), and the pool recovers without a restart.
func TestLostConnectionsAnswerBusy(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := pgtest.URL(t)
	db := open(t, url, postgres.Options{MaxConns: 2})
	for range 2 { // warm both connections
		if _, err := db.LatestChange(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw(t, url).Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid != pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	var failed error
	for range 4 {
		if _, err := db.LatestChange(ctx); err != nil {
			failed = err
			if !errors.Is(err, store.ErrBusy) {
				t.Errorf("LatestChange on a lost connection = %v, want store.ErrBusy", err)
			}
		}
	}
	t.Logf("a lost connection answered: %v", failed)
	a := &article.Article{Kind: article.Story, Slug: "after", Title: "After", Status: article.Draft}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Errorf("CreateArticle once the connections are gone = %v, want the pool to reconnect", err)
	}
}

func TestOpenBadURL(t *testing.T) {
	t.Parallel()
	for _, url := range []string{"postgres://news:secret-pw@db.example.org:notaport/site", "postgres://news:secret-pw@db.example.org/site?sslmode=bogus"} {
		db, err := postgres.Open(t.Context(), url, postgres.Options{Wait: time.Millisecond})
		if err == nil {
			db.Close()
			t.Fatalf("Open(%q) succeeded", url)
		}
		if strings.Contains(err.Error(), "secret-pw") || !strings.Contains(err.Error(), "database URL") {
			t.Errorf("Open(bad URL) = %q, want a message about the URL without its password", err)
		}
	}
}

// TestReserveLoginAttemptAcrossNodes has two nodes reserve sign-in attempts in one bucket at
// once: together they grant exactly the bucket's limit.
func TestReserveLoginAttemptAcrossNodes(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	nodes := []*postgres.DB{open(t, url, postgres.Options{}), open(t, url, postgres.Options{})}
	at := time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)
	buckets := []account.Bucket{{Key: "account a@example.org 192.0.2.1", Limit: 5, Account: true}, {Key: "ip 192.0.2.1", Limit: 20}}
	var granted atomic.Int64
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			id, _, err := nodes[i%2].ReserveLoginAttempt(t.Context(), buckets, at.Add(-time.Hour), at)
			if err != nil {
				t.Errorf("ReserveLoginAttempt = %v", err)
			}
			if id != 0 {
				granted.Add(1)
			}
		})
	}
	wg.Wait()
	if n := granted.Load(); n != 5 {
		t.Errorf("40 ReserveLoginAttempt on two nodes granted %d, want exactly 5", n)
	}
}

// TestChangeMarkFollowsOtherNodes checks that a node's change mark moves after another node's
// commit, without a write of its own: what lets its page cache skip the change log otherwise.
func TestChangeMarkFollowsOtherNodes(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	reader, writer := open(t, url, postgres.Options{}), open(t, url, postgres.Options{})
	for !reader.Listening() {
		time.Sleep(5 * time.Millisecond)
	}
	// The mark settles while nothing is written.
	mark := reader.ChangeMark()
	if again := reader.ChangeMark(); again != mark {
		t.Fatalf("ChangeMark() = %d, then %d with no write anywhere; want it still", mark, again)
	}
	if err := writer.CreateArticle(t.Context(), &article.Article{Kind: article.Story, Slug: "elsewhere", Title: "Elsewhere", Status: article.Draft}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(30 * time.Second) // only a hung server takes this long
	for reader.ChangeMark() == mark {
		select {
		case <-deadline:
			t.Fatal("the reader's ChangeMark() did not move after another node's commit")
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// TestDuplicateCheckPlan proves that the duplicate check of a comment post (DuplicateComment,
// PostFacts) reads the commenter's comments on the story by both keys of comments_email_article,
// not all of a regular commenter's comments nor all of a popular story's. The tables are tiny,
// so sequential scans are priced out, as they are on a large site.
func TestDuplicateCheckPlan(t *testing.T) {
	t.Parallel()
	conn := raw(t, pgtest.URL(t))
	if _, err := conn.Exec(t.Context(), "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(t.Context(), `EXPLAIN SELECT COUNT(*) FROM comments WHERE lower(author_email) = lower('Bo@example.org')
		AND article_id = 7 AND content = 'Yes.' AND status != 'trash'`)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	both := slices.ContainsFunc(plan, func(line string) bool {
		line = strings.TrimSpace(line)
		return strings.HasPrefix(line, "Index Cond:") && strings.Contains(line, "lower(author_email)") && strings.Contains(line, "article_id = 7")
	})
	if !strings.Contains(text, "comments_email_article") || !both {
		t.Errorf("the duplicate check is not answered by comments_email_article on both keys:\n%s", text)
	}
}
