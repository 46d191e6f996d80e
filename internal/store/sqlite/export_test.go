package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// WriterBusyTimeout is the writer connection's busy_timeout in milliseconds, as SQLite reports it.
func (db *DB) WriterBusyTimeout(ctx context.Context) (int, error) {
	var ms int
	err := db.w.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&ms)
	return ms, err
}

// Trace makes db call fn with every query it runs through its statement caches, and the
// query's arguments; nil stops it. Set it before the database is used concurrently.
func (db *DB) Trace(fn func(query string, args []any)) { db.rs.trace, db.ws.trace = fn, fn }

// LimitPages makes the writer's connections answer SQLITE_FULL once the file has n pages, as a
// full disk would.
func (db *DB) LimitPages(ctx context.Context, n int) error {
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 2 {
		c, err := db.w.Conn(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
		if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", n)); err != nil {
			return err
		}
	}
	return nil
}

// SyncWAL replaces how the group committer of a database opened with Synchronous FULL makes its
// commits durable, so that a test can hold a sync or fail it as a dying disk would. Set it
// before the database is written.
func (db *DB) SyncWAL(fn func() error) { db.gc.syncWAL = fn }

// HoldReadTurns takes every turn of the comment posts' reads, as that many reads under way
// would, until the returned function gives them back.
func (db *DB) HoldReadTurns() func() {
	for range cap(db.turns) {
		db.turns <- struct{}{}
	}
	return func() {
		for range cap(db.turns) {
			<-db.turns
		}
	}
}
