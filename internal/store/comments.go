package store

import (
	"context"
	"time"

	"github.com/broadsheet/broadsheet/internal/comment"
)

// CommentQuery selects comments for the moderation queue, feeds and exports. Zero fields do not
// filter.
type CommentQuery struct {
	ArticleID int64
	Status    comment.Status
	Type      comment.Type
	Email     string
	IP        string
	Text      string // a substring of the text or the author's name
	// LiveAt, when set, keeps only comments on stories readers may see at that time.
	LiveAt time.Time
	// Oldest orders oldest first; the default is newest first.
	Oldest bool
	Limit  int
	Offset int
}

// Notice is a queued comment notification (see comment.Notices).
type Notice struct {
	ID        int64
	CommentID int64
	Kind      string
	Attempts  int
}

// PostCheck names a comment about to be stored, for PostFacts.
type PostCheck struct {
	ArticleID int64
	Name      string
	Email     string
	IP        string
	Content   string
	Tokens    []string // the spam classifier's tokens of the comment (comment.SpamTokens)
	Now       time.Time
}

// PostFacts is what the comment policy asks of the store about a new comment: each field is what
// the method it names would answer.
type PostFacts struct {
	Banned       bool      // Banned(Email, IP, Now) finds a ban
	LastPostedAt time.Time // LastCommentAt(IP, Email)
	Duplicate    bool      // DuplicateComment(ArticleID, Name, Email, Content)
	Trusted      bool      // Trusted(Email)
	// SpamCounts(Tokens): what the classifier learnt of the tokens it knows, and its totals.
	Counts    map[string]comment.TokenCounts
	Spam, Ham int
}

// Comments stores readers' comments and what moderation and spam defence need.
type Comments interface {
	// CreateComment inserts c and sets its ID (and CreatedAt when zero). An unknown article or
	// parent answers ErrNotFound.
	CreateComment(ctx context.Context, c *comment.Comment) error
	// Comment returns one comment, whatever its status.
	Comment(ctx context.Context, id int64) (*comment.Comment, error)
	// UpdateComment saves a moderator's edit: content, author fields, status, featured, notify.
	UpdateComment(ctx context.Context, c *comment.Comment) error
	// SetCommentStatus moves comments to status and returns those that changed (as they were).
	SetCommentStatus(ctx context.Context, ids []int64, status comment.Status) ([]*comment.Comment, error)
	// DeleteComment removes a comment for good; its replies move up to its parent.
	DeleteComment(ctx context.Context, id int64) error
	// ListComments returns the page of comments q selects and the total count.
	ListComments(ctx context.Context, q CommentQuery) ([]*comment.Comment, int, error)
	// CommentCounts returns the number of approved reader comments (not pingbacks or trackbacks)
	// of each article.
	CommentCounts(ctx context.Context, articleIDs []int64) (map[int64]int, error)
	// CommentStatusCounts returns how many comments each status holds.
	CommentStatusCounts(ctx context.Context) (map[comment.Status]int, error)
	// LastCommentAt returns the time of the latest comment from ip or email (zero for none).
	LastCommentAt(ctx context.Context, ip, email string) (time.Time, error)
	// DuplicateComment reports whether email (or, without one, name) already said content on
	// the article.
	DuplicateComment(ctx context.Context, articleID int64, name, email, content string) (bool, error)
	// Trusted reports whether email is verified and has an approved comment.
	Trusted(ctx context.Context, email string) (bool, error)
	// VerifyEmail records that the owner of email confirmed it.
	VerifyEmail(ctx context.Context, email string, at time.Time) error
	// UseNonce records a form token's nonce; a nonce used before answers ErrConflict. Nonces
	// past expires may be forgotten.
	UseNonce(ctx context.Context, nonce string, expires, now time.Time) error
	// SaveBan inserts a ban and sets its ID.
	SaveBan(ctx context.Context, b *comment.Ban) error
	// DeleteBan lifts a ban.
	DeleteBan(ctx context.Context, id int64) error
	// Bans lists every ban, newest first.
	Bans(ctx context.Context) ([]comment.Ban, error)
	// Banned returns the active ban on email or ip at now, or ErrNotFound.
	Banned(ctx context.Context, email, ip string, now time.Time) (comment.Ban, error)
	// SpamCounts returns what the classifier learnt of tokens, and its totals.
	SpamCounts(ctx context.Context, tokens []string) (counts map[string]comment.TokenCounts, spam, ham int, err error)
	// PostFacts answers in one read (one statement, one snapshot) what Banned, LastCommentAt,
	// DuplicateComment, Trusted and SpamCounts would answer about the comment q names: the
	// checks of every post, which would otherwise cost five round trips.
	PostFacts(ctx context.Context, q PostCheck) (PostFacts, error)
	// TrainSpam adds (delta 1) or removes (delta -1) one comment's tokens as spam or not spam.
	TrainSpam(ctx context.Context, tokens []string, spam bool, delta int) error
	// Secret returns the site's secret key of that name, creating a random one the first time.
	Secret(ctx context.Context, name string) ([]byte, error)
	// QueueNotice adds a notification about a comment to the outbox, due at now.
	QueueNotice(ctx context.Context, commentID int64, kind string, now time.Time) error
	// DueNotices returns up to limit notifications due at now, oldest first.
	DueNotices(ctx context.Context, now time.Time, limit int) ([]Notice, error)
	// DoneNotice removes a sent (or pointless) notification.
	DoneNotice(ctx context.Context, id int64) error
	// RetryNotice counts a failed attempt and makes the notification due again at next.
	RetryNotice(ctx context.Context, id int64, next time.Time) error
	// QueuedNotices is how many notifications wait in the outbox, due or not.
	QueuedNotices(ctx context.Context) (int, error)
	// EraseCommenter anonymises every comment by email (name "Anonymous"; email, website, IP and
	// user agent removed; the text kept, as WordPress's eraser does) and forgets its verification.
	// Bans stay: keeping abusers out is a legitimate interest. It returns how many comments it
	// changed.
	EraseCommenter(ctx context.Context, email string) (int, error)
}
