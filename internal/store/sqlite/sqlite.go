// Package sqlite is the embedded SQLite backend of the storage contract, through the pure-Go
// modernc.org/sqlite driver.
//
// One file holds a site. It runs in WAL mode with one writer, the group committer (writes never
// wait on each other inside the driver, and BEGIN IMMEDIATE avoids lock upgrades), and a pool of
// readers. Concurrent writes share one transaction and one commit, each in its own savepoint, and
// each is answered after that commit. Every query is a prepared statement cached per connection.
// synchronous=NORMAL: in WAL mode a committed transaction survives a crash of the process (the
// WAL is in the operating system's hands once the commit returns) but the last transactions
// before a power loss may roll back. Options.Synchronous "FULL" survives power loss at the cost
// of one fsync of the WAL per commit, which group commit shares among concurrent writes; the
// committer makes that fsync itself, after the commit, and answers the batch's writers once it
// returns, so that the writer commits the next batch meanwhile.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/broadsheet/broadsheet/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Options tune a database; the zero value is the documented default.
type Options struct {
	// Synchronous is the PRAGMA synchronous level: "NORMAL" (default) or "FULL".
	Synchronous string
	// BusyTimeout is how long a writer waits for another process's write lock (default 5s).
	BusyTimeout time.Duration
	// Readers is the size of the read pool (default: 2 × GOMAXPROCS, at least 4).
	Readers int
	// Follow is how often the database is checked for other processes' commits (default 25ms):
	// ChangeMark moves within this bound after another writer's commit.
	Follow time.Duration
}

// DB is an open SQLite site database. It implements store.Store.
type DB struct {
	Store
	path   string
	w, r   *sql.DB
	follow *follower
	ws, rs *stmts // the pools' prepared statements
	gc     *committer
	jobs   sync.Map // job name → *sync.Mutex, for Exclusive
	sound  atomic.Bool
	// turns holds a place for each read of a comment post under way (see Store.readTurn).
	turns chan struct{}
}

// Open opens (creating if needed) the database file at path and brings its schema up to date.
// A file that is locked, read-only, corrupt or from a newer Broadsheet answers an error naming
// the file.
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	if opt.Synchronous == "" {
		opt.Synchronous = "NORMAL"
	}
	if opt.Synchronous != "NORMAL" && opt.Synchronous != "FULL" {
		return nil, fmt.Errorf("sqlite: synchronous must be NORMAL or FULL, not %q", opt.Synchronous)
	}
	if opt.BusyTimeout == 0 {
		opt.BusyTimeout = 5 * time.Second
	}
	if opt.Readers == 0 {
		opt.Readers = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if opt.Follow <= 0 {
		opt.Follow = DefaultFollow
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", path, err)
		}
	}
	dsn := func(synchronous string, extra ...string) string {
		q := url.Values{}
		q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", pageCacheKiB)) // the writer's comes after, and wins
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opt.BusyTimeout.Milliseconds()))
		q.Add("_pragma", "synchronous("+synchronous+")")
		for _, e := range extra {
			q.Add("_pragma", e)
		}
		return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	}
	// temp_store: each write of a group commit runs in a savepoint, whose undo journal (the
	// sub-journal) would otherwise be a temporary file written page by page.
	// wal_autocheckpoint: the committer's checkpointer keeps the WAL short; the writer checkpoints
	// by itself only past 40 MB of WAL, should that fail.
	sound := recordedSound(path) // before this open touches the file
	os.Remove(soundRecord(path)) // until a clean close writes it again
	// With FULL, the writer commits at NORMAL and the group committer syncs the WAL itself, so
	// that the next batch runs while the last one's sync is under way.
	var syncWAL func() error
	if opt.Synchronous == "FULL" {
		syncWAL = func() error { return syncFile(path + "-wal") }
	}
	w, err := sql.Open("sqlite", dsn("NORMAL", "journal_mode(WAL)", "temp_store(MEMORY)", "wal_autocheckpoint(10000)",
		fmt.Sprintf("cache_size(-%d)", writerCacheKiB))+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	// Only the group committer writes, one transaction at a time; the second connection lets a
	// statement be prepared for the pool's cache while a transaction holds the first.
	w.SetMaxOpenConns(2)
	w.SetMaxIdleConns(2)
	w.SetConnMaxLifetime(0)
	db := &DB{path: path, w: w}
	db.sound.Store(sound)
	if err := db.migrate(ctx, opt.BusyTimeout); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, describe(err))
	}
	if syncWAL != nil {
		// The migrations' commits, and the WAL's name in its folder (SQLite syncs the folder
		// itself only on its own first sync of a new WAL, which then comes at a checkpoint).
		if err := errors.Join(syncWAL(), syncDir(filepath.Dir(path))); err != nil {
			w.Close()
			return nil, fmt.Errorf("sqlite: %s: %w", path, err)
		}
	}
	r, err := sql.Open("sqlite", dsn(opt.Synchronous, "query_only(1)"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	r.SetMaxOpenConns(opt.Readers)
	r.SetMaxIdleConns(opt.Readers)
	db.r = r
	db.turns = make(chan struct{}, opt.Readers)
	db.ws, db.rs = newStmts(w), newStmts(r)
	db.gc = newCommitter(w, db.ws, syncWAL)
	f, err := sql.Open("sqlite", dsn(opt.Synchronous, "query_only(1)"))
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	f.SetMaxOpenConns(1)
	f.SetMaxIdleConns(1)
	f.SetConnMaxLifetime(0)
	if db.follow, err = startFollower(ctx, f, opt.Follow); err != nil {
		f.Close()
		r.Close()
		w.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, describe(err))
	}
	db.Store = Store{db: db}
	return db, nil
}

