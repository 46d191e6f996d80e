package sqlite

import (
	"context"
	"database/sql"
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
const mediaUsed = `(EXISTS (SELECT 1 FROM articles a WHERE instr(a.image_url, m.hash) > 0 OR instr(a.body, m.hash) > 0)
	OR EXISTS (SELECT 1 FROM settings st WHERE instr(st.value, m.hash) > 0))`

// CreateMedia implements store.Media.
func (s Store) CreateMedia(ctx context.Context, it *media.Item) error {
	if it.CreatedAt.IsZero() {
		it.CreatedAt = time.Now().UTC()
	}
	sizes, err := json.Marshal(it.Sizes)
	if err != nil {
		return fmt.Errorf("sqlite: media %s: %w", it.Hash, err)
	}
	err = s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `INSERT INTO media (hash, name, file, type, width, height, size,
			sizes, social, alt, caption, credit, description, focus_x, focus_y, uploader_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			it.Hash, it.Name, it.File, it.Type, it.Width, it.Height, it.Size, string(sizes), it.Social,
			it.Alt, it.Caption, it.Credit, it.Description, it.FocusX, it.FocusY, nullID(it.UploaderID), micros(it.CreatedAt))
		if err != nil {
			return translate(err)
		}
		it.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: media %s: %w", it.Hash, err)
	}
	return nil
}

func (s Store) queryMedia(ctx context.Context, query string, args ...any) ([]*media.Item, error) {
	var list []*media.Item
	err := s.each(ctx, query, args, func(scan func(...any) error) error {
		it := &media.Item{}
		var sizes string
		var uploader, created sql.NullInt64
		if err := scan(&it.ID, &it.Hash, &it.Name, &it.File, &it.Type, &it.Width, &it.Height, &it.Size,
			&sizes, &it.Social, &it.Alt, &it.Caption, &it.Credit, &it.Description, &it.FocusX, &it.FocusY, &uploader, &created); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(sizes), &it.Sizes); err != nil {
			return fmt.Errorf("sizes of media %d: %w", it.ID, err)
		}
		it.UploaderID, it.CreatedAt = uploader.Int64, fromMicros(created)
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
		return nil, fmt.Errorf("sqlite: media %s: %w", what, err)
	}
	return list[0], nil
}

// MediaItem implements store.Media.
func (s Store) MediaItem(ctx context.Context, id int64) (*media.Item, error) {
	return s.oneMedia(ctx, fmt.Sprint(id), `id = ?`, id)
}

// MediaByHash implements store.Media.
func (s Store) MediaByHash(ctx context.Context, hash string) (*media.Item, error) {
	return s.oneMedia(ctx, hash, `hash = ?`, hash)
}

// UpdateMedia implements store.Media.
func (s Store) UpdateMedia(ctx context.Context, it *media.Item) error {
	return s.changeMedia(ctx, it.ID, `UPDATE media SET alt = ?, caption = ?, credit = ?, description = ?, focus_x = ?, focus_y = ?, social = ? WHERE id = ?`,
		it.Alt, it.Caption, it.Credit, it.Description, it.FocusX, it.FocusY, it.Social, it.ID)
}

// DeleteMedia implements store.Media.
func (s Store) DeleteMedia(ctx context.Context, id int64) error {
	return s.changeMedia(ctx, id, `DELETE FROM media WHERE id = ?`, id)
}

// changeMedia runs query on item id and logs a change of every article that shows it, first,
// while the item is there to be found. A deletion is refused while a setting names the item.
func (s Store) changeMedia(ctx context.Context, id int64, query string, args ...any) error {
	err := s.write(ctx, func(q querier) error {
		if strings.HasPrefix(query, "DELETE") {
			var named bool
			if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM media m JOIN settings st
				ON instr(st.value, m.hash) > 0 WHERE m.id = ?)`, id).Scan(&named); err != nil {
				return translate(err)
			}
			if named {
				return fmt.Errorf("a setting (the site's logo) shows it: %w", store.ErrConflict)
			}
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO change_log (key) SELECT 'article:' || a.id FROM media m
			JOIN articles a ON instr(a.image_url, m.hash) > 0 OR instr(a.body, m.hash) > 0 WHERE m.id = ? ORDER BY a.id`, id); err != nil {
			return translate(err)
		}
		res, err := q.ExecContext(ctx, query, args...)
		if err != nil {
			return translate(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: media %d: %w", id, err)
	}
	return nil
}

// ListMedia implements store.Media.
func (s Store) ListMedia(ctx context.Context, q store.MediaQuery) ([]*media.Item, int, error) {
	var where []string
	var args []any
	if q.Text != "" {
		where = append(where, `(instr(lower(m.name), lower(?)) > 0 OR instr(lower(m.alt), lower(?)) > 0 OR instr(lower(m.caption), lower(?)) > 0
			OR instr(lower(m.credit), lower(?)) > 0 OR instr(lower(m.description), lower(?)) > 0)`)
		args = append(args, q.Text, q.Text, q.Text, q.Text, q.Text)
	}
	if q.Month != "" {
		start, err := time.Parse("2006-01", q.Month)
		if err != nil {
			return nil, 0, fmt.Errorf("sqlite: media of month %q: %w", q.Month, store.ErrNotFound)
		}
		where = append(where, `m.created_at >= ? AND m.created_at < ?`)
		args = append(args, start.UnixMicro(), start.AddDate(0, 1, 0).UnixMicro())
	}
	if q.Unused {
		where = append(where, `NOT `+mediaUsed)
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}
	var total int
	if err := s.read().QueryRowContext(ctx, `SELECT count(*) FROM media m`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("sqlite: counting media: %w", translate(err))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	list, err := s.queryMedia(ctx, `SELECT `+mediaColumns+` FROM media m`+cond+
		` ORDER BY m.created_at DESC, m.id DESC LIMIT ? OFFSET ?`, append(args, limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: listing media: %w", err)
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
				CAST(strftime('%s', t / 1000000, 'unixepoch', 'start of month') AS INTEGER) * 1000000)
			FROM months WHERE t IS NOT NULL)
		SELECT strftime('%Y-%m', t / 1000000, 'unixepoch') FROM months WHERE t IS NOT NULL`, nil,
		func(scan func(...any) error) error {
			var m string
			if err := scan(&m); err != nil {
				return err
			}
			months = append(months, m)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: months of media: %w", err)
	}
	return months, nil
}

// MediaUses implements store.Media.
func (s Store) MediaUses(ctx context.Context, id int64) ([]store.MediaUse, error) {
	var uses []store.MediaUse
	err := s.each(ctx, `SELECT id, title, setting FROM (
		SELECT 0 AS id, '' AS title, st.key AS setting FROM media m JOIN settings st ON instr(st.value, m.hash) > 0 WHERE m.id = ?
		UNION ALL SELECT a.id, a.title, '' FROM media m JOIN articles a
		ON instr(a.image_url, m.hash) > 0 OR instr(a.body, m.hash) > 0 WHERE m.id = ?) ORDER BY setting = '', setting, id`,
		[]any{id, id}, func(scan func(...any) error) error {
			var u store.MediaUse
			if err := scan(&u.ArticleID, &u.Title, &u.Setting); err != nil {
				return err
			}
			uses = append(uses, u)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: uses of media %d: %w", id, err)
	}
	return uses, nil
}
