// Package postgres is the PostgreSQL backend of the storage contract, through
// github.com/jackc/pgx/v5 and its connection pool. It lets several Broadsheet nodes share one
// site.
//
// The schema comes from numbered, embedded, append-only migrations, applied under an advisory
// lock so that nodes starting at once migrate exactly once. Transactions run at READ COMMITTED;
// one that fails on a serialization failure or a deadlock is run again, a bounded number of
// times, and then answers store.ErrBusy. The change log numbers each transaction's changes when
// it commits, in commit order (see migrations/0001_initial.sql), and a NOTIFY on the channel
// "broadsheet_changes" tells every node: each open DB listens on a connection of its own and
// moves its change mark, so that a page cache reads the log only when something changed.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/broadsheet/broadsheet/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Options tune a database; the zero value is the documented default.
type Options struct {
	// MaxConns is the size of the connection pool (default 16). Each running background job
	// holds one.
	MaxConns int32
	// Wait is how long Open keeps trying to reach a server that does not answer, with growing
	// pauses between tries (default 30s). A refused password or an unknown database is not
	// retried.
	Wait time.Duration
	// OnRetry, when set, hears of each failed attempt to reach the server and the pause before
	// the next.
	OnRetry func(err error, pause time.Duration)
	// Retries is how many times a transaction that hit a serialization failure or a deadlock is
	// run again before it answers store.ErrBusy (default 5).
	Retries int
	// SearchTimeout bounds a reader's search (statement_timeout, default 3s): a pathological
	// one answers store.ErrBusy rather than hold a connection and a core.
	SearchTimeout time.Duration
}

// DB is an open PostgreSQL site database. It implements store.Store.
type DB struct {
	Store
	pool    *pgxpool.Pool
	where   string // host and database, for messages; never the password
	retries int
	// searchTimeout is statement_timeout for searches, in milliseconds.
	searchTimeout int64

	// mark is the change mark (ChangeMark): own commits move it when they return, and the
	// listener moves it on every notification of another's commit.
	mark       atomic.Uint64
	listening  atomic.Bool
	stopListen context.CancelFunc
	listenDone chan struct{}

	mu            sync.Mutex
	wakes         map[*func(int64)]struct{} // Listen's callers
	onListenError func(err error, pause time.Duration)
}

// Open connects to the database at url (postgres://user:password@host:port/dbname?sslmode=…),
// waiting for a server that is starting, and brings its schema up to date. It refuses a database
// written by a newer Broadsheet (store.ErrSchemaTooNew) and one that holds another program's
// tables.
func Open(ctx context.Context, url string, opt Options) (*DB, error) {
	if opt.Wait == 0 {
		opt.Wait = 30 * time.Second
	}
	if opt.Retries == 0 {
		opt.Retries = 5
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: database URL: %w", err) // pgx shows the password as xxxxx
	}
	if opt.MaxConns == 0 {
		opt.MaxConns = 16
	}
	cfg.MaxConns = opt.MaxConns
	where := describeTarget(cfg.ConnConfig)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", where, err)
	}
	if opt.SearchTimeout <= 0 {
		opt.SearchTimeout = 3 * time.Second
	}
	db := &DB{pool: pool, where: where, retries: opt.Retries, wakes: map[*func(int64)]struct{}{},
		searchTimeout: max(opt.SearchTimeout.Milliseconds(), 1)}
	db.Store = Store{db: db}
	if err := db.reach(ctx, opt); err != nil {
		pool.Close()
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %s: %w", where, err)
	}
	db.startListener()
	return db, nil
}

// describeTarget names the server and database of a configuration, for messages.
func describeTarget(c *pgx.ConnConfig) string {
	host := c.Host
	if !strings.HasPrefix(host, "/") {
		host = net.JoinHostPort(host, strconv.Itoa(int(c.Port)))
	}
	return fmt.Sprintf("database %q on %s as %q", c.Database, host, c.User)
}

