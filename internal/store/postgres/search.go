package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// searchDocument is an article's weighted search document: title A, standfirst and tags B, body
// C, in the English configuration (stemming and stop words, as SQLite's porter tokenizer). The
// body is cut at 200,000 characters, since a tsvector holds at most 1 MB and positions past
// 16,383 count as the last one anyway.
const searchDocument = `setweight(to_tsvector('english', a.title), 'A')
	|| setweight(to_tsvector('english', a.standfirst), 'B')
	|| setweight(to_tsvector('english', COALESCE((SELECT string_agg(t.name, ' ') FROM article_tags at
		JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id), '')), 'B')
	|| setweight(to_tsvector('english', left(a.body_text, 200000)), 'C')`

// reindex rewrites the search documents of the articles ids.
func reindex(ctx context.Context, q querier, ids []int64) error {
	_, err := q.Exec(ctx, `INSERT INTO article_search (article_id, document)
		SELECT a.id, `+searchDocument+` FROM articles a WHERE a.id = ANY($1)
		ON CONFLICT (article_id) DO UPDATE SET document = excluded.document`, ids)
	return translate(err)
}

// Reindex rewrites every article's search document, as after a copy from another backend.
func (db *DB) Reindex(ctx context.Context) error {
	err := db.write(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `INSERT INTO article_search (article_id, document)
			SELECT a.id, `+searchDocument+` FROM articles a
			ON CONFLICT (article_id) DO UPDATE SET document = excluded.document`)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("postgres: reindex search: %w", err)
	}
	return nil
}

// headlineOptions make ts_headline mark matches with the contract's private-use runes.
var headlineOptions = "StartSel=" + string(store.HighlightStart) + ", StopSel=" + string(store.HighlightEnd) +
	`, MaxWords=24, MinWords=12, ShortWord=3, MaxFragments=2, FragmentDelimiter=" … "`

