package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

const mediaColumns = `id, hash, name, file, type, width, height, size, sizes, social, alt, caption,
	credit, description, focus_x, focus_y, uploader_id, created_at`

// An article uses an item when its featured image or body names the item's hash, which every
// URL of the item contains; so does a setting (the site's logo) whose value names it.
const mediaUsed = `(EXISTS (SELECT 1 FROM articles a WHERE strpos(a.image_url, m.hash) > 0 OR strpos(a.body, m.hash) > 0)
	OR EXISTS (SELECT 1 FROM settings st WHERE strpos(st.value, m.hash) > 0))`

// CreateMedia implements store.Media.
func (s Store) CreateMedia(ctx context.Context, it *media.Item) error {
	if it.CreatedAt.IsZero() {
		it.CreatedAt = time.Now().UTC()
	}
	sizes, err := json.Marshal(it.Sizes)
	if err != nil {
		return fmt.Errorf("postgres: media %s: %w", it.Hash, err)
	}
	err = s.write(ctx, func(q querier) error {
		return translate(q.QueryRow(ctx, `INSERT INTO media (hash, name, file, type, width, height, size,
			sizes, social, alt, caption, credit, description, focus_x, focus_y, uploader_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
			it.Hash, it.Name, it.File, it.Type, it.Width, it.Height, it.Size, string(sizes), it.Social,
			it.Alt, it.Caption, it.Credit, it.Description, it.FocusX, it.FocusY, nullID(it.UploaderID), micros(it.CreatedAt)).Scan(&it.ID))
	})
	if err != nil {
		return fmt.Errorf("postgres: media %s: %w", it.Hash, err)
	}
	return nil
}

func (s Store) queryMedia(ctx context.Context, query string, args ...any) ([]*media.Item, error) {
	var list []*media.Item
	err := s.each(ctx, query, args, func(scan func(...any) error) error {
		it := &media.Item{}
		var sizes string
		var uploader, created *int64
		if err := scan(&it.ID, &it.Hash, &it.Name, &it.File, &it.Type, &it.Width, &it.Height, &it.Size,
			&sizes, &it.Social, &it.Alt, &it.Caption, &it.Credit, &it.Description, &it.FocusX, &it.FocusY, &uploader, &created); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(sizes), &it.Sizes); err != nil {
			return fmt.Errorf("sizes of media %d: %w", it.ID, err)
		}
		if uploader != nil {
			it.UploaderID = *uploader
		}
		it.CreatedAt = fromMicros(created)
		list = append(list, it)
		return nil
	})
	return list, err
}

func (s Store) oneMedia(ctx context.Context, what string, where string, arg any) (*media.Item, error) {
	list, err := s.queryMedia(ctx, `SELECT `+mediaColumns+` FROM media m WHERE `+where, arg)
	if err == nil && len(list) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: media %s: %w", what, err)
	}
	return list[0], nil
}

// MediaItem implements store.Media.
func (s Store) MediaItem(ctx context.Context, id int64) (*media.Item, error) {
	return s.oneMedia(ctx, fmt.Sprint(id), `id = $1`, id)
}

// MediaByHash implements store.Media.
func (s Store) MediaByHash(ctx context.Context, hash string) (*media.Item, error) {
	return s.oneMedia(ctx, hash, `hash = $1`, hash)
}

// UpdateMedia implements store.Media.
func (s Store) UpdateMedia(ctx context.Context, it *media.Item) error {
	return s.changeMedia(ctx, it.ID, `UPDATE media SET alt = $1, caption = $2, credit = $3, description = $4, focus_x = $5, focus_y = $6, social = $7 WHERE id = $8`,
		it.Alt, it.Caption, it.Credit, it.Description, it.FocusX, it.FocusY, it.Social, it.ID)
}

// DeleteMedia implements store.Media.
func (s Store) DeleteMedia(ctx context.Context, id int64) error {
	return s.changeMedia(ctx, id, `DELETE FROM media WHERE id = $1`, id)
}

// changeMedia runs query on item id and logs a change of every article that shows it, first,
// while the item is there to be found. A deletion is refused while a setting names the item.
func (s Store) changeMedia(ctx context.Context, id int64, query string, args ...any) error {
	err := s.write(ctx, func(q querier) error {
		if strings.HasPrefix(query, "DELETE") {
			var named bool
			if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM media m JOIN settings st
				ON strpos(st.value, m.hash) > 0 WHERE m.id = $1)`, id).Scan(&named); err != nil {
				return translate(err)
			}
			if named {
				return fmt.Errorf("a setting (the site's logo) shows it: %w", store.ErrConflict)
			}
		}
		if _, err := q.Exec(ctx, `INSERT INTO change_log (key) SELECT 'article:' || a.id FROM media m
			JOIN articles a ON strpos(a.image_url, m.hash) > 0 OR strpos(a.body, m.hash) > 0 WHERE m.id = $1 ORDER BY a.id`, id); err != nil {
			return translate(err)
		}
		return affected(q.Exec(ctx, query, args...))
	})
	if err != nil {
		return fmt.Errorf("postgres: media %d: %w", id, err)
	}
	return nil
}

