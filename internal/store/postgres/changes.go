package postgres

import (
	"context"
	"fmt"
	"strconv"
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

// PruneChanges implements store.Changes.
func (s Store) PruneChanges(ctx context.Context, keep int) error {
	return s.exec(ctx, "prune changes", `DELETE FROM change_log
		WHERE seq <= (SELECT seq FROM change_counter WHERE id = 1) - $1`, keep)
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

// Listen calls wake with the latest sequence number after every committed transaction that
// changed something, from any node or process, until ctx ends. It holds a connection of its own
// (outside the pool); when that connection is lost it connects again with pauses from 100ms
// doubling to 5s, and then calls wake(0): notifications may have been missed meanwhile, so the
// listener should read the change log now. Listening reports whether it is connected.
//
// Notifications only make a node look sooner: the change log stays the truth, and a node must
// still read it now and then (a notification can be lost with its connection).
func (db *DB) Listen(ctx context.Context, wake func(seq int64)) error {
	cfg := db.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = "broadsheet-listen"
	pause := 100 * time.Millisecond
	for first := true; ; first = false {
		err := db.listenOnce(ctx, cfg, wake, !first, func() { pause = 100 * time.Millisecond })
		db.listening.Store(false)
		if ctx.Err() != nil {
			return nil
		}
		if db.onListenError != nil {
			db.onListenError(err, pause)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

// listenOnce connects, listens and passes on notifications until the connection fails or ctx
// ends. After a reconnection it calls wake(0) once it listens again.
func (db *DB) listenOnce(ctx context.Context, cfg *pgx.ConnConfig, wake func(int64), again bool, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("postgres: listen: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changeChannel); err != nil {
		return fmt.Errorf("postgres: listen: %w", err)
	}
	db.listening.Store(true)
	connected()
	if again {
		wake(0)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("postgres: listen: %w", err)
		}
		seq, _ := strconv.ParseInt(n.Payload, 10, 64)
		wake(seq)
	}
}

// Listening reports whether Listen is connected and listening.
func (db *DB) Listening() bool { return db.listening.Load() }

// OnListenError makes Listen report each lost connection and the pause before it tries again;
// call it before Listen.
func (db *DB) OnListenError(fn func(err error, pause time.Duration)) { db.onListenError = fn }
