package account

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Why a set-password link was made.
const (
	// LinkInvite lets a new staff member, invited by email, choose their first password.
	LinkInvite = "invite"
	// LinkReset answers "Lost your password?".
	LinkReset = "reset"
	// LinkHandover is made by an administrator (or the command line) and handed over by hand,
	// for a site that sends no mail.
	LinkHandover = "handover"
)

// How long each kind of link works: a reset link briefly, since it arrives at once; an invite or
// a handed-over link long enough to reach someone who is away for a weekend.
const (
	ResetLinkLife  = time.Hour
	InviteLinkLife = 7 * 24 * time.Hour
)

// LinkLife returns how long a link made for purpose works.
func LinkLife(purpose string) time.Duration {
	if purpose == LinkReset {
		return ResetLinkLife
	}
	return InviteLinkLife
}

// PasswordLink is a one-time link that lets its holder set a user's password. The store keeps
// only the hash of the link's token; using the link deletes it, and a password set since the
// link was made (Stamp) voids it.
type PasswordLink struct {
	// TokenHash is HashToken of the token the link carries.
	TokenHash string
	UserID    int64
	Purpose   string // LinkInvite, LinkReset or LinkHandover
	CreatedAt time.Time
	ExpiresAt time.Time
	// Stamp is PasswordStamp of the user when the link was made.
	Stamp string
}

// NewPasswordLink makes a link for u at now: the token to send or show (256 random bits, never
// stored) and the link to store.
func NewPasswordLink(u *User, purpose string, now time.Time) (token string, l *PasswordLink) {
	token, hash := NewToken("")
	return token, &PasswordLink{TokenHash: hash, UserID: u.ID, Purpose: purpose, CreatedAt: now,
		ExpiresAt: now.Add(LinkLife(purpose)), Stamp: PasswordStamp(u)}
}

// PasswordStamp is a short fingerprint of u's password hash and email: a link remembers the one
// it was made under, so that setting a password by any way, or changing the email the link was
// sent to (a mistyped invitation corrected), voids older links.
func PasswordStamp(u *User) string {
	sum := sha256.Sum256([]byte("password-stamp\x00" + u.PasswordHash + "\x00" + u.Email))
	return "e" + hex.EncodeToString(sum[:8])
}

// legacyStamp is the stamp of links made before the email was part of it: of the password hash
// alone, 16 hex digits. Such links keep working until they expire.
func legacyStamp(passwordHash string) string {
	sum := sha256.Sum256([]byte("password-stamp\x00" + passwordHash))
	return hex.EncodeToString(sum[:8])
}

// Valid reports whether the link may set u's password at now: it is u's, it has not expired, and
// neither u's password nor u's email has changed since it was made.
func (l *PasswordLink) Valid(u *User, now time.Time) bool {
	if l == nil || u == nil || l.UserID != u.ID || !now.Before(l.ExpiresAt) {
		return false
	}
	if len(l.Stamp) == 16 {
		return l.Stamp == legacyStamp(u.PasswordHash)
	}
	return l.Stamp == PasswordStamp(u)
}

// LooksLikeLinkToken reports whether s has the shape of a link's token, so that garbage is
// refused without a database lookup.
func LooksLikeLinkToken(s string) bool {
	return len(s) == 43 && trimB64(s) == ""
}

// ResetThrottle bounds "Lost your password?" requests in any hour: 3 per email (whether or not
// an account has it, so the limit tells nobody which emails exist) and 10 per address. They are
// counted with sign-ins' reservations, in buckets of their own.
func ResetThrottle() Throttle {
	return Throttle{PerAccount: 3, PerIP: 10, Window: time.Hour}
}

// ResetBuckets returns the buckets of a reset request for email from ip.
func (t Throttle) ResetBuckets(email, ip string) []Bucket {
	var list []Bucket
	if t.PerAccount > 0 {
		list = append(list, Bucket{Key: "reset " + email, Limit: t.PerAccount})
	}
	if t.PerIP > 0 {
		list = append(list, Bucket{Key: "reset-ip " + ip, Limit: t.PerIP})
	}
	return list
}