// ListMedia implements store.Media.
func (s Store) ListMedia(ctx context.Context, q store.MediaQuery) ([]*media.Item, int, error) {
	var where []string
	var p params
	if q.Text != "" {
		ph := p.add(q.Text)
		where = append(where, `(strpos(lower(m.name), lower(`+ph+`)) > 0 OR strpos(lower(m.alt), lower(`+ph+`)) > 0 OR strpos(lower(m.caption), lower(`+ph+`)) > 0 OR
			strpos(lower(m.credit), lower(`+ph+`)) > 0 OR strpos(lower(m.description), lower(`+ph+`)) > 0)`)
	}
	if q.Month != "" {
		start, err := time.Parse("2006-01", q.Month)
		if err != nil {
			return nil, 0, fmt.Errorf("postgres: media of month %q: %w", q.Month, store.ErrNotFound)
		}
		where = append(where, `m.created_at >= `+p.add(start.UnixMicro())+` AND m.created_at < `+p.add(start.AddDate(0, 1, 0).UnixMicro()))
	}
	if q.Unused {
		where = append(where, `NOT `+mediaUsed)
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}
	var total int
	if err := s.read().QueryRow(ctx, `SELECT count(*) FROM media m`+cond, p...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("postgres: counting media: %w", translate(err))
	}
	var limit any
	if q.Limit > 0 {
		limit = q.Limit
	}
	query := `SELECT ` + mediaColumns + ` FROM media m` + cond + ` ORDER BY m.created_at DESC, m.id DESC LIMIT ` + p.add(limit) + ` OFFSET ` + p.add(q.Offset)
	list, err := s.queryMedia(ctx, query, p...)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: listing media: %w", err)
	}
	return list, total, nil
}

// MediaMonths implements store.Media. It jumps from month to month down the created_at index,
// reading one entry a month, not every item.
func (s Store) MediaMonths(ctx context.Context) ([]string, error) {
	var months []string
	err := s.each(ctx, `WITH RECURSIVE months(t) AS (
			SELECT max(created_at) FROM media
			UNION ALL
			SELECT (SELECT max(created_at) FROM media WHERE created_at <
				(extract(epoch FROM date_trunc('month', to_timestamp(t / 1000000) AT TIME ZONE 'UTC')) * 1000000)::bigint)
			FROM months WHERE t IS NOT NULL)
		SELECT to_char(to_timestamp(t / 1000000) AT TIME ZONE 'UTC', 'YYYY-MM') FROM months WHERE t IS NOT NULL`, nil,
		func(scan func(...any) error) error {
			var m string
			if err := scan(&m); err != nil {
				return err
			}
			months = append(months, m)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: months of media: %w", err)
	}
	return months, nil
}

// MediaUses implements store.Media.
func (s Store) MediaUses(ctx context.Context, id int64) ([]store.MediaUse, error) {
	var uses []store.MediaUse
	err := s.each(ctx, `SELECT id, title, setting FROM (
		SELECT 0::bigint AS id, ''::text AS title, st.key AS setting FROM media m JOIN settings st ON strpos(st.value, m.hash) > 0 WHERE m.id = $1
		UNION ALL SELECT a.id, a.title, '' FROM media m JOIN articles a
		ON strpos(a.image_url, m.hash) > 0 OR strpos(a.body, m.hash) > 0 WHERE m.id = $1) u ORDER BY setting = '', setting, id`,
		[]any{id}, func(scan func(...any) error) error {
			var u store.MediaUse
			if err := scan(&u.ArticleID, &u.Title, &u.Setting); err != nil {
				return err
			}
			uses = append(uses, u)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: uses of media %d: %w", id, err)
	}
	return uses, nil
}
