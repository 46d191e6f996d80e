package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

const userColumns = `id, email, name, role, password_hash, COALESCE(author_id, 0), created_at`

func scanUser(sc func(...any) error) (account.User, error) {
	var u account.User
	var role string
	var created sql.NullInt64
	err := sc(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.AuthorID, &created)
	u.Role, u.CreatedAt = account.Role(role), fromMicros(created)
	return u, err
}

// CreateUser implements store.Accounts.
func (s Store) CreateUser(ctx context.Context, u *account.User) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	err := s.write(ctx, func(q querier) error {
		return translate(q.QueryRowContext(ctx, `INSERT INTO users (email, name, role, password_hash, author_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, u.Email, u.Name, string(u.Role), u.PasswordHash,
			nullID(u.AuthorID), micros(u.CreatedAt)).Scan(&u.ID))
	})
	if err != nil {
		return fmt.Errorf("sqlite: create user %q: %w", u.Email, err)
	}
	return nil
}

// UpdateUser implements store.Accounts.
func (s Store) UpdateUser(ctx context.Context, u *account.User) error {
	err := s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE users SET email = ?, name = ?, role = ?, password_hash = ?, author_id = ?
			WHERE id = ?`, u.Email, u.Name, string(u.Role), u.PasswordHash, nullID(u.AuthorID), u.ID)
		return affected(res, err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: update user %d: %w", u.ID, err)
	}
	return nil
}

// affected translates an Exec's error, and answers ErrNotFound when it changed no row.
func affected(res sql.Result, err error) error {
	if err != nil {
		return translate(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteUser implements store.Accounts.
func (s Store) DeleteUser(ctx context.Context, id int64) error {
	err := s.write(ctx, func(q querier) error {
		return affected(q.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id))
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete user %d: %w", id, err)
	}
	return nil
}

// User implements store.Accounts.
func (s Store) User(ctx context.Context, id int64) (*account.User, error) {
	u, err := scanUser(s.read().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id).Scan)
	if err != nil {
		return nil, fmt.Errorf("sqlite: user %d: %w", id, translate(err))
	}
	return &u, nil
}

// UserByEmail implements store.Accounts.
func (s Store) UserByEmail(ctx context.Context, email string) (*account.User, error) {
	u, err := scanUser(s.read().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email).Scan)
	if err != nil {
		return nil, fmt.Errorf("sqlite: user %q: %w", email, translate(err))
	}
	return &u, nil
}

// Users implements store.Accounts.
func (s Store) Users(ctx context.Context) ([]account.User, error) {
	var list []account.User
	err := s.each(ctx, `SELECT `+userColumns+` FROM users ORDER BY name, id`, nil, func(sc func(...any) error) error {
		u, err := scanUser(sc)
		list = append(list, u)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	return list, nil
}

const sessionColumns = `token_hash, user_id, created_at, last_seen, ip, user_agent`

func scanSession(sc func(...any) error) (account.Session, error) {
	var x account.Session
	var created, seen sql.NullInt64
	err := sc(&x.TokenHash, &x.UserID, &created, &seen, &x.IP, &x.UserAgent)
	x.CreatedAt, x.LastSeen = fromMicros(created), fromMicros(seen)
	return x, err
}

// CreateSession implements store.Accounts.
func (s Store) CreateSession(ctx context.Context, x *account.Session) error {
	if x.CreatedAt.IsZero() {
		x.CreatedAt = time.Now().UTC()
	}
	if x.LastSeen.IsZero() {
		x.LastSeen = x.CreatedAt
	}
	err := s.write(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
			x.TokenHash, x.UserID, micros(x.CreatedAt), micros(x.LastSeen), x.IP, x.UserAgent)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create session for user %d: %w", x.UserID, err)
	}
	return nil
}

// Session implements store.Accounts.
func (s Store) Session(ctx context.Context, tokenHash string) (*account.Session, error) {
	x, err := scanSession(s.read().QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE token_hash = ?`, tokenHash).Scan)
	if err != nil {
		return nil, fmt.Errorf("sqlite: session: %w", translate(err))
	}
	return &x, nil
}

// Sessions implements store.Accounts.
func (s Store) Sessions(ctx context.Context, userID int64) ([]account.Session, error) {
	var list []account.Session
	err := s.each(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = ? ORDER BY last_seen DESC`, []any{userID},
		func(sc func(...any) error) error {
			x, err := scanSession(sc)
			list = append(list, x)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: sessions of user %d: %w", userID, err)
	}
	return list, nil
}

// exec runs one statement in a write transaction (or the enclosing one) and wraps its error.
func (s Store) exec(ctx context.Context, what string, query string, args ...any) error {
	err := s.write(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, query, args...)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return nil
}

// TouchSession implements store.Accounts.
func (s Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	return s.exec(ctx, "touch session", `UPDATE sessions SET last_seen = ? WHERE token_hash = ?`, micros(at), tokenHash)
}

// DeleteSession implements store.Accounts.
func (s Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.exec(ctx, "delete session", `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
}

// SignOutEverywhere implements store.Accounts.
func (s Store) SignOutEverywhere(ctx context.Context, userID int64) error {
	err := s.write(ctx, func(q querier) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return translate(err)
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = ?`, userID); err != nil {
			return translate(err)
		}
		_, err := q.ExecContext(ctx, `DELETE FROM password_links WHERE user_id = ?`, userID)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: sign user %d out everywhere: %w", userID, err)
	}
	return nil
}

// PruneSessions implements store.Accounts.
func (s Store) PruneSessions(ctx context.Context, idleBefore, createdBefore time.Time) error {
	return s.exec(ctx, "prune sessions", `DELETE FROM sessions WHERE last_seen < ? OR created_at < ?`,
		idleBefore.UnixMicro(), createdBefore.UnixMicro())
}

const tokenColumns = `id, user_id, name, token_hash, created_at, last_used, expires_at`

func scanToken(sc func(...any) error) (account.APIToken, error) {
	var x account.APIToken
	var created, used, expires sql.NullInt64
	err := sc(&x.ID, &x.UserID, &x.Name, &x.TokenHash, &created, &used, &expires)
	x.CreatedAt, x.LastUsed, x.ExpiresAt = fromMicros(created), fromMicros(used), fromMicros(expires)
	return x, err
}

// CreateAPIToken implements store.Accounts.
func (s Store) CreateAPIToken(ctx context.Context, x *account.APIToken) error {
	if x.CreatedAt.IsZero() {
		x.CreatedAt = time.Now().UTC()
	}
	err := s.write(ctx, func(q querier) error {
		return translate(q.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, last_used, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, x.UserID, x.Name, x.TokenHash, micros(x.CreatedAt), micros(x.LastUsed),
			micros(x.ExpiresAt)).Scan(&x.ID))
	})
	if err != nil {
		return fmt.Errorf("sqlite: create API token for user %d: %w", x.UserID, err)
	}
	return nil
}

// APIToken implements store.Accounts.
func (s Store) APIToken(ctx context.Context, tokenHash string) (*account.APIToken, error) {
	x, err := scanToken(s.read().QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = ?`, tokenHash).Scan)
	if err != nil {
		return nil, fmt.Errorf("sqlite: API token: %w", translate(err))
	}
	return &x, nil
}

// APITokens implements store.Accounts.
func (s Store) APITokens(ctx context.Context, userID int64) ([]account.APIToken, error) {
	var list []account.APIToken
	err := s.each(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC`,
		[]any{userID}, func(sc func(...any) error) error {
			x, err := scanToken(sc)
			list = append(list, x)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: API tokens of user %d: %w", userID, err)
	}
	return list, nil
}

// TouchAPIToken implements store.Accounts.
func (s Store) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	return s.exec(ctx, fmt.Sprintf("touch API token %d", id), `UPDATE api_tokens SET last_used = ? WHERE id = ?`, micros(at), id)
}

// DeleteAPIToken implements store.Accounts.
func (s Store) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	err := s.write(ctx, func(q querier) error {
		return affected(q.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID))
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete API token %d: %w", id, err)
	}
	return nil
}

// ReserveLoginAttempt implements store.Accounts. The count and the insert run in one write
// transaction, which BEGIN IMMEDIATE serialises across connections and processes.
func (s Store) ReserveLoginAttempt(ctx context.Context, buckets []account.Bucket, since, at time.Time) (id int64, oldest time.Time, err error) {
	err = s.write(ctx, func(q querier) error {
		for _, b := range buckets {
			var n int
			var old sql.NullInt64
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*), MIN(at) FROM login_attempts WHERE key = ? AND at >= ?`,
				b.Key, since.UnixMicro()).Scan(&n, &old); err != nil {
				return translate(err)
			}
			if n >= b.Limit {
				oldest = fromMicros(old)
				return nil
			}
		}
		if err := q.QueryRowContext(ctx, `INSERT INTO login_attempt_ids (at) VALUES (?) RETURNING id`, micros(at)).Scan(&id); err != nil {
			return translate(err)
		}
		for _, b := range buckets {
			if _, err := q.ExecContext(ctx, `INSERT INTO login_attempts (attempt_id, key, at) VALUES (?, ?, ?)`,
				id, b.Key, micros(at)); err != nil {
				return translate(err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("sqlite: reserve sign-in attempt: %w", err)
	}
	return id, oldest, nil
}

// ClearLoginAttempts implements store.Accounts.
func (s Store) ClearLoginAttempts(ctx context.Context, id int64, keys []string) error {
	err := s.write(ctx, func(q querier) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM login_attempt_ids WHERE id = ?`, id); err != nil {
			return translate(err)
		}
		for _, k := range keys {
			if _, err := q.ExecContext(ctx, `DELETE FROM login_attempts WHERE key = ?`, k); err != nil {
				return translate(err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: clear sign-in attempts: %w", err)
	}
	return nil
}

// PruneLoginFailures implements store.Accounts.
func (s Store) PruneLoginFailures(ctx context.Context, before time.Time) error {
	return s.exec(ctx, "prune sign-in attempts", `DELETE FROM login_attempt_ids WHERE at < ?`, before.UnixMicro())
}

// CreateSetupToken implements store.Accounts.
func (s Store) CreateSetupToken(ctx context.Context, tokenHash string, expires time.Time) error {
	return s.exec(ctx, "create setup token", `INSERT INTO setup_tokens (token_hash, expires_at) VALUES (?, ?)`,
		tokenHash, micros(expires))
}

// UseSetupToken implements store.Accounts.
func (s Store) UseSetupToken(ctx context.Context, tokenHash string) (time.Time, error) {
	var exp sql.NullInt64
	err := s.write(ctx, func(q querier) error {
		return translate(q.QueryRowContext(ctx, `DELETE FROM setup_tokens WHERE token_hash = ? RETURNING expires_at`, tokenHash).Scan(&exp))
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: use setup token: %w", err)
	}
	return fromMicros(exp), nil
}

const revisionColumns = `id, article_id, version, autosave, COALESCE(user_id, 0), user_name, at, status, title, standfirst, body`

func scanRevision(sc func(...any) error) (store.Revision, error) {
	var r store.Revision
	var at sql.NullInt64
	var status string
	err := sc(&r.ID, &r.ArticleID, &r.Version, &r.Autosave, &r.UserID, &r.UserName, &at, &status, &r.Title, &r.Standfirst, &r.Body)
	r.At, r.Status = fromMicros(at), article.Status(status)
	return r, err
}

// AddRevision implements store.Revisions.
func (s Store) AddRevision(ctx context.Context, r *store.Revision) error {
	err := s.write(ctx, func(q querier) error {
		if r.Autosave {
			if _, err := q.ExecContext(ctx, `DELETE FROM article_revisions WHERE article_id = ? AND autosave = 1 AND user_id IS ?`,
				r.ArticleID, nullID(r.UserID)); err != nil {
				return translate(err)
			}
		}
		return translate(q.QueryRowContext(ctx, `INSERT INTO article_revisions (article_id, version, autosave, user_id,
			user_name, at, status, title, standfirst, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.ArticleID, r.Version, r.Autosave, nullID(r.UserID), r.UserName, micros(r.At), string(r.Status),
			r.Title, r.Standfirst, r.Body).Scan(&r.ID))
	})
	if err != nil {
		return fmt.Errorf("sqlite: add revision of article %d: %w", r.ArticleID, err)
	}
	return nil
}

// Revisions implements store.Revisions.
func (s Store) Revisions(ctx context.Context, articleID int64) ([]store.Revision, error) {
	var list []store.Revision
	err := s.each(ctx, `SELECT `+revisionColumns+` FROM article_revisions WHERE article_id = ? ORDER BY at DESC, id DESC`,
		[]any{articleID}, func(sc func(...any) error) error {
			r, err := scanRevision(sc)
			list = append(list, r)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: revisions of article %d: %w", articleID, err)
	}
	return list, nil
}

// Revision implements store.Revisions.
func (s Store) Revision(ctx context.Context, id int64) (*store.Revision, error) {
	r, err := scanRevision(s.read().QueryRowContext(ctx, `SELECT `+revisionColumns+` FROM article_revisions WHERE id = ?`, id).Scan)
	if err != nil {
		return nil, fmt.Errorf("sqlite: revision %d: %w", id, translate(err))
	}
	return &r, nil
}

// DeleteAutosave implements store.Revisions.
func (s Store) DeleteAutosave(ctx context.Context, articleID, userID int64) error {
	return s.exec(ctx, fmt.Sprintf("delete autosave of article %d", articleID),
		`DELETE FROM article_revisions WHERE article_id = ? AND autosave = 1 AND user_id IS ?`, articleID, nullID(userID))
}

// Settings implements store.Settings.
func (s Store) Settings(ctx context.Context) (map[string]string, error) {
	kv := map[string]string{}
	err := s.each(ctx, `SELECT key, value FROM settings`, nil, func(sc func(...any) error) error {
		var k, v string
		err := sc(&k, &v)
		kv[k] = v
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: settings: %w", err)
	}
	return kv, nil
}

// SaveSettings implements store.Settings.
func (s Store) SaveSettings(ctx context.Context, kv map[string]string) error {
	err := s.write(ctx, func(q querier) error {
		for k, v := range kv {
			if _, err := q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				return translate(err)
			}
		}
		_, err := q.ExecContext(ctx, `INSERT INTO change_log (key) VALUES ('settings')`)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: save settings: %w", err)
	}
	return nil
}

// SaveTag implements store.Editorial. A rename also renames the tag in the search index.
func (s Store) SaveTag(ctx context.Context, x *article.Tag) error {
	err := s.write(ctx, func(q querier) error {
		if x.ID == 0 {
			return translate(q.QueryRowContext(ctx, `INSERT INTO tags (name, slug) VALUES (?, ?) RETURNING id`,
				x.Name, x.Slug).Scan(&x.ID))
		}
		if err := affected(q.ExecContext(ctx, `UPDATE tags SET name = ?, slug = ? WHERE id = ?`, x.Name, x.Slug, x.ID)); err != nil {
			return err
		}
		return reindexTags(ctx, q, `SELECT article_id FROM article_tags WHERE tag_id = ?`, x.ID)
	})
	if err != nil {
		return fmt.Errorf("sqlite: tag %q: %w", x.Slug, err)
	}
	return nil
}

// reindexTags rewrites the tags column of the search rows of the articles the query selects.
func reindexTags(ctx context.Context, q querier, articles string, args ...any) error {
	_, err := q.ExecContext(ctx, `UPDATE articles_fts SET tags = COALESCE((SELECT group_concat(t.name, ' ')
		FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = articles_fts.rowid), '')
		WHERE rowid IN (`+articles+`)`, args...)
	return translate(err)
}

// DeleteTag implements store.Editorial.
func (s Store) DeleteTag(ctx context.Context, id int64) error {
	err := s.write(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, `SELECT article_id FROM article_tags WHERE tag_id = ?`, id)
		if err != nil {
			return translate(err)
		}
		var ids []int64
		for rows.Next() {
			var a int64
			if err := rows.Scan(&a); err != nil {
				rows.Close()
				return translate(err)
			}
			ids = append(ids, a)
		}
		rows.Close()
		if err := affected(q.ExecContext(ctx, `DELETE FROM tags WHERE id = ?`, id)); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		return reindexTags(ctx, q, placeholders(len(ids)), int64Args(ids)...)
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete tag %d: %w", id, err)
	}
	return nil
}

// DeleteSection implements store.Editorial.
func (s Store) DeleteSection(ctx context.Context, id int64) error {
	err := s.write(ctx, func(q querier) error {
		return affected(q.ExecContext(ctx, `DELETE FROM sections WHERE id = ?`, id))
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete section %d: %w", id, err)
	}
	return nil
}

// DeleteAuthor implements store.Editorial.
func (s Store) DeleteAuthor(ctx context.Context, id int64) error {
	err := s.write(ctx, func(q querier) error {
		return affected(q.ExecContext(ctx, `DELETE FROM authors WHERE id = ?`, id))
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete author %d: %w", id, err)
	}
	return nil
}

// TaxonomyCounts implements store.Editorial.
func (s Store) TaxonomyCounts(ctx context.Context) (sections, tags, authors map[int64]int, err error) {
	sections, tags, authors = map[int64]int{}, map[int64]int{}, map[int64]int{}
	for _, c := range []struct {
		query string
		into  map[int64]int
	}{
		{`SELECT section_id, COUNT(*) FROM articles WHERE section_id IS NOT NULL GROUP BY section_id`, sections},
		{`SELECT tag_id, COUNT(*) FROM article_tags GROUP BY tag_id`, tags},
		{`SELECT author_id, COUNT(*) FROM article_authors GROUP BY author_id`, authors},
	} {
		err = s.each(ctx, c.query, nil, func(sc func(...any) error) error {
			var id int64
			var n int
			err := sc(&id, &n)
			c.into[id] = n
			return err
		})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("sqlite: taxonomy counts: %w", err)
		}
	}
	return sections, tags, authors, nil
}

// PublishedTimes implements store.Editorial.
func (s Store) PublishedTimes(ctx context.Context, from, to time.Time) ([]time.Time, error) {
	var list []time.Time
	err := s.each(ctx, `SELECT a.published_at FROM articles a WHERE a.kind = 'story' AND `+liveCond+`
		AND a.published_at >= ? AND a.published_at < ? ORDER BY a.published_at`,
		[]any{to.UnixMicro(), from.UnixMicro(), to.UnixMicro()}, func(sc func(...any) error) error {
			var at sql.NullInt64
			err := sc(&at)
			list = append(list, fromMicros(at))
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: published times: %w", err)
	}
	return list, nil
}
