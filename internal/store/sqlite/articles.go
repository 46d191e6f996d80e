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

const articleColumns = `a.id, a.kind, a.slug, a.title, a.standfirst, a.body, a.body_html, a.body_text, a.status,
	a.published_at, a.updated_at, a.created_at, a.image_url, a.image_alt, a.comments_open, a.version, a.zone,
	COALESCE(s.id, 0), COALESCE(s.name, ''), COALESCE(s.slug, ''), COALESCE(s.description, '')`

const articleFrom = ` FROM articles a LEFT JOIN sections s ON s.id = a.section_id`

// liveCond is article.IsLive in SQL; its one argument is the time in micros.
const liveCond = `(a.status = 'published' OR (a.status = 'scheduled' AND a.published_at <= ?))`

// liveFilter is liveCond for queries another condition drives (a tag's or a byline's stories):
// the unary + keeps the planner from reading every published story through the status index.
const liveFilter = `(+a.status = 'published' OR (+a.status = 'scheduled' AND a.published_at <= ?))`

func scanArticle(sc interface{ Scan(...any) error }) (*article.Article, error) {
	var a article.Article
	var pub, upd, cre sql.NullInt64
	var kind, status string
	err := sc.Scan(&a.ID, &kind, &a.Slug, &a.Title, &a.Standfirst, &a.Body, &a.BodyHTML, &a.BodyText, &status,
		&pub, &upd, &cre, &a.ImageURL, &a.ImageAlt, &a.CommentsOpen, &a.Version, &a.Zone,
		&a.Section.ID, &a.Section.Name, &a.Section.Slug, &a.Section.Description)
	if err != nil {
		return nil, err
	}
	a.Kind, a.Status = article.Kind(kind), article.Status(status)
	a.PublishedAt, a.UpdatedAt, a.CreatedAt = fromMicros(pub), fromMicros(upd), fromMicros(cre)
	return &a, nil
}

// queryArticles runs a query returning articleColumns and loads the articles' bylines, tags and
// notes with one more.
func (s Store) queryArticles(ctx context.Context, query string, args ...any) ([]*article.Article, error) {
	rows, err := s.read().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*article.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, a)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	rows.Close()
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
	// One statement for the three lists: bylines (0) by position, tags (1) by name, notes (2) by
	// time and ID; ord and seq are each list's order.
	in := "(" + placeholders(len(ids)) + ")"
	args := int64Args(ids)
	return s.each(ctx, `SELECT 0 AS part, aa.article_id, au.id, au.name, au.slug, au.bio, aa.position AS ord, 0 AS seq
			FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id IN `+in+`
		UNION ALL SELECT 1, at.article_id, t.id, t.name, t.slug, '', t.name, 0
			FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN `+in+`
		UNION ALL SELECT 2, article_id, id, kind, text, '', at, id FROM article_notes WHERE article_id IN `+in+`
		ORDER BY 1, 2, ord, seq`,
		append(append(args, args...), args...), func(sc func(...any) error) error {
			var part int
			var id, xid, seq int64
			var name, slug, more string
			var ord any
			if err := sc(&part, &id, &xid, &name, &slug, &more, &ord, &seq); err != nil {
				return err
			}
			a := byID[id]
			switch part {
			case 0:
				a.Authors = append(a.Authors, article.Author{ID: xid, Name: name, Slug: slug, Bio: more})
			case 1:
				a.Tags = append(a.Tags, article.Tag{ID: xid, Name: name, Slug: slug})
			default:
				at, _ := ord.(int64)
				a.Notes = append(a.Notes, article.Note{Kind: article.NoteKind(name), Text: slug, At: fromMicros(sql.NullInt64{Int64: at, Valid: true})})
			}
			return nil
		})
}

