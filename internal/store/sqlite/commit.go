package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// maxBatch bounds how many writes share one transaction.
const maxBatch = 256

// job is one write waiting for the group committer.
type job struct {
	ctx  context.Context
	fn   func(q querier) error
	done chan result
}

type result struct {
	err   error
	panic any // fn's panic, raised again in the caller's goroutine
	// logged: the commit holding the write appended to the change log (or another process's
	// did, since the batch before), so the change mark must move
	logged bool
}

// committer is the database's one writer: it takes the writes waiting when it is free, runs
// them in one transaction, each in its own savepoint, and commits once, so concurrent writers
// share one commit (and, with durability FULL, one fsync). A write whose fn fails rolls back
// to its savepoint alone; a commit that fails fails every write of the batch. Each caller is
// answered only after the commit that holds its write (with FULL, after the fsync of the WAL
// that follows it), so an acknowledged write is committed (and on the disk).
//
// It leaves checkpoints (copying the WAL into the database file, and syncing that) to a
// goroutine of their own on the writer pool's second connection, so that no commit waits for
// one: SQLite's automatic checkpoint, run by the committing connection, stalled every writer
// of a batch while it wrote and synced scattered pages of a large file.
type committer struct {
	w       *sql.DB
	ws      *stmts
	jobs    chan job
	quit    chan struct{}
	done    chan struct{}
	once    sync.Once
	commits atomic.Int64 // batches committed, for the checkpointer
	logEnd  int64        // the change log's last number after the last commit (-1: unknown)
	// syncWAL, when set (durability FULL), makes the committed batches durable: the writer
	// then commits without syncing (synchronous=NORMAL) and hands each committed batch to the
	// syncer, which answers it after a sync of the WAL, while the writer runs the next batch.
	syncWAL  func() error
	unsynced chan synced
}

// synced is a committed batch waiting for the sync that makes it durable.
type synced struct {
	batch   []job
	results []result
}

// maxUnsynced bounds how many committed batches wait for the syncer before the writer waits too.
const maxUnsynced = 64

// checkpointEvery is how often the checkpointer looks for committed writes to checkpoint.
const checkpointEvery = 200 * time.Millisecond

// newCommitter starts the writer; syncWAL, when not nil, is how it makes commits durable (see
// committer.syncWAL).
func newCommitter(w *sql.DB, ws *stmts, syncWAL func() error) *committer {
	c := &committer{w: w, ws: ws, jobs: make(chan job), quit: make(chan struct{}), done: make(chan struct{}), logEnd: -1,
		syncWAL: syncWAL, unsynced: make(chan synced, maxUnsynced)}
	checkpointed := make(chan struct{})
	go c.checkpoint(checkpointed)
	drained := make(chan struct{})
	go c.sync(drained)
	go func() {
		c.run()
		close(c.unsynced)
		<-drained
		<-checkpointed
		close(c.done)
	}()
	return c
}

// sync answers the committed batches handed to it once a sync of the WAL that follows their
// commits returns: one sync for every batch waiting, as one commit serves every write waiting.
// A failed sync fails every write it was to make durable (the writes may be stored: the disk
// did not say).
func (c *committer) sync(done chan<- struct{}) {
	defer close(done)
	for s := range c.unsynced {
		waiting := []synced{s}
	more:
		for {
			select {
			case s, ok := <-c.unsynced:
				if !ok {
					break more
				}
				waiting = append(waiting, s)
			default:
				break more
			}
		}
		err := c.syncWAL()
		for _, s := range waiting {
			for i, j := range s.batch {
				r := s.results[i]
				if err != nil && r.err == nil && r.panic == nil {
					r = result{err: fmt.Errorf("the disk did not confirm the write: %w", err)}
				}
				j.done <- r
			}
		}
	}
}

