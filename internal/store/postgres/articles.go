package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

const articleColumns = `a.id, a.kind, a.slug, a.title, a.standfirst, a.body, a.body_html, a.body_text, a.status,
	a.published_at, a.updated_at, a.created_at, a.image_url, a.image_alt, a.comments_open, a.version, a.zone,
	COALESCE(s.id, 0), COALESCE(s.name, ''), COALESCE(s.slug, ''), COALESCE(s.description, '')`

const articleFrom = ` FROM articles a LEFT JOIN sections s ON s.id = a.section_id`

// liveCond is article.IsLive in SQL; ph is the placeholder of the time in micros.
func liveCond(ph string) string {
	return `(a.status = 'published' OR (a.status = 'scheduled' AND a.published_at <= ` + ph + `))`
}

func scanArticle(sc func(...any) error) (*article.Article, error) {
	var a article.Article
	var pub, upd, cre *int64
	var kind, status string
	err := sc(&a.ID, &kind, &a.Slug, &a.Title, &a.Standfirst, &a.Body, &a.BodyHTML, &a.BodyText, &status,
		&pub, &upd, &cre, &a.ImageURL, &a.ImageAlt, &a.CommentsOpen, &a.Version, &a.Zone,
		&a.Section.ID, &a.Section.Name, &a.Section.Slug, &a.Section.Description)
	if err != nil {
		return nil, err
	}
	a.Kind, a.Status = article.Kind(kind), article.Status(status)
	a.PublishedAt, a.UpdatedAt, a.CreatedAt = fromMicros(pub), fromMicros(upd), fromMicros(cre)
	return &a, nil
}

// queryArticles runs a query returning articleColumns and loads each article's bylines, tags and
// notes with one query each.
func (s Store) queryArticles(ctx context.Context, query string, args ...any) ([]*article.Article, error) {
	var list []*article.Article
	err := s.each(ctx, query, args, func(sc func(...any) error) error {
		a, err := scanArticle(sc)
		if err != nil {
			return err
		}
		list = append(list, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return list, s.loadDetails(ctx, list)
}

func (s Store) loadDetails(ctx context.Context, list []*article.Article) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*article.Article, len(list))
	ids := make([]int64, len(list))
	for i, a := range list {
		byID[a.ID], ids[i] = a, a.ID
	}
	err := s.each(ctx, `SELECT aa.article_id, au.id, au.name, au.slug, au.bio FROM article_authors aa
		JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = ANY($1) ORDER BY aa.article_id, aa.position`,
		[]any{ids}, func(sc func(...any) error) error {
			var id int64
			var au article.Author
			if err := sc(&id, &au.ID, &au.Name, &au.Slug, &au.Bio); err != nil {
				return err
			}
			byID[id].Authors = append(byID[id].Authors, au)
			return nil
		})
	if err != nil {
		return err
	}
	err = s.each(ctx, `SELECT at.article_id, t.id, t.name, t.slug FROM article_tags at
		JOIN tags t ON t.id = at.tag_id WHERE at.article_id = ANY($1) ORDER BY at.article_id, t.name`,
		[]any{ids}, func(sc func(...any) error) error {
			var id int64
			var t article.Tag
			if err := sc(&id, &t.ID, &t.Name, &t.Slug); err != nil {
				return err
			}
			byID[id].Tags = append(byID[id].Tags, t)
			return nil
		})
	if err != nil {
		return err
	}
	return s.each(ctx, `SELECT article_id, kind, text, at FROM article_notes
		WHERE article_id = ANY($1) ORDER BY article_id, at, id`,
		[]any{ids}, func(sc func(...any) error) error {
			var id int64
			var n article.Note
			var kind string
			var at *int64
			if err := sc(&id, &kind, &n.Text, &at); err != nil {
				return err
			}
			n.Kind, n.At = article.NoteKind(kind), fromMicros(at)
			byID[id].Notes = append(byID[id].Notes, n)
			return nil
		})
}

// each runs a query and calls fn with a scanner for every row.
func (s Store) each(ctx context.Context, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := s.read().Query(ctx, query, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return translate(err)
		}
	}
	return translate(rows.Err())
}

