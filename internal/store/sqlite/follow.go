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

func startFollower(conn *sql.DB, period time.Duration) *follower {
	ctx, stop := context.WithCancel(context.Background())
	f := &follower{conn: conn, stop: stop, done: make(chan struct{}), period: period}
	go f.run(ctx)
	return f
}

func (f *follower) run(ctx context.Context) {
	defer close(f.done)
	t := time.NewTicker(f.period)
	defer t.Stop()
	var last int64 = -1
	for {
		var v int64
		if err := f.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err == nil && v != last {
			if last != -1 {
				f.mark.Add(1)
			}
			last = v
		} else if err != nil && ctx.Err() == nil {
			f.mark.Add(1) // unsure what happened: let readers look at the log
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
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
