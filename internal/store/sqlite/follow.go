package sqlite

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// follower keeps the change mark: this process's commits move it at once, and a goroutine
// watches PRAGMA data_version on a connection of its own, which moves when any other
// connection (another process, or this one's writer) commits, so other writers' changes are
// seen within one poll interval.
type follower struct {
	mark   atomic.Uint64
	conn   *sql.DB
	stop   context.CancelFunc
	done   chan struct{}
	period time.Duration
}

// startFollower reads the first data_version before it returns, so that every commit after
// Open moves the mark.
func startFollower(ctx context.Context, conn *sql.DB, period time.Duration) (*follower, error) {
	var last int64
	if err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&last); err != nil {
		return nil, err
	}
	bg, stop := context.WithCancel(context.Background())
	f := &follower{conn: conn, stop: stop, done: make(chan struct{}), period: period}
	go f.run(bg, last)
	return f, nil
}

func (f *follower) run(ctx context.Context, last int64) {
	defer close(f.done)
	t := time.NewTicker(f.period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var v int64
		if err := f.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
			if ctx.Err() == nil {
				f.mark.Add(1) // unsure what happened: let readers look at the log
			}
		} else if v != last {
			f.mark.Add(1)
			last = v
		}
	}
}

func (f *follower) close() error {
	f.stop()
	<-f.done
	return f.conn.Close()
}

// ChangeMark implements store.Store.
func (s Store) ChangeMark() uint64 { return s.db.follow.mark.Load() }