// each runs a query and calls fn with a scanner for every row.
func (s Store) each(ctx context.Context, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := s.read().QueryContext(ctx, query, args...)
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
	list, err := s.queryArticles(ctx, `SELECT `+articleColumns+articleFrom+` WHERE a.id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: article %d: %w", id, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("sqlite: article %d: %w", id, store.ErrNotFound)
	}
	return list[0], nil
}

// ArticleBySlug implements store.Articles.
func (s Store) ArticleBySlug(ctx context.Context, slug string) (*article.Article, error) {
	list, err := s.queryArticles(ctx, `SELECT `+articleColumns+articleFrom+`
		WHERE a.slug = ? OR a.id = (SELECT article_id FROM article_slugs WHERE slug = ?)
		ORDER BY a.slug = ? DESC LIMIT 1`, slug, slug, slug)
	if err != nil {
		return nil, fmt.Errorf("sqlite: article %q: %w", slug, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("sqlite: article %q: %w", slug, store.ErrNotFound)
	}
	return list[0], nil
}

// SlugTaken implements store.Articles.
func (s Store) SlugTaken(ctx context.Context, slug string, id int64) (bool, error) {
	var n int
	err := s.read().QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM articles WHERE slug = ? AND id != ?) +
		(SELECT COUNT(*) FROM article_slugs WHERE slug = ? AND article_id != ?)`, slug, id, slug, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sqlite: slug %q: %w", slug, translate(err))
	}
	return n > 0, nil
}

