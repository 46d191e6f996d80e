package account

import "time"

// Throttle limits password guessing without letting strangers lock staff out. Every sign-in is
// counted before its password is checked (a store reserves the attempt atomically, so that no
// burst of parallel requests gets more guesses than the limits), in buckets:
//
//   - from a device that signed in to the account before (it holds a signed device cookie):
//     PerAccount per device and nothing else, so that nobody else's failures ever block it;
//   - from anywhere else: PerAccount per account and address, PerAccountAnywhere per account
//     from all such addresses together, and PerIP per address over every email.
//
// Accounts are counted by the email typed, whether or not an account has it, so the limits
// answer alike for strangers and staff and tell nobody which emails exist. A limit of 0 is none.
type Throttle struct {
	PerAccount         int
	PerAccountAnywhere int
	PerIP              int
	Window             time.Duration
}

// DefaultThrottle allows, in any 15 minutes, 5 guesses per email from one address or known
// device, 50 per email from unknown devices everywhere, and 50 per address.
func DefaultThrottle() Throttle {
	return Throttle{PerAccount: 5, PerAccountAnywhere: 50, PerIP: 50, Window: 15 * time.Minute}
}

// Bucket is one count a sign-in attempt is held to: at most Limit attempts with the Key in a
// throttle's window.
type Bucket struct {
	Key   string
	Limit int
	// Account marks the buckets a successful sign-in empties: those of the account itself, not
	// the address's, which counts guesses at every email.
	Account bool
}

// Buckets returns the buckets of a sign-in as email from ip; device is the ID of the device
// cookie that signed in to this email's account before, or "".
func (t Throttle) Buckets(email, ip, device string) []Bucket {
	var list []Bucket
	add := func(key string, limit int, acct bool) {
		if limit > 0 {
			list = append(list, Bucket{Key: key, Limit: limit, Account: acct})
		}
	}
	if device != "" {
		add("device "+device+" "+email, t.PerAccount, true)
		return list
	}
	add("account "+email+" "+ip, t.PerAccount, true)
	add("anywhere "+email, t.PerAccountAnywhere, false)
	add("ip "+ip, t.PerIP, false)
	return list
}

// Since is the start of the window that ends at now: the attempts a store must count.
func (t Throttle) Since(now time.Time) time.Time { return now.Add(-t.Window) }

// Wait returns how long a sign-in refused at now must wait, given the oldest attempt counted in
// the full bucket: until that attempt leaves the window.
func (t Throttle) Wait(oldest, now time.Time) time.Duration {
	return max(oldest.Add(t.Window).Sub(now), time.Second)
}
