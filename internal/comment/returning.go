package comment

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/binary"
	"strings"
)

// Returning says how a commenter was recognised as someone whose comments a moderator has
// approved before. A name and email address alone prove nothing (anyone can type them), so the
// policy trusts only a proof: a confirmed email address (when the site sends mail) or the
// returning-commenter token this reader's browser kept from an approved comment.
type Returning int

// The ways a commenter is recognised.
const (
	// Unrecognised: no approved comment that the commenter proved is theirs.
	Unrecognised Returning = iota
	// ConfirmedEmail: the email address was confirmed through a link and has an approved comment.
	ConfirmedEmail
	// KeptToken: the browser sent the returning-commenter token of an approved comment with the
	// same name and email address.
	KeptToken
)

// A returning-commenter token names the comment it was issued with; its holder is taken to be
// that comment's author. Layout (base64url): comment ID (8) | HMAC-SHA256 of it (16).
const returningLen = 8 + 16

// ReturningToken is the token a reader's browser keeps, with their consent, after posting
// comment id. It is worth something only once a moderator approves that comment.
func ReturningToken(secret []byte, id int64) string {
	b := make([]byte, 8, returningLen)
	binary.BigEndian.PutUint64(b, uint64(id))
	b = append(b, mac(secret, "returning", b)[:16]...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CheckReturningToken returns the comment ID a returning-commenter token names, or false when
// it is forged or malformed.
func CheckReturningToken(secret []byte, token string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != returningLen || !hmac.Equal(b[8:], mac(secret, "returning", b[:8])[:16]) {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(b)), true
}

// Vouches reports whether c, the comment a returning-commenter token names, makes the author of
// in a returning commenter: c is approved and has in's name and email address (as WordPress
// matches a previous comment, ignoring case).
func (c *Comment) Vouches(in Input) bool {
	return c != nil && c.Status == Approved && c.SameAuthor(in)
}

// SameAuthor reports whether c was written under in's name and email address.
func (c *Comment) SameAuthor(in Input) bool {
	return in.Email != "" && strings.EqualFold(c.AuthorEmail, in.Email) &&
		strings.EqualFold(strings.TrimSpace(c.AuthorName), in.Name)
}

// Recognise says how the author of in returns: confirmed is whether their email address is
// confirmed and has an approved comment; kept is the comment their browser's token names (nil
// without a valid token).
func Recognise(in Input, confirmed bool, kept *Comment) Returning {
	switch {
	case kept.Vouches(in):
		return KeptToken
	case confirmed:
		return ConfirmedEmail
	}
	return Unrecognised
}

// TrustRule is the returning-commenter rule in force, in one sentence for the settings page;
// mail is whether the site sends email.
func (s Settings) TrustRule(mail bool) string {
	switch {
	case s.HoldAll:
		return "Every comment waits for a moderator."
	case !s.HoldUnverified:
		return "Comments appear at once unless another rule holds them (anyone can type a name and email address, so this trusts everyone)."
	case mail:
		return "A comment appears at once when its name and email address match an approved comment and the commenter proves that comment is theirs: by the link that confirmed their email address, or by the token their browser kept from it when they ticked “Save my name…”; other comments wait for a moderator."
	}
	return "A comment appears at once when its name and email address match an approved comment and the commenter's browser kept the token of that comment (they ticked “Save my name…”); other comments wait for a moderator, since this site sends no mail to confirm addresses."
}
