package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// APITokenPrefix starts every API token, so that a leaked one is recognisable in logs and by
// secret scanners.
const APITokenPrefix = "bs_"

// NewToken returns a fresh random token (256 bits, URL-safe) with prefix, and the hash a store
// keeps instead of it.
func NewToken(prefix string) (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the SHA-256 of a token in hex. Tokens are random and long, so a fast hash suffices:
// nobody can guess one from its hash, nor try enough tokens to find one.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// LooksLikeAPIToken reports whether s has the shape of a token NewToken(APITokenPrefix) makes,
// so that garbage is refused without a database lookup.
func LooksLikeAPIToken(s string) bool {
	rest, ok := strings.CutPrefix(s, APITokenPrefix)
	return ok && len(rest) == 43 && trimB64(rest) == ""
}

// trimB64 returns s without its URL-safe base64 characters: "" when it has no others.
func trimB64(s string) string {
	return strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}

// SessionPolicy bounds how long a session lasts.
type SessionPolicy struct {
	// Idle ends a session nobody has used for this long.
	Idle time.Duration
	// Absolute ends every session this long after sign-in, however active.
	Absolute time.Duration
	// TouchEvery is how stale a session's LastSeen may be before a request updates it, so that
	// reading pages does not write to the database on every request.
	TouchEvery time.Duration
}

// DefaultSessionPolicy ends sessions after 8 idle hours and, in any case, 7 days after sign-in.
func DefaultSessionPolicy() SessionPolicy {
	return SessionPolicy{Idle: 8 * time.Hour, Absolute: 7 * 24 * time.Hour, TouchEvery: time.Minute}
}

// Valid reports whether s may still be used at now.
func (p SessionPolicy) Valid(s *Session, now time.Time) bool {
	return s != nil && now.Before(s.LastSeen.Add(p.Idle)) && now.Before(s.CreatedAt.Add(p.Absolute))
}

// NeedsTouch reports whether a request at now should record itself as s's LastSeen.
func (p SessionPolicy) NeedsTouch(s *Session, now time.Time) bool {
	return now.Sub(s.LastSeen) >= p.TouchEvery
}

// SetupTokenLife is how long the one-time setup address printed on first start works.
const SetupTokenLife = 24 * time.Hour

// SetupTokenValid reports whether a setup token that expires at expires may be used at now.
func SetupTokenValid(expires, now time.Time) bool {
	return !expires.IsZero() && now.Before(expires)
}
