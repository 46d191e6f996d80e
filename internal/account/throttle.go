package account

import "time"

// Failures summarises the failed sign-ins of one account or one address within a throttle's
// window.
type Failures struct {
	Count int
	// Oldest is the time of the oldest failure in the window; zero when Count is 0.
	Oldest time.Time
}

// Throttle limits password guessing: per account, so that nobody can try many passwords on one
// email, and per IP address, so that nobody can try one password on many emails. Accounts are
// counted by the email typed, whether or not an account has it, so the limit answers alike for
// strangers and staff and tells nobody which emails exist.
type Throttle struct {
	PerAccount int
	PerIP      int
	Window     time.Duration
}

// DefaultThrottle allows 5 failures per email and 50 per address in any 15 minutes.
func DefaultThrottle() Throttle {
	return Throttle{PerAccount: 5, PerIP: 50, Window: 15 * time.Minute}
}

// Since is the start of the window that ends at now: the failures a store must count.
func (t Throttle) Since(now time.Time) time.Time { return now.Add(-t.Window) }

// Wait returns how long a sign-in at now must wait given the failures counted since Since(now):
// zero when it may go ahead.
func (t Throttle) Wait(byAccount, byIP Failures, now time.Time) time.Duration {
	var wait time.Duration
	for _, c := range []struct {
		f     Failures
		limit int
	}{{byAccount, t.PerAccount}, {byIP, t.PerIP}} {
		if c.limit > 0 && c.f.Count >= c.limit {
			wait = max(wait, c.f.Oldest.Add(t.Window).Sub(now))
		}
	}
	return max(wait, 0)
}
