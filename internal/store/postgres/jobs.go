package postgres

import (
	"context"
	"fmt"
	"time"
)

// holdCheck is how often Exclusive checks that its lock's connection is still alive.
const holdCheck = time.Second

// Exclusive implements store.Jobs with a session-level advisory lock named for the job, taken
// with pg_try_advisory_lock on a connection of the pool held while fn runs. The lock dies with
// its connection, so when a node dies another takes the job at its next try; and a node whose
// connection fails (checked every second) cancels fn's context, since it may no longer hold the
// job.
func (s Store) Exclusive(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	conn, err := s.db.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("postgres: job %s: %w", name, translate(err))
	}
	defer conn.Release()
	var got bool
	key := "broadsheet job " + name
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, key).Scan(&got); err != nil {
		return false, fmt.Errorf("postgres: job %s: %w", name, translate(err))
	}
	if !got {
		return false, nil
	}
	held, cancel := context.WithCancel(ctx)
	defer cancel()
	watched := make(chan bool)
	go func() {
		t := time.NewTicker(holdCheck)
		defer t.Stop()
		for {
			select {
			case <-held.Done():
				watched <- true
				return
			case <-t.C:
				if err := conn.Ping(held); err != nil && held.Err() == nil {
					cancel()
					watched <- false
					return
				}
			}
		}
	}()
	err = fn(held)
	cancel()
	if alive := <-watched; !alive {
		conn.Conn().Close(context.Background()) // the pool drops a closed connection
		return true, err
	}
	if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, key); uerr != nil {
		conn.Conn().Close(context.Background())
	}
	return true, err
}