// Article implements store.Articles.
func (s Store) Article(ctx context.Context, id int64) (*article.Article, error) {
	list, err := s.queryArticles(ctx, `SELECT `+articleColumns+articleFrom+` WHERE a.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: article %d: %w", id, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("postgres: article %d: %w", id, store.ErrNotFound)
	}
	return list[0], nil
}

// ArticleBySlug implements store.Articles.
func (s Store) ArticleBySlug(ctx context.Context, slug string) (*article.Article, error) {
	list, err := s.queryArticles(ctx, `SELECT `+articleColumns+articleFrom+`
		WHERE a.slug = $1 OR a.id = (SELECT article_id FROM article_slugs WHERE slug = $1)
		ORDER BY a.slug = $1 DESC LIMIT 1`, slug)
	if err != nil {
		return nil, fmt.Errorf("postgres: article %q: %w", slug, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("postgres: article %q: %w", slug, store.ErrNotFound)
	}
	return list[0], nil
}

const slugTakenQuery = `SELECT EXISTS (SELECT 1 FROM articles WHERE slug = $1 AND id != $2)
	OR EXISTS (SELECT 1 FROM article_slugs WHERE slug = $1 AND article_id != $2)`

// SlugTaken implements store.Articles.
func (s Store) SlugTaken(ctx context.Context, slug string, id int64) (bool, error) {
	var taken bool
	if err := s.read().QueryRow(ctx, slugTakenQuery, slug, id).Scan(&taken); err != nil {
		return false, fmt.Errorf("postgres: slug %q: %w", slug, translate(err))
	}
	return taken, nil
}

// ListArticles implements store.Articles.
func (s Store) ListArticles(ctx context.Context, q store.ArticleQuery) ([]*article.Article, int, error) {
	var where []string
	var p params
	if !q.LiveAt.IsZero() {
		where = append(where, liveCond(p.add(q.LiveAt.UnixMicro())))
	}
	if q.Status != "" {
		where = append(where, "a.status = "+p.add(string(q.Status)))
	}
	if q.Kind != "" {
		where = append(where, "a.kind = "+p.add(string(q.Kind)))
	}
	if q.SectionID != 0 {
		where = append(where, "a.section_id = "+p.add(q.SectionID))
	}
	if q.TagID != 0 {
		where = append(where, "a.id IN (SELECT article_id FROM article_tags WHERE tag_id = "+p.add(q.TagID)+")")
	}
	if q.AuthorID != 0 {
		where = append(where, "a.id IN (SELECT article_id FROM article_authors WHERE author_id = "+p.add(q.AuthorID)+")")
	}
	if q.Text != "" {
		where = append(where, "strpos(lower(a.title), lower("+p.add(q.Text)+")) > 0")
	}
	if !q.PublishedFrom.IsZero() {
		where = append(where, "a.published_at >= "+p.add(q.PublishedFrom.UnixMicro()))
	}
	if !q.PublishedBefore.IsZero() {
		where = append(where, "a.published_at < "+p.add(q.PublishedBefore.UnixMicro()))
	}
	if q.After != nil {
		where = append(where, "(COALESCE(a.published_at, a.updated_at), a.id) < ("+p.add(q.After.SortTime().UnixMicro())+", "+p.add(q.After.ID)+")")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if q.After == nil {
		var err error
		if total, err = s.countArticles(ctx, q, cond, p); err != nil {
			return nil, 0, fmt.Errorf("postgres: list articles: %w", err)
		}
	}
	var limit any
	if q.Limit > 0 {
		limit = q.Limit
	}
	ids, err := s.ids(ctx, `SELECT a.id FROM articles a`+cond+`
		ORDER BY COALESCE(a.published_at, a.updated_at) DESC, a.id DESC
		LIMIT `+p.add(limit)+` OFFSET `+p.add(max(q.Offset, 0)), p...)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: list articles: %w", err)
	}
	list, err := s.articlesByID(ctx, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: list articles: %w", err)
	}
	return list, total, nil
}

// countArticles counts the articles a listing selects. A listing by kind, section and status
// (the front page, a section, the editors' lists by status) adds up article_counts, which the
// triggers keep (migration 0004), and counts from the index only the scheduled stories whose time
// has come and that PublishDue has not yet marked published; any other listing counts its rows.
func (s Store) countArticles(ctx context.Context, q store.ArticleQuery, cond string, args params) (int, error) {
	var total int
	if q.TagID != 0 || q.AuthorID != 0 || q.Text != "" || !q.PublishedFrom.IsZero() || !q.PublishedBefore.IsZero() ||
		(!q.LiveAt.IsZero() && q.Status != "") {
		err := s.read().QueryRow(ctx, `SELECT COUNT(*) FROM articles a`+cond, args...).Scan(&total)
		return total, translate(err)
	}
	var where []string
	var p params
	switch {
	case !q.LiveAt.IsZero():
		where = append(where, "status = 'published'")
	case q.Status != "":
		where = append(where, "status = "+p.add(string(q.Status)))
	}
	if q.Kind != "" {
		where = append(where, "kind = "+p.add(string(q.Kind)))
	}
	if q.SectionID != 0 {
		where = append(where, "section_id = "+p.add(q.SectionID))
	}
	query := `SELECT COALESCE(SUM(n), 0)::bigint FROM article_counts`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	if !q.LiveAt.IsZero() {
		due := []string{"a.status = 'scheduled'", "a.published_at <= " + p.add(q.LiveAt.UnixMicro())}
		if q.Kind != "" {
			due = append(due, "a.kind = "+p.add(string(q.Kind)))
		}
		if q.SectionID != 0 {
			due = append(due, "a.section_id = "+p.add(q.SectionID))
		}
		query = `SELECT (` + query + `) + (SELECT COUNT(*) FROM articles a WHERE ` + strings.Join(due, " AND ") + `)`
	}
	err := s.read().QueryRow(ctx, query, p...).Scan(&total)
	return total, translate(err)
}

// ids runs a query returning article IDs and returns them in order.
func (s Store) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	var ids []int64
	err := s.each(ctx, query, args, func(sc func(...any) error) error {
		var id int64
		if err := sc(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

// CreateArticle implements store.Articles.
func (s Store) CreateArticle(ctx context.Context, a *article.Article) error {
	err := s.write(ctx, func(q querier) error {
		if err := checkSlug(ctx, q, a.Slug, 0); err != nil {
			return err
		}
		sectionID, err := ensureSection(ctx, q, &a.Section)
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		if a.CreatedAt.IsZero() {
			a.CreatedAt = now
		}
		if a.UpdatedAt.IsZero() {
			a.UpdatedAt = a.CreatedAt
		}
		if a.Kind == "" {
			a.Kind = article.Story
		}
		err = q.QueryRow(ctx, `INSERT INTO articles (kind, slug, title, standfirst, body, body_html, body_text,
			section_id, status, published_at, updated_at, created_at, image_url, image_alt, comments_open, version, zone)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16) RETURNING id`,
			string(a.Kind), a.Slug, a.Title, a.Standfirst, a.Body, a.BodyHTML, a.BodyText, sectionID,
			string(a.Status), micros(a.PublishedAt), micros(a.UpdatedAt), micros(a.CreatedAt),
			a.ImageURL, a.ImageAlt, a.CommentsOpen, a.Zone).Scan(&a.ID)
		if err != nil {
			return translate(err)
		}
		a.Version = 1
		return saveDetails(ctx, q, a)
	})
	if err != nil {
		return fmt.Errorf("postgres: create article %q: %w", a.Slug, err)
	}
	return nil
}

// UpdateArticle implements store.Articles.
func (s Store) UpdateArticle(ctx context.Context, a *article.Article) error {
	version := a.Version
	err := s.write(ctx, func(q querier) error {
		a.Version = version // a retried transaction starts again from the caller's version
		var oldSlug string
		var have int
		err := q.QueryRow(ctx, `SELECT slug, version FROM articles WHERE id = $1 FOR UPDATE`, a.ID).Scan(&oldSlug, &have)
		if err != nil {
			return translate(err)
		}
		if have != a.Version {
			return fmt.Errorf("version %d was saved since version %d: %w", have, a.Version, store.ErrConflict)
		}
		if err := checkSlug(ctx, q, a.Slug, a.ID); err != nil {
			return err
		}
		sectionID, err := ensureSection(ctx, q, &a.Section)
		if err != nil {
			return err
		}
		if a.UpdatedAt.IsZero() {
			a.UpdatedAt = time.Now().UTC()
		}
		_, err = q.Exec(ctx, `UPDATE articles SET kind = $1, slug = $2, title = $3, standfirst = $4, body = $5,
			body_html = $6, body_text = $7, section_id = $8, status = $9, published_at = $10, updated_at = $11,
			image_url = $12, image_alt = $13, comments_open = $14, zone = $15, version = version + 1 WHERE id = $16`,
			string(a.Kind), a.Slug, a.Title, a.Standfirst, a.Body, a.BodyHTML, a.BodyText, sectionID,
			string(a.Status), micros(a.PublishedAt), micros(a.UpdatedAt), a.ImageURL, a.ImageAlt,
			a.CommentsOpen, a.Zone, a.ID)
		if err != nil {
			return translate(err)
		}
		if oldSlug != a.Slug {
			if _, err := q.Exec(ctx, `DELETE FROM article_slugs WHERE slug = $1`, a.Slug); err != nil {
				return translate(err)
			}
			if _, err := q.Exec(ctx, `INSERT INTO article_slugs (slug, article_id) VALUES ($1, $2)
				ON CONFLICT (slug) DO UPDATE SET article_id = excluded.article_id`, oldSlug, a.ID); err != nil {
				return translate(err)
			}
		}
		for _, stmt := range []string{`DELETE FROM article_authors WHERE article_id = $1`,
			`DELETE FROM article_tags WHERE article_id = $1`, `DELETE FROM article_notes WHERE article_id = $1`} {
			if _, err := q.Exec(ctx, stmt, a.ID); err != nil {
				return translate(err)
			}
		}
		a.Version++
		return saveDetails(ctx, q, a)
	})
	if err != nil {
		return fmt.Errorf("postgres: update article %d: %w", a.ID, err)
	}
	return nil
}

// DeleteArticle implements store.Articles. The search row goes with the article.
func (s Store) DeleteArticle(ctx context.Context, id int64) error {
	err := s.write(ctx, func(q querier) error {
		return affected(q.Exec(ctx, `DELETE FROM articles WHERE id = $1`, id))
	})
	if err != nil {
		return fmt.Errorf("postgres: delete article %d: %w", id, err)
	}
	return nil
}

func checkSlug(ctx context.Context, q querier, slug string, id int64) error {
	if slug == "" {
		return fmt.Errorf("empty slug: %w", store.ErrConflict)
	}
	var taken bool
	if err := q.QueryRow(ctx, slugTakenQuery, slug, id).Scan(&taken); err != nil {
		return translate(err)
	}
	if taken {
		return fmt.Errorf("slug %q is taken: %w", slug, store.ErrConflict)
	}
	return nil
}

// ensureSection returns the section's ID, creating it by slug when it has none; nil for none.
func ensureSection(ctx context.Context, q querier, sec *article.Section) (any, error) {
	if sec.ID == 0 && sec.Slug == "" {
		return nil, nil
	}
	if sec.ID == 0 {
		err := upsertSlug(ctx, q, "sections", "(name, slug, description) VALUES ($1, $2, $3)", "id, name, description",
			[]any{nameOr(sec.Name, sec.Slug), sec.Slug, sec.Description}, &sec.ID, &sec.Name, &sec.Description)
		if err != nil {
			return nil, err
		}
	}
	return sec.ID, nil
}

// upsertSlug inserts a row into table (insert is its columns and VALUES, with the slug as $2)
// unless the slug is taken, and scans cols of the row with the slug into dest. A taken slug
// changes nothing, so it logs no change.
func upsertSlug(ctx context.Context, q querier, table, insert, cols string, args []any, dest ...any) error {
	err := q.QueryRow(ctx, `INSERT INTO `+table+` `+insert+` ON CONFLICT (slug) DO NOTHING RETURNING `+cols, args...).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		err = q.QueryRow(ctx, `SELECT `+cols+` FROM `+table+` WHERE slug = $1`, args[1]).Scan(dest...)
	}
	return translate(err)
}

func nameOr(name, slug string) string {
	if name != "" {
		return name
	}
	return slug
}

// saveDetails writes bylines, tags (creating missing ones by slug), notes and the search row.
func saveDetails(ctx context.Context, q querier, a *article.Article) error {
	for i := range a.Authors {
		au := &a.Authors[i]
		if au.ID == 0 {
			err := upsertSlug(ctx, q, "authors", "(name, slug, bio) VALUES ($1, $2, $3)", "id, name, bio",
				[]any{nameOr(au.Name, au.Slug), au.Slug, au.Bio}, &au.ID, &au.Name, &au.Bio)
			if err != nil {
				return err
			}
		}
		if _, err := q.Exec(ctx, `INSERT INTO article_authors (article_id, author_id, position) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, a.ID, au.ID, i); err != nil {
			return translate(err)
		}
	}
	for i := range a.Tags {
		t := &a.Tags[i]
		if t.ID == 0 {
			err := upsertSlug(ctx, q, "tags", "(name, slug) VALUES ($1, $2)", "id, name",
				[]any{nameOr(t.Name, t.Slug), t.Slug}, &t.ID, &t.Name)
			if err != nil {
				return err
			}
		}
		if _, err := q.Exec(ctx, `INSERT INTO article_tags (article_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			a.ID, t.ID); err != nil {
			return translate(err)
		}
	}
	for _, n := range a.Notes {
		if _, err := q.Exec(ctx, `INSERT INTO article_notes (article_id, kind, text, at) VALUES ($1, $2, $3, $4)`,
			a.ID, string(n.Kind), n.Text, micros(n.At)); err != nil {
			return translate(err)
		}
	}
	return reindex(ctx, q, []int64{a.ID})
}
