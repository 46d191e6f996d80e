package web

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
)

// countingPasswords counts the passwords it checks with the product's Hasher.
type countingPasswords struct {
	checked atomic.Int64
	h       *account.Hasher
}

// Authenticate counts every attempt the throttle let through to the check, whether or not
// the hasher then had a turn for it in time (on a busy machine it may answer account.ErrBusy).
func (c *countingPasswords) Authenticate(ctx context.Context, u *account.User, password string) (bool, error) {
	c.checked.Add(1)
	return c.h.Authenticate(ctx, u, password)
}

func (c *countingPasswords) Hash(ctx context.Context, password string) (string, error) {
	return c.h.Hash(ctx, password)
}

// signInAll sends the forms at once, each from its own address (X-Forwarded-For, with the test
// server as the trusted proxy) when addrs is set, and returns the statuses.
func (n *newsroom) signInAll(forms []url.Values, addrs []string) []int {
	codes := make([]int, len(forms))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, f := range forms {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, n.ts.URL+"/admin/login", strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			if addrs != nil {
				req.Header.Set("X-Forwarded-For", addrs[i])
			}
			<-start
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				n.t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	close(start)
	wg.Wait()
	return codes
}

func count(codes []int, code int) int {
	n := 0
	for _, c := range codes {
		if c == code {
			n++
		}
	}
	return n
}

// TestConcurrentWrongSignIns sends 100 wrong sign-ins at once for one account from one address:
// exactly the limit are checked, the rest refused before any hashing, whatever the interleaving.
func TestConcurrentWrongSignIns(t *testing.T) {
	t.Parallel()
	pw := &countingPasswords{h: account.NewHasher(0, 10*time.Minute)} // a turn always comes, however busy the machine
	n := newNewsroom(t, func(c *Config) { c.Passwords = pw })
	n.addUser("Edna Editor", account.Editor)
	forms := make([]url.Values, 100)
	for i := range forms {
		forms[i] = url.Values{"email": {"edna@example.org"}, "password": {"guess number " + itoa(i)}}
	}
	codes := n.signInAll(forms, nil)
	limit := account.DefaultThrottle().PerAccount
	if got := pw.checked.Load(); got != int64(limit) {
		t.Errorf("100 concurrent wrong sign-ins: %d passwords checked, want exactly %d", got, limit)
	}
	if count(codes, http.StatusUnauthorized) != limit || count(codes, http.StatusTooManyRequests) != 100-limit {
		t.Errorf("answers: %d × 401, %d × 429; want %d and %d", count(codes, 401), count(codes, 429), limit, 100-limit)
	}
	// The right password in the next burst is refused too: the window is full.
	if resp, _ := n.browser().post("/admin/login", url.Values{"email": {"edna@example.org"}, "password": {testPassword}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password after the burst = %d, want 429", resp.StatusCode)
	}
}

// TestConcurrentSignInsFromOneAddress spreads 200 wrong sign-ins over 20 emails from one address:
// the address's limit bounds the guesses checked.
func TestConcurrentSignInsFromOneAddress(t *testing.T) {
	t.Parallel()
	pw := &countingPasswords{h: account.NewHasher(0, 10*time.Minute)} // a turn always comes, however busy the machine
	n := newNewsroom(t, func(c *Config) { c.Passwords = pw })
	forms := make([]url.Values, 200)
	for i := range forms {
		forms[i] = url.Values{"email": {"person" + itoa(i%20) + "@example.org"}, "password": {"guess"}}
	}
	n.signInAll(forms, nil)
	if got, want := pw.checked.Load(), int64(account.DefaultThrottle().PerIP); got != want {
		t.Errorf("200 concurrent sign-ins over 20 emails: %d checked, want exactly %d", got, want)
	}
}

// TestStrangersCannotLockOutStaff: failures from other addresses do not block the account's
// owner, and once the account's guesses from everywhere are used up, a browser that signed in
// before still signs in.
func TestStrangersCannotLockOutStaff(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, func(c *Config) {
		c.Passwords = account.NewHasher(0, time.Minute)
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
		c.Throttle = account.Throttle{PerAccount: 3, PerAccountAnywhere: 12, PerIP: 50, Window: 15 * time.Minute}
	})
	n.addUser("Edna Editor", account.Editor)
	right := url.Values{"email": {"edna@example.org"}, "password": {testPassword}}
	laptop := n.browser()
	if resp, _ := laptop.post("/admin/login", right, "X-Forwarded-For", "198.51.100.7"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-in = %d", resp.StatusCode)
	}
	// Strangers from 3 addresses use up one address's limit each: 9 failures.
	var forms []url.Values
	var addrs []string
	for i := range 9 {
		forms = append(forms, url.Values{"email": {"edna@example.org"}, "password": {"guess"}})
		addrs = append(addrs, "203.0.113."+itoa(1+i%3))
	}
	if codes := n.signInAll(forms, addrs); count(codes, http.StatusUnauthorized) != 9 {
		t.Fatalf("strangers' guesses = %v, want 9 × 401", codes)
	}
	// The owner on a new device at another address is not blocked by them.
	if resp, _ := n.browser().post("/admin/login", right, "X-Forwarded-For", "198.51.100.8"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("owner from a new address after strangers' failures = %d, want 303", resp.StatusCode)
	}
	// More strangers use up the account's limit from unknown devices (12).
	forms, addrs = forms[:0], addrs[:0]
	for i := range 6 {
		forms = append(forms, url.Values{"email": {"edna@example.org"}, "password": {"guess"}})
		addrs = append(addrs, "203.0.113."+itoa(10+i%2))
	}
	n.signInAll(forms, addrs)
	if resp, _ := n.browser().post("/admin/login", right, "X-Forwarded-For", "198.51.100.9"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("new device after the account's limit = %d, want 429", resp.StatusCode)
	}
	// The laptop, which signed in before, signs out and in again, even from a stranger's address.
	laptop.post("/admin/logout", nil)
	if resp, _ := laptop.post("/admin/login", right, "X-Forwarded-For", "203.0.113.1"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("known device after strangers used up the account's limit = %d, want 303", resp.StatusCode)
	}
	// A device cookie of another account does not count as known.
	other := n.addUser("Wes Writer", account.Author)
	forged := account.NewDeviceToken(n.srv.secret, other.ID)
	req, _ := http.NewRequest(http.MethodPost, n.ts.URL+"/admin/login", strings.NewReader(right.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("X-Forwarded-For", "198.51.100.10")
	req.AddCookie(&http.Cookie{Name: "broadsheet_device", Value: forged})
	if resp, _ := n.browser().do(req); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("sign-in with another account's device cookie = %d, want 429", resp.StatusCode)
	}
}

// TestSignInWhenHashingIsBusy: a sign-in that finds every hashing slot taken for the whole wait
// gets a 503 page with its email kept, and its attempt does not count.
func TestSignInWhenHashingIsBusy(t *testing.T) {
	t.Parallel()
	h := account.NewHasher(1, time.Millisecond)
	n := newNewsroom(t, func(c *Config) {
		c.Passwords = h
		c.Throttle = account.Throttle{PerAccount: 1, Window: time.Hour}
	})
	n.addUser("Edna Editor", account.Editor)
	release := holdHasher(t, h)
	resp, body := n.browser().post("/admin/login", url.Values{"email": {"edna@example.org"}, "password": {testPassword}})
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(body, "busy") || !strings.Contains(body, `value="edna@example.org"`) {
		t.Errorf("sign-in while hashing is busy = %d (Retry-After %q), want 503 with the email kept:\n%.600s",
			resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	release()
	if resp, _ := n.browser().post("/admin/login", url.Values{"email": {"edna@example.org"}, "password": {testPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in once a slot is free = %d, want 303: the busy attempt was counted", resp.StatusCode)
	}
}

// holdHasher takes h's one slot until the returned function is called.
func holdHasher(t *testing.T, h *account.Hasher) func() {
	t.Helper()
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		if err := h.Do(context.Background(), func() { close(held); <-release }); err != nil {
			t.Error(err)
			close(held)
		}
	}()
	<-held
	return func() { close(release); <-done }
}
