// Package store is the storage contract: the interfaces every backend implements, the queries
// they answer and the sentinel errors they translate their native errors into. The conformance
// suite in store/storetest holds every backend to it.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
)

// Sentinel errors. Backends translate native codes into these; callers test with errors.Is.
var (
	// ErrNotFound means the thing asked for does not exist (or is not visible).
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness rule or an optimistic version check failed.
	ErrConflict = errors.New("conflict")
	// ErrBusy means another writer (a long import, another process) held the database past the
	// busy timeout; trying again later may succeed.
	ErrBusy = errors.New("database busy")
	// ErrSchemaTooNew means the database was written by a newer Broadsheet.
	ErrSchemaTooNew = errors.New("database schema is newer than this Broadsheet understands")
)

// Store is everything a backend provides. Implementations are safe for concurrent use.
type Store interface {
	Articles
	Comments
	Taxonomy
	Related
	Changes
	Accounts
	Revisions
	Settings
	Editorial
	Imports
	Jobs
	Media
	// InTx runs fn in one transaction: all of fn's writes land or none do. fn must use the Store it
	// is given, not the outer one. An error from fn rolls back and is returned as is.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// Close releases the backend's resources.
	Close() error
}

// ArticleQuery selects articles for listings. Zero fields do not filter.
type ArticleQuery struct {
	// LiveAt, when set, keeps only what readers may see at that time (article.IsLive).
	LiveAt    time.Time
	Status    article.Status
	Kind      article.Kind
	SectionID int64
	TagID     int64
	AuthorID  int64
	// Text filters by a substring of the title (for the admin's list).
	Text string
	// PublishedFrom and PublishedBefore, when set, keep only articles published in
	// [PublishedFrom, PublishedBefore): a date archive.
	PublishedFrom, PublishedBefore time.Time
	// After, when set, continues the listing past this article, which a previous page ended
	// with (keyset paging: unlike Offset, every page costs the same however deep it is). The
	// total is then not counted: ListArticles returns 0.
	After  *article.Article
	Limit  int
	Offset int
}

// Articles stores stories and pages.
type Articles interface {
	// CreateArticle inserts a and sets its ID, CreatedAt, UpdatedAt and Version (1). Tags,
	// authors and the section are matched by ID or, when the ID is zero, by slug, and created when
	// missing. A taken slug answers ErrConflict.
	CreateArticle(ctx context.Context, a *article.Article) error
	// UpdateArticle saves a over the stored article with the same ID, provided the stored version
	// is a.Version; it then increments a.Version. A stale version or a taken slug answers
	// ErrConflict; an unknown ID, ErrNotFound. A changed slug keeps the old one as an alias.
	UpdateArticle(ctx context.Context, a *article.Article) error
	// DeleteArticle removes an article for good.
	DeleteArticle(ctx context.Context, id int64) error
	// Article returns one article by ID, whatever its status.
	Article(ctx context.Context, id int64) (*article.Article, error)
	// ArticleBySlug returns the article whose current or former slug is slug; callers compare
	// the returned slug to redirect former ones.
	ArticleBySlug(ctx context.Context, slug string) (*article.Article, error)
	// SlugTaken reports whether slug is the current or former slug of an article other than id.
	SlugTaken(ctx context.Context, slug string, id int64) (bool, error)
	// ListArticles returns the page of articles q selects, newest first, and the total count.
	ListArticles(ctx context.Context, q ArticleQuery) ([]*article.Article, int, error)
	// SearchArticles runs a reader's full-text query over live stories. Any input, including
	// operators and invalid UTF-8, answers results or none, never an error about the query.
	SearchArticles(ctx context.Context, q SearchQuery) ([]SearchHit, int, error)
	// PublishDue marks scheduled articles whose time has come at now as published and returns
	// their IDs.
	PublishDue(ctx context.Context, now time.Time) ([]int64, error)
	// NextScheduled returns the earliest publication time of a scheduled article after now, or
	// the zero time when there is none.
	NextScheduled(ctx context.Context, now time.Time) (time.Time, error)
	// Redirect returns the new path for an old URL path kept by an import, or ErrNotFound.
	Redirect(ctx context.Context, oldPath string) (string, error)
	// AddRedirect keeps oldPath answering with a redirect to newPath.
	AddRedirect(ctx context.Context, oldPath, newPath string) error
	// Redirects returns every kept old path with its new path, ordered by old path: the table an
	// export carries so that a site moves on without losing a link.
	Redirects(ctx context.Context) ([]Redirect, error)
}

// Redirect is an old URL path kept by an import and the path it now leads to.
type Redirect struct {
	From, To string
}

// SearchQuery is a reader's search.
type SearchQuery struct {
	Text   string
	LiveAt time.Time
	Limit  int
	Offset int
}

// SearchHit is one search result with a highlighted snippet. Snippet is plain text in which the
// matches are wrapped in the private-use runes HighlightStart and HighlightEnd, so that a template
// can escape the text and then mark the matches.
type SearchHit struct {
	Article *article.Article
	Snippet string
}

// Markers around highlighted matches in SearchHit.Snippet.
const (
	HighlightStart = '\uE000'
	HighlightEnd   = '\uE001'
)

