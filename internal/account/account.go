// Package account holds the newsroom's staff: users and their roles, the one permission rule
// (Can), argon2id passwords, session and API tokens, and the login throttling rules. It knows
// nothing of HTTP or SQL; every rule here is a pure function of its arguments and the time given.
package account

import (
	"errors"
	"maps"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a staff member may do, modelled on WordPress's and Ghost's roles.
type Role string

// The roles, from the most to the least powerful.
const (
	// Administrator may do everything, including settings and users.
	Administrator Role = "administrator"
	// Editor manages every story, sections, tags, bylines and comments.
	Editor Role = "editor"
	// Author writes and publishes their own stories.
	Author Role = "author"
	// Contributor writes their own drafts and submits them for review; they cannot publish.
	Contributor Role = "contributor"
	// Moderator moderates reader comments and nothing else.
	Moderator Role = "moderator"
)

// Roles lists every role, most powerful first, for forms and tests.
var Roles = []Role{Administrator, Editor, Author, Contributor, Moderator}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case Administrator, Editor, Author, Contributor, Moderator:
		return true
	}
	return false
}

// Label is the role's name as the admin shows it ("Administrator").
func (r Role) Label() string {
	if r == "" {
		return ""
	}
	return strings.ToUpper(string(r[:1])) + string(r[1:])
}

// User is a staff member who signs in to the newsroom. AuthorID links the login to the byline
// readers see; a story is the user's own when that byline is on it.
type User struct {
	ID    int64
	Email string // normalised by NormalizeEmail; unique
	Name  string
	Role  Role
	// PasswordHash is the argon2id hash in PHC form. Never show or log it.
	PasswordHash string
	AuthorID     int64 // 0 for none
	CreatedAt    time.Time
}

// Session is a signed-in browser. The store keeps only the hash of the token the cookie holds, so
// a copy of the database cannot be used to sign in.
type Session struct {
	// TokenHash is HashToken of the cookie's value.
	TokenHash string
	UserID    int64
	CreatedAt time.Time
	LastSeen  time.Time
	IP        string
	UserAgent string
}

// APIToken lets a program act as a user through the JSON API. The store keeps only its hash.
type APIToken struct {
	ID        int64
	UserID    int64
	Name      string
	TokenHash string
	CreatedAt time.Time
	LastUsed  time.Time // zero until first used
	ExpiresAt time.Time // zero for a token that does not expire
}

// Valid reports whether the token may still be used at now.
func (t *APIToken) Valid(now time.Time) bool {
	return t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt)
}

// Limits on what an account may hold.
const (
	MaxEmailLen    = 254
	MaxNameLen     = 100
	MinPasswordLen = 10
	// MaxPasswordLen bounds the work one sign-in costs.
	MaxPasswordLen = 1024
)

// ErrForbidden means the user's role does not allow what they asked.
var ErrForbidden = errors.New("account: not allowed for this role")

// ValidationError maps a form field to a human message, like article.ValidationError.
type ValidationError map[string]string

// Error lists the fields at fault.
func (v ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("account: invalid ")
	for i, k := range slices.Sorted(maps.Keys(v)) {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + v[k])
	}
	return b.String()
}

// NormalizeEmail trims and lower-cases an address, so that one person has one account and one
// throttling counter whatever the case they type.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// Validate checks the fields a form or the command line sets: email, name and role. Passwords are
// checked by ValidatePassword, since a stored user holds only a hash.
func (u *User) Validate() error {
	v := ValidationError{}
	switch e := u.Email; {
	case e == "":
		v["email"] = "Enter an email address."
	case len(e) > MaxEmailLen || !validEmail(e):
		v["email"] = "Enter a valid email address, like name@example.org."
	}
	switch n := strings.TrimSpace(u.Name); {
	case n == "":
		v["name"] = "Enter a name."
	case utf8.RuneCountInString(n) > MaxNameLen || !utf8.ValidString(n) || strings.ContainsAny(n, "\x00\r\n"):
		v["name"] = "Use a name of at most 100 characters on one line."
	}
	if !u.Role.Valid() {
		v["role"] = "Choose a role."
	}
	if len(v) > 0 {
		return v
	}
	return nil
}

func validEmail(e string) bool {
	if strings.ContainsAny(e, " \r\n\x00<>") {
		return false
	}
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e && strings.Contains(e[strings.LastIndexByte(e, '@'):], ".")
}

// ValidatePassword checks a new password: long enough to resist guessing, short enough to hash
// cheaply, and different from the account's email. It answers a ValidationError on "password".
func ValidatePassword(password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return ValidationError{"password": "Use at least 10 characters; a few unrelated words make a strong password."}
	case len(password) > MaxPasswordLen:
		return ValidationError{"password": "Use at most 1,024 characters."}
	case !utf8.ValidString(password) || strings.ContainsRune(password, 0):
		return ValidationError{"password": "The password contains characters that cannot be used."}
	case email != "" && strings.EqualFold(password, email):
		return ValidationError{"password": "Do not use your email address as your password."}
	}
	return nil
}
