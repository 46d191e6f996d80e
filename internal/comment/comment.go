// Package comment holds readers' comments: the private record a moderator sees, the public view
// every reader sees (which has no email field at all), threads, the moderation policy and the
// spam defences.
package comment

import (
	"time"
)

// Status is where a comment stands in moderation.
type Status string

// The moderation states. Only approved comments are ever shown to readers other than their
// author.
const (
	Pending  Status = "pending"
	Approved Status = "approved"
	Spam     Status = "spam"
	Trash    Status = "trash"
)

// Valid reports whether s is a known state.
func (s Status) Valid() bool {
	switch s {
	case Pending, Approved, Spam, Trash:
		return true
	}
	return false
}

// Type tells a reader's comment from a pingback or trackback (kept from imports).
type Type string

// The comment types.
const (
	Regular   Type = "comment"
	Pingback  Type = "pingback"
	Trackback Type = "trackback"
)

// Comment is the whole record, as moderators and the store see it.
//
// Privacy: AuthorEmail, AuthorIP and UserAgent are personal data. They never leave the
// moderation screens, the commenter's own privacy export and an administrator's export; every
// public surface uses Public, which has no such fields.
type Comment struct {
	ID        int64
	ArticleID int64
	ParentID  int64 // 0 for a top-level comment
	Type      Type
	Status    Status

	AuthorName  string
	AuthorEmail string // PRIVATE: never published
	AuthorURL   string
	AuthorIP    string // PRIVATE
	UserAgent   string // PRIVATE
	// StaffID is the staff account that wrote the comment (a "reply as staff"), 0 for readers.
	StaffID int64

	Content   string // plain text as typed; rendered by Render
	CreatedAt time.Time
	Featured  bool
	// Notify asks for an email when someone replies (only ever about approved replies).
	Notify bool

	// Reasons explains the policy's decision, for the moderation queue ("2 links", "first comment").
	Reasons []string
	// SpamScore is the local classifier's probability that the comment is spam, 0–1.
	SpamScore float64
}

// Public is a comment as readers, feeds and public JSON see it. It has no email, IP or user
// agent field by design, so no template or encoder can leak them.
type Public struct {
	ID          int64
	ArticleID   int64
	ParentID    int64
	AuthorName  string
	AuthorURL   string
	Avatar      string // the identicon key: a keyed hash, never a plain hash of the email
	Staff       bool
	Featured    bool
	ContentHTML string
	CreatedAt   time.Time
	Pending     bool // shown only to its own author, through a signed token
	Depth       int
	Replies     []*Public
}

// Ban keeps a commenter out, by email address or IP address, until it expires.
type Ban struct {
	ID        int64
	Kind      string // "email" or "ip"
	Value     string // PRIVATE: an email or IP address
	Reason    string
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never
}

// Active reports whether the ban applies at now.
func (b Ban) Active(now time.Time) bool {
	return b.ExpiresAt.IsZero() || now.Before(b.ExpiresAt)
}