// ListArticles implements store.Articles.
func (s Store) ListArticles(ctx context.Context, q store.ArticleQuery) ([]*article.Article, int, error) {
	var where []string
	var args []any
	if !q.LiveAt.IsZero() {
		live := liveCond
		if q.TagID != 0 || q.AuthorID != 0 {
			live = liveFilter
		}
		where, args = append(where, live), append(args, q.LiveAt.UnixMicro())
	}
	if q.Status != "" {
		where, args = append(where, "a.status = ?"), append(args, string(q.Status))
	}
	if q.Kind != "" {
		where, args = append(where, "a.kind = ?"), append(args, string(q.Kind))
	}
	if q.SectionID != 0 {
		where, args = append(where, "a.section_id = ?"), append(args, q.SectionID)
	}
	if q.TagID != 0 {
		where, args = append(where, "a.id IN (SELECT article_id FROM article_tags WHERE tag_id = ?)"), append(args, q.TagID)
	}
	if q.AuthorID != 0 {
		where, args = append(where, "a.id IN (SELECT article_id FROM article_authors WHERE author_id = ?)"), append(args, q.AuthorID)
	}
	if q.Text != "" {
		where, args = append(where, "instr(lower(a.title), lower(?)) > 0"), append(args, q.Text)
	}
	if !q.PublishedFrom.IsZero() {
		where, args = append(where, "a.published_at >= ?"), append(args, q.PublishedFrom.UnixMicro())
	}
	if !q.PublishedBefore.IsZero() {
		where, args = append(where, "a.published_at < ?"), append(args, q.PublishedBefore.UnixMicro())
	}
	if q.After != nil {
		where, args = append(where, "(COALESCE(a.published_at, a.updated_at), a.id) < (?, ?)"), append(args, q.After.SortTime().UnixMicro(), q.After.ID)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	// Counting and sorting touch only articles' narrow columns: a row's columns after its bodies
	// (section_id, updated_at) lie on overflow pages, and sorting whole rows reads every body.
	var total int
	if q.After == nil {
		var err error
		if total, err = s.countArticles(ctx, q, cond, args); err != nil {
			return nil, 0, fmt.Errorf("sqlite: list articles: %w", err)
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	ids, err := s.ids(ctx, `SELECT a.id FROM articles a`+cond+`
		ORDER BY COALESCE(a.published_at, a.updated_at) DESC, a.id DESC LIMIT ? OFFSET ?`,
		append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: list articles: %w", err)
	}
	list, err := s.articlesByID(ctx, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: list articles: %w", err)
	}
	return list, total, nil
}

// countArticles counts the articles a listing selects. A listing by kind, section and status
// (the front page, a section, the editors' lists by status) adds up article_counts, which the
// triggers keep, and counts from the index only the scheduled stories whose time has come and
// that PublishDue has not yet marked published; any other listing counts its rows.
func (s Store) countArticles(ctx context.Context, q store.ArticleQuery, cond string, args []any) (int, error) {
	var total int
	if q.TagID != 0 || q.AuthorID != 0 || q.Text != "" || !q.PublishedFrom.IsZero() || !q.PublishedBefore.IsZero() ||
		(!q.LiveAt.IsZero() && q.Status != "") {
		err := s.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM articles a`+cond, args...).Scan(&total)
		return total, translate(err)
	}
	var where []string
	var cargs []any
	switch {
	case !q.LiveAt.IsZero():
		where = append(where, "status = 'published'")
	case q.Status != "":
		where, cargs = append(where, "status = ?"), append(cargs, string(q.Status))
	}
	if q.Kind != "" {
		where, cargs = append(where, "kind = ?"), append(cargs, string(q.Kind))
	} else {
		where = append(where, "kind IN ('story', 'page')") // the key's first column, for a section's search
	}
	if q.SectionID != 0 {
		where, cargs = append(where, "section_id = ?"), append(cargs, q.SectionID)
	}
	query := `SELECT COALESCE(SUM(n), 0) FROM article_counts WHERE ` + strings.Join(where, " AND ")
	if !q.LiveAt.IsZero() {
		due := []string{"a.status = 'scheduled'", "a.published_at <= ?"}
		dargs := []any{q.LiveAt.UnixMicro()}
		if q.Kind != "" {
			due, dargs = append(due, "a.kind = ?"), append(dargs, string(q.Kind))
		}
		if q.SectionID != 0 {
			due, dargs = append(due, "a.section_id = ?"), append(dargs, q.SectionID)
		}
		query = `SELECT (` + query + `) + (SELECT COUNT(*) FROM articles a WHERE ` + strings.Join(due, " AND ") + `)`
		cargs = append(cargs, dargs...)
	}
	err := s.read().QueryRowContext(ctx, query, cargs...).Scan(&total)
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
		if err := s.checkSlug(ctx, q, a.Slug, 0); err != nil {
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
		res, err := q.ExecContext(ctx, `INSERT INTO articles (kind, slug, title, standfirst, body, body_html, body_text,
			section_id, status, published_at, updated_at, created_at, image_url, image_alt, comments_open, version, zone)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
			string(a.Kind), a.Slug, a.Title, a.Standfirst, a.Body, a.BodyHTML, a.BodyText, sectionID,
			string(a.Status), micros(a.PublishedAt), micros(a.UpdatedAt), micros(a.CreatedAt),
			a.ImageURL, a.ImageAlt, a.CommentsOpen, a.Zone)
		if err != nil {
			return translate(err)
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		a.Version = 1
		return saveDetails(ctx, q, a)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create article %q: %w", a.Slug, err)
	}
	return nil
}

// UpdateArticle implements store.Articles.
func (s Store) UpdateArticle(ctx context.Context, a *article.Article) error {
	err := s.write(ctx, func(q querier) error {
		var oldSlug string
		var version int
		err := q.QueryRowContext(ctx, `SELECT slug, version FROM articles WHERE id = ?`, a.ID).Scan(&oldSlug, &version)
		if err != nil {
			return translate(err)
		}
		if version != a.Version {
			return fmt.Errorf("version %d was saved since version %d: %w", version, a.Version, store.ErrConflict)
		}
		if err := s.checkSlug(ctx, q, a.Slug, a.ID); err != nil {
			return err
		}
		sectionID, err := ensureSection(ctx, q, &a.Section)
		if err != nil {
			return err
		}
		if a.UpdatedAt.IsZero() {
			a.UpdatedAt = time.Now().UTC()
		}
		_, err = q.ExecContext(ctx, `UPDATE articles SET kind = ?, slug = ?, title = ?, standfirst = ?, body = ?,
			body_html = ?, body_text = ?, section_id = ?, status = ?, published_at = ?, updated_at = ?,
			image_url = ?, image_alt = ?, comments_open = ?, zone = ?, version = version + 1 WHERE id = ?`,
			string(a.Kind), a.Slug, a.Title, a.Standfirst, a.Body, a.BodyHTML, a.BodyText, sectionID,
			string(a.Status), micros(a.PublishedAt), micros(a.UpdatedAt), a.ImageURL, a.ImageAlt,
			a.CommentsOpen, a.Zone, a.ID)
		if err != nil {
			return translate(err)
		}
		if oldSlug != a.Slug {
			if _, err := q.ExecContext(ctx, `DELETE FROM article_slugs WHERE slug = ?`, a.Slug); err != nil {
				return translate(err)
			}
			if _, err := q.ExecContext(ctx, `INSERT OR REPLACE INTO article_slugs (slug, article_id) VALUES (?, ?)`, oldSlug, a.ID); err != nil {
				return translate(err)
			}
		}
		for _, stmt := range []string{`DELETE FROM article_authors WHERE article_id = ?`,
			`DELETE FROM article_tags WHERE article_id = ?`, `DELETE FROM article_notes WHERE article_id = ?`} {
			if _, err := q.ExecContext(ctx, stmt, a.ID); err != nil {
				return translate(err)
			}
		}
		a.Version++
		return saveDetails(ctx, q, a)
	})
	if err != nil {
		return fmt.Errorf("sqlite: update article %d: %w", a.ID, err)
	}
	return nil
}

// DeleteArticle implements store.Articles.
func (s Store) DeleteArticle(ctx context.Context, id int64) error {
	err := s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		_, err = q.ExecContext(ctx, `DELETE FROM articles_fts WHERE rowid = ?`, id)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete article %d: %w", id, err)
	}
	return nil
}

func (s Store) checkSlug(ctx context.Context, q querier, slug string, id int64) error {
	if slug == "" {
		return fmt.Errorf("empty slug: %w", store.ErrConflict)
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM articles WHERE slug = ? AND id != ?) +
		(SELECT COUNT(*) FROM article_slugs WHERE slug = ? AND article_id != ?)`, slug, id, slug, id).Scan(&n)
	if err != nil {
		return translate(err)
	}
	if n > 0 {
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
		err := q.QueryRowContext(ctx, `INSERT INTO sections (name, slug, description) VALUES (?, ?, ?)
			ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id, name, description`,
			nameOr(sec.Name, sec.Slug), sec.Slug, sec.Description).Scan(&sec.ID, &sec.Name, &sec.Description)
		if err != nil {
			return nil, translate(err)
		}
	}
	return sec.ID, nil
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
			err := q.QueryRowContext(ctx, `INSERT INTO authors (name, slug, bio) VALUES (?, ?, ?)
				ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id, name, bio`,
				nameOr(au.Name, au.Slug), au.Slug, au.Bio).Scan(&au.ID, &au.Name, &au.Bio)
			if err != nil {
				return translate(err)
			}
		}
		if _, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO article_authors (article_id, author_id, position) VALUES (?, ?, ?)`,
			a.ID, au.ID, i); err != nil {
			return translate(err)
		}
	}
	names := make([]string, 0, len(a.Tags))
	for i := range a.Tags {
		t := &a.Tags[i]
		if t.ID == 0 {
			err := q.QueryRowContext(ctx, `INSERT INTO tags (name, slug) VALUES (?, ?)
				ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id, name`,
				nameOr(t.Name, t.Slug), t.Slug).Scan(&t.ID, &t.Name)
			if err != nil {
				return translate(err)
			}
		}
		if _, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO article_tags (article_id, tag_id) VALUES (?, ?)`, a.ID, t.ID); err != nil {
			return translate(err)
		}
		names = append(names, t.Name)
	}
	for _, n := range a.Notes {
		if _, err := q.ExecContext(ctx, `INSERT INTO article_notes (article_id, kind, text, at) VALUES (?, ?, ?, ?)`,
			a.ID, string(n.Kind), n.Text, micros(n.At)); err != nil {
			return translate(err)
		}
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM articles_fts WHERE rowid = ?`, a.ID); err != nil {
		return translate(err)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO articles_fts (rowid, title, standfirst, body, tags) VALUES (?, ?, ?, ?, ?)`,
		a.ID, a.Title, a.Standfirst, a.BodyText, strings.Join(names, " "))
	return translate(err)
}

// PublishDue implements store.Articles.
func (s Store) PublishDue(ctx context.Context, now time.Time) ([]int64, error) {
	var ids []int64
	err := s.write(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, `UPDATE articles SET status = 'published'
			WHERE status = 'scheduled' AND published_at <= ? RETURNING id`, now.UnixMicro())
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
		return nil, fmt.Errorf("sqlite: publish due: %w", err)
	}
	return ids, nil
}

// NextScheduled implements store.Articles.
func (s Store) NextScheduled(ctx context.Context, now time.Time) (time.Time, error) {
	var at sql.NullInt64
	err := s.read().QueryRowContext(ctx, `SELECT MIN(published_at) FROM articles
		WHERE status = 'scheduled' AND published_at > ?`, now.UnixMicro()).Scan(&at)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: next scheduled: %w", translate(err))
	}
	return fromMicros(at), nil
}

// Redirect implements store.Articles.
func (s Store) Redirect(ctx context.Context, oldPath string) (string, error) {
	var p string
	err := s.read().QueryRowContext(ctx, `SELECT new_path FROM redirects WHERE old_path = ?`, oldPath).Scan(&p)
	if err != nil {
		return "", fmt.Errorf("sqlite: redirect %q: %w", oldPath, translate(err))
	}
	return p, nil
}

// AddRedirect implements store.Articles.
func (s Store) AddRedirect(ctx context.Context, oldPath, newPath string) error {
	err := s.write(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, `INSERT INTO redirects (old_path, new_path) VALUES (?, ?)
			ON CONFLICT (old_path) DO UPDATE SET new_path = excluded.new_path`, oldPath, newPath)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: redirect %q: %w", oldPath, err)
	}
	return nil
}

// Redirects implements store.Articles.
func (s Store) Redirects(ctx context.Context) ([]store.Redirect, error) {
	var list []store.Redirect
	err := s.each(ctx, `SELECT old_path, new_path FROM redirects ORDER BY old_path`, nil, func(sc func(...any) error) error {
		var r store.Redirect
		if err := sc(&r.From, &r.To); err != nil {
			return err
		}
		list = append(list, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: redirects: %w", err)
	}
	return list, nil
}

// SearchArticles implements store.Articles. The reader's words are quoted one by one, so FTS5
// syntax in the input is searched for as text rather than obeyed; the last word matches as a
// prefix.
func (s Store) SearchArticles(ctx context.Context, q store.SearchQuery) ([]store.SearchHit, int, error) {
	match := ftsQuery(q.Text)
	if match == "" {
		return nil, 0, nil
	}
	live := q.LiveAt.UnixMicro()
	var total int
	err := s.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM articles_fts f JOIN articles a ON a.id = f.rowid
		WHERE articles_fts MATCH ? AND `+liveCond, match, live).Scan(&total)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: search: %w", translate(err))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	ids, err := s.ids(ctx, `SELECT a.id FROM articles_fts f JOIN articles a ON a.id = f.rowid
		WHERE articles_fts MATCH ? AND `+liveCond+`
		ORDER BY bm25(articles_fts, 10.0, 4.0, 1.0, 6.0), a.published_at DESC, a.id DESC LIMIT ? OFFSET ?`,
		match, live, limit, max(q.Offset, 0))
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: search: %w", err)
	}
	if len(ids) == 0 {
		return nil, total, nil
	}
	// Snippets are made for the page's hits alone: in the ranking query SQLite would make one
	// for every match before sorting.
	snippets := make(map[int64]string, len(ids))
	err = s.each(ctx, `SELECT rowid, snippet(articles_fts, -1, char(57344), char(57345), '…', 24)
		FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN (`+placeholders(len(ids))+`)`,
		append([]any{match}, int64Args(ids)...), func(sc func(...any) error) error {
			var id int64
			var snip string
			if err := sc(&id, &snip); err != nil {
				return err
			}
			snippets[id] = snip
			return nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: search: %w", err)
	}
	list, err := s.articlesByID(ctx, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: search: %w", err)
	}
	hits := make([]store.SearchHit, 0, len(list))
	for _, a := range list {
		hits = append(hits, store.SearchHit{Article: a, Snippet: snippets[a.ID]})
	}
	return hits, total, nil
}

// articlesByID loads articles keeping the order of ids.
func (s Store) articlesByID(ctx context.Context, ids []int64) ([]*article.Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := s.queryArticles(ctx, `SELECT `+articleColumns+articleFrom+` WHERE a.id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...)
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

// ftsQuery turns a reader's text into a safe FTS5 query: each word a quoted string, all required.
func ftsQuery(text string) string {
	text = strings.ToValidUTF8(text, " ")
	if len(text) > 1000 {
		text = text[:1000]
		text = strings.ToValidUTF8(text, "")
	}
	var terms []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !(r == '_' || r == '\'' || r >= 0x80 || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'))
	}) {
		w = strings.Trim(w, "'")
		if w == "" || strings.ContainsRune(w, 0xFFFD) {
			continue
		}
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
		if len(terms) == 32 {
			break
		}
	}
	if len(terms) == 0 {
		return ""
	}
	terms[len(terms)-1] += "*"
	return strings.Join(terms, " ")
}
