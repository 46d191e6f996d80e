package sqlite

// Trace makes db call fn with every query it runs through its statement caches, and the
// query's arguments; nil stops it. Set it before the database is used concurrently.
func (db *DB) Trace(fn func(query string, args []any)) { db.rs.trace, db.ws.trace = fn, fn }