// Taxonomy stores sections, tags and bylines.
type Taxonomy interface {
	Sections(ctx context.Context) ([]article.Section, error)
	SectionBySlug(ctx context.Context, slug string) (article.Section, error)
	// SaveSection inserts (ID zero) or updates a section; a taken slug answers ErrConflict.
	SaveSection(ctx context.Context, s *article.Section) error
	Tags(ctx context.Context) ([]article.Tag, error)
	TagBySlug(ctx context.Context, slug string) (article.Tag, error)
	Authors(ctx context.Context) ([]article.Author, error)
	AuthorBySlug(ctx context.Context, slug string) (article.Author, error)
	// SaveAuthor inserts (ID zero) or updates a byline; a taken slug answers ErrConflict.
	SaveAuthor(ctx context.Context, a *article.Author) error
}

// RelatedLink is one entry of a story's stored "More Related Stories" list. Storing a list logs
// "related:ID" in the change log, and storing rules "rules:ID", not "article:ID": neither is an
// edit of the story.
type RelatedLink struct {
	ArticleID int64
	Score     float64
	// Reason is the shared entities and terms that explain the link ("Putin · Xi Jinping").
	Reason string
}

// Related stores the related-stories lists, so a page view computes nothing.
type Related interface {
	// SetRelated replaces the stored list of article id.
	SetRelated(ctx context.Context, id int64, links []RelatedLink) error
	// RelatedArticles returns the live articles of id's stored list, in order, with their links.
	RelatedArticles(ctx context.Context, id int64, liveAt time.Time) ([]*article.Article, []RelatedLink, error)
	// ReferencingArticles returns the articles whose stored list includes id.
	ReferencingArticles(ctx context.Context, id int64) ([]int64, error)
	// RelatedRules returns an editor's pinned related stories of id, in order, and the ones
	// excluded from its list.
	RelatedRules(ctx context.Context, id int64) (pins, excludes []int64, err error)
	// SetRelatedRules replaces the pins and exclusions of id. An unknown article answers
	// ErrNotFound; a story cannot pin or exclude itself (ErrConflict).
	SetRelatedRules(ctx context.Context, id int64, pins, excludes []int64) error
	// SharingArticles returns up to limit live stories other than a that share a tag or its
	// section with it: the fallback list. Of the SharingWindow stories added last under each of
	// its tags, those sharing the most tags come first, then the newest; then, when they are too
	// few, the section's newest stories. Its cost is bounded whatever the size of a tag.
	SharingArticles(ctx context.Context, a *article.Article, liveAt time.Time, limit int) ([]*article.Article, error)
	// RelatedCards returns what a story page lists under "More Related Stories": up to limit
	// live stories of a's stored list, in order, with their links; or, when that list holds no
	// live story, SharingArticles' list and no links. The articles are cards: ID, Kind, Slug,
	// Title, Status, PublishedAt and Section only (no bodies, bylines, tags or notes), read
	// without touching the stories' bodies.
	RelatedCards(ctx context.Context, a *article.Article, liveAt time.Time, limit int) ([]*article.Article, []RelatedLink, error)
}

// SharingWindow is how many of a tag's last-added live stories SharingArticles considers.
const SharingWindow = 50

// Change is one entry of the change log every write appends to, whoever the writer is (this
// process, the CLI, an import). Key names what changed: "article:12", "section:3", "tag:5",
// "author:2", "comments:12", "related:12" (its stored list), "rules:12" (its pins and
// exclusions), "settings" (the site's settings), or "front" for anything that changes listings
// and feeds.
type Change struct {
	Seq int64
	Key string
}

// Changes reads the change log, which caches use to invalidate exactly what changed.
type Changes interface {
	// ChangesSince returns at most limit changes after seq, oldest first, and the latest sequence
	// number. Sequence numbers are consecutive and follow the order in which writes commit, so a
	// reader that has read up to seq never later finds a change numbered seq or below committed
	// (it cannot skip one), and has missed changes — and must start afresh — only when the first
	// change returned is not seq+1 (PruneChanges forgot it) or when latest is beyond the last
	// change returned (more than limit were waiting).
	ChangesSince(ctx context.Context, seq int64, limit int) ([]Change, int64, error)
	// PruneChanges forgets all but the newest keep changes.
	PruneChanges(ctx context.Context, keep int) error
	// LatestChange returns the latest sequence number (0 for none).
	LatestChange(ctx context.Context) (int64, error)
	// ChangeMark returns a number that moves after every commit that may have appended to the
	// change log, so that a cache calls ChangesSince only when it moved. It moves before the
	// writing call returns for this process's writes, and within the backend's follow bound for
	// other writers' (SQLite polls PRAGMA data_version; PostgreSQL would LISTEN). It costs no
	// query and is safe for concurrent use.
	ChangeMark() uint64
}

// Jobs coordinates the background jobs (scheduled publishing, the mail outbox, the related
// index, pruning) of the nodes that share a database, so that each runs on one node at a time.
type Jobs interface {
	// Exclusive runs fn unless the job name is running elsewhere, and reports whether it ran.
	// While fn runs, no other Exclusive call with that name — from this process or another node
	// — runs its fn. fn's context ends with ctx, or as soon as the store can no longer vouch that
	// it holds the job (its hold on the database was lost); fn must then return. A holder that
	// dies frees the job for the others within seconds.
	Exclusive(ctx context.Context, name string, fn func(ctx context.Context) error) (ran bool, err error)
}

// PoolStats describe a driver's database connections, for the operator's metrics. Each driver's
// DB has a PoolStats method returning them.
type PoolStats struct {
	// Open, InUse and Idle count the connections now; Max is the pool's limit.
	Open, InUse, Idle, Max int
	// Waits counts the times a query waited for a free connection since start, and WaitTime is
	// how long they waited in all.
	Waits    int64
	WaitTime time.Duration
}
