package account

import (
	"context"
	"errors"
	"runtime"
	"time"
)

// ErrBusy is the answer of a Hasher whose slots stayed taken for its whole wait.
var ErrBusy = errors.New("account: too many passwords are being checked at once")

// Hasher checks passwords with bounded concurrency. Each argon2id hash holds Params.Memory (19
// MiB by default) while it runs, so a flood of sign-ins must not run them all at once: at most
// one per slot runs, and a caller waits at most the Hasher's wait for a slot. It is safe for
// concurrent use.
type Hasher struct {
	slots chan struct{}
	wait  time.Duration
}

// NewHasher returns a Hasher with the given slots (0: one per CPU) and wait for a slot (0: 10
// seconds: a few hundred hashes' turn on two cores).
func NewHasher(slots int, wait time.Duration) *Hasher {
	if slots <= 0 {
		slots = runtime.GOMAXPROCS(0)
	}
	if wait <= 0 {
		wait = 10 * time.Second
	}
	return &Hasher{slots: make(chan struct{}, slots), wait: wait}
}

// Do runs fn in a slot, waiting at most the Hasher's wait for one; it answers ErrBusy, or ctx's
// error, without running fn when none came free.
func (h *Hasher) Do(ctx context.Context, fn func()) error {
	select {
	case h.slots <- struct{}{}:
	default:
		t := time.NewTimer(h.wait)
		defer t.Stop()
		select {
		case h.slots <- struct{}{}:
		case <-t.C:
			return ErrBusy
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	defer func() { <-h.slots }()
	fn()
	return nil
}

// Authenticate is the package's Authenticate in a slot: it reports whether password is u's
// (false for a nil u, after the same work), or ErrBusy when no slot came free in time.
func (h *Hasher) Authenticate(ctx context.Context, u *User, password string) (ok bool, err error) {
	err = h.Do(ctx, func() { ok = Authenticate(u, password) })
	return ok, err
}

// Hash is HashPassword in a slot.
func (h *Hasher) Hash(ctx context.Context, password string) (hash string, err error) {
	if err := h.Do(ctx, func() { hash, err = HashPassword(password) }); err != nil {
		return "", err
	}
	return hash, err
}
