package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// SetRelated implements store.Related.
func (s Store) SetRelated(ctx context.Context, id int64, links []store.RelatedLink) error {
	err := s.write(ctx, func(q querier) error {
		if _, err := q.Exec(ctx, `DELETE FROM related_links WHERE article_id = $1`, id); err != nil {
			return translate(err)
		}
		for i, l := range links {
			if _, err := q.Exec(ctx, `INSERT INTO related_links (article_id, position, related_id, score, reason)
				VALUES ($1, $2, $3, $4, $5)`, id, i, l.ArticleID, l.Score, l.Reason); err != nil {
				return translate(err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: related of %d: %w", id, err)
	}
	return nil
}

// RelatedArticles implements store.Related.
func (s Store) RelatedArticles(ctx context.Context, id int64, liveAt time.Time) ([]*article.Article, []store.RelatedLink, error) {
	var links []store.RelatedLink
	err := s.each(ctx, `SELECT r.related_id, r.score, r.reason FROM related_links r JOIN articles a ON a.id = r.related_id
		WHERE r.article_id = $1 AND `+liveCond("$2")+` ORDER BY r.position`, []any{id, liveAt.UnixMicro()},
		func(sc func(...any) error) error {
			var l store.RelatedLink
			if err := sc(&l.ArticleID, &l.Score, &l.Reason); err != nil {
				return err
			}
			links = append(links, l)
			return nil
		})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: related of %d: %w", id, err)
	}
	ids := make([]int64, len(links))
	for i, l := range links {
		ids[i] = l.ArticleID
	}
	list, err := s.articlesByID(ctx, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: related of %d: %w", id, err)
	}
	return list, links, nil
}

// SharingArticles implements store.Related.
func (s Store) SharingArticles(ctx context.Context, a *article.Article, liveAt time.Time, limit int) ([]*article.Article, error) {
	ids, err := s.sharingIDs(ctx, a, liveAt, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: sharing with %d: %w", a.ID, err)
	}
	list, err := s.articlesByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: sharing with %d: %w", a.ID, err)
	}
	return list, nil
}

// sharingIDs returns the IDs of SharingArticles' list.
func (s Store) sharingIDs(ctx context.Context, a *article.Article, liveAt time.Time, limit int) ([]int64, error) {
	// Stories sharing tags, most shared first, among the last store.SharingWindow added under
	// each tag (its (tag_id, article_id) index read backwards), then (when they are too few) the
	// newest of the section: rows read are bounded however many stories a tag or a section holds.
	live := liveAt.UnixMicro()
	ids, err := s.ids(ctx, `SELECT c.id FROM article_tags t1 CROSS JOIN LATERAL (
			SELECT a.id, a.published_at FROM article_tags t2 JOIN articles a ON a.id = t2.article_id
			WHERE t2.tag_id = t1.tag_id AND t2.article_id != t1.article_id AND a.kind = 'story' AND `+liveCond("$2")+`
			ORDER BY t2.article_id DESC LIMIT $3) c
		WHERE t1.article_id = $1
		GROUP BY c.id, c.published_at ORDER BY COUNT(*) DESC, c.published_at DESC, c.id DESC LIMIT $4`,
		a.ID, live, store.SharingWindow, limit)
	if err != nil {
		return nil, err
	}
	if len(ids) < limit && a.Section.ID != 0 {
		more, err := s.ids(ctx, `SELECT a.id FROM articles a WHERE a.section_id = $1 AND a.kind = 'story'
			AND `+liveCond("$2")+` AND a.id != ALL($3) ORDER BY a.published_at DESC, a.id DESC LIMIT $4`,
			a.Section.ID, live, append(ids, a.ID), limit-len(ids))
		if err != nil {
			return nil, err
		}
		ids = append(ids, more...)
	}
	return ids, nil
}

// cardColumns are a story's card: its narrow columns and its section's.
const cardColumns = `a.id, a.kind, a.slug, a.title, a.status, a.published_at,
	COALESCE(s.id, 0), COALESCE(s.name, ''), COALESCE(s.slug, '')`

// scanCard reads cardColumns after the scanned values before.
func scanCard(sc func(...any) error, before ...any) (*article.Article, error) {
	var a article.Article
	var kind, status string
	var pub *int64
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
		JOIN articles a ON a.id = r.related_id LEFT JOIN sections s ON s.id = a.section_id
		WHERE r.article_id = $1 AND `+liveCond("$2")+` ORDER BY r.position LIMIT $3`, []any{a.ID, liveAt.UnixMicro(), limit},
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
		return nil, nil, fmt.Errorf("postgres: related of %d: %w", a.ID, err)
	}
	if len(list) > 0 {
		return list, links, nil
	}
	ids, err := s.sharingIDs(ctx, a, liveAt, limit)
	if err == nil {
		list, err = s.cardsByID(ctx, ids)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: sharing with %d: %w", a.ID, err)
	}
	return list, nil, nil
}

// cardsByID returns the cards of the articles with these IDs, in the IDs' order.
func (s Store) cardsByID(ctx context.Context, ids []int64) ([]*article.Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	byID := make(map[int64]*article.Article, len(ids))
	err := s.each(ctx, `SELECT `+cardColumns+` FROM articles a LEFT JOIN sections s ON s.id = a.section_id
		WHERE a.id = ANY($1)`, []any{ids},
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

// ReferencingArticles implements store.Related.
func (s Store) ReferencingArticles(ctx context.Context, id int64) ([]int64, error) {
	ids, err := s.ids(ctx, `SELECT DISTINCT article_id FROM related_links WHERE related_id = $1 ORDER BY article_id`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: lists with %d: %w", id, err)
	}
	return ids, nil
}

// RelatedRules implements store.Related.
func (s Store) RelatedRules(ctx context.Context, id int64) (pins, excludes []int64, err error) {
	err = s.each(ctx, `SELECT related_id, kind FROM related_rules WHERE article_id = $1 ORDER BY kind, position, related_id`, []any{id},
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
		return nil, nil, fmt.Errorf("postgres: related rules of %d: %w", id, err)
	}
	return pins, excludes, nil
}

// SetRelatedRules implements store.Related.
func (s Store) SetRelatedRules(ctx context.Context, id int64, pins, excludes []int64) error {
	err := s.write(ctx, func(q querier) error {
		if _, err := q.Exec(ctx, `DELETE FROM related_rules WHERE article_id = $1`, id); err != nil {
			return translate(err)
		}
		add := func(kind string, ids []int64) error {
			for i, x := range ids {
				if x == id {
					return fmt.Errorf("a story cannot %s itself: %w", kind, store.ErrConflict)
				}
				if _, err := q.Exec(ctx, `INSERT INTO related_rules (article_id, related_id, kind, position) VALUES ($1, $2, $3, $4)
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
		return fmt.Errorf("postgres: related rules of %d: %w", id, err)
	}
	return nil
}
