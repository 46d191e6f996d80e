package postgres

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/broadsheet/broadsheet/internal/store"
)

// ChangesSince implements store.Changes. The changes and the latest number come from one
// statement, so from one snapshot: a transaction committing meanwhile shows in both or neither.
func (s Store) ChangesSince(ctx context.Context, seq int64, limit int) ([]store.Change, int64, error) {
	var list []store.Change
	latest := seq
	err := s.each(ctx, `SELECT l.seq, l.key, (SELECT k.seq FROM change_counter k WHERE k.id = 1) FROM change_log l
		WHERE l.seq > $1 ORDER BY l.seq LIMIT $2`, []any{seq, limit}, func(sc func(...any) error) error {
		var c store.Change
		if err := sc(&c.Seq, &c.Key, &latest); err != nil {
			return err
		}
		list = append(list, c)
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: changes since %d: %w", seq, err)
	}
	return list, latest, nil
}

// PruneChanges implements store.Changes. The same housekeeping folds the listing counts' rows
// of each connection (migration 0004) into slot 0, so that their number stays bounded however
// many connections come and go: one statement, which waits for no writer but the ones holding
// the rows it moves, and which no writer waits for, since writers never touch slot 0.
func (s Store) PruneChanges(ctx context.Context, keep int) error {
	if err := s.exec(ctx, "prune changes", `DELETE FROM change_log
		WHERE seq <= (SELECT seq FROM change_counter WHERE id = 1) - $1`, keep); err != nil {
		return err
	}
	return s.exec(ctx, "fold listing counts", `WITH moved AS (
			DELETE FROM article_counts WHERE slot <> 0 RETURNING kind, section_id, status, n)
		INSERT INTO article_counts AS c (kind, section_id, status, slot, n)
			SELECT kind, section_id, status, 0, sum(n) FROM moved GROUP BY kind, section_id, status
		ON CONFLICT (kind, section_id, status, slot) DO UPDATE SET n = c.n + EXCLUDED.n`)
}

// LatestChange implements store.Changes.
func (s Store) LatestChange(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.read().QueryRow(ctx, `SELECT seq FROM change_counter WHERE id = 1`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("postgres: latest change: %w", translate(err))
	}
	return seq, nil
}

// changeChannel is the channel every committed change is announced on, with the latest
// sequence number as its payload.
const changeChannel = "broadsheet_changes"

// ChangeMark implements store.Changes. It moves when a write of this process returns, when
// the listener hears of any commit that changed something, and every PollInterval; while the listener is not connected
// (at start, or after its connection was lost) notifications may be missed, so every call moves
// it, and a cache reads the change log each time as it did before the mark.
func (s Store) ChangeMark() uint64 {
	if !s.db.listening.Load() {
		return s.db.mark.Add(1)
	}
	return s.db.mark.Load()
}

// startListener starts the listener, which Close stops.
func (db *DB) startListener() {
	ctx, stop := context.WithCancel(context.Background())
	db.stopListen, db.listenDone = stop, make(chan struct{})
	go func() {
		defer close(db.listenDone)
		var wg sync.WaitGroup
		wg.Go(func() { db.poll(ctx) })
		db.listen(ctx)
		wg.Wait()
	}()
}

// PollInterval bounds how stale a node's view of the change log can be when a notification is
// lost: the change mark moves at least this often, so a page cache reads the log's tail (a
// query that finds nothing, most of the time) at least once in each interval.
const PollInterval = time.Second

// poll moves the change mark every PollInterval until ctx ends: the safety net under the
// notifications.
func (db *DB) poll(ctx context.Context) {
	t := time.NewTicker(PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			db.mark.Add(1)
		}
	}
}

// listen holds a connection of its own (outside the pool) listening on changeChannel until ctx
// ends, and on each notification moves the change mark and wakes Listen's callers. When that
// connection is lost it connects again with pauses from 100ms doubling to 5s, and then wakes
// them with 0: notifications may have been missed meanwhile.
func (db *DB) listen(ctx context.Context) {
	cfg := db.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = "broadsheet-listen"
	pause := 100 * time.Millisecond
	for first := true; ; first = false {
		err := db.listenOnce(ctx, cfg, !first, func() { pause = 100 * time.Millisecond })
		db.listening.Store(false)
		if ctx.Err() != nil {
			return
		}
		db.mu.Lock()
		onErr := db.onListenError
		db.mu.Unlock()
		if onErr != nil {
			onErr(err, pause)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

// listenOnce connects, listens and passes on notifications until the connection fails or ctx
// ends. After a reconnection it wakes with 0 once it listens again.
func (db *DB) listenOnce(ctx context.Context, cfg *pgx.ConnConfig, again bool, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("postgres: listen: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changeChannel); err != nil {
		return fmt.Errorf("postgres: listen: %w", err)
	}
	db.listening.Store(true)
	db.mark.Add(1) // what was committed while nobody listened
	connected()
	if again {
		db.wake(0)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("postgres: listen: %w", err)
		}
		seq, _ := strconv.ParseInt(n.Payload, 10, 64)
		db.mark.Add(1)
		db.wake(seq)
	}
}

// wake calls Listen's callers.
func (db *DB) wake(seq int64) {
	db.mu.Lock()
	defer db.mu.Unlock()
	for fn := range db.wakes {
		(*fn)(seq)
	}
}

// Listen calls wake with the latest sequence number after every committed transaction that
// changed something, from any node or process, until ctx ends; and with 0 after the database's
// listening connection was lost and made again, since notifications may have been missed
// meanwhile, so the caller should read the change log now. wake must not block. Listening
// reports whether the connection is up.
//
// Notifications only make a node look sooner: the change log stays the truth, and a node must
// still read it now and then (a notification can be lost with its connection).
func (db *DB) Listen(ctx context.Context, wake func(seq int64)) error {
	db.mu.Lock()
	db.wakes[&wake] = struct{}{}
	db.mu.Unlock()
	<-ctx.Done()
	db.mu.Lock()
	delete(db.wakes, &wake)
	db.mu.Unlock()
	return nil
}

// Listening reports whether the listening connection is up.
func (db *DB) Listening() bool { return db.listening.Load() }

// OnListenError makes the listener report each lost connection and the pause before it tries
// again.
func (db *DB) OnListenError(fn func(err error, pause time.Duration)) {
	db.mu.Lock()
	db.onListenError = fn
	db.mu.Unlock()
}
