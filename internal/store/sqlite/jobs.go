package sqlite

import (
	"context"
	"sync"
)

// Exclusive implements store.Jobs. A SQLite site has one server, so jobs are exclusive within
// this process: a second call with a running job's name returns at once without running fn.
func (s Store) Exclusive(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	v, _ := s.db.jobs.LoadOrStore(name, new(sync.Mutex))
	mu := v.(*sync.Mutex)
	if !mu.TryLock() {
		return false, nil
	}
	defer mu.Unlock()
	return true, fn(ctx)
}
