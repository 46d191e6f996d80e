package mail

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Queue sends messages in the background, one at a time, retrying temporary failures with a
// doubling delay. It holds at most size messages (waiting or being retried), so a mail server that is slow
// or down costs bounded memory and never delays the caller. Messages live in memory only: what
// is queued when the process stops is lost. Delivery is at least once: a message whose sending is
// cut off after the server took it is sent again.
//
// Enqueue is safe for concurrent use; Run is called once.
type Queue struct {
	// Attempts is how many times a message is tried before it is dropped (default 5).
	Attempts int
	// Backoff is the wait before the first retry; each further retry waits twice as long, up to
	// an hour (default 30 seconds).
	Backoff time.Duration
	// Drain bounds the time Run spends, once its context is done, sending what is still queued
	// (default 10 seconds).
	Drain time.Duration

	sender Sender
	log    *slog.Logger
	size   int

	mu      sync.Mutex
	waiting []queued // in arrival order
	busy    bool     // a message is being sent
	wake    chan struct{}
}

// queued is a message with its delivery attempts so far and the time of the next one.
type queued struct {
	m     Message
	tries int
	due   time.Time
}

// NewQueue returns a queue of at most size messages that sends through sender and logs failures
// to log (nil: nowhere). Fields may be changed before Run is called.
func NewQueue(sender Sender, log *slog.Logger, size int) *Queue {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Queue{
		Attempts: 5,
		Backoff:  30 * time.Second,
		Drain:    10 * time.Second,
		sender:   sender,
		log:      log,
		size:     max(size, 1),
		wake:     make(chan struct{}, 1),
	}
}

// Enqueue adds m to the queue and returns at once; it reports false, dropping m, when the queue
// is full.
func (q *Queue) Enqueue(m Message) bool {
	q.mu.Lock()
	if q.len() >= q.size {
		q.mu.Unlock()
		return false
	}
	q.waiting = append(q.waiting, queued{m: m})
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

// Len returns how many messages are queued, including one being sent.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.len()
}

func (q *Queue) len() int {
	n := len(q.waiting)
	if q.busy {
		n++
	}
	return n
}

// Run sends queued messages until ctx is done, then tries each message still queued once more,
// for at most q.Drain, and returns. Messages it gives up on are logged, without their recipient.
func (q *Queue) Run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if ctx.Err() != nil {
			q.drain(ctx)
			return
		}
		next, wait, ok := q.take(time.Now())
		if ok {
			q.attempt(ctx, next)
			continue
		}
		if wait > 0 {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
		case <-q.wake:
		case <-timer.C:
		}
	}
}

// take removes and returns the message to send now: the first whose time has come. Otherwise it
// returns how long until one is due (0 when none waits).
func (q *Queue) take(now time.Time) (queued, time.Duration, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	best := -1
	for i, w := range q.waiting {
		if best < 0 || w.due.Before(q.waiting[best].due) {
			best = i
		}
	}
	if best < 0 {
		return queued{}, 0, false
	}
	if w := q.waiting[best]; w.due.After(now) {
		return queued{}, w.due.Sub(now), false
	}
	next := q.waiting[best]
	q.waiting = append(q.waiting[:best], q.waiting[best+1:]...)
	q.busy = true
	return next, 0, true
}

// attempt sends one message and, when that fails, queues it again or gives up.
func (q *Queue) attempt(ctx context.Context, w queued) {
	err := q.sender.Send(ctx, w.m)
	w.tries++
	q.mu.Lock()
	defer q.mu.Unlock()
	q.busy = false
	switch {
	case err == nil:
	case w.tries >= q.Attempts || Permanent(err):
		q.log.Error("mail: giving up on a message", "subject", w.m.Subject, "attempts", w.tries, "err", err)
	default:
		delay := min(q.Backoff<<(w.tries-1), time.Hour)
		if delay <= 0 { // a zero Backoff, or an overflow
			delay = min(q.Backoff, time.Hour)
		}
		w.due = time.Now().Add(delay)
		q.waiting = append(q.waiting, w)
		q.log.Warn("mail: will retry a message", "subject", w.m.Subject, "attempt", w.tries, "in", delay, "err", err)
	}
}

// drain tries each message still queued once, within q.Drain of ctx being done.
func (q *Queue) drain(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), q.Drain)
	defer cancel()
	for ctx.Err() == nil {
		q.mu.Lock()
		if len(q.waiting) == 0 {
			q.mu.Unlock()
			return
		}
		w := q.waiting[0]
		q.waiting = q.waiting[1:]
		q.mu.Unlock()
		if err := q.sender.Send(ctx, w.m); err != nil {
			q.log.Error("mail: dropping a message at shutdown", "subject", w.m.Subject, "err", err)
		}
	}
	if n := q.Len(); n > 0 {
		q.log.Error("mail: dropping messages at shutdown", "count", n)
	}
}
