package store

import "context"

// ImportKey links a record of an imported file to the article or comment it became, so that
// importing the same file again updates what it created instead of duplicating it.
type ImportKey struct {
	// Source names the site, forum or feed the file came from, such as
	// "wxr:https://example.org" or "disqus:my-forum".
	Source string
	// Key is the record's identifier at its source, such as "post:123" or a feed item's GUID.
	Key string
	// ArticleID or CommentID is what the record became: exactly one of them is set.
	ArticleID int64
	CommentID int64
	// URL is the record's address at its source (for a feed item, its link: the canonical
	// source of the story), or empty.
	URL string
}

// Imports remembers what imports created. A key is forgotten with its article or comment, so a
// deleted story comes back when its file is imported again.
type Imports interface {
	// ImportKey returns the key stored for source and key, or ErrNotFound.
	ImportKey(ctx context.Context, source, key string) (ImportKey, error)
	// SaveImportKey stores k, replacing any key with the same Source and Key. An unknown article
	// or comment answers ErrNotFound; a key naming both or neither answers ErrConflict.
	SaveImportKey(ctx context.Context, k ImportKey) error
	// ArticleImportKeys returns the keys that lead to article id, by source and key: where the
	// story came from.
	ArticleImportKeys(ctx context.Context, id int64) ([]ImportKey, error)
}
