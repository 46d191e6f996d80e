package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxStmts bounds a pool's statement cache. Queries built for a varying number of arguments
// (an IN list of a bulk moderation) could otherwise fill it; past the bound they run unprepared.
const maxStmts = 1000

// stmts is a pool's cache of prepared statements, keyed by their SQL, so that no query parses
// its SQL twice on one connection: database/sql prepares a cached statement on each connection
// of the pool the first time it runs there, and reuses it after.
type stmts struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
	// trace, when set (by tests), sees every query and its arguments.
	trace func(query string, args []any)
}

func newStmts(db *sql.DB) *stmts { return &stmts{db: db, m: map[string]*sql.Stmt{}} }

// get returns the cached statement of query, preparing it on first use; nil when the cache is
// full or the query does not prepare (running it unprepared then reports the error).
func (c *stmts) get(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	st := c.m[query]
	c.mu.RUnlock()
	if st != nil {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st = c.m[query]; st != nil || len(c.m) >= maxStmts {
		return st
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.m[query] = st
	return st
}

// close closes every cached statement.
func (c *stmts) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, st := range c.m {
		st.Close()
		delete(c.m, k)
	}
}

// querier runs queries through a pool's statement cache, on the pool or inside tx.
type querier struct {
	st *stmts
	tx *sql.Tx
	// ctx, set inside a group commit, replaces the caller's context: a write taken into a
	// batch runs to the end, since interrupting one statement can roll back the whole batch.
	ctx context.Context
}

// stmt is the prepared statement of query for this pool or transaction, or nil.
func (q querier) stmt(ctx context.Context, query string, args []any) *sql.Stmt {
	if q.st.trace != nil {
		q.st.trace(query, args)
	}
	st := q.st.get(ctx, query)
	if st != nil && q.tx != nil {
		// The transaction runs on the writer's one connection, where st is already prepared.
		st = q.tx.StmtContext(ctx, st)
	}
	return st
}

// ExecContext runs a statement that returns no rows.
func (q querier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if q.ctx != nil {
		ctx = q.ctx
	}
	if st := q.stmt(ctx, query, args); st != nil {
		return st.ExecContext(ctx, args...)
	}
	if q.tx != nil {
		return q.tx.ExecContext(ctx, query, args...)
	}
	return q.st.db.ExecContext(ctx, query, args...)
}

// QueryContext runs a query that returns rows.
func (q querier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if q.ctx != nil {
		ctx = q.ctx
	}
	if st := q.stmt(ctx, query, args); st != nil {
		return st.QueryContext(ctx, args...)
	}
	if q.tx != nil {
		return q.tx.QueryContext(ctx, query, args...)
	}
	return q.st.db.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query that returns at most one row.
func (q querier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if q.ctx != nil {
		ctx = q.ctx
	}
	if st := q.stmt(ctx, query, args); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	if q.tx != nil {
		return q.tx.QueryRowContext(ctx, query, args...)
	}
	return q.st.db.QueryRowContext(ctx, query, args...)
}