// SearchArticles implements store.Articles. The reader's text goes through websearch_to_tsquery,
// which accepts any input (quotes, "or", a leading "-") without a syntax error; text PostgreSQL
// cannot hold (NUL, invalid UTF-8) is dropped first.
func (s Store) SearchArticles(ctx context.Context, q store.SearchQuery) ([]store.SearchHit, int, error) {
	text := searchText(q.Text)
	if text == "" {
		return nil, 0, nil
	}
	if s.tx == nil {
		// Its own read-only transaction, so that the time limit holds for its statements alone.
		var hits []store.SearchHit
		var total int
		err := pgx.BeginTxFunc(ctx, s.db.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT set_config('statement_timeout', $1, true)`, strconv.FormatInt(s.db.searchTimeout, 10)); err != nil {
				return fmt.Errorf("postgres: search: %w", err)
			}
			var err error
			hits, total, err = Store{db: s.db, tx: tx}.SearchArticles(ctx, q)
			return err
		})
		if err != nil {
			if !errors.Is(err, store.ErrBusy) {
				err = translate(err) // the statements' own come back translated, a timeout as ErrBusy
			}
			return nil, 0, err
		}
		return hits, total, nil
	}
	live := q.LiveAt.UnixMicro()
	const from = ` FROM article_search f JOIN articles a ON a.id = f.article_id,
		websearch_to_tsquery('english', $1) query WHERE f.document @@ query AND `
	var total int
	if err := s.read().QueryRow(ctx, `SELECT COUNT(*)`+from+liveCond("$2"), text, live).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("postgres: search: %w", translate(err))
	}
	if total == 0 {
		return nil, 0, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	ids, err := s.ids(ctx, `SELECT a.id`+from+liveCond("$2")+`
		ORDER BY ts_rank_cd(f.document, query) DESC, a.published_at DESC, a.id DESC LIMIT $3 OFFSET $4`,
		text, live, limit, max(q.Offset, 0))
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: search: %w", err)
	}
	if len(ids) == 0 {
		return nil, total, nil
	}
	// Snippets are made for the page's hits alone: ts_headline reads the whole text.
	snippets := make(map[int64]string, len(ids))
	err = s.each(ctx, `SELECT a.id, ts_headline('english',
			left(concat_ws(' ', a.title, a.standfirst, a.body_text), 100000), websearch_to_tsquery('english', $1), $2)
		FROM articles a WHERE a.id = ANY($3)`, []any{text, headlineOptions, ids},
		func(sc func(...any) error) error {
			var id int64
			var snip string
			if err := sc(&id, &snip); err != nil {
				return err
			}
			snippets[id] = snip
			return nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: search: %w", err)
	}
	list, err := s.articlesByID(ctx, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: search: %w", err)
	}
	hits := make([]store.SearchHit, 0, len(list))
	for _, a := range list {
		hits = append(hits, store.SearchHit{Article: a, Snippet: snippets[a.ID]})
	}
	return hits, total, nil
}

// searchText makes a reader's text safe to send: valid UTF-8 without NUL, at most 1,000 bytes
// (a tsquery word may not pass 2,047), trimmed; empty when nothing is left.
func searchText(text string) string {
	text = strings.ToValidUTF8(text, " ")
	text = strings.ReplaceAll(text, "\x00", " ")
	if len(text) > 1000 {
		text = strings.ToValidUTF8(text[:1000], "")
	}
	return strings.TrimSpace(text)
}

// articlesByID loads articles keeping the order of ids.
func (s Store) articlesByID(ctx context.Context, ids []int64) ([]*article.Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := s.queryArticles(ctx, `SELECT `+articleColumns+articleFrom+` WHERE a.id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	out := make([]*article.Article, len(ids))
	for _, a := range list {
		out[pos[a.ID]] = a
	}
	j := 0
	for _, a := range out {
		if a != nil {
			out[j] = a
			j++
		}
	}
	return out[:j], nil
}

// PublishDue implements store.Articles. Two nodes calling it at once publish each story once:
// the second waits for the first's row locks and then finds the stories published.
func (s Store) PublishDue(ctx context.Context, now time.Time) ([]int64, error) {
	var ids []int64
	err := s.write(ctx, func(q querier) error {
		ids = nil
		rows, err := q.Query(ctx, `UPDATE articles SET status = 'published'
			WHERE status = 'scheduled' AND published_at <= $1 RETURNING id`, now.UnixMicro())
		if err != nil {
			return translate(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return translate(rows.Err())
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: publish due: %w", err)
	}
	return ids, nil
}

// NextScheduled implements store.Articles.
func (s Store) NextScheduled(ctx context.Context, now time.Time) (time.Time, error) {
	var at *int64
	err := s.read().QueryRow(ctx, `SELECT MIN(published_at) FROM articles
		WHERE status = 'scheduled' AND published_at > $1`, now.UnixMicro()).Scan(&at)
	if err != nil {
		return time.Time{}, fmt.Errorf("postgres: next scheduled: %w", translate(err))
	}
	return fromMicros(at), nil
}

// Redirect implements store.Articles.
func (s Store) Redirect(ctx context.Context, oldPath string) (string, error) {
	var p string
	err := s.read().QueryRow(ctx, `SELECT new_path FROM redirects WHERE old_path = $1`, oldPath).Scan(&p)
	if err != nil {
		return "", fmt.Errorf("postgres: redirect %q: %w", oldPath, translate(err))
	}
	return p, nil
}

// AddRedirect implements store.Articles.
func (s Store) AddRedirect(ctx context.Context, oldPath, newPath string) error {
	return s.exec(ctx, fmt.Sprintf("redirect %q", oldPath), `INSERT INTO redirects (old_path, new_path) VALUES ($1, $2)
		ON CONFLICT (old_path) DO UPDATE SET new_path = excluded.new_path`, oldPath, newPath)
}

// Redirects implements store.Articles. Old paths sort byte by byte, as SQLite's do.
func (s Store) Redirects(ctx context.Context) ([]store.Redirect, error) {
	var list []store.Redirect
	err := s.each(ctx, `SELECT old_path, new_path FROM redirects ORDER BY old_path COLLATE "C"`, nil, func(sc func(...any) error) error {
		var r store.Redirect
		if err := sc(&r.From, &r.To); err != nil {
			return err
		}
		list = append(list, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: redirects: %w", err)
	}
	return list, nil
}
