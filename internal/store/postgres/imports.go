package postgres

import (
	"context"
	"fmt"

	"github.com/broadsheet/broadsheet/internal/store"
)

// ImportKey implements store.Imports.
func (s Store) ImportKey(ctx context.Context, source, key string) (store.ImportKey, error) {
	k := store.ImportKey{Source: source, Key: key}
	var art, com *int64
	err := s.read().QueryRow(ctx, `SELECT article_id, comment_id, url FROM import_keys
		WHERE source = $1 AND key = $2`, source, key).Scan(&art, &com, &k.URL)
	if err != nil {
		return store.ImportKey{}, fmt.Errorf("postgres: import key %s %s: %w", source, key, translate(err))
	}
	k.ArticleID, k.CommentID = deref(art), deref(com)
	return k, nil
}

// SaveImportKey implements store.Imports.
func (s Store) SaveImportKey(ctx context.Context, k store.ImportKey) error {
	if (k.ArticleID == 0) == (k.CommentID == 0) {
		return fmt.Errorf("postgres: import key %s %s: want an article or a comment: %w", k.Source, k.Key, store.ErrConflict)
	}
	err := s.write(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `INSERT INTO import_keys (source, key, article_id, comment_id, url) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (source, key) DO UPDATE SET article_id = excluded.article_id,
			comment_id = excluded.comment_id, url = excluded.url`,
			k.Source, k.Key, nullID(k.ArticleID), nullID(k.CommentID), k.URL)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("postgres: import key %s %s: %w", k.Source, k.Key, err)
	}
	return nil
}

// ArticleImportKeys implements store.Imports.
func (s Store) ArticleImportKeys(ctx context.Context, id int64) ([]store.ImportKey, error) {
	var list []store.ImportKey
	err := s.each(ctx, `SELECT source, key, url FROM import_keys WHERE article_id = $1 ORDER BY source, key`,
		[]any{id}, func(sc func(...any) error) error {
			k := store.ImportKey{ArticleID: id}
			if err := sc(&k.Source, &k.Key, &k.URL); err != nil {
				return err
			}
			list = append(list, k)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: import keys of article %d: %w", id, err)
	}
	return list, nil
}

// deref reads a nullable ID, 0 for NULL.
func deref(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}
