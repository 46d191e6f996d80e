package sqlite

import "context"

// WriterBusyTimeout is the writer connection's busy_timeout in milliseconds, as SQLite reports it.
func (db *DB) WriterBusyTimeout(ctx context.Context) (int, error) {
	var ms int
	err := db.w.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&ms)
	return ms, err
}
