package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// SetRelated implements store.Related.
func (s Store) SetRelated(ctx context.Context, id int64, links []store.RelatedLink) error {
	err := s.write(ctx, func(q querier) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM related_links WHERE article_id = ?`, id); err != nil {
			return translate(err)
		}
		for i, l := range links {
			if _, err := q.ExecContext(ctx, `INSERT INTO related_links (article_id, position, related_id, score, reason)
				VALUES (?, ?, ?, ?, ?)`, id, i, l.ArticleID, l.Score, l.Reason); err != nil {
				return translate(err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: related of %d: %w", id, err)
	}
	return nil
}

// RelatedArticles implements store.Related.
func (s Store) RelatedArticles(ctx context.Context, id int64, liveAt time.Time) ([]*article.Article, []store.RelatedLink, error) {
	var links []store.RelatedLink
	err := s.each(ctx, `SELECT r.related_id, r.score, r.reason FROM related_links r JOIN articles a ON a.id = r.related_id
		WHERE r.article_id = ? AND `+liveCond+` ORDER BY r.position`, []any{id, liveAt.UnixMicro()},
		func(sc func(...any) error) error {
			var l store.RelatedLink
			if err := sc(&l.ArticleID, &l.Score, &l.Reason); err != nil {
				return err
			}
			links = append(links, l)
			return nil
		})
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: related of %d: %w", id, err)
	}
	ids := make([]int64, len(links))
	for i, l := range links {
		ids[i] = l.ArticleID
	}
	list, err := s.articlesByID(ctx, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: related of %d: %w", id, err)
	}
	return list, links, nil
}

// SharingArticles implements store.Related.
func (s Store) SharingArticles(ctx context.Context, a *article.Article, liveAt time.Time, limit int) ([]*article.Article, error) {
	ids, err := s.sharingIDs(ctx, a, liveAt, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sharing with %d: %w", a.ID, err)
	}
	list, err := s.articlesByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sharing with %d: %w", a.ID, err)
	}
	return list, nil
}

// sharingIDs returns the IDs of SharingArticles' list.
func (s Store) sharingIDs(ctx context.Context, a *article.Article, liveAt time.Time, limit int) ([]int64, error) {
	// Stories sharing tags, most shared first, among the last store.SharingWindow added under
	// each tag, then (when they are too few) the newest of the section: index-driven queries that
	// read a bounded number of rows however many stories a tag or a section holds.
	live := liveAt.UnixMicro()
	var tags []int64
	for _, t := range a.Tags {
		if t.ID != 0 {
			tags = append(tags, t.ID)
		}
	}
	if len(tags) < len(a.Tags) {
		// a came with tags by name only.
		var err error
		if tags, err = s.ids(ctx, `SELECT tag_id FROM article_tags WHERE article_id = ?`, a.ID); err != nil {
			return nil, err
		}
	}
	var ids []int64
	var err error
	if len(tags) > 0 {
		// Each tag's last stories come from its (tag_id, article_id) index backwards, each
		// checked for kind and status in articles_live_id rather than its row, past the bodies.
		var union []string
		var args []any
		for _, tag := range tags {
			union = append(union, `SELECT * FROM (SELECT t.article_id AS id, a.published_at AS p FROM article_tags t
				CROSS JOIN articles a INDEXED BY articles_live_id ON a.id = t.article_id
				WHERE t.tag_id = ? AND t.article_id != ? AND a.kind = 'story' AND `+liveCond+`
				ORDER BY t.article_id DESC LIMIT ?)`)
			args = append(args, tag, a.ID, live, store.SharingWindow)
		}
		ids, err = s.ids(ctx, `SELECT id FROM (`+strings.Join(union, " UNION ALL ")+`)
			GROUP BY id ORDER BY COUNT(*) DESC, p DESC, id DESC LIMIT ?`, append(args, limit)...)
		if err != nil {
			return nil, err
		}
	}
	if len(ids) < limit && a.Section.ID != 0 {
		more, err := s.ids(ctx, `SELECT a.id FROM articles a WHERE a.section_id = ? AND a.id != ? AND a.kind = 'story'
			AND `+liveCond+` AND a.id NOT IN (`+placeholders(len(ids)+1)+`)
			ORDER BY COALESCE(a.published_at, a.updated_at) DESC, a.id DESC LIMIT ?`,
			append(append([]any{a.Section.ID, a.ID, live}, int64Args(append(ids, a.ID))...), limit-len(ids))...)
		if err != nil {
			return nil, err
		}
		ids = append(ids, more...)
	}
	return ids, nil
}

// cardColumns are a story's card, read from the articles_card index and its section's row.
const cardColumns = `a.id, a.kind, a.slug, a.title, a.status, a.published_at,
	COALESCE(s.id, 0), COALESCE(s.name, ''), COALESCE(s.slug, '')`

const cardFrom = ` FROM articles a INDEXED BY articles_card LEFT JOIN sections s ON s.id = a.section_id`

// scanCard reads cardColumns after the scanned values before.
func scanCard(sc func(...any) error, before ...any) (*article.Article, error) {
	var a article.Article
	var kind, status string
	var pub sql.NullInt64
	err := sc(append(before, &a.ID, &kind, &a.Slug, &a.Title, &status, &pub, &a.Section.ID, &a.Section.Name, &a.Section.Slug)...)
	if err != nil {
		return nil, err
	}
	a.Kind, a.Status, a.PublishedAt = article.Kind(kind), article.Status(status), fromMicros(pub)
	return &a, nil
}

// RelatedCards implements store.Related.
func (s Store) RelatedCards(ctx context.Context, a *article.Article, liveAt time.Time, limit int) ([]*article.Article, []store.RelatedLink, error) {
	var list []*article.Article
	var links []store.RelatedLink
	err := s.each(ctx, `SELECT r.score, r.reason, `+cardColumns+` FROM related_links r
		CROSS JOIN articles a INDEXED BY articles_card ON a.id = r.related_id LEFT JOIN sections s ON s.id = a.section_id
		WHERE r.article_id = ? AND `+liveCond+` ORDER BY r.position LIMIT ?`, []any{a.ID, liveAt.UnixMicro(), limit},
		func(sc func(...any) error) error {
			var l store.RelatedLink
			c, err := scanCard(sc, &l.Score, &l.Reason)
			if err != nil {
				return err
			}
			l.ArticleID = c.ID
			list, links = append(list, c), append(links, l)
			return nil
		})
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: related of %d: %w", a.ID, err)
	}
	if len(list) > 0 {
		return list, links, nil
	}
	ids, err := s.sharingIDs(ctx, a, liveAt, limit)
	if err == nil {
		list, err = s.cardsByID(ctx, ids)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: sharing with %d: %w", a.ID, err)
	}
	return list, nil, nil
}

// cardsByID returns the cards of the articles with these IDs, in the IDs' order.
func (s Store) cardsByID(ctx context.Context, ids []int64) ([]*article.Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	byID := make(map[int64]*article.Article, len(ids))
	err := s.each(ctx, `SELECT `+cardColumns+cardFrom+` WHERE a.id IN (`+placeholders(len(ids))+`)`, int64Args(ids),
		func(sc func(...any) error) error {
			c, err := scanCard(sc)
			if err != nil {
				return err
			}
			byID[c.ID] = c
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := make([]*article.Article, 0, len(ids))
	for _, id := range ids {
		if c := byID[id]; c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// ChangesSince implements store.Changes.
func (s Store) ChangesSince(ctx context.Context, seq int64, limit int) ([]store.Change, int64, error) {
	var list []store.Change
	latest := seq
	err := s.each(ctx, `SELECT seq, key, (SELECT MAX(seq) FROM change_log) FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?`,
		[]any{seq, limit}, func(sc func(...any) error) error {
			var c store.Change
			if err := sc(&c.Seq, &c.Key, &latest); err != nil {
				return err
			}
			list = append(list, c)
			return nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: changes since %d: %w", seq, err)
	}
	return list, latest, nil
}

// PruneChanges implements store.Changes.
func (s Store) PruneChanges(ctx context.Context, keep int) error {
	err := s.write(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, `DELETE FROM change_log WHERE seq <= (SELECT MAX(seq) FROM change_log) - ?`, keep)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: prune changes: %w", err)
	}
	return nil
}

// latestChange is the change log's last number, 0 when empty.
const latestChange = `SELECT COALESCE(MAX(seq), 0) FROM change_log`

// LatestChange implements store.Changes.
func (s Store) LatestChange(ctx context.Context) (int64, error) {
	var seq int64
	err := s.read().QueryRowContext(ctx, latestChange).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("sqlite: latest change: %w", translate(err))
	}
	return seq, nil
}

// ReferencingArticles implements store.Related.
func (s Store) ReferencingArticles(ctx context.Context, id int64) ([]int64, error) {
	ids, err := s.ids(ctx, `SELECT DISTINCT article_id FROM related_links WHERE related_id = ? ORDER BY article_id`, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lists with %d: %w", id, err)
	}
	return ids, nil
}

// RelatedRules implements store.Related.
func (s Store) RelatedRules(ctx context.Context, id int64) (pins, excludes []int64, err error) {
	err = s.each(ctx, `SELECT related_id, kind FROM related_rules WHERE article_id = ? ORDER BY kind, position, related_id`, []any{id},
		func(sc func(...any) error) error {
			var x int64
			var kind string
			if err := sc(&x, &kind); err != nil {
				return err
			}
			if kind == "pin" {
				pins = append(pins, x)
			} else {
				excludes = append(excludes, x)
			}
			return nil
		})
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: related rules of %d: %w", id, err)
	}
	return pins, excludes, nil
}

// SetRelatedRules implements store.Related.
func (s Store) SetRelatedRules(ctx context.Context, id int64, pins, excludes []int64) error {
	err := s.write(ctx, func(q querier) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM related_rules WHERE article_id = ?`, id); err != nil {
			return translate(err)
		}
		add := func(kind string, ids []int64) error {
			for i, x := range ids {
				if x == id {
					return fmt.Errorf("a story cannot %s itself: %w", kind, store.ErrConflict)
				}
				if _, err := q.ExecContext(ctx, `INSERT INTO related_rules (article_id, related_id, kind, position) VALUES (?, ?, ?, ?)
					ON CONFLICT (article_id, related_id) DO UPDATE SET kind = excluded.kind, position = excluded.position`,
					id, x, kind, i); err != nil {
					return translate(err)
				}
			}
			return nil
		}
		if err := add("exclude", excludes); err != nil {
			return err
		}
		return add("pin", pins)
	})
	if err != nil {
		return fmt.Errorf("sqlite: related rules of %d: %w", id, err)
	}
	return nil
}