// checkpoint runs a passive checkpoint (which neither waits for nor blocks the writer or the
// readers) after commits, until the committer quits.
func (c *committer) checkpoint(done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	var seen int64
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
		}
		if n := c.commits.Load(); n != seen {
			seen = n
			// A failure is retried at the next tick; the writer's own automatic checkpoint,
			// set far higher, bounds the WAL if these keep failing.
			c.w.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

// errClosed answers writes to a closed database.
var errClosed = errors.New("the database is closed")

// do runs fn in a write transaction shared with concurrent writers, and returns fn's error or
// the commit's, and whether that commit appended to the change log.
func (c *committer) do(ctx context.Context, fn func(q querier) error) (logged bool, err error) {
	j := job{ctx: ctx, fn: fn, done: make(chan result, 1)}
	select {
	case c.jobs <- j:
	case <-ctx.Done():
		return false, ctx.Err()
	case <-c.quit:
		return false, errClosed
	}
	// Once taken, a write runs to its commit even if its caller goes away: the batch it shares
	// must not be interrupted, and its caller then learns nothing either way.
	r := <-j.done
	if r.panic != nil {
		panic(r.panic)
	}
	return r.logged, r.err
}

// close stops the committer once the batch in hand is committed.
func (c *committer) close() {
	c.once.Do(func() { close(c.quit) })
	<-c.done
}

func (c *committer) run() {
	for {
		var batch []job
		select {
		case j := <-c.jobs:
			batch = append(batch, j)
		case <-c.quit:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case j := <-c.jobs:
				batch = append(batch, j)
			default:
				break more
			}
		}
		c.commit(batch)
		c.commits.Add(1)
	}
}

// commit runs one batch and answers each of its writers.
func (c *committer) commit(batch []job) {
	results := make([]result, len(batch))
	answer := func() {
		for i, j := range batch {
			j.done <- results[i]
		}
	}
	fail := func(err error) {
		for i := range results {
			if results[i].err == nil && results[i].panic == nil {
				results[i].err = err
			}
		}
		answer()
	}
	tx, err := c.w.BeginTx(context.Background(), nil)
	if err != nil {
		fail(translate(err))
		return
	}
	q := querier{st: c.ws, tx: tx}
	ctx := context.Background()
	single := len(batch) == 1
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		if !single {
			if _, err := q.ExecContext(ctx, "SAVEPOINT w"); err != nil {
				tx.Rollback()
				fail(translate(err))
				return
			}
		}
		q.ctx = context.WithoutCancel(j.ctx)
		results[i] = run(j.fn, q)
		if single {
			break
		}
		var err error
		if results[i].err != nil || results[i].panic != nil {
			_, err = q.ExecContext(ctx, "ROLLBACK TO w")
		}
		if err == nil {
			_, err = q.ExecContext(ctx, "RELEASE w")
		}
		if err != nil {
			// SQLite rolled the whole transaction back (a full disk, an I/O error): every
			// write of the batch is lost, and none was acknowledged.
			tx.Rollback()
			fail(fmt.Errorf("%w (the transaction was rolled back)", translate(err)))
			return
		}
	}
	if single && (results[0].err != nil || results[0].panic != nil) {
		tx.Rollback()
		answer()
		return
	}
	// Most comment posts (held ones) append nothing to the change log: then the change mark
	// stays, and cached pages are served without reading the log.
	var end int64
	if err := q.QueryRowContext(ctx, latestChange).Scan(&end); err != nil {
		tx.Rollback()
		fail(translate(err))
		return
	}
	if err := tx.Commit(); err != nil {
		fail(translate(err))
		return
	}
	if end != c.logEnd {
		c.logEnd = end
		for i := range results {
			results[i].logged = true
		}
	}
	if c.syncWAL != nil {
		c.unsynced <- synced{batch, results}
		return
	}
	answer()
}

// run calls fn, catching its panic so that the batch's transaction is still finished.
func run(fn func(q querier) error, q querier) (r result) {
	defer func() {
		if p := recover(); p != nil {
			r.panic = p
		}
	}()
	return result{err: fn(q)}
}
