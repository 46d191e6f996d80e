package store

import (
	"context"

	"github.com/broadsheet/broadsheet/internal/media"
)

// MediaQuery selects library items, newest first. Zero fields do not filter.
type MediaQuery struct {
	// Text matches a substring of the name, alt text, caption, credit or description.
	Text string
	// Month ("2026-03") keeps items uploaded in that month (UTC).
	Month string
	// Unused keeps items no article shows (as featured image or in its body) and no setting
	// names (the site's logo).
	Unused bool
	Limit  int
	Offset int
}

// MediaUse is an article that shows a library item, or a setting that names it.
type MediaUse struct {
	ArticleID int64
	Title     string
	// Setting is the key of the setting that names the item ("site.logo"); ArticleID and
	// Title are then empty.
	Setting string
}

// Media records the picture library. The files live in a media.Store; this is their catalogue.
type Media interface {
	// CreateMedia inserts it and sets its ID (and CreatedAt when zero). A hash already recorded
	// answers ErrConflict.
	CreateMedia(ctx context.Context, it *media.Item) error
	// MediaItem returns one item by ID, or ErrNotFound.
	MediaItem(ctx context.Context, id int64) (*media.Item, error)
	// MediaByHash returns the item with the hash, or ErrNotFound.
	MediaByHash(ctx context.Context, hash string) (*media.Item, error)
	// UpdateMedia saves its alt text, caption, credit, description, focal point and social card,
	// and logs a change of every article that shows it ("article:ID"); ErrNotFound when unknown.
	UpdateMedia(ctx context.Context, it *media.Item) error
	// DeleteMedia removes an item's record and logs a change of every article that showed it;
	// ErrNotFound when unknown, ErrConflict while a setting (the site's logo) names it.
	DeleteMedia(ctx context.Context, id int64) error
	// ListMedia returns the page of items q selects, newest first, and their total count.
	ListMedia(ctx context.Context, q MediaQuery) ([]*media.Item, int, error)
	// MediaMonths returns the months ("2026-03", UTC) in which items were uploaded (or, for an
	// import, first came to a library), newest first: the choices of MediaQuery.Month.
	MediaMonths(ctx context.Context) ([]string, error)
	// MediaUses returns the settings that name the item (the site's logo), by key, then the
	// articles that show it (featured image or body), by ID.
	MediaUses(ctx context.Context, id int64) ([]MediaUse, error)
}
