package comment

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
)

// A form token proves the form came from this site, for this story, at least MinFillTime ago and
// within FormLifetime; its nonce lets the store refuse a replay. Layout (base64url):
// article ID (8) | issued Unix seconds (8) | nonce (12) | HMAC-SHA256 of the rest (16).
const tokenLen = 8 + 8 + 12 + 16

// NewFormToken signs a form for an article at now.
func NewFormToken(secret []byte, articleID int64, now time.Time) string {
	b := make([]byte, tokenLen)
	binary.BigEndian.PutUint64(b[0:], uint64(articleID))
	binary.BigEndian.PutUint64(b[8:], uint64(now.Unix()))
	rand.Read(b[16:28])
	copy(b[28:], mac(secret, "form", b[:28])[:16])
	return base64.RawURLEncoding.EncodeToString(b)
}

// CheckFormToken verifies a token for articleID at now and returns its nonce, which the caller
// must record as used. A forged, foreign, expired or malformed token answers ErrToken; one posted
// sooner than the minimum fill time, ErrTooFast.
func (s Settings) CheckFormToken(secret []byte, token string, articleID int64, now time.Time) (nonce string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != tokenLen || !hmac.Equal(b[28:], mac(secret, "form", b[:28])[:16]) {
		return "", ErrToken
	}
	if int64(binary.BigEndian.Uint64(b[0:])) != articleID {
		return "", ErrToken
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(b[8:])), 0)
	age := now.Sub(issued)
	if age > s.FormLifetime || age < -time.Minute {
		return "", ErrToken
	}
	if age < s.MinFillTime {
		return "", ErrTooFast
	}
	return hex.EncodeToString(b[16:28]), nil
}

// HeldToken lets the author of comment id see it while it awaits moderation, until exp.
func HeldToken(secret []byte, id int64, exp time.Time) string {
	b := make([]byte, 16, 32)
	binary.BigEndian.PutUint64(b[0:], uint64(id))
	binary.BigEndian.PutUint64(b[8:], uint64(exp.Unix()))
	b = append(b, mac(secret, "held", b)[:16]...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CheckHeldToken returns the comment ID a held token names, or false when it is forged or expired.
func CheckHeldToken(secret []byte, token string, now time.Time) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 32 || !hmac.Equal(b[16:], mac(secret, "held", b[:16])[:16]) {
		return 0, false
	}
	if now.Unix() > int64(binary.BigEndian.Uint64(b[8:])) {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(b[0:])), true
}

// SignedValue signs a short value (an email address for a verification or unsubscribe link)
// with a purpose, so a link made for one cannot serve another.
func SignedValue(secret []byte, purpose, value string) string {
	v := base64.RawURLEncoding.EncodeToString([]byte(value))
	return v + "." + base64.RawURLEncoding.EncodeToString(mac(secret, purpose, []byte(v))[:16])
}

// CheckSignedValue returns the value of a SignedValue made for purpose.
func CheckSignedValue(secret []byte, purpose, token string) (string, bool) {
	v, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", false
	}
	want := base64.RawURLEncoding.EncodeToString(mac(secret, purpose, []byte(v))[:16])
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	return string(b), err == nil
}

func mac(secret []byte, purpose string, msg []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write(msg)
	return h.Sum(nil)
}
