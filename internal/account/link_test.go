package account

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPasswordLink(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)
	u := &User{ID: 7, PasswordHash: "$argon2id$old", Email: "ed@example.com"}
	token, l := NewPasswordLink(u, LinkReset, now)
	token2, _ := NewPasswordLink(u, LinkReset, now)
	if token == token2 || !LooksLikeLinkToken(token) || l.TokenHash != HashToken(token) {
		t.Fatalf("NewPasswordLink = %q, %+v", token, l)
	}
	for _, bad := range []string{"", token[1:], token + "A", "!" + token[1:], "bs_" + token[3:] + "x"} {
		if LooksLikeLinkToken(bad) {
			t.Errorf("LooksLikeLinkToken(%q) = true", bad)
		}
	}
	if !l.ExpiresAt.Equal(now.Add(ResetLinkLife)) {
		t.Errorf("a reset link expires at %v, want an hour on", l.ExpiresAt)
	}
	if _, inv := NewPasswordLink(u, LinkInvite, now); !inv.ExpiresAt.Equal(now.Add(InviteLinkLife)) {
		t.Errorf("an invitation expires at %v, want a week on", inv.ExpiresAt)
	}
	changed := *u
	changed.PasswordHash = "$argon2id$new"
	moved := *u
	moved.Email = "ed@example.net"
	legacy := *l
	legacy.Stamp = legacyStamp(u.PasswordHash)
	tests := []struct {
		name string
		u    *User
		at   time.Time
		want bool
	}{
		{"fresh", u, now, true},
		{"just before it expires", u, now.Add(ResetLinkLife - time.Second), true},
		{"expired", u, now.Add(ResetLinkLife), false},
		{"another user", &User{ID: 8, PasswordHash: u.PasswordHash, Email: u.Email}, now, false},
		{"the email changed since", &moved, now, false},
		{"the password changed since", &changed, now, false},
		{"no user", nil, now, false},
	}
	for _, tt := range tests {
		if got := l.Valid(tt.u, tt.at); got != tt.want {
			t.Errorf("Valid(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
	// A link made before the email joined the stamp works until it expires, and not after a new
	// password.
	if !legacy.Valid(u, now) || !legacy.Valid(&moved, now) || legacy.Valid(&changed, now) || legacy.Valid(u, now.Add(ResetLinkLife)) {
		t.Error("a link with the password-only stamp does not follow the password alone")
	}
	// An invited user has no password yet; choosing one voids the invitation's other links.
	invited := &User{ID: 9}
	_, inv := NewPasswordLink(invited, LinkInvite, now)
	if !inv.Valid(invited, now) || inv.Valid(&User{ID: 9, PasswordHash: "$argon2id$chosen"}, now) {
		t.Error("an invitation's validity does not follow the password")
	}
}

func TestResetBuckets(t *testing.T) {
	t.Parallel()
	var keys []string
	for _, b := range ResetThrottle().ResetBuckets("ed@example.org", "192.0.2.1") {
		keys = append(keys, b.Key)
		if b.Account {
			t.Errorf("bucket %q is emptied by a sign-in", b.Key)
		}
	}
	// Their own keys: a reset never counts against sign-ins, nor a sign-in against resets.
	if diff := cmp.Diff([]string{"reset ed@example.org", "reset-ip 192.0.2.1"}, keys); diff != "" {
		t.Errorf("ResetBuckets (-want +got):\n%s", diff)
	}
}
