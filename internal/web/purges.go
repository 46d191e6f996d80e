package web

import (
	"context"
	"slices"
	"sync"
	"time"
)

// purgeFollower is where SendPurges stopped in the change log.
type purgeFollower struct {
	mu   sync.Mutex // one SendPurges at a time
	seq  int64      // the change log position whose changes were sent
	mark uint64     // the store's change mark when seq was read
}

// SendPurges tells Config.Purge the surrogate keys of the changes logged since it last looked
// (at its first call: since New), until ctx ends: it reads the change log's tail whenever the
// store's change mark moved, checking every interval, and asks for everything to be purged
// when it missed changes (the log was pruned past it, or too many waited). Without
// Config.Purge it returns at once.
//
// With several nodes, run it on one at a time (under a job), so that each change is purged once,
// not once per node. A node that takes the job over starts where it stopped, so it may send
// again some keys the previous holder sent, but it misses no change.
func (s *Server) SendPurges(ctx context.Context, interval time.Duration) error {
	if s.cfg.Purge == nil {
		return nil
	}
	f := s.purges
	f.mu.Lock()
	defer f.mu.Unlock()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if mark := s.store.ChangeMark(); mark != f.mark {
			changes, latest, err := s.store.ChangesSince(ctx, f.seq, maxChanges)
			if err != nil {
				return err
			}
			f.mark = mark
			switch {
			case latest <= f.seq:
			case len(changes) > 0 && (changes[0].Seq != f.seq+1 || changes[len(changes)-1].Seq != latest):
				s.cfg.Purge(nil) // missed changes: purge everything
			default:
				keys := make([]string, 0, len(changes))
				for _, ch := range changes {
					if ch.Seq > f.seq {
						keys = append(keys, SurrogateKey(ch.Key))
					}
				}
				slices.Sort(keys)
				if keys = slices.Compact(keys); len(keys) > 0 {
					s.cfg.Purge(keys)
				}
			}
			f.seq = max(f.seq, latest)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
