package store

import (
	"context"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
)

// Accounts stores the newsroom's staff, their sessions and API tokens, failed sign-ins and the
// first-run setup token. Sessions and tokens are stored by hash only (account.HashToken); the
// rules that decide whether one is still valid live in package account, not here.
type Accounts interface {
	// CreateUser inserts u and sets its ID (and CreatedAt when zero). A taken email answers
	// ErrConflict; an unknown AuthorID, ErrNotFound.
	CreateUser(ctx context.Context, u *account.User) error
	// UpdateUser saves u's email, name, role, password hash and byline. An unknown ID answers
	// ErrNotFound; a taken email, ErrConflict.
	UpdateUser(ctx context.Context, u *account.User) error
	// DeleteUser removes a user with their sessions and tokens; their revisions keep their name.
	DeleteUser(ctx context.Context, id int64) error
	// User returns one user by ID, or ErrNotFound.
	User(ctx context.Context, id int64) (*account.User, error)
	// UserByEmail returns the user with the normalised email, or ErrNotFound.
	UserByEmail(ctx context.Context, email string) (*account.User, error)
	// Users returns every user, by name.
	Users(ctx context.Context) ([]account.User, error)

	// CreateSession stores a new session; a taken hash answers ErrConflict.
	CreateSession(ctx context.Context, s *account.Session) error
	// Session returns the session with the token hash, or ErrNotFound.
	Session(ctx context.Context, tokenHash string) (*account.Session, error)
	// Sessions returns a user's sessions, most recently seen first.
	Sessions(ctx context.Context, userID int64) ([]account.Session, error)
	// TouchSession records a use of the session at at.
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	// DeleteSession ends one session; an unknown hash is not an error.
	DeleteSession(ctx context.Context, tokenHash string) error
	// SignOutEverywhere ends every session of a user and revokes every API token and
	// set-password link they hold: "sign out everywhere", and what a password change entails.
	SignOutEverywhere(ctx context.Context, userID int64) error
	// PruneSessions deletes the sessions last seen before idleBefore or created before
	// createdBefore: those account.SessionPolicy no longer accepts.
	PruneSessions(ctx context.Context, idleBefore, createdBefore time.Time) error

	// CreateAPIToken stores a token and sets its ID; a taken hash answers ErrConflict.
	CreateAPIToken(ctx context.Context, t *account.APIToken) error
	// APIToken returns the token with the hash, or ErrNotFound.
	APIToken(ctx context.Context, tokenHash string) (*account.APIToken, error)
	// APITokens returns a user's tokens, newest first.
	APITokens(ctx context.Context, userID int64) ([]account.APIToken, error)
	// TouchAPIToken records a use of token id at at.
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
	// DeleteAPIToken revokes token id of user userID; another user's token answers ErrNotFound.
	DeleteAPIToken(ctx context.Context, userID, id int64) error

	// ReserveLoginAttempt counts a sign-in attempt at at in every bucket before its password is
	// checked. When each bucket holds fewer than its Limit attempts since since, it records the
	// attempt in all of them and returns its ID; otherwise it records nothing and returns 0 with
	// the oldest attempt counted in a full bucket. It is atomic: however many callers, processes
	// or nodes reserve at once, no bucket ever gets more than its Limit attempts in a window.
	ReserveLoginAttempt(ctx context.Context, buckets []account.Bucket, since, at time.Time) (id int64, oldest time.Time, err error)
	// ClearLoginAttempts forgets attempt id (after a sign-in succeeded, or when its password
	// could not be checked) and every attempt counted in the buckets with the keys given.
	ClearLoginAttempts(ctx context.Context, id int64, keys []string) error
	// PruneLoginFailures forgets every attempt before before.
	PruneLoginFailures(ctx context.Context, before time.Time) error

	// CreateSetupToken stores the hash of a first-run setup token that expires at expires.
	CreateSetupToken(ctx context.Context, tokenHash string, expires time.Time) error
	// UseSetupToken deletes the setup token with the hash, so that it works once, and returns
	// when it was to expire; an unknown or used token answers ErrNotFound.
	UseSetupToken(ctx context.Context, tokenHash string) (expires time.Time, err error)

	// CreatePasswordLink stores a set-password link; an unknown user answers ErrNotFound.
	CreatePasswordLink(ctx context.Context, l *account.PasswordLink) error
	// PasswordLink returns the link with the token hash without using it, or ErrNotFound.
	PasswordLink(ctx context.Context, tokenHash string) (*account.PasswordLink, error)
	// UsePasswordLink deletes the link with the token hash and returns it, so that it works
	// once: of any number of concurrent uses, exactly one gets it and the others ErrNotFound.
	// Whether it is still valid is account.PasswordLink.Valid's to say.
	UsePasswordLink(ctx context.Context, tokenHash string) (*account.PasswordLink, error)

	// QueueStaffMail adds an email of kind (a StaffMail kind) to the user with the normalised
	// email to the outbox, due at now, and reports nothing of whether such a user exists: for an
	// unknown email it queues nothing, with the same one statement and no error, so that a
	// "Lost your password?" answer costs the same work either way.
	QueueStaffMail(ctx context.Context, email, kind, detail string, now time.Time) error
	// DueStaffMail returns up to limit staff emails due at now, oldest first.
	DueStaffMail(ctx context.Context, now time.Time, limit int) ([]StaffMail, error)
	// DoneStaffMail removes a sent (or pointless) staff email.
	DoneStaffMail(ctx context.Context, id int64) error
	// RetryStaffMail counts a failed attempt and makes the email due again at next.
	RetryStaffMail(ctx context.Context, id int64, next time.Time) error
}