// reach waits for the server to answer, with pauses from 100ms doubling to 5s, for at most
// opt.Wait. Errors that waiting cannot mend end it at once.
func (db *DB) reach(ctx context.Context, opt Options) error {
	deadline := time.Now().Add(opt.Wait)
	pause := 100 * time.Millisecond
	for {
		err := db.pool.Ping(ctx)
		if err == nil {
			return nil
		}
		if msg, final := refusal(err); final {
			return fmt.Errorf("postgres: %s: %s: %w", db.where, msg, err)
		}
		if ctx.Err() != nil || time.Now().Add(pause).After(deadline) {
			return fmt.Errorf("postgres: %s: no answer after %v; is the server running and reachable? %w",
				db.where, opt.Wait, err)
		}
		if opt.OnRetry != nil {
			opt.OnRetry(err, pause)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("postgres: %s: %w", db.where, ctx.Err())
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

// refusal reports whether a connection error is one that trying again will not mend, with a
// sentence saying what to do.
func refusal(err error) (string, bool) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return "", false
	}
	switch pe.Code {
	case "28P01", "28000":
		return "the server refused the user name or password; check the URL's credentials", true
	case "3D000":
		return "the database does not exist; create it (createdb) or fix the URL", true
	case "42501":
		return "the user may not connect to this database; GRANT CONNECT to it", true
	}
	return "", false
}

// Close stops the listener and closes the pool.
func (db *DB) Close() error {
	db.stopListen()
	<-db.listenDone
	db.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: %s: %w", db.where, translate(err))
	}
	return nil
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

// migrationLock is the advisory lock key held while migrating ("broadsheet" in ASCII, cut to 8
// bytes).
const migrationLock int64 = 0x62726f6164736865

// migrate applies the migrations the database lacks, each in its own transaction, while holding
// an advisory lock, so that nodes starting at once apply each exactly once; it refuses a schema
// newer than this build.
func (db *DB) migrate(ctx context.Context) error {
	names, err := migrations()
	if err != nil {
		return err
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)
	var tracked bool
	var others int
	err = conn.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL,
		(SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema())`).Scan(&tracked, &others)
	if err != nil {
		return err
	}
	if !tracked {
		if others > 0 {
			return errors.New("the database holds another program's tables, not a Broadsheet site; use an empty database")
		}
		if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
	}
	var have int
	if err := conn.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return err
	}
	if have > len(names) {
		return fmt.Errorf("schema version %d, this build knows %d; upgrade Broadsheet on this node: %w",
			have, len(names), store.ErrSchemaTooNew)
	}
	for v := have + 1; v <= len(names); v++ {
		src, err := migrationFiles.ReadFile(names[v-1])
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(src)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`,
				v, strings.TrimPrefix(names[v-1], "migrations/"))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", names[v-1], err)
		}
	}
	return nil
}

// Migrated reports whether the database's schema is the one this build knows: what a node's
// readiness check asks.
func (db *DB) Migrated(ctx context.Context) error {
	var have int
	if err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("postgres: %s: %w", db.where, translate(err))
	}
	if want := SchemaVersion(); have != want {
		return fmt.Errorf("postgres: %s: schema version %d, want %d", db.where, have, want)
	}
	return nil
}

// translate maps PostgreSQL's SQLSTATE codes onto the contract's sentinel errors.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505": // unique_violation
			return fmt.Errorf("%w: %v", store.ErrConflict, err)
		case pe.Code == "23503": // foreign_key_violation
			return fmt.Errorf("%w: %v", store.ErrNotFound, err)
		case strings.HasPrefix(pe.Code, "08"), pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03":
			// The connection was lost or the server is shutting down or starting.
			return fmt.Errorf("%w: %w", store.ErrBusy, err)
		case pe.Code == "57014": // query_canceled: statement_timeout
			return fmt.Errorf("%w: the query took too long: %w", store.ErrBusy, err)
		}
		return err
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.SafeToRetry(err) {
		return fmt.Errorf("the database server cannot be reached: %w: %w", store.ErrBusy, err)
	}
	return err
}

// retryable reports whether a transaction failed only because of another one running at the
// same time, so that running it again may succeed.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// querier is what the pool and a transaction both offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Store runs the contract's queries either on the pool or inside one transaction.
type Store struct {
	db *DB
	tx pgx.Tx
}

var _ store.Store = (*DB)(nil)

func (s Store) read() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db.pool
}

// write runs fn in a transaction, or in the enclosing one. A transaction that fails on a
// serialization failure or a deadlock runs again, up to the configured number of times.
func (s Store) write(ctx context.Context, fn func(q querier) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	var err error
	for try := 0; try <= s.db.retries; try++ {
		err = pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error { return fn(tx) })
		if err == nil {
			s.db.mark.Add(1)
			return nil
		}
		if !retryable(err) || ctx.Err() != nil {
			s.db.mark.Add(1) // a failed commit may still have landed
			return translate(err)
		}
	}
	return fmt.Errorf("%w: gave up after %d tries: %w", store.ErrBusy, s.db.retries+1, err)
}

// InTx implements store.Store.
func (s Store) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	return s.write(ctx, func(q querier) error {
		return fn(Store{db: s.db, tx: q.(pgx.Tx)})
	})
}

// Close is a no-op on a transaction's Store; DB.Close closes the database.
func (s Store) Close() error { return nil }

// micros stores a time as Unix microseconds, NULL for the zero time.
func micros(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.UnixMicro()
	return &n
}

func fromMicros(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return time.UnixMicro(*n).UTC()
}

// params collects a query's arguments and answers their placeholders, for queries built from
// optional filters.
type params []any

// add appends v and returns its placeholder, "$N".
func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// PoolStats reports the connection pool's counters.
func (db *DB) PoolStats() store.PoolStats {
	st := db.pool.Stat()
	return store.PoolStats{Open: int(st.TotalConns()), InUse: int(st.AcquiredConns()), Idle: int(st.IdleConns()),
		Max: int(st.MaxConns()), Waits: st.EmptyAcquireCount(), WaitTime: st.EmptyAcquireWaitTime()}
}