// syncFile flushes the file at path to the disk. A missing file has nothing to flush.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}

// syncDir flushes the folder at path, so that the names of the files made in it last.
func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}

// pageCacheKiB is each connection's page cache in KiB (SQLite's default is 2,000). The
// operating system keeps the file's hot pages for every connection at once; a cache per
// connection mostly holds the same pages again, times the writer, the readers and the follower.
const pageCacheKiB = 512

// writerCacheKiB is the writer's page cache in KiB. Every comment post inserts into the b-trees
// of the comments table, its indexes and the form nonces at a place of its own; with the
// readers' 512 KiB the writer read most of their inner pages from the file again for each post
// (a system call each), which lengthened every batch that the posts behind it wait for.
const writerCacheKiB = 8 << 10

// Path is the database file.
func (db *DB) Path() string { return db.path }

// DefaultFollow is the default Options.Follow.
const DefaultFollow = 25 * time.Millisecond

// Close waits for the writes in hand to commit, stops following and closes the pools.
func (db *DB) Close() error {
	db.gc.close()
	db.ws.close()
	db.rs.close()
	err := errors.Join(db.follow.close(), db.r.Close(), db.w.Close())
	if err == nil && db.Sound() {
		// The last connection's close checkpointed the WAL and removed it: the file is whole.
		err = recordSound(db.path)
	}
	return err
}

// SchemaVersion is the number of migrations this build knows.
func SchemaVersion() int {
	n, _ := migrations()
	return len(n)
}

func migrations() ([]string, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for i, n := range names {
		want := fmt.Sprintf("migrations/%04d_", i+1)
		if !strings.HasPrefix(n, want) {
			return nil, fmt.Errorf("migration %s out of sequence, want %s*", n, want)
		}
	}
	return names, nil
}

// migrate applies the migrations the file lacks, each in its own transaction, and refuses a
// schema newer than this build. An up-to-date file is only read, so it opens while another
// process writes.
func (db *DB) migrate(ctx context.Context, busyTimeout time.Duration) error {
	names, err := migrations()
	if err != nil {
		return err
	}
	var have int
	// A new connection can find the file busy at once, without waiting, while another
	// process's migration rebuilds a table: it tries again within the busy timeout.
	for end := time.Now().Add(busyTimeout); ; {
		err := db.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have)
		if err == nil {
			break
		}
		var se *sqlite.Error
		if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(end) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	for have < len(names) {
		if have, err = db.migrateOne(ctx, names); err != nil {
			return err
		}
	}
	if have > len(names) {
		return fmt.Errorf("schema version %d, this build knows %d: %w", have, len(names), store.ErrSchemaTooNew)
	}
	return nil
}