// The kinds of StaffMail.
const (
	// StaffInvite invites a new user to choose a password; Detail is who invited them.
	StaffInvite = "invite"
	// StaffReset answers "Lost your password?" with a set-password link.
	StaffReset = "reset"
	// StaffPassword tells a user their password was changed or reset.
	StaffPassword = "password"
	// StaffRole tells a user their role changed; Detail is the new role.
	StaffRole = "role"
	// StaffDevice tells a user of a sign-in from a browser that had not signed in as them
	// before; Detail describes it.
	StaffDevice = "device"
	// StaffEmailOld tells a user's previous address that their sign-in email changed; Detail is
	// that previous address, where it is sent.
	StaffEmailOld = "email-old"
	// StaffEmailNew tells a user's new address that it is now their sign-in email; Detail is
	// the previous address.
	StaffEmailNew = "email-new"
)

// StaffMail is a queued email to a staff member. A message that carries a set-password link is
// queued without one: the sender makes the link as it sends, so that no usable token is ever
// stored.
type StaffMail struct {
	ID       int64
	UserID   int64
	Kind     string
	Detail   string
	Attempts int
}

// Revision is one saved state of a story's text, kept for its history, diffs and restores.
type Revision struct {
	ID        int64
	ArticleID int64
	// Version is the article version this revision records; 0 for an autosave.
	Version int
	// Autosave marks the editor's periodic copy of unsaved work; each user has at most one per
	// story, and a newer autosave replaces it.
	Autosave   bool
	UserID     int64 // 0 when the user was deleted or the save came from elsewhere
	UserName   string
	At         time.Time
	Status     article.Status
	Title      string
	Standfirst string
	Body       string
}

// Revisions stores stories' revision histories.
type Revisions interface {
	// AddRevision stores r and sets its ID. An autosave replaces the same user's previous
	// autosave of the article. An unknown article answers ErrNotFound.
	AddRevision(ctx context.Context, r *Revision) error
	// Revisions returns an article's revisions, autosaves included, newest first.
	Revisions(ctx context.Context, articleID int64) ([]Revision, error)
	// Revision returns one revision, or ErrNotFound.
	Revision(ctx context.Context, id int64) (*Revision, error)
	// DeleteAutosave drops a user's autosave of an article, once their work is saved.
	DeleteAutosave(ctx context.Context, articleID, userID int64) error
}

// Settings stores the site's settings as text keys and values; package web gives them types.
type Settings interface {
	// Settings returns every stored setting.
	Settings(ctx context.Context) (map[string]string, error)
	// SaveSettings stores the given keys, leaving the others as they are, and logs the change
	// "settings", so that every process serving the site puts them in force.
	SaveSettings(ctx context.Context, kv map[string]string) error
}

// Editorial holds the writes and counts only the newsroom's admin needs.
type Editorial interface {
	// SaveTag inserts (ID zero) or renames a tag; a taken slug answers ErrConflict.
	SaveTag(ctx context.Context, t *article.Tag) error
	// DeleteTag removes a tag from every story and then for good.
	DeleteTag(ctx context.Context, id int64) error
	// DeleteSection removes a section; its stories are left without one.
	DeleteSection(ctx context.Context, id int64) error
	// DeleteAuthor removes a byline from every story and then for good; a user linked to it
	// keeps their login without a byline.
	DeleteAuthor(ctx context.Context, id int64) error
	// TaxonomyCounts returns how many articles each section, tag and byline has, by ID.
	TaxonomyCounts(ctx context.Context) (sections, tags, authors map[int64]int, err error)
	// PublishedTimes returns the publication times of the stories live at to that were
	// published in [from, to), oldest first: the dashboard's chart.
	PublishedTimes(ctx context.Context, from, to time.Time) ([]time.Time, error)
}