// migrateOne applies the next migration the file lacks and returns the schema version. It reads
// the version again inside the transaction, whose BEGIN IMMEDIATE holds the write lock, so that
// processes opening a new file at once apply each migration once.
func (db *DB) migrateOne(ctx context.Context, names []string) (int, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var have, objects int
	err = tx.QueryRowContext(ctx, `SELECT (SELECT user_version FROM pragma_user_version),
		(SELECT COUNT(*) FROM sqlite_schema)`).Scan(&have, &objects)
	if err != nil {
		return 0, err
	}
	if have >= len(names) {
		return have, nil
	}
	if have == 0 && objects > 0 {
		return 0, errors.New("the file is another program's SQLite database, not a Broadsheet database")
	}
	src, err := migrationFiles.ReadFile(names[have])
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, string(src)); err != nil {
		return 0, fmt.Errorf("migration %s: %w", names[have], err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", have+1)); err != nil {
		return 0, fmt.Errorf("migration %s: %w", names[have], err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("migration %s: %w", names[have], err)
	}
	return have + 1, nil
}

// describe turns the driver's codes for unusable files into sentences a site owner can act on.
func describe(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("the database is locked by another program; stop it or try again: %w: %w", store.ErrBusy, err)
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
		return fmt.Errorf("the database cannot be written; check the file's and its folder's permissions: %w", err)
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("the disk holding the database is full; free some space: %w", err)
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("the file is not a Broadsheet database or is damaged; restore it from a backup: %w", err)
	}
	return err
}

// translate maps the driver's constraint codes onto the contract's sentinel errors.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", store.ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %v", store.ErrNotFound, err)
		}
		return describe(err)
	}
	return err
}

// Store runs the contract's queries either on the pools or inside one transaction.
type Store struct {
	db  *DB
	tx  *sql.Tx
	ctx context.Context // the detached context of a write in a group commit
}

var _ store.Store = (*DB)(nil)

func (s Store) read() querier {
	if s.tx != nil {
		return querier{st: s.db.ws, tx: s.tx, ctx: s.ctx}
	}
	return querier{st: s.db.rs}
}

// readTurn waits, in the order of arrival, until fewer reads of comment posts are under way
// than the read pool has connections, and returns the function that ends the turn. The pool
// alone would hand a freed connection to a random one of the reads waiting for it (as
// database/sql does since Go 1.23): with 64 posters and four connections, a post could wait
// through many others' reads, and that spread reached the slowest posts' answers. In a
// transaction, the read needs no turn.
func (s Store) readTurn(ctx context.Context) (func(), error) {
	if s.tx != nil {
		return func() {}, nil
	}
	select {
	case s.db.turns <- struct{}{}:
		return func() { <-s.db.turns }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// write runs fn in a write transaction, or in the enclosing one. Outside a transaction it hands
// fn to the group committer and returns once fn's writes are committed (or failed).
func (s Store) write(ctx context.Context, fn func(q querier) error) error {
	if s.tx != nil {
		return fn(querier{st: s.db.ws, tx: s.tx, ctx: s.ctx})
	}
	logged, err := s.db.gc.do(ctx, fn)
	if logged {
		s.db.follow.mark.Add(1)
	}
	return err
}

// InTx implements store.Store.
func (s Store) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	return s.write(ctx, func(q querier) error {
		return fn(Store{db: s.db, tx: q.tx, ctx: q.ctx})
	})
}

// Close is a no-op on a transaction's Store; DB.Close closes the database.
func (s Store) Close() error { return nil }

// micros stores a time as Unix microseconds, NULL for the zero time.
func micros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func fromMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// PoolStats reports the writer's and the readers' connections together.
func (db *DB) PoolStats() store.PoolStats {
	var out store.PoolStats
	for _, p := range []*sql.DB{db.w, db.r} {
		st := p.Stats()
		out.Open += st.OpenConnections
		out.InUse += st.InUse
		out.Idle += st.Idle
		out.Max += st.MaxOpenConnections
		out.Waits += st.WaitCount
		out.WaitTime += st.WaitDuration
	}
	return out
}
